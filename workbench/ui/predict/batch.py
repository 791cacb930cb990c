"""Predicting a whole file in the Predict tab: what is read, in batches, and what comes back.

No Qt and no TensorFlow here. A :class:`BatchSource` names the inputs (a file of texts, a
table file of feature rows, image files, audio files or a folder of them); :func:`answer_all`
reads them on a worker thread with progress and cancel, asks the model batch by batch
through the function the worker hands in (the predictor's own ``predict``,
``predict_table``, ``predict_images`` or ``predict_audio``: the threshold and every other
decision stay the backend's), and keeps only the results: a
clipped input per row, the chosen class, the probabilities as one float32 array. 100,000
texts end as a few megabytes of arrays, never as 100,000 objects or widgets.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.errors import DataError
from workbench.core.summary import Prediction


def _tables() -> Any:
    """``workbench.core.tables`` (it imports pandas and pyarrow: 0.6 s), when first needed."""
    from workbench.core import tables

    return tables


#: A text (or cell) is kept this long for the table and the saved file.
INPUT_CHARS = 200
#: Inputs per call of the model: big enough that Keras's per-call cost stays small, small
#: enough that Cancel answers within a batch.
BATCH = {"texts": 1024, "rows": 1024, "images": 64, "audio": 32}
#: Kinds whose inputs are files, some of which may not be readable (skipped, with a reason).
FILE_KINDS = ("images", "audio")
#: Share of the progress bar the reading takes; predicting takes the rest.
READ_SHARE = 0.2
#: A table file shows at most this many of its own columns next to the predictions.
KEY_COLUMNS = 3

Progress = Callable[[float], object]
Cancel = Callable[[], bool]


@dataclass(frozen=True)
class BatchSource:
    """What to predict: ``kind`` is texts (``path``, and ``column`` unless a .txt file), rows
    (a table file at ``path``), images (``paths``) or audio (``paths``, or every audio file
    in the folder ``path`` and its subfolders)."""

    kind: str
    path: str = ""
    column: str = ""
    paths: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The file's (or folder's) name, or 'N images', 'N audio files'."""
        if self.kind in FILE_KINDS and not self.path:
            count = len(self.paths)
            what = "images" if self.kind == "images" else "audio files"
            return Path(self.paths[0]).name if count == 1 else f"{count:,} {what}"
        return Path(self.path).name


@dataclass
class PredictionResults:
    """A file's predictions, one row per input, as arrays.

    ``inputs`` holds one array of strings per column in ``input_columns`` (a clipped text, a
    file path, a table's key cells); ``rows`` the 1-based position of each input in what
    was given. Classification fills ``labels`` (index into ``class_names``) and
    ``probabilities`` (n x classes); regression fills ``values``.
    """

    source: str
    input_columns: list[str]
    inputs: list[np.ndarray]
    rows: np.ndarray
    class_names: list[str] = field(default_factory=list)
    labels: np.ndarray = field(default_factory=lambda: np.zeros(0, np.intp))
    probabilities: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    values: np.ndarray | None = None
    skipped: int = 0  # inputs that could not be read (images, audio)
    what: str = "inputs"  # "texts", "rows", "images", "audio": for messages
    #: (file, why) for each audio file left out
    skipped_files: list[tuple[str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def regression(self) -> bool:
        """True when the model answers numbers."""
        return self.values is not None

    def prediction(self, i: int) -> Prediction:
        """Row ``i`` as the Predict tab's big answer shows one."""
        if self.values is not None:
            value = float(self.values[i])
            return Prediction(f"{value:.6g}", {}, value=value)
        row = self.probabilities[i]
        by_class = {name: float(p) for name, p in zip(self.class_names, row, strict=True)}
        return Prediction(self.class_names[int(self.labels[i])], by_class)

    def where(self, i: int) -> str:
        """What row ``i`` was: 'row 12 of reviews.csv', 'text 3 of notes.txt', or an image's
        file name."""
        if self.what in FILE_KINDS:
            return str(self.inputs[0][i]).replace("\\", "/").rsplit("/", 1)[-1]
        unit = "text" if self.source.lower().endswith(".txt") else "row"
        return f"{unit} {int(self.rows[i])} of {self.source}"

    def label_text(self, i: int) -> str:
        """The predicted label (or value) of row ``i``."""
        if self.values is not None:
            return f"{float(self.values[i]):.6g}"
        return self.class_names[int(self.labels[i])]

    def confidence(self, i: int) -> float:
        """Probability of row ``i``'s predicted class (1.0 for a value)."""
        if self.values is not None:
            return 1.0
        return float(self.probabilities[i, int(self.labels[i])])

    def to_frame(self) -> Any:
        """What Save predictions writes: row, the inputs, the prediction, p_<class> each."""
        import pandas as pd

        columns: dict[str, Any] = {"row": self.rows}
        for title, values in zip(self.input_columns, self.inputs, strict=True):
            columns[_unique(title, columns)] = values
        if self.values is not None:
            columns[_unique("prediction", columns)] = self.values
        else:
            names = np.asarray(self.class_names, dtype=object)
            columns[_unique("prediction", columns)] = names[self.labels]
            for k, name in enumerate(self.class_names):
                columns[_unique(f"p_{name}", columns)] = self.probabilities[:, k]
        return pd.DataFrame(columns)


def _unique(title: str, taken: dict[str, Any]) -> str:
    name, n = title, 2
    while name in taken:
        name, n = f"{title}_{n}", n + 1
    return name


def clip(text: Any, limit: int = INPUT_CHARS) -> str:
    """A cell as one line of at most ``limit`` characters (… marks a cut)."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- choosing the text column ------------------------------------------------------------


def string_columns(frame: Any) -> list[str]:
    """Columns of a (preview) frame whose values are text."""
    import pandas as pd

    return [
        str(c)
        for c in frame.columns
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])
    ]


def choose_text_column(
    name: str, columns: Sequence[str], texty: Sequence[str], preferred: str = ""
) -> tuple[str, list[str]]:
    """(the column, []) when the file says which column holds the texts; ('', candidates)
    when the person must pick; DataError naming the columns when none holds text.

    The model's own text column wins when the file has it, else the only text column.
    """
    columns = [str(c) for c in columns]
    if preferred and preferred in columns:
        return preferred, []
    if len(texty) == 1:
        return texty[0], []
    if texty:
        return "", list(texty)
    raise DataError(
        f"{name}: no column holds text to predict. {_tables().describe_columns(columns)} "
        "Give the texts a column of their own (or save them as a .txt file, one per line)."
    )


# -- reading and answering ----------------------------------------------------------------


class _Reporter:
    """Progress in [start, end) and cancel checks, for one phase of the work."""

    def __init__(self, progress: Progress | None, cancel: Cancel | None) -> None:
        self._progress = progress
        self._cancel = cancel

    def check(self) -> None:
        if self._cancel is not None and self._cancel():
            raise _tables().LoadCancelled("prediction cancelled")

    def report(self, fraction: float) -> None:
        self.check()
        if self._progress is not None:
            self._progress(min(max(fraction, 0.0), 1.0))

    def scaled(self, start: float, end: float) -> Progress:
        return lambda f: self.report(start + (end - start) * float(f))


def _read(source: BatchSource, reporter: _Reporter, features: Sequence[str]) -> tuple[Any, ...]:
    """(what the model takes, input titles, input columns as clipped strings)."""
    if source.kind in FILE_KINDS:
        paths = audio_files(source.path) if source.path else list(source.paths)
        return paths, ["file"], [np.asarray(paths, dtype=object)]
    if source.kind == "texts" and Path(source.path).suffix.lower() == ".txt":
        from workbench.core.inputs import read_text_lines

        texts = read_text_lines(Path(source.path))
        return texts, ["text"], [_clipped(texts)]
    from workbench.core.tables import read_table

    frame = read_table(
        source.path, progress=reporter.scaled(0.0, READ_SHARE), cancel=_cancel_of(reporter)
    )
    if source.kind == "texts":
        if source.column not in frame.columns:
            raise DataError(
                f"{source.name}: has no column {source.column!r}. "
                f"{_tables().describe_columns([str(c) for c in frame.columns])}"
            )
        texts = frame[source.column].astype("string").fillna("").to_numpy(dtype=object)
        del frame
        return texts, [source.column], [_clipped(texts)]
    keys = key_columns([str(c) for c in frame.columns], features)
    shown = [_clipped(frame[c].to_numpy(dtype=object)) for c in keys]
    return frame, keys, shown


def audio_files(folder: str | Path) -> list[str]:
    """Every audio file in ``folder`` and its subfolders, sorted; DataError when none."""
    from workbench.core.audio import AUDIO_SUFFIXES

    root = Path(folder)
    if not root.is_dir():
        raise DataError(f"{root}: not a folder.")
    try:
        found = sorted(
            str(p) for p in root.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file()
        )
    except OSError as exc:
        raise DataError(f"{root}: the folder cannot be read ({exc.strerror}).") from None
    if not found:
        raise DataError(
            f"{root.name}: no audio files ({', '.join(sorted(AUDIO_SUFFIXES))}) in it or its "
            "subfolders."
        )
    return found


def _cancel_of(reporter: _Reporter) -> Cancel:
    def cancelled() -> bool:
        try:
            reporter.check()
        except _tables().LoadCancelled:
            return True
        return False

    return cancelled


def key_columns(columns: Sequence[str], features: Sequence[str]) -> list[str]:
    """A table file's columns shown beside its predictions: those the model does not read
    (an id, a name, a label), else its first features; at most :data:`KEY_COLUMNS`."""
    wanted = set(features)
    others = [c for c in columns if c not in wanted]
    return (others or [c for c in columns if c in wanted])[:KEY_COLUMNS]


def _clipped(values: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = [clip(v) for v in values]
    return out


def answer_all(
    source: BatchSource,
    answer: Callable[[Any], Any],
    class_names: Sequence[str],
    regression: bool = False,
    features: Sequence[str] = (),
    *,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> PredictionResults:
    """Read ``source`` and answer it batch by batch with ``answer`` (a predictor method).

    ``answer(batch)`` returns a list of Prediction (for images: (predictions, files read);
    for audio: (predictions, files read, (file, why) for each file left out)).
    Raises DataError for an input nobody can predict (an empty file, a file that is not a
    table, columns the model needs but the file lacks, no readable image) and
    ``LoadCancelled`` when ``cancel()`` says so between batches.
    """
    reporter = _Reporter(progress, cancel)
    reporter.check()
    items, titles, shown = _read(source, reporter, features)
    total = len(items)
    if total == 0:
        raise DataError(f"{source.name}: has no {source.kind} to predict.")
    reporter.report(READ_SHARE)
    classes = list(class_names)
    size = BATCH.get(source.kind, 1024)
    keep = np.zeros(total, dtype=bool)
    labels = np.zeros(0 if regression else total, dtype=np.intp)
    probabilities = np.zeros((0 if regression else total, len(classes)), dtype=np.float32)
    values = np.zeros(total, dtype=np.float64) if regression else None
    index = {name: k for k, name in enumerate(classes)}
    image_error = ""
    unreadable: list[tuple[str, str]] = []
    for start in range(0, total, size):
        reporter.check()
        stop = min(start + size, total)
        batch = items.iloc[start:stop] if hasattr(items, "iloc") else list(items[start:stop])
        positions = np.arange(start, stop)
        if source.kind == "audio":
            try:
                answers, used, left_out = answer(batch)
            except DataError:  # none of this batch could be read: each file says why
                answers, used, left_out = [], [], [_why(answer, path) for path in batch]
            unreadable += [(file, why_unreadable(file, message)) for file, message in left_out]
        elif source.kind == "images":
            try:
                answers, used = answer(batch)
            except DataError as exc:  # none of this batch could be read
                image_error = str(exc)
                continue
        else:
            answers = answer(batch)
        if source.kind in FILE_KINDS:
            where: dict[str, list[int]] = {}
            for i, path in zip(positions, batch, strict=True):
                where.setdefault(str(path), []).append(int(i))
            positions = np.asarray([where[str(p)].pop(0) for p in used], dtype=np.intp)
        for i, prediction in zip(positions, answers, strict=True):
            if values is not None:
                values[i] = prediction.value
            else:
                labels[i] = index[prediction.label]
                probabilities[i] = [prediction.probabilities[name] for name in classes]
        keep[positions] = True
        reporter.report(READ_SHARE + (1.0 - READ_SHARE) * stop / total)
    if not keep.any():
        if unreadable:
            raise DataError(_none_readable(unreadable))
        raise DataError(image_error or f"{source.name}: nothing could be predicted.")
    skipped = int(total - keep.sum())
    if skipped:
        shown = [column[keep] for column in shown]
    return PredictionResults(
        source=source.name,
        input_columns=titles,
        inputs=shown,
        rows=np.flatnonzero(keep) + 1,
        class_names=[] if regression else classes,
        labels=labels[keep] if not regression else labels,
        probabilities=probabilities[keep] if not regression else probabilities,
        values=values[keep] if values is not None else None,
        skipped=skipped,
        what=source.kind,
        skipped_files=unreadable,
    )


#: A message names at most this many unreadable files (the Predict tab lists them all).
NAMED_FILES = 5


def why_unreadable(file: str, message: str) -> str:
    """Why an audio file was left out, in the words the Data tab uses for a skipped file
    (from its header: "empty file (0 bytes)", "cannot be read (No such file or directory)",
    …), else the decoder's message without the file's path."""
    from workbench.core.audio import read_header

    header = read_header(file)
    if isinstance(header, str):
        return header
    for prefix in (f"{file}: ", f"{Path(file).name}: "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return message.replace(str(file), Path(file).name).rstrip(".")


def _why(answer: Callable[[Any], Any], path: str) -> tuple[str, str]:
    """(path, why) for a file of a batch that could not be read at all."""
    try:
        answer([path])
    except DataError as exc:
        return str(path), str(exc)
    return str(path), "could not be read with the others of its batch"


def _none_readable(unreadable: list[tuple[str, str]]) -> str:
    named = "; ".join(f"{Path(f).name}: {why}" for f, why in unreadable[:NAMED_FILES])
    more = f"; and {len(unreadable) - NAMED_FILES:,} more" if len(unreadable) > NAMED_FILES else ""
    if len(unreadable) == 1:
        return f"{named}."
    return f"None of the {len(unreadable):,} files could be read as audio: {named}{more}."


def write_csv(results: PredictionResults, path: str | Path) -> Path:
    """Write the predictions as a CSV, atomically (the old file stays whole if this fails)."""
    from workbench.core.atomic import atomic_path

    path = Path(path)
    frame = results.to_frame()
    with atomic_path(path, suffix=".csv") as tmp:
        frame.to_csv(tmp, index=False)
    return path
