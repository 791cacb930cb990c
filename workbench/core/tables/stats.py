"""Column statistics for choosing inputs and labels, and the checks a person wants to see.

ColumnStats / column_stats (numeric, categorical or text; missing and distinct counts),
duplicate_rows, shared_rows (train/validation leakage) and numeric_problems (why a column
is not numeric), with their helpers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ColumnStats:
    """What a person needs to know about one column before choosing it as an input or label."""

    name: str
    kind: str  # "numeric" | "categorical" | "text"
    missing: int
    distinct: int


CATEGORICAL_MAX_DISTINCT = 1000


CATEGORICAL_DISTINCT_SHARE = 0.05


SHORT_TEXT_CHARS = 20


def column_stats(frame: pd.DataFrame) -> list[ColumnStats]:
    """Type, missing and distinct counts per column, to suggest inputs and labels.

    The heuristic, in order:

    - a numeric dtype (int, float) is ``"numeric"``; so a column with any non-number in it
      (``"12"``, ``"abc"``) is not numeric: it was read as strings;
    - strings with few distinct values relative to the rows (at most 1000, and at most 5% of
      the non-missing rows) are ``"categorical"``, however long: they repeat, like labels;
    - short strings (mean length at most 20 characters: codes, names, IDs) are
      ``"categorical"``;
    - longer strings are ``"text"``.

    Booleans and all-missing columns count as categorical.
    """
    stats = []
    for position, name in enumerate(frame.columns):
        series = frame.iloc[:, position]
        missing = int(series.isna().sum())
        present = series.dropna()
        distinct = _distinct(present)
        stats.append(ColumnStats(str(name), _kind(series, present, distinct), missing, distinct))
    return stats


def duplicate_rows(frame: pd.DataFrame) -> int:
    """Rows that repeat an earlier row exactly (all columns): they inflate a dataset's size."""
    if len(frame) == 0:
        return 0
    try:
        return int(frame.duplicated().sum())
    except TypeError:  # unhashable cells (JSON lists, dicts): compare their text
        return int(frame.astype("str").duplicated().sum())


def shared_rows(
    train: pd.DataFrame | pd.Series | Sequence[str],
    validation: pd.DataFrame | pd.Series | Sequence[str],
) -> int:
    """Validation rows (or texts) that also occur in the training split: leakage.

    A model is scored on these after it has seen them, so the validation score overstates how
    well it generalises. Matches are exact, on all columns (1 and 1.0 match; a column that is
    text in one split and numbers in the other is compared as text). Counts validation rows,
    so a validation row that occurs twice counts twice. Each value is replaced by a code shared
    by both splits (pandas factorize), so the comparison is of integers, fast on 1M rows.
    """
    left, right = _aligned(train), _aligned(validation)
    if isinstance(left, pd.DataFrame) != isinstance(right, pd.DataFrame):
        raise TypeError("shared_rows: give two frames, or two sequences of texts")
    if len(left) == 0 or len(right) == 0:
        return 0
    if isinstance(left, pd.DataFrame):
        if set(map(str, left.columns)) != set(map(str, right.columns)):
            raise ValueError(
                "shared_rows: the splits have different columns "
                f"({list(map(str, left.columns))} vs {list(map(str, right.columns))})"
            )
        right = right[list(left.columns)]
        codes = {}
        for column in left.columns:
            a, b = left[column], right[column]
            numeric = pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b)
            if a.dtype != b.dtype and not numeric:
                a, b = a.astype("str"), b.astype("str")
            codes[column] = _codes(pd.concat([a, b], ignore_index=True))
        keys = pd.DataFrame(codes).groupby(list(codes), sort=False).ngroup().to_numpy()
    else:
        keys = _codes(pd.concat([left, right], ignore_index=True))
    return int(np.isin(keys[len(left) :], keys[: len(left)]).sum())


def numeric_problems(frame: pd.DataFrame, column: str) -> str | None:
    """Why ``column`` is not numeric, naming the first bad row and value; None if it is.

    Rows are numbered as in a spreadsheet: the header is row 1, the first data row is row 2
    (the line number in the file, unless a quoted field spans lines). Missing cells are fine.
    """
    if column not in frame.columns:
        raise KeyError(column)
    series = frame[column]
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return None
    present = series.notna().to_numpy()
    as_text = series.astype("str")
    numbers = pd.to_numeric(as_text, errors="coerce")  # allows spaces around the number
    bad = present & numbers.isna().to_numpy()
    if not bad.any():
        return None
    first = int(np.flatnonzero(bad)[0])
    value = as_text.iloc[first]
    count = int(bad.sum())
    others = f" ({count} such rows in all)" if count > 1 else ""
    hint = ""
    if re.fullmatch(r"\s*-?\d+,\d+\s*", value):
        hint = " It looks like a decimal comma: use a point (12.5), or quote the column as text."
    return f"row {first + 2} has {value!r} in numeric column {column!r}{others}.{hint}"


def _distinct(present: pd.Series) -> int:
    """Distinct values; unhashable ones (JSON lists, dicts) are counted by their text."""
    if len(present) == 0:
        return 0
    try:
        return int(present.nunique())
    except TypeError:
        return int(present.astype("str").nunique())


def _codes(values: pd.Series) -> np.ndarray:
    """An integer per value, equal for equal values (missing ones share a code)."""
    try:
        return pd.factorize(values, use_na_sentinel=False)[0]
    except TypeError:  # unhashable cells
        return pd.factorize(values.astype("str"), use_na_sentinel=False)[0]


def _aligned(data: pd.DataFrame | pd.Series | Sequence[str]) -> pd.DataFrame | pd.Series:
    if isinstance(data, pd.DataFrame):
        return data.reset_index(drop=True)
    if isinstance(data, pd.Series):
        return data.reset_index(drop=True)
    return pd.Series(list(data), dtype=object)


def _kind(series: pd.Series, present: pd.Series, distinct: int) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "categorical"
    if pd.api.types.is_numeric_dtype(series):
        return "numeric"
    if len(present) == 0:
        return "categorical"
    if distinct <= CATEGORICAL_MAX_DISTINCT and distinct <= CATEGORICAL_DISTINCT_SHARE * len(
        present
    ):
        return "categorical"
    sample = present if len(present) <= 100_000 else present.sample(100_000, random_state=0)
    mean_length = float(sample.astype("str").str.len().mean())
    return "categorical" if mean_length <= SHORT_TEXT_CHARS else "text"
