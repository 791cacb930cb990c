"""Every kind of dataset a person brings: text tables and folders, feature tables, image
folders and NumPy arrays; one loader that tells them apart and checks them.

All of it is plain Python + numpy/pandas, so the window can show data before TensorFlow
has loaded. Each dataset answers the same few questions (kind, task, class names, rows,
summary) so the backend and the views treat them alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.audio import AudioFolder, load_audio_folder, looks_like_audio_folder
from workbench.core.errors import DataError
from workbench.core.kinds import KINDS, TASKS
from workbench.core.safe_json import regular_file
from workbench.core.tables import Cancel, Progress, clip_name, describe_columns, repeated_notes
from workbench.core.textdata import (
    ClassLabels,
    TextTable,
    check_columns,
    load_text_table,
    read_table,
)

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif"}
TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".jsonl", ".ndjson"}
MAX_CLASSIFICATION_VALUES = 20
_MAGIC = {
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8",),
    ".jpeg": (b"\xff\xd8",),
    ".bmp": (b"BM",),
    ".gif": (b"GIF87a", b"GIF89a"),
}


def infer_task(values: pd.Series) -> str:
    """Classification for strings or few distinct integers; regression for other numbers."""
    clean = values.dropna()
    if not pd.api.types.is_numeric_dtype(clean) or pd.api.types.is_bool_dtype(clean):
        return "classification"
    numbers = clean.astype(float)
    integral = bool(np.all(np.mod(numbers, 1) == 0))
    if integral and clean.nunique() <= MAX_CLASSIFICATION_VALUES:
        return "classification"
    return "regression"


def _label_strings(values: pd.Series) -> list[str]:
    out = []
    for value in values.tolist():
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out.append(str(value).strip())
    return out


# -- tabular ---------------------------------------------------------------------------------


@dataclass
class TabularTable(ClassLabels):
    """A table of features and one target column; the task is inferred and can be overridden."""

    path: Path
    frame: pd.DataFrame
    label_column: str
    feature_types: dict[str, str]  # column -> "numeric" | "categorical", in file order
    task: str
    notes: list[str] = field(default_factory=list)
    kind: str = "tabular"
    # The rows' positions in the file (rows without a target are left out), for messages.
    rows: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def columns(self) -> list[str]:
        """All column names, in file order."""
        return [str(c) for c in self.frame.columns]

    @property
    def features(self) -> list[str]:
        """Columns fed to the model."""
        return list(self.feature_types)

    @property
    def ignored(self) -> list[str]:
        """Columns neither feature nor target."""
        return [c for c in self.columns if c != self.label_column and c not in self.feature_types]

    def labels(self) -> list[str]:
        """Targets as strings (classification)."""
        return _label_strings(self.frame[self.label_column])

    def targets(self) -> np.ndarray:
        """Targets as float64 (regression)."""
        return self.frame[self.label_column].astype("float64").to_numpy()

    def categories(self, column: str) -> list[str]:
        """Distinct values of a categorical feature, as strings, sorted."""
        values = self.frame[column].dropna().astype(str).str.strip()
        return sorted(set(values.tolist()) - {""})

    def with_settings(
        self,
        label_column: str | None = None,
        task: str | None = None,
        roles: dict[str, str] | None = None,
    ) -> TabularTable:
        """Another target, task or column roles ("numeric", "categorical", "ignore"), checked."""
        return make_tabular(
            self.path,
            self.frame,
            label_column or self.label_column,
            task=task,
            roles=roles if roles is not None else self._roles(),
            rows=self.rows,
        )

    def _roles(self) -> dict[str, str]:
        roles = dict(self.feature_types)
        roles.update({c: "ignore" for c in self.ignored})
        return roles

    def summary(self) -> dict[str, Any]:
        """What the loader understood."""
        info: dict[str, Any] = {
            "kind": self.kind,
            "file": str(self.path),
            "rows": len(self.frame),
            "columns": self.columns,
            "label_column": self.label_column,
            "task": self.task,
            "features": dict(self.feature_types),
            "ignored": self.ignored,
            "missing_values": {c: int(n) for c, n in self.frame.isna().sum().items() if n},
            "notes": list(self.notes),
        }
        if self.task == "classification":
            info["classes"] = self.class_counts()
        else:
            target = self.targets()
            info["target"] = {
                "min": float(np.nanmin(target)),
                "max": float(np.nanmax(target)),
                "mean": float(np.nanmean(target)),
            }
        return info


def _feature_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "categorical"
    if pd.api.types.is_numeric_dtype(series):
        return "numeric"
    return "categorical"


def _looks_like_id(series: pd.Series, rows: int) -> bool:
    return rows > 20 and not pd.api.types.is_float_dtype(series) and series.nunique() == rows


# A string column whose non-empty values are at least this share numbers is numeric: the rest
# are strays ("n/a?", "12kg") read as missing, with a warning naming them.
MOSTLY_NUMERIC = 0.95


def _is_number_column(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _empty(series: pd.Series) -> np.ndarray:
    """Cells with nothing in them: missing, or only spaces."""
    empty = series.isna().to_numpy().copy()
    if series.dtype == object or str(series.dtype) in {"string", "str"}:
        empty |= series.astype("str").str.strip().eq("").to_numpy()
    return empty


def _as_numbers(series: pd.Series, share: float) -> tuple[pd.Series, np.ndarray] | None:
    """A string column as numbers and the mask of its strays, when numbers are ``share`` of it.

    None when the column is already numeric, holds no strays, or has too few numbers.
    """
    if _is_number_column(series) or pd.api.types.is_bool_dtype(series):
        return None
    present = ~_empty(series)
    count = int(present.sum())
    if not count:
        return None
    texts = series.astype("str").str.strip()
    head = texts[present][:1000]  # cheap look first: long text columns stop here
    try:
        if pd.to_numeric(head, errors="coerce").notna().mean() < share:
            return None
        numbers = pd.to_numeric(texts.where(present), errors="coerce")
    except (TypeError, ValueError):
        return None
    strays = present & numbers.isna().to_numpy()
    if not strays.any() or 1 - strays.sum() / count < share:
        return None
    return numbers, strays


def _integer_ids(numbers: pd.Series) -> bool:
    """Whole numbers, each different: an ID column (with a stray value or two)."""
    present = numbers.dropna()
    if not len(present) or not bool((present % 1 == 0).all()):
        return False
    return _looks_like_id(present.astype("int64"), len(present))


def _stray_note(column: str, values: pd.Series, strays: np.ndarray, rows: np.ndarray) -> str:
    first = int(np.flatnonzero(strays)[0])
    count = int(strays.sum())
    value = clip_name(values.iloc[first])
    return (
        f"Column {clip_name(column)} is numbers but for {count:,} value(s) that are not "
        f"(first: row {int(rows[first]) + 2}, {value}); they are treated as missing. Fix them "
        "in the file, or set the column to categorical."
    )


def _infinite(values: pd.Series) -> int:
    if not pd.api.types.is_float_dtype(values):
        return 0
    return int(np.isinf(values.to_numpy(dtype=np.float64, na_value=np.nan)).sum())


def _infinity_note(column: str, count: int) -> str:
    return (
        f"Column {clip_name(column)} holds {count:,} infinite value(s) (inf or -inf); training "
        "treats them as missing (filled with the training mean). Fix them in the file if they "
        "are errors."
    )


def make_tabular(
    path: Path,
    frame: pd.DataFrame,
    label_column: str | None = None,
    task: str | None = None,
    roles: dict[str, str] | None = None,
    rows: np.ndarray | None = None,
) -> TabularTable:
    """Check a frame as a feature table and decide each column's role.

    ``rows`` are the frame's rows' positions in the file (0 for the first data row), kept when
    rows without a target are left out so that messages name the file's rows.
    """
    columns = [str(c) for c in frame.columns]
    rows = np.arange(len(frame)) if rows is None else rows
    if len(columns) < 2:
        raise DataError(
            f"{path}: a feature table needs at least one feature and a target column. "
            + describe_columns(columns)
        )
    label_column = label_column or columns[-1]
    if label_column not in columns:
        raise DataError(
            f"{path}: no column named {clip_name(label_column)} for the target. "
            + describe_columns(columns)
        )
    notes = repeated_notes(frame)
    target = frame[label_column]
    missing = target.isna()
    if missing.all():
        raise DataError(f"{path}: target column {label_column!r} is empty in every row.")
    infinite = _infinite(target)
    if infinite:
        notes.append(
            f"{infinite} rows with an infinite {clip_name(label_column)} value (inf or -inf) "
            "are left out."
        )
        missing = missing | np.isinf(target.to_numpy(dtype=np.float64, na_value=np.nan))
        missing = pd.Series(missing, index=target.index)
        if missing.all():
            raise DataError(f"{path}: target column {label_column!r} has no finite number.")
    if target.isna().any():
        notes.append(
            f"{int(target.isna().sum())} rows without a {label_column!r} value are left out."
        )
    if missing.any():
        keep = ~missing.to_numpy()
        frame = frame[keep].reset_index(drop=True)
        rows = rows[keep]
    if task is not None and task not in TASKS:
        raise DataError(f"Task must be classification or regression (got {task!r}).")
    task = task or infer_task(frame[label_column])
    if task == "regression":
        bad = pd.to_numeric(frame[label_column], errors="coerce").isna()
        if bad.any():
            first = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"{path}: regression needs numbers in {label_column!r}, but row "
                f"{int(rows[first]) + 2} has {clip_name(frame[label_column].iloc[first])}. "
                "Fix the value or choose classification."
            )
    else:
        distinct = frame[label_column].astype(str).nunique()
        if distinct < 2:
            raise DataError(
                f"{path}: target column {label_column!r} has a single class; a classifier "
                "needs at least two. Pick another target or add examples."
            )
        if distinct > 1000:
            raise DataError(
                f"{path}: target {label_column!r} has {distinct} different values; choose "
                "regression for numbers, or another column as the target."
            )
    roles = dict(roles or {})
    feature_types: dict[str, str] = {}
    for column in columns:
        if column == label_column:
            continue
        role = roles.get(column)
        if role == "ignore":
            continue
        series = frame[column]
        if _empty(series).all():
            notes.append(
                f"Column {clip_name(column)} is empty in every row; it is left out of the features."
            )
            continue
        if role == "categorical":
            feature_types[column] = role
            continue
        numbers = None
        if not _is_number_column(series):
            # A person asking for numbers gets them while most values are numbers.
            found = _as_numbers(series, MOSTLY_NUMERIC)
            if role == "numeric" and found is None:
                bad = pd.to_numeric(series, errors="coerce").isna() & series.notna()
                if bad.any():
                    first = int(np.flatnonzero(bad.to_numpy())[0])
                    raise DataError(
                        f"{path}: column {clip_name(column)} cannot be numeric: row "
                        f"{int(rows[first]) + 2} has {clip_name(series.iloc[first])}. "
                        "Treat it as categorical or fix it."
                    )
            if found is not None:
                numbers, strays = found
                if role is None and _integer_ids(numbers):
                    numbers = None  # an ID column with a stray: the ID rule below decides
                else:
                    notes.append(_stray_note(column, series.astype("str"), strays, rows))
        if numbers is None and role is None and _looks_like_id(series, len(frame)):
            notes.append(f"Column {column!r} has a different value in every row; ignored as an ID.")
            continue
        kind = "numeric" if numbers is not None else role or _feature_type(series)
        feature_types[column] = kind
        if kind == "numeric":
            infinite = _infinite(numbers if numbers is not None else series)
            if infinite:
                notes.append(_infinity_note(column, infinite))
    if not feature_types:
        raise DataError(f"{path}: no feature columns are left; mark at least one as a feature.")
    return TabularTable(path, frame, label_column, feature_types, task, notes, rows=rows)


# -- images ----------------------------------------------------------------------------------


@dataclass
class ImageFolder:
    """A folder with one subfolder of images per class; files are listed, not loaded."""

    path: Path
    class_names: list[str]
    files: list[str]
    labels: np.ndarray  # class index per file
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    image_size: tuple[int, int] = (64, 64)
    kind: str = "images"
    task: str = "classification"

    def class_counts(self) -> dict[str, int]:
        """Images per class."""
        counts = np.bincount(self.labels, minlength=len(self.class_names))
        return {name: int(n) for name, n in zip(self.class_names, counts, strict=True)}

    def with_image_size(self, height: int, width: int) -> ImageFolder:
        """The same files, resized to another size for the model."""
        return replace(self, image_size=(int(height), int(width)))

    def summary(self) -> dict[str, Any]:
        """What the loader understood."""
        return {
            "kind": self.kind,
            "folder": str(self.path),
            "rows": len(self.files),
            "classes": self.class_counts(),
            "image_size": list(self.image_size),
            "skipped": [{"file": f, "reason": r} for f, r in self.skipped],
        }


def _image_problem(path: Path) -> str | None:
    """A cheap check that catches empty and non-image files without decoding them."""
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if not head:
        return "empty file (0 bytes)"
    suffix = path.suffix.lower()
    if not any(head.startswith(m) for m in _MAGIC.get(suffix, (b"",))):
        return f"not a {suffix.lstrip('.').upper()} image"
    if not _has_end(path, suffix):
        return "truncated or damaged (the image does not end where its format says it should)"
    return None


def _has_end(path: Path, suffix: str) -> bool:
    """Whether the file ends like a complete image of its format (a partial download or a
    damaged copy usually does not), read from its last bytes only."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            handle.seek(max(0, size - 64))
            tail = handle.read()
            if suffix == ".bmp":
                handle.seek(2)
                declared = int.from_bytes(handle.read(4), "little")
                return declared <= size
    except OSError:
        return False
    if suffix == ".png":
        return b"IEND" in tail[-16:]
    if suffix in (".jpg", ".jpeg"):
        return b"\xff\xd9" in tail  # end-of-image marker (some writers pad after it)
    if suffix == ".gif":
        return tail.rstrip(b"\x00").endswith(b";")
    return True


def _image_dims(path: Path) -> tuple[int, int] | None:
    """(height, width) from a PNG/GIF/BMP header; None when it needs decoding to know."""
    try:
        head = path.read_bytes()[:32]
    except OSError:
        return None
    suffix = path.suffix.lower()
    if suffix == ".png" and len(head) >= 24:
        return int.from_bytes(head[20:24], "big"), int.from_bytes(head[16:20], "big")
    if suffix == ".gif" and len(head) >= 10:
        return int.from_bytes(head[8:10], "little"), int.from_bytes(head[6:8], "little")
    if suffix == ".bmp" and len(head) >= 26:
        return abs(int.from_bytes(head[22:26], "little", signed=True)), int.from_bytes(
            head[18:22], "little"
        )
    return None


def suggest_image_size(dims: list[tuple[int, int]]) -> tuple[int, int]:
    """Median size of the images, as a multiple of 8 within 16..224 (square)."""
    if not dims:
        return 64, 64
    side = float(np.median([max(h, w) for h, w in dims]))
    side = int(min(224, max(16, 8 * round(side / 8))))
    return side, side


def load_image_folder(path: str | Path) -> ImageFolder:
    """List a folder of class subfolders; skip (and list) files that are not images."""
    root = Path(path)
    if not root.exists():
        raise DataError(f"{root}: folder not found.")
    if not root.is_dir():
        raise DataError(f"{root}: not a folder; an image dataset is a folder of class folders.")
    try:
        subfolders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except PermissionError:
        raise DataError(f"{root}: the folder cannot be read (permission denied).") from None
    if not subfolders:
        raise DataError(
            f"{root}: no class folders inside. Put each class's images in its own subfolder, "
            "e.g. cats/ and dogs/."
        )
    files: list[str] = []
    labels: list[int] = []
    skipped: list[tuple[str, str]] = []
    names: list[str] = []
    dims: list[tuple[int, int]] = []
    for folder in subfolders:
        try:
            entries = sorted(folder.rglob("*"))
        except PermissionError:
            skipped.append((str(folder), "folder cannot be read (permission denied)"))
            continue
        images = [p for p in entries if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
        good = []
        for image in images:
            problem = _image_problem(image)
            if problem:
                skipped.append((str(image), problem))
            else:
                good.append(image)
        if not good:
            continue
        names.append(folder.name)
        for image in good:
            files.append(str(image))
            labels.append(len(names) - 1)
        for image in good[:20]:
            size = _image_dims(image)
            if size:
                dims.append(size)
    if len(names) < 2:
        raise DataError(
            f"{root}: found images for {len(names)} class(es); a classifier needs at least two "
            "class folders with images (png, jpg, bmp, gif)."
        )
    return ImageFolder(
        root, names, files, np.array(labels, dtype=np.int64), skipped, suggest_image_size(dims)
    )


# -- NumPy -----------------------------------------------------------------------------------


@dataclass
class ArrayData(ClassLabels):
    """Arrays x (samples, ...) and y (samples,) from an .npz file."""

    path: Path
    x: np.ndarray
    y: np.ndarray
    x_name: str
    y_name: str
    task: str
    array_names: list[str] = field(default_factory=list)
    kind: str = "npz"

    def labels(self) -> list[str]:
        """Targets as strings (classification)."""
        return [str(int(v)) if float(v).is_integer() else str(v) for v in self.y.tolist()]

    def summary(self) -> dict[str, Any]:
        """What the loader understood."""
        info = {
            "kind": self.kind,
            "file": str(self.path),
            "rows": len(self.y),
            "arrays": self.array_names,
            "x": self.x_name,
            "y": self.y_name,
            "x_shape": list(self.x.shape),
            "x_dtype": str(self.x.dtype),
            "task": self.task,
        }
        if self.task == "classification":
            info["classes"] = self.class_counts()
        return info


def load_npz(
    path: str | Path, x_name: str = "x", y_name: str = "y", task: str | None = None
) -> ArrayData:
    """Read two arrays from an .npz (never pickled objects), checked for matching lengths."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found.")
    regular_file(path)  # a folder, or a pipe that would block the read
    try:
        with np.load(path, allow_pickle=False) as archive:
            names = list(archive.files)
            missing = [n for n in (x_name, y_name) if n not in names]
            if missing:
                raise DataError(
                    f"{path}: no array named {', '.join(map(repr, missing))}. Arrays in the file: "
                    f"{', '.join(names) or 'none'}. Choose the feature and target arrays."
                )
            x, y = archive[x_name], archive[y_name]
    except DataError:
        raise
    except ValueError as exc:
        raise DataError(
            f"{path}: holds Python objects, which are not loaded for safety "
            f"({exc}). Save plain numeric arrays."
        ) from None
    except Exception as exc:  # zipfile.BadZipFile, OSError, ...
        raise DataError(f"{path}: not a readable .npz file ({exc}).") from None
    if x.ndim < 2:
        x = x.reshape(-1, 1)
    y = y.reshape(len(y), -1)[:, 0] if y.ndim > 1 and y.shape[1] == 1 else y
    if y.ndim != 1:
        raise DataError(f"{path}: {y_name!r} must be one value per sample, has shape {y.shape}.")
    if len(x) != len(y):
        raise DataError(
            f"{path}: {x_name!r} has {len(x)} samples but {y_name!r} has {len(y)}; they must "
            "have the same length."
        )
    if not np.issubdtype(x.dtype, np.number):
        raise DataError(f"{path}: {x_name!r} must be numeric (it is {x.dtype}).")
    task = task or infer_task(pd.Series(y))
    if task == "classification" and len(np.unique(y)) < 2:
        raise DataError(f"{path}: {y_name!r} has a single class; a classifier needs two or more.")
    return ArrayData(path, x, y, x_name, y_name, task, names)


# -- text folders ----------------------------------------------------------------------------


def load_text_folder(path: str | Path) -> TextTable:
    """A folder with one subfolder of .txt files per class, as a text table."""
    root = Path(path)
    rows = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for file in sorted(folder.glob("*.txt")):
            try:
                text = file.read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                raise DataError(f"{file}: cannot be read ({exc.strerror}).") from None
            rows.append((text.strip(), folder.name))
    if not rows:
        raise DataError(f"{root}: no .txt files in class subfolders.")
    frame = pd.DataFrame(rows, columns=["text", "label"])
    check_columns(root, frame, "text", "label")
    return TextTable(root, frame, "text", "label")


# -- dispatch --------------------------------------------------------------------------------


def infer_kind(path: str | Path) -> str:
    """Text, tabular, images, audio or npz, from the path and a look at the content."""
    path = Path(path)
    if path.is_dir():
        try:
            if looks_like_audio_folder(path):
                return "audio"
            for sub in path.iterdir():
                if sub.is_dir():
                    for file in sub.iterdir():
                        if file.suffix.lower() in IMAGE_SUFFIXES:
                            return "images"
                        if file.suffix.lower() == ".txt":
                            return "text"
        except PermissionError:
            raise DataError(f"{path}: the folder cannot be read (permission denied).") from None
        return "images"
    if path.suffix.lower() == ".npz":
        return "npz"
    frame = read_table(path, nrows=2000)
    return "text" if _has_text_column(frame) else "tabular"


_TEXT_NAMES = {"text", "review", "sentence", "message", "content", "comment", "body", "document"}


def _has_text_column(frame: pd.DataFrame) -> bool:
    """A string column named like text, or one of long, mostly distinct strings."""
    for column in frame.columns:
        values = frame[column].dropna()
        if values.empty or pd.api.types.is_numeric_dtype(values):
            continue
        if str(column).strip().lower() in _TEXT_NAMES:
            return True
        strings = values.astype(str)
        if strings.str.len().mean() > 30 and strings.nunique() > 0.5 * len(strings):
            return True
    return False


Dataset = TextTable | TabularTable | ImageFolder | ArrayData | AudioFolder


def load_dataset(
    path: str | Path,
    kind: str | None = None,
    *,
    text_column: str | None = None,
    label_column: str | None = None,
    task: str | None = None,
    x_name: str = "x",
    y_name: str = "y",
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    sample_rate: int | None = None,
    clip_seconds: float | None = None,
) -> Dataset:
    """Load any supported dataset; ``kind`` None means inferred from the path and content.

    ``progress(fraction)`` and ``cancel() -> bool`` report on and stop the read of a large
    table file (text or features); see :func:`workbench.core.tables.read_table`.
    """
    path = Path(path)
    if not path.exists():
        what = "file" if path.suffix else "file or folder"
        raise DataError(f"{path}: {what} not found. Check the path, or pick it with Open.")
    if kind is not None and kind not in KINDS:
        raise DataError(f"Kind must be one of {', '.join(KINDS)} (got {kind!r}).")
    kind = kind or infer_kind(path)
    if kind == "images":
        return load_image_folder(path)
    if kind == "audio":
        return load_audio_folder(path, sample_rate, clip_seconds, progress, cancel)
    if kind == "npz":
        return load_npz(path, x_name, y_name, task)
    if kind == "text":
        if path.is_dir():
            return load_text_folder(path)
        return load_text_table(path, text_column, label_column, progress, cancel)
    if path.is_dir():
        raise DataError(f"{path}: a feature table must be a CSV/TSV file, not a folder.")
    frame = read_table(path, progress=progress, cancel=cancel)
    return make_tabular(path, frame, label_column or guess_target(frame), task=task)


_TARGET_NAMES = ("label", "labels", "target", "class", "y", "outcome", "species", "category")


def guess_target(frame: pd.DataFrame) -> str:
    """A column named like a target, else the last column (the usual convention)."""
    lowered = {str(c).lower(): str(c) for c in frame.columns}
    return next((lowered[n] for n in _TARGET_NAMES if n in lowered), str(frame.columns[-1]))


def load_spec(spec: Any) -> Dataset:
    """The data a project or a run names (its DatasetSpec), read as it was chosen there."""
    return load_dataset(
        spec.path,
        spec.kind,
        text_column=spec.text_column or None,
        label_column=spec.label_column or None,
        task=spec.task,
        sample_rate=getattr(spec, "sample_rate", 0) or None,
        clip_seconds=getattr(spec, "clip_seconds", 0.0) or None,
    )
