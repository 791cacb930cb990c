"""The serial read of delimited text, and finding the exact line that breaks a file.

pyarrow's streaming reader (any encoding), exact but on one core, with the whole-file reader
when a column's type changes late. When pyarrow rejects the file, a slower pure-Python pass
(:mod:`csv`) names the line and says what to fix (:func:`_csv_problem`).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from workbench.core.errors import DataError
from workbench.core.tables import limits
from workbench.core.tables.encoding import _encoding_notes, _encoding_of_whole_file, _undecodable
from workbench.core.tables.files import _bounded_lines, _FileInfo, _line_at
from workbench.core.tables.frames import _finish
from workbench.core.tables.limits import MB
from workbench.core.tables.probe import (
    _csv_options,
    _header_width,
    _Probe,
    _Serial,
    _unclosed_quote,
)
from workbench.core.tables.progress import (
    LoadCancelled,
    _CountingFile,
    _read_in_thread,
    _Reporter,
    _Stopped,
    _stream,
)


def _byte_codec(info: _FileInfo, encoding: str) -> str:
    """The codec that writes bytes as they are in the file (no byte-order mark)."""
    if encoding == "utf-16":
        return "utf-16-le" if info.head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
    return encoding


def _open_csv(
    options: tuple[pa_csv.ReadOptions, pa_csv.ParseOptions, pa_csv.ConvertOptions],
) -> Callable[[object], pa.RecordBatchReader]:
    return lambda source: pa_csv.open_csv(source, *options)


def _whole_csv(
    options: tuple[pa_csv.ReadOptions, pa_csv.ParseOptions, pa_csv.ConvertOptions],
) -> Callable[[_CountingFile], pa.Table]:
    return lambda source: pa_csv.read_csv(source, *options)


def _read_delimited_serial(
    info: _FileInfo, reporter: _Reporter, encoding: str, notes: tuple[str, ...]
) -> pd.DataFrame:
    """Stream the file; fall back to pyarrow's whole-file reader only when a type changes.

    The streaming reader infers each column's type from the first block. When a later block
    disagrees (a number column with "abc" at row 50,000) the whole-file reader, which widens
    types (int -> float -> string) as pandas does, reads it again: slower and about twice the
    memory, but only for such files. Both read the file with the quote probe after it.
    """
    block_size, whole = limits.BLOCK_SIZE, False
    while True:
        probe = _Probe(info, _header_width(info))
        codec = _byte_codec(info, encoding)
        suffix = probe.encoded(codec)
        options = _csv_options(info, encoding, block_size, handler=probe.handler)
        try:
            if whole:
                table = _read_in_thread(info, reporter, _whole_csv(options), suffix)
            else:
                expansion = 0.5 if encoding == "utf-16" else 1.0
                source = _CountingFile(info.path, suffix)
                table = _stream(info, reporter, _open_csv(options), source, block_size, expansion)
            table.column_names  # noqa: B018 - decodes the header, which may not be UTF-8
        except UnicodeDecodeError as exc:
            if encoding != "utf-8":
                raise _undecodable(info, encoding, exc) from None
            encoding = _encoding_of_whole_file(info, reporter)
            notes = _encoding_notes(encoding)
            continue
        except pa.ArrowInvalid as exc:
            detail = str(exc)
            if "invalid UTF8" in detail and encoding == "utf-8":
                encoding = _encoding_of_whole_file(info, reporter)
                notes = _encoding_notes(encoding)
                continue
            if "conversion error" in detail and not whole:
                whole = True
                continue
            if "straddling" in detail and block_size < limits.MAX_ROW_BYTES:
                block_size = limits.MAX_ROW_BYTES  # a row is longer than a block: try bigger ones
                continue
            raise _csv_problem(info, encoding, reporter, detail) from None
        except _Stopped:
            raise LoadCancelled(f"{info.path}: loading cancelled") from None
        if encoding == "utf-8" and any(pa.types.is_binary(t) for t in table.schema.types):
            # pyarrow reads a column with bytes that are not UTF-8 as binary: re-read decoded
            encoding = _encoding_of_whole_file(info, reporter)
            notes = _encoding_notes(encoding)
            continue
        try:
            table, tail = probe.open_tail(table, codec)
        except _Serial:
            tail = None  # cannot tell; pyarrow's reading stands
        if tail is not None:
            opened = info.size + len(suffix) - tail
            raise _unclosed_quote(info, _line_at(info, opened, codec))
        return _finish(table, info, encoding, notes)


def _fields(count: int) -> str:
    return "1 field" if count == 1 else f"{count} fields"


def _csv_problem(
    info: _FileInfo,
    encoding: str,
    reporter: _Reporter,
    detail: str,
    stream: io.TextIOBase | None = None,
) -> DataError:
    """The first line that makes the file not a table, found with the csv module (slow, exact).

    pyarrow says that some row has the wrong number of fields but not where; here each record's
    first and last physical line are known. A record spanning many lines up to the end of the
    file is a quote that was never closed.
    """
    if csv.field_size_limit() < limits.MAX_ROW_BYTES:
        csv.field_size_limit(
            limits.MAX_ROW_BYTES
        )  # global, only ever raised: pyarrow reads such fields
    python_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    own = stream is None
    if stream is None:
        stream = info.path.open(encoding=python_encoding, newline="", errors="strict")
    path, sep = info.path, info.separator
    shown = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "'|'"}[sep]
    try:
        reader = csv.reader(_bounded_lines(stream, path, limits.MAX_ROW_BYTES), delimiter=sep)
        expected, header_line, end = None, 1, 0
        chars = 0
        for record in reader:
            start, end = end + 1, reader.line_num
            if not record:
                continue
            chars += sum(len(field) for field in record) + len(record)
            if reader.line_num % 8192 == 0 and info.size:
                reporter.report(reporter.last + (0.99 - reporter.last) * min(chars / info.size, 1))
            if expected is None:
                expected, header_line = len(record), start
                spans = end > start or record[-1].endswith(("\n", "\r"))
                if spans and next(reader, None) is None:  # the header's quote never closes
                    return _unclosed_quote(info, start)
                continue
            if len(record) == expected:
                continue
            at_end = next(reader, None) is None
            unclosed = end > start or record[-1].endswith(("\n", "\r"))
            if at_end and unclosed:
                return DataError(
                    f'{path}: cannot be read as a table: line {start} opens a quote (") that is '
                    f"never closed, so everything to the end of the file (line {end}) reads as "
                    'one field. Close the quote, or remove the stray " character.'
                )
            where = f"line {start}" if end == start else f"the row on lines {start}-{end}"
            if len(record) > expected:
                fix = (
                    f"A field probably contains a {shown}: put that field in double quotes, or "
                    "remove the extra separator."
                )
            else:
                fix = "Add the missing fields (they may be empty) or delete that line."
            if end > start:
                fix += ' A quote (") in it may be misplaced.'
            return DataError(
                f"{path}: cannot be read as a table: {where} has {_fields(len(record))}, but the "
                f"header (line {header_line}) has {expected}. {fix}"
            )
    except csv.Error as exc:
        return DataError(
            f"{path}: cannot be read as a table: near line {end + 1}, {exc}. Check the quotes "
            "on that line."
        )
    except UnicodeDecodeError as exc:
        return _undecodable(info, encoding, exc)
    finally:
        if own:
            stream.close()
    if "straddling" in detail:
        return DataError(
            f"{path}: cannot be read as a table: a row is longer than "
            f"{limits.MAX_ROW_BYTES // MB} MB. "
            'Check for a quote (") that is never closed, or split the long texts.'
        )
    if "Empty CSV" in detail:
        return DataError(f"{path}: has a header but no data rows. Add rows below the header.")
    detail = detail.strip().splitlines()[0] if detail.strip() else "unknown problem"
    return DataError(
        f"{path}: cannot be read as a table ({detail}). Check that every row has the same "
        "number of fields as the header and that quotes are closed."
    )
