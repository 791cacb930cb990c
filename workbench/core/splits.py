"""Reproducible train / validation / test splits, stratified for classification.

Plain numpy, so the data view can show the counts per class before TensorFlow loads and
the trainer makes exactly the split the person saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from workbench.core.errors import DataError

#: The test share "auto" holds out when the data has at least AUTO_TEST_MIN_ROWS rows.
AUTO_TEST_FRACTION = 0.10
AUTO_TEST_MIN_ROWS = 1000
#: What "auto" means, in the words the form, the Data tab and the CLI's help use.
AUTO_TEST_HELP = (
    f"Auto: {AUTO_TEST_FRACTION:.0%} held out for testing when the data has at least "
    f"{AUTO_TEST_MIN_ROWS:,} rows; none below."
)


def resolve_test_fraction(test_fraction: float | None, rows: int) -> float:
    """The share held out for testing: ``test_fraction`` as set, or for None ("auto")
    AUTO_TEST_FRACTION when the data has at least AUTO_TEST_MIN_ROWS rows, else 0.

    The one place "auto" is decided: the trainer, the data checks, the Data tab, the form,
    the exported script and the CLI all split with what this returns.

    >>> resolve_test_fraction(None, 1000), resolve_test_fraction(None, 999)
    (0.1, 0.0)
    >>> resolve_test_fraction(0.0, 5000)
    0.0
    """
    if test_fraction is not None:
        return float(test_fraction)
    return AUTO_TEST_FRACTION if rows >= AUTO_TEST_MIN_ROWS else 0.0


def held_out_rows(sizes: Sequence[int], test_fraction: float | None) -> int:
    """How many rows the test part holds, without splitting: ``sizes`` are the rows per
    class (one size, the row count, without classes), and :func:`split_rows` takes its
    share of each class, so the count depends on nothing else.

    >>> held_out_rows([600, 400], None), held_out_rows([999], None), held_out_rows([999], 0.2)
    (100, 0, 200)
    """
    fraction = resolve_test_fraction(test_fraction, int(sum(sizes)))
    if fraction <= 0:
        return 0
    return sum(_take(int(size), fraction, keep=2) for size in sizes)


def describe_auto_test(held_out: int | None = None) -> str:
    """What "auto" does for the loaded data: 'Auto (10%: 1,234 rows)', 'Auto (none: under
    1,000 rows)', or 'Auto' while no data is known; ``held_out`` is the test part's rows
    (:func:`held_out_rows`)."""
    if held_out is None:
        return "Auto"
    if held_out == 0:
        return f"Auto (none: under {AUTO_TEST_MIN_ROWS:,} rows)"
    return f"Auto ({AUTO_TEST_FRACTION:.0%}: {held_out:,} rows)"


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
    test_fraction: float | None = 0.0,
) -> Split:
    """Random split; with labels every class keeps its share in every part.

    ``test_fraction`` None is "auto" (:func:`resolve_test_fraction`).
    """
    test_fraction = resolve_test_fraction(test_fraction, n)
    train, val, test = split_rows(labels, n, validation_fraction, seed, test_fraction)
    if len(train) == 0 or len(val) == 0:
        raise DataError(
            f"{n} rows are too few to split into training and validation. Add rows or "
            "change the validation fraction."
        )
    return Split(train, val, test)
