"""What a person should know about a dataset before training: missing values, duplicates,
rows shared between the training and validation parts (leakage), and the split's counts.

Plain pandas/numpy, cheap enough for the window to run at once on small data and on a worker
thread on large data; the same class order and split the trainer uses.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.core.errors import DataError
from workbench.core.project import TrainingConfig
from workbench.core.splits import resolve_test_fraction, split_indices


def label_indices(dataset: Any) -> np.ndarray | None:
    """Class index per row, in the order the backend uses (None for regression)."""
    if getattr(dataset, "task", "classification") != "classification":
        return None
    if dataset.kind in ("images", "audio"):
        return np.asarray(dataset.labels, dtype=np.int64)
    names = dataset.class_names()
    index = {name: i for i, name in enumerate(names)}
    return np.array([index[v] for v in dataset.labels()], dtype=np.int64)


def class_names_of(dataset: Any) -> list[str]:
    """The dataset's classes (a method on tables, a list on image folders)."""
    names = dataset.class_names
    return list(names() if callable(names) else names)


def row_count(dataset: Any) -> int:
    """Samples in the dataset."""
    if dataset.kind in ("images", "audio"):
        return len(dataset.files)
    if dataset.kind == "npz":
        return len(dataset.y)
    return len(dataset.frame)


def data_checks(dataset: Any, config: TrainingConfig) -> tuple[list[str], list[str], Any]:
    """(warnings, facts, split) about the data and its split; plain pandas/numpy.

    Warnings are things to look at (missing values, duplicate rows, rows shared between the
    training and validation parts); facts are neutral lines. ``split`` is None when the data
    is too small to split with these settings (a warning says why).
    """
    warnings: list[str] = []
    facts: list[str] = []
    labels = label_indices(dataset)
    rows = row_count(dataset)
    try:
        split = split_indices(
            labels,
            rows,
            config.validation_fraction,
            config.seed,
            resolve_test_fraction(config.test_fraction, rows),  # None: auto
        )
    except DataError as exc:
        return [str(exc)], facts, None
    frame = getattr(dataset, "frame", None)
    if frame is not None:
        # pandas comes with the first table, not with the window that imports this module
        from workbench.core.tables import duplicate_rows, shared_rows

        missing = {str(c): int(n) for c, n in frame.isna().sum().items() if n}
        if missing:
            listed = ", ".join(f"{c}: {n:,}" for c, n in list(missing.items())[:8])
            warnings.append(f"Missing values — {listed}.")
        else:
            facts.append("No missing values.")
        duplicates = duplicate_rows(frame)
        if duplicates:
            warnings.append(f"{duplicates:,} duplicate rows (exact repeats of an earlier row).")
        else:
            facts.append("No duplicate rows.")
        if dataset.kind == "text":
            texts = frame[dataset.text_column].astype(str)
            shared = shared_rows(texts.iloc[split.train], texts.iloc[split.val])
            what = "texts"
        else:
            shared = shared_rows(frame.iloc[split.train], frame.iloc[split.val])
            what = "rows"
    elif dataset.kind == "npz":
        flat = dataset.x.reshape(len(dataset.x), -1)
        hashes = np.array([hash(row.tobytes()) for row in flat])
        duplicates = len(hashes) - len(np.unique(hashes))
        if duplicates:
            warnings.append(f"{duplicates:,} duplicate samples in {dataset.x_name!r}.")
        else:
            facts.append("No duplicate samples.")
        shared = int(np.isin(hashes[split.val], hashes[split.train]).sum())
        what = "samples"
    else:
        shared, what = 0, ""
        skipped = len(getattr(dataset, "skipped", []))
        if skipped:
            where = "clips" if dataset.kind == "audio" else "images"
            warnings.append(f"{skipped:,} file(s) skipped: listed under the {where}.")
        elif dataset.kind == "audio":
            facts.append("Every file in the class folders is readable audio.")
        else:
            facts.append("Every file in the class folders looks like an image.")
    if shared:
        warnings.append(
            f"Leakage: {shared:,} validation {what} also occur in the training part, so the "
            "validation score overstates how well the model generalises. Remove duplicates."
        )
    elif what:
        facts.append(f"No {what} shared between training and validation.")
    return warnings, facts, split


def split_report(dataset: Any, config: TrainingConfig) -> tuple[list[str], list[str], Any]:
    """(warnings, facts, counts per part and class) — safe to run on a worker thread."""
    warnings, facts, split = data_checks(dataset, config)
    if split is None:
        return warnings, facts, None
    names = class_names_of(dataset) if dataset.task == "classification" else []
    return warnings, facts, split.counts(label_indices(dataset), names)
