"""Finishing a parsed table as a pandas frame: clean names, pandas' types, what was learned.

Shared by every reader so that CSV and JSON come out alike, with ``attrs`` recording the
source, format, encoding, separator and notes.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from workbench.core.errors import DataError
from workbench.core.tables.files import _FileInfo


def _clean_names(names: list[str]) -> list[str]:
    """Strip names; name empty ones "Unnamed: i" and number repeats "a.1", as pandas does."""
    cleaned = [name.strip() or f"Unnamed: {i}" for i, name in enumerate(names)]
    seen: dict[str, int] = {}
    taken = set(cleaned)
    result = []
    for name in cleaned:
        if name in seen:
            count = seen[name]
            while f"{name}.{count}" in taken:
                count += 1
            seen[name] = count + 1
            new = f"{name}.{count}"
            taken.add(new)
            result.append(new)
        else:
            seen[name] = 1
            result.append(name)
    return result


def _attrs(info: _FileInfo, encoding: str, notes: tuple[str, ...]) -> dict:
    return {
        "source": str(info.path),
        "format": "csv" if info.kind == "delimited" else "json",
        "encoding": encoding,
        "separator": info.separator,
        "notes": list(notes),
    }


def _finish(
    table: pa.Table, info: _FileInfo, encoding: str, notes: tuple[str, ...]
) -> pd.DataFrame:
    """The pandas frame of a parsed table: clean names, pandas' types, what was learned."""
    if info.kind != "delimited" and (table.num_rows == 0 or table.num_columns == 0):
        raise DataError(
            f"{info.path}: holds no fields. JSON Lines needs one object per line, like "
            '{"text": "...", "label": 1}.'
        )
    if table.num_rows == 0:
        raise DataError(f"{info.path}: has a header but no data rows. Add rows below the header.")
    columns = []
    for column in table.columns:
        if pa.types.is_null(column.type):  # an all-empty column reads as float NaN, as in pandas
            column = pa.nulls(len(column), pa.float64())
        columns.append(column)
    table = pa.Table.from_arrays(columns, names=_clean_names(list(table.column_names)))
    frame = table.to_pandas(split_blocks=True, self_destruct=True)
    del table
    frame.attrs.update(_attrs(info, encoding, notes))
    return frame
