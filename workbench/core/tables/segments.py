"""The parallel read of a UTF-8 delimited file, in pieces cut at line breaks.

Each piece is parsed by pyarrow as one block on a pool thread and accepted in file order in
the calling thread, which reports progress and polls cancel between pieces. At most
(threads + 1) pieces' raw bytes are held at a time. A cut inside a quoted field is found by
the probe (:mod:`.probe`) and reading resumes at that row; anything the pieces cannot be sure
of raises :class:`_Serial` for the serial read.
"""

from __future__ import annotations

import io
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from workbench.core.tables import limits
from workbench.core.tables.files import _FileInfo, _line_at
from workbench.core.tables.frames import _finish
from workbench.core.tables.limits import NULL_VALUES
from workbench.core.tables.probe import _header_width, _NotUTF8, _Probe, _Serial, _unclosed_quote
from workbench.core.tables.progress import _Reporter


def _read_csv_segments(info: _FileInfo, reporter: _Reporter) -> pd.DataFrame:
    """Read the file segment by segment; re-read once with string columns if types disagree.

    A segment may infer a column as int where a later one finds "abc" in it. int with float
    becomes float (as pyarrow's whole-file reader does); any other mix is read again as
    strings, so that "007" stays "007" rather than becoming 7 and then "7".
    """
    forced: dict[str, pa.DataType] = {}
    for _attempt in range(2):
        names, tables = _csv_segment_tables(info, reporter, forced)
        unified = _unify_segments(names, tables)
        if isinstance(unified, pa.Table):
            return _finish(unified, info, "utf-8", info.notes)
        if len(set(names)) != len(names):
            raise _Serial  # column_types is by name: repeated names need the serial reader
        forced = unified
    raise _Serial


def _csv_segment_tables(
    info: _FileInfo, reporter: _Reporter, forced: dict[str, pa.DataType]
) -> tuple[list[str], list[pa.Table]]:
    """Parse the file in pieces, several at a time, and accept them in file order.

    Each piece is cut at a line break and parsed on its own, assuming the cut is between rows.
    Pieces are checked in order: when one's probe shows its cut was inside a quoted field, the
    pieces parsed after it started mid-field, so they are dropped and reading resumes at the
    row holding the quote. From then on cuts are made only where the count of quotes since the
    last cut is even, which is right for every well-formed file.
    """
    width = _header_width(info)
    room = len(_Probe(info, width).encoded())
    workers = max(1, min(os.cpu_count() or 1, 8))
    start = reporter.last
    names: list[str] | None = None
    tables: list[pa.Table] = []
    pieces: deque[_Piece] = deque()
    careful = False
    with (
        info.path.open("rb", buffering=0) as handle,
        ThreadPoolExecutor(workers, thread_name_prefix="workbench-csv") as pool,
    ):
        source = _PieceSource(handle, room)
        try:
            while True:
                # the first piece alone: the others need the column names it holds
                while not source.eof and len(pieces) < (1 if names is None else workers + 1):
                    piece = source.next(careful)
                    if piece is None:
                        break
                    piece.future = pool.submit(
                        _parse_piece, info, piece.buffer, piece.cut, names, forced, width
                    )
                    pieces.append(piece)
                if not pieces:
                    break
                piece = pieces.popleft()
                assert piece.future is not None
                table, opened, short = piece.future.result()
                used: int | None = piece.cut
                if opened is not None:  # the cut was inside a quoted field
                    if piece.last:
                        raise _unclosed_quote(info, _line_at(info, piece.offset + opened, "utf-8"))
                    for other in pieces:
                        assert other.future is not None
                        other.future.cancel()
                    pieces.clear()
                    careful = True
                    used = _shorten(info, piece, table, opened, short, names, forced, width)
                    if used is None:  # not one whole row in the piece: read a bigger one
                        source.restart(piece.offset, grow=len(piece.buffer))
                        continue
                    table = piece.table
                    source.restart(piece.offset + used)
                if names is None:
                    names = table.column_names
                tables.append(table)
                done = piece.offset + used
                reporter.report(start + (0.99 - start) * min(done / max(info.size, 1), 1.0))
        finally:
            for other in pieces:
                if other.future is not None:
                    other.future.cancel()
    return names or [], tables


@dataclass
class _Piece:
    """Bytes of the file from ``offset``, to be parsed up to ``cut``, with room after it."""

    offset: int
    buffer: bytearray
    cut: int
    last: bool
    future: Future | None = None
    table: pa.Table | None = None


class _PieceSource:
    """Cuts the file into pieces at line breaks; can restart at any offset."""

    def __init__(self, handle: io.RawIOBase, room: int) -> None:
        self.handle = handle
        self.room = room
        self.offset = 0  # file offset of the next piece
        self.carry = b""  # bytes read past the last cut
        self.want = limits.SEGMENT_BYTES
        self.eof = False

    def restart(self, offset: int, grow: int = 0) -> None:
        self.handle.seek(offset)
        self.offset, self.carry, self.eof = offset, b"", False
        self.want = max(limits.SEGMENT_BYTES, grow * 2) if grow else limits.SEGMENT_BYTES
        if self.want > limits.MAX_ROW_BYTES + limits.SEGMENT_BYTES:
            raise _Serial  # a row longer than any piece we are willing to hold

    def next(self, careful: bool) -> _Piece | None:
        """The next piece, or None at the end of the file."""
        while True:
            size = max(self.want, len(self.carry) + limits.SEGMENT_BYTES)
            buffer = bytearray(size + self.room)
            buffer[: len(self.carry)] = self.carry
            filled = len(self.carry)
            with memoryview(buffer) as view:
                while not self.eof and filled < size:
                    got = self.handle.readinto(view[filled:size]) or 0
                    self.eof = got == 0
                    filled += got
            if self.eof and filled == 0:
                return None
            if self.eof:
                cut = filled
            else:
                cut = buffer.rfind(b"\n", 0, filled) + 1
                if careful:
                    cut = _even_quotes_cut(buffer, cut)
            if cut == 0:  # no usable line break: hold more of the file
                self.carry = bytes(buffer[:filled])
                if filled > limits.MAX_ROW_BYTES + limits.SEGMENT_BYTES:
                    raise _Serial
                continue
            piece = _Piece(self.offset, buffer, cut, self.eof)
            self.carry = bytes(buffer[cut:filled])
            self.offset += cut
            self.want = limits.SEGMENT_BYTES
            self.eof = self.eof and not self.carry
            return piece


def _even_quotes_cut(buffer: bytearray, cut: int) -> int:
    """The last line break at or before ``cut`` after an even number of quotes (0 if none)."""
    quotes = buffer.count(b'"', 0, cut)
    while cut and quotes % 2:
        previous = buffer.rfind(b"\n", 0, cut - 1) + 1
        quotes -= buffer.count(b'"', previous, cut)
        cut = previous
    return cut


def _parse_piece(
    info: _FileInfo,
    buffer: bytearray,
    cut: int,
    names: list[str] | None,
    forced: dict[str, pa.DataType],
    width: int,
) -> tuple[pa.Table, int | None, bool]:
    """Parse ``buffer[:cut]`` with the probe after it, as one block on one thread.

    One block, because pyarrow only misreads quoted line breaks where it cuts the input into
    blocks (``newlines_in_values=False`` is then exact, and faster). Returns the table, where
    an open quote (or the short row holding it) starts if the data ended inside one, and
    whether that row was skipped. Overwrites the buffer after ``cut``.
    """
    probe = _Probe(info, width)
    encoded = probe.encoded()
    end = cut + len(encoded)
    buffer[cut:end] = encoded
    read = pa_csv.ReadOptions(block_size=end + 1, use_threads=False, column_names=names)
    parse = pa_csv.ParseOptions(
        delimiter=info.separator, newlines_in_values=False, invalid_row_handler=probe.handler
    )
    convert = pa_csv.ConvertOptions(
        null_values=NULL_VALUES, strings_can_be_null=True, column_types=forced or None
    )
    try:
        table = pa_csv.read_csv(pa.py_buffer(memoryview(buffer)[:end]), read, parse, convert)
        table.column_names  # noqa: B018 - decodes the header, which may not be UTF-8
    except (pa.ArrowInvalid, UnicodeDecodeError):
        raise _Serial from None  # a bad row: the serial reader finds and names its line
    if any(pa.types.is_binary(t) for t in table.schema.types):
        raise _NotUTF8
    table, tail = probe.open_tail(table)
    return table, (None if tail is None else end - tail), bool(probe.skipped)


def _shorten(
    info: _FileInfo,
    piece: _Piece,
    table: pa.Table,
    opened: int,
    short: bool,
    names: list[str] | None,
    forced: dict[str, pa.DataType],
    width: int,
) -> int | None:
    """Cut ``piece`` before the row whose quote is open; return the bytes kept, None if none.

    A short row was skipped, so ``table`` already holds just the rows before it. Otherwise the
    open quote is in the last column and the piece is parsed again, cut at the line break
    before the quote, until it ends between rows. Sets ``piece.table``.
    """
    while True:
        if short:
            piece.table = table
            return opened if opened > 0 and table.num_rows else None
        cut = piece.buffer.rfind(b"\n", 0, opened) + 1
        if cut == 0:
            return None
        table, opened_again, short = _parse_piece(info, piece.buffer, cut, names, forced, width)
        if opened_again is None:
            piece.table = table
            return cut
        opened = opened_again


def _parse_segment(
    info: _FileInfo,
    buffer: bytearray,
    cut: int,
    last: bool,
    names: list[str] | None,
    forced: dict[str, pa.DataType],
    width: int,
    line_of: Callable[[int], int],
) -> tuple[pa.Table, int] | None:
    """Parse ``buffer[:cut]`` (the preview's rows), cutting before a row whose quote is open.

    In the last piece of a file an open quote is the file's own mistake. Returns the table
    and the bytes it covers, or None when not even one row fits.
    """
    table, opened, short = _parse_piece(info, buffer, cut, names, forced, width)
    if opened is None:
        return table, cut
    if last:
        raise _unclosed_quote(info, line_of(max(opened, 0)))
    piece = _Piece(0, buffer, cut, last)
    used = _shorten(info, piece, table, opened, short, names, forced, width)
    return None if used is None or piece.table is None else (piece.table, used)


def _unify_segments(names: list[str], tables: list[pa.Table]) -> pa.Table | dict[str, pa.DataType]:
    """One table of the segments' tables, or the string columns to force for a re-read."""
    if not tables:
        raise _Serial
    widths = {t.num_columns for t in tables}
    if len(widths) != 1:
        raise _Serial
    targets: list[pa.DataType] = []
    force: dict[str, pa.DataType] = {}
    for i, name in enumerate(names):
        kinds = {t.schema.types[i] for t in tables} - {pa.null()}
        if len(kinds) <= 1:
            targets.append(next(iter(kinds), pa.null()))
        elif kinds <= {pa.int64(), pa.float64()}:
            targets.append(pa.float64())
        else:
            targets.append(pa.string())
            force[name] = pa.string()
    if force:
        return force
    fixed = []
    for table in tables:
        columns = []
        for column, target in zip(table.columns, targets, strict=True):
            if column.type != target:
                column = (
                    pa.nulls(len(column), target)
                    if pa.types.is_null(column.type)
                    else column.cast(target)
                )
            columns.append(column)
        fixed.append(pa.Table.from_arrays(columns, names=names))
    return pa.concat_tables(fixed)
