"""pyarrow CSV options and the quote probe, shared by the parallel and the serial read.

pyarrow reads a quote left open at the end of its input as a field running to the end; the
probe line appended after the data tells whether the data ended inside a quoted field
(see :class:`_Probe`). Also the signals a delimited read uses to fall back (:class:`_Serial`,
:class:`_NotUTF8`) and the DataError for a quote that is never closed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pyarrow as pa
import pyarrow.csv as pa_csv

from workbench.core.errors import DataError
from workbench.core.tables.files import _FileInfo
from workbench.core.tables.limits import NULL_VALUES


def _csv_options(
    info: _FileInfo,
    encoding: str,
    block_size: int,
    names: list[str] | None = None,
    forced: dict[str, pa.DataType] | None = None,
    handler: Callable[[pa_csv.InvalidRow], str] | None = None,
) -> tuple[pa_csv.ReadOptions, pa_csv.ParseOptions, pa_csv.ConvertOptions]:
    read = pa_csv.ReadOptions(
        block_size=block_size,
        encoding="utf8" if encoding == "utf-8" else encoding,
        column_names=names,
    )
    parse = pa_csv.ParseOptions(
        delimiter=info.separator, newlines_in_values=True, invalid_row_handler=handler
    )
    convert = pa_csv.ConvertOptions(
        null_values=NULL_VALUES, strings_can_be_null=True, column_types=forced or None
    )
    return read, parse, convert


_PROBE = "\x01workbench-probe\x01"


def _header_width(info: _FileInfo) -> int:
    """Fields in the header, as the csv module reads the first line of the head."""
    text = info.head.decode(info.python_encoding, errors="replace")
    for record in csv.reader(io.StringIO(text, newline=""), delimiter=info.separator):
        if record:
            return len(record)
    return 1


class _Probe:
    """A line appended after the data, to learn whether the data ended inside a quoted field.

    pyarrow reads a quote left open at the end of its input as a field running to the end,
    without complaint, and whether a position is inside quotes depends on everything before
    it. So pyarrow is asked: the probe line has more fields than the header. After a whole
    row it is an invalid row, which :meth:`handler` skips. Inside an open quote it becomes part
    of that field: either the last value ends with it, or the row holding the quote comes out
    short and reaches the handler with its text, which says where that row starts.
    """

    def __init__(self, info: _FileInfo, width: int) -> None:
        self.text = info.separator.join([_PROBE] * (width + 2))
        self.skipped: list[str] = []

    def encoded(self, codec: str = "utf-8") -> bytes:
        return ("\n" + self.text + "\n").encode(codec)

    def handler(self, row: pa_csv.InvalidRow) -> str:
        if _PROBE not in row.text:
            return "error"  # a real bad row: let pyarrow fail, and find its line in Python
        self.skipped.append(row.text)
        return "skip"

    def open_tail(self, table: pa.Table, codec: str = "utf-8") -> tuple[pa.Table, int | None]:
        """The table without the probe, and how many bytes before the end of the data (probe
        included) the open quote's row ("short" row) or the open quote itself starts."""
        if self.skipped and self.skipped[-1] == self.text:
            return table, None
        if self.skipped:
            return table, len((self.skipped[-1] + "\n").encode(codec))
        if table.num_rows == 0:
            name = table.column_names[-1] if table.num_columns else ""
            if name.endswith(self.text + "\n"):  # the header's own quote is open
                return table, len(('"' + name.replace('"', '""')).encode(codec, errors="replace"))
            return table, None
        last = table.slice(table.num_rows - 1)
        if all(column[0].as_py() == _PROBE for column in last.columns):
            return table.slice(0, table.num_rows - 1), None  # the probe parsed as a whole row
        value = table.column(table.num_columns - 1)[table.num_rows - 1].as_py()
        if isinstance(value, str) and value.endswith(self.text + "\n"):
            return table, len(('"' + value.replace('"', '""')).encode(codec, errors="replace"))
        raise _Serial  # the probe went missing: nothing is certain


class _Serial(Exception):
    """The segmented read cannot be sure of this file (a bad row, a huge row): go serial."""


class _NotUTF8(Exception):
    """A segment has bytes that are not UTF-8."""


def _unclosed_quote(info: _FileInfo, line: int | None) -> DataError:
    where = f"line {line}" if line else "a line near the end"
    return DataError(
        f'{info.path}: cannot be read as a table: {where} opens a quote (") that is never '
        "closed, so everything to the end of the file reads as one field. Close the quote, "
        'or remove the stray " character.'
    )
