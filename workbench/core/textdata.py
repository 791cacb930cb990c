"""Reading a table of texts and labels, and what a person needs to know about it.

pandas (pyarrow engine) does the parsing; this module turns every way a file can be wrong
into a :class:`DataError` that names the file, column or row and says what to do.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.core import tables
from workbench.core.errors import DataError

TEXT_SUFFIXES = {".csv": ",", ".tsv": "\t", ".txt": None}
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
MAX_CLASSES = 1000


class ClassLabels:
    """Class counts and output order for any dataset with ``labels()`` and a ``task``."""

    task: str

    def labels(self) -> list[str]:
        raise NotImplementedError

    def class_counts(self) -> dict[str, int]:
        """Rows per label, most frequent first (empty for regression).

        Kept after the first call (the loader's summary, on its worker thread), so the
        window asking again costs nothing on a million rows. Datasets are replaced, not
        edited, when a column or task changes, so the kept counts cannot go stale.
        """
        if self.task != "classification":
            return {}
        kept = self.__dict__.get("_class_counts")
        if kept is None:
            counts: dict[str, int] = {}
            for label in self.labels():
                counts[label] = counts.get(label, 0) + 1
            kept = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
            self.__dict__["_class_counts"] = kept
        return dict(kept)

    def class_names(self) -> list[str]:
        """Labels in the order the model's outputs use (sorted, numbers numerically)."""
        return sort_labels(self.class_counts())


@dataclass
class TextTable(ClassLabels):
    """A loaded table plus the columns chosen as text and label."""

    path: Path
    frame: pd.DataFrame
    text_column: str
    label_column: str
    notes: list[str] = field(default_factory=list)
    kind: str = "text"
    task: str = "classification"
    _lengths: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def columns(self) -> list[str]:
        """All column names, in file order."""
        return [str(c) for c in self.frame.columns]

    def with_columns(self, text_column: str, label_column: str) -> TextTable:
        """The same data with other columns chosen, checked."""
        check_columns(self.path, self.frame, text_column, label_column)
        return TextTable(self.path, self.frame, text_column, label_column, list(self.notes))

    def texts(self) -> list[str]:
        """The text column as Python strings (missing cells become empty strings)."""
        return self.frame[self.text_column].fillna("").astype(str).tolist()

    def labels(self) -> list[str]:
        """The label column as strings, so 0/1 and "pos"/"neg" are handled alike."""
        return [_label_str(v) for v in self.frame[self.label_column].tolist()]

    def token_lengths(self) -> np.ndarray:
        """Words per text, the way the default vectorizer splits them.

        Computed once (seconds for a million texts) and kept: the loader's summary computes
        it on the worker thread, so the window's histogram and suggestions only read it.
        """
        if self._lengths is None:
            counts = [len(_TOKEN.findall(t)) for t in self.texts()]
            self._lengths = np.array(counts, dtype=np.int64)
        return self._lengths

    def suggested_sequence_length(self) -> int:
        """A length that keeps 95% of texts whole (see :func:`suggest_sequence_length`)."""
        return suggest_sequence_length(self.token_lengths())

    def summary(self) -> dict:
        """What the loader understood, for ``check-data`` and the data view."""
        lengths = self.token_lengths()
        return {
            "kind": self.kind,
            "file": str(self.path),
            "rows": len(self.frame),
            "columns": self.columns,
            "text_column": self.text_column,
            "label_column": self.label_column,
            "classes": self.class_counts(),
            "words_per_text": {
                "median": float(np.median(lengths)) if len(lengths) else 0.0,
                "p95": float(np.percentile(lengths, 95)) if len(lengths) else 0.0,
                "max": int(lengths.max()) if len(lengths) else 0,
            },
            "suggested_sequence_length": suggest_sequence_length(lengths),
            "notes": list(self.notes),
        }


def _label_str(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def sort_labels(labels) -> list[str]:
    """Sort labels numerically when they are all numbers, else alphabetically."""
    labels = list(labels)
    try:
        return sorted(labels, key=float)
    except ValueError:
        return sorted(labels)


def suggest_sequence_length(lengths: np.ndarray) -> int:
    """95th percentile of words per text, rounded up, within 8..512.

    Not rounded further: a recurrent layer's time per batch grows with every step of
    padding, and the 5% of longer texts keep their first words.
    """
    if len(lengths) == 0:
        return 100
    p95 = float(np.percentile(lengths, 95))
    return int(min(512, max(8, math.ceil(p95))))


def read_table(
    path: str | Path,
    nrows: int | None = None,
    progress: tables.Progress | None = None,
    cancel: tables.Cancel | None = None,
) -> pd.DataFrame:
    """Read a CSV/TSV/JSON Lines file into a DataFrame of strings and numbers, or raise DataError.

    With ``nrows`` only the first rows are read (from the start of the file, whatever its size);
    otherwise ``progress``/``cancel`` report and stop a long read (see :mod:`.tables`).
    The work, and every message about a broken file, is in :mod:`workbench.core.tables`.
    """
    if nrows is None:
        return tables.read_table(path, progress=progress, cancel=cancel)
    return tables.preview_rows(path, nrows)


def _is_texty(series: pd.Series) -> bool:
    return series.dtype == object or str(series.dtype) in {"string", "str"}


def guess_columns(frame: pd.DataFrame, path: Path | str = "data") -> tuple[str, str]:
    """Guess (text column, label column): longest strings are text, few distinct values label."""
    names = [str(c) for c in frame.columns]
    if len(names) < 2:
        raise DataError(
            f"{path}: found only one column; a text dataset needs a text column and a label "
            "column. The file is probably not a CSV/TSV with a header row: check the file and "
            "its separator (comma or tab)."
        )
    lowered = {n.lower(): n for n in names}
    text = next(
        (
            lowered[k]
            for k in (
                "text",
                "review",
                "sentence",
                "message",
                "content",
                "comment",
                "body",
                "document",
            )
            if k in lowered
        ),
        None,
    )
    label = next(
        (
            lowered[k]
            for k in ("label", "labels", "class", "category", "target", "sentiment", "y")
            if k in lowered
        ),
        None,
    )
    sample = frame.head(2000)
    if text is None:
        lengths = {
            n: sample[n].astype(str).str.len().mean()
            for n in names
            if n != label and _is_texty(sample[n])
        }
        text = max(lengths, key=lengths.get) if lengths else names[0]
    if label is None:
        candidates = [n for n in names if n != text]
        label = min(candidates, key=lambda n: sample[n].nunique(dropna=True))
    return text, label


def check_columns(
    path: Path, frame: pd.DataFrame, text_column: str, label_column: str
) -> list[str]:
    """Raise DataError when the chosen columns cannot train a classifier; return warnings."""
    names = [str(c) for c in frame.columns]
    for role, column in (("text", text_column), ("label", label_column)):
        if column not in names:
            raise DataError(
                f"{path}: no column named {tables.clip_name(column)} for the {role}. "
                + tables.describe_columns(names)
            )
    if text_column == label_column:
        raise DataError(f"{path}: the text and label columns must differ (both {text_column!r}).")
    notes = []
    labels = frame[label_column]
    missing = labels.isna()
    if missing.all():
        raise DataError(f"{path}: column {label_column!r} is empty; it must hold the labels.")
    if missing.any():
        first = int(np.flatnonzero(missing.to_numpy())[0]) + 2  # 1-based, after the header
        raise DataError(
            f"{path}: row {first} has no label in column {label_column!r} "
            f"({int(missing.sum())} rows in all). Fill in or delete those rows."
        )
    distinct = labels.astype(str).str.strip().nunique()
    if distinct < 2:
        only = _label_str(labels.iloc[0])
        raise DataError(
            f"{path}: column {label_column!r} has a single class ({only!r}); a classifier "
            "needs at least two. Add examples of the other classes or pick another column."
        )
    if distinct > MAX_CLASSES or (distinct > 0.5 * len(frame) and len(frame) > 20):
        raise DataError(
            f"{path}: column {label_column!r} has {distinct} different values in "
            f"{len(frame)} rows; that looks like text or IDs, not labels. Pick the label column."
        )
    empty_text = frame[text_column].isna() | (frame[text_column].astype(str).str.strip() == "")
    if empty_text.all():
        raise DataError(f"{path}: column {text_column!r} has no text in any row.")
    if empty_text.any():
        notes.append(f"{int(empty_text.sum())} rows have an empty {text_column!r}.")
    return notes


def load_text_table(
    path: str | Path,
    text_column: str | None = None,
    label_column: str | None = None,
    progress: tables.Progress | None = None,
    cancel: tables.Cancel | None = None,
) -> TextTable:
    """Load a CSV/TSV of texts and labels, guessing the columns not given."""
    path = Path(path)
    frame = read_table(path, progress=progress, cancel=cancel)
    guessed_text, guessed_label = (None, None)
    if text_column is None or label_column is None:
        guessed_text, guessed_label = guess_columns(frame, path)
    text_column = text_column or guessed_text
    label_column = label_column or guessed_label
    if label_column == text_column and guessed_text and guessed_label:
        label_column = guessed_label if guessed_label != text_column else guessed_text
    notes = tables.repeated_notes(frame) + check_columns(path, frame, text_column, label_column)
    return TextTable(path, frame, text_column, label_column, notes)
