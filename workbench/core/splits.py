"""Reproducible train / validation / test splits, stratified for classification.

Plain numpy, so the data view can show the counts per class before TensorFlow loads and
the trainer makes exactly the split the person saw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.core.errors import DataError


@dataclass
class Split:
    """Row indices of each part (test may be empty)."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray

    def counts(self, labels: np.ndarray | None, class_names: list[str]) -> dict[str, dict]:
        """Rows per part, and per class per part when labels are given."""
        out: dict[str, dict] = {}
        for part in ("train", "val", "test"):
            rows = getattr(self, part)
            entry: dict = {"rows": len(rows)}
            if labels is not None:
                per = np.bincount(labels[rows], minlength=len(class_names))
                entry["classes"] = {n: int(c) for n, c in zip(class_names, per, strict=True)}
            out[part] = entry
        return out


def _take(n: int, fraction: float, keep: int) -> int:
    take = round(n * fraction)
    if fraction > 0 and n > keep:
        take = min(max(take, 1), n - keep)
    return max(0, min(take, n - keep))


def split_rows(
    labels: np.ndarray | None,
    n: int,
    validation_fraction: float,
    seed: int,
    test_fraction: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(train, validation, test) row indices; stratified when labels are given.

    Plain numpy on purpose: an exported training script carries this very function, so it
    splits exactly as the workbench did.
    """
    rng = np.random.default_rng(seed)
    groups = (
        [np.arange(n)]
        if labels is None
        else [np.flatnonzero(labels == cls) for cls in np.unique(labels)]
    )
    val_parts, test_parts = [], []
    for rows in groups:
        rows = rows.copy()
        rng.shuffle(rows)
        test = _take(len(rows), test_fraction, keep=2) if test_fraction > 0 else 0
        val = _take(
            len(rows) - test, validation_fraction * len(rows) / max(len(rows) - test, 1), keep=1
        )
        test_parts.append(rows[:test])
        val_parts.append(rows[test : test + val])
    empty = np.array([], dtype=np.int64)
    test_rows = np.sort(np.concatenate(test_parts)) if test_parts else empty
    val_rows = np.sort(np.concatenate(val_parts)) if val_parts else empty
    train = np.setdiff1d(np.arange(n), np.concatenate([test_rows, val_rows]))
    rng.shuffle(train)
    return train.astype(np.int64), val_rows.astype(np.int64), test_rows.astype(np.int64)


def split_indices(
    labels: np.ndarray | None,
    n: int,
    validation_fraction: float,
    seed: int,
    test_fraction: float = 0.0,
) -> Split:
    """Random split; with labels every class keeps its share in every part."""
    train, val, test = split_rows(labels, n, validation_fraction, seed, test_fraction)
    if len(train) == 0 or len(val) == 0:
        raise DataError(
            f"{n} rows are too few to split into training and validation. Add rows or "
            "change the validation fraction."
        )
    return Split(train, val, test)
