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


def _repeated(names: list[str]) -> dict[str, list[str]]:
    """Header names given to more than one column -> the names the repeats were read as."""
    stripped = [name.strip() for name in names]
    cleaned = _clean_names(list(names))
    repeats: dict[str, list[str]] = {}
    seen: set[str] = set()
    for name, read_as in zip(stripped, cleaned, strict=True):
        if name and name in seen:
            repeats.setdefault(name, []).append(read_as)
        seen.add(name)
    return repeats


def _attrs(
    info: _FileInfo, encoding: str, notes: tuple[str, ...], names: list[str] | None = None
) -> dict:
    return {
        "source": str(info.path),
        "format": "csv" if info.kind == "delimited" else "json",
        "encoding": encoding,
        "separator": info.separator,
        "notes": list(notes),
        "repeated_columns": _repeated(names) if names else {},
    }


NAME_CHARS = 30


def clip_name(name: object, limit: int = NAME_CHARS, quote: bool = True) -> str:
    """A column name (or value) short enough for a message: a hostile header cannot fill it."""
    text = str(name)
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(text) if quote else text


def describe_columns(names: list[str], limit: int = 20) -> str:
    """The file's columns for an error message, without echoing a file that is not a table.

    Names are listed only when the file parsed into more than one column, each clipped; a
    single "column" is the whole first line of a file that is not a CSV/TSV with a header,
    so it is never printed (a system file's first line stays out of the message).
    """
    if len(names) < 2:
        return (
            "The file has one column, so it is probably not a CSV/TSV with a header row; "
            "check the file and its separator."
        )
    shown = ", ".join(clip_name(n, quote=False) for n in names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"Columns are: {shown}{more}."


def repeated_notes(frame: pd.DataFrame) -> list[str]:
    """One warning per header name used by more than one column (pandas renames the repeats)."""
    repeats = frame.attrs.get("repeated_columns") or {}
    return [
        f"Column name {clip_name(name)} appears {len(renamed) + 1} times in the header; the "
        f"repeat{'s are' if len(renamed) > 1 else ' is'} read as "
        f"{', '.join(clip_name(r) for r in renamed)}. Give each column its own name in the file."
        for name, renamed in repeats.items()
    ]


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
    names = list(table.column_names)
    table = pa.Table.from_arrays(columns, names=_clean_names(names))
    frame = table.to_pandas(split_blocks=True, self_destruct=True)
    del table
    frame.attrs.update(_attrs(info, encoding, notes, names))
    return frame
