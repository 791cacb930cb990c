"""preview_rows: the first rows from the first chunk of a file only, instant at any size.

Finds the text of the first whole records in the head (quotes respected) and parses just
that, with the same DataErrors as a full read when the problem is within the rows shown.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from workbench.core.errors import DataError
from workbench.core.tables import limits
from workbench.core.tables.files import _FileInfo, _inspect, _read_head
from workbench.core.tables.frames import _finish
from workbench.core.tables.jsonlines import _json_frame_from_bytes, _read_json_array
from workbench.core.tables.limits import MB
from workbench.core.tables.probe import _csv_options, _header_width, _NotUTF8, _Probe, _Serial
from workbench.core.tables.progress import _Reporter
from workbench.core.tables.segments import _parse_segment
from workbench.core.tables.serial import _csv_problem


def preview_rows(path: str | Path, n: int = 200) -> pd.DataFrame:
    """The first ``n`` rows, from the first chunk of the file only, so it is instant at any size.

    Column types are inferred from those rows alone, so they can differ from the full read's
    (a column of numbers with "abc" in row 5000 is numeric here, strings there). Broken files
    raise the same DataError as :func:`read_table` when the problem is within the rows shown.
    A ``.json`` file holding one array is read whole (that format cannot be read in part).
    """
    n = max(int(n), 0)
    wanted = max(n, 1)  # at least one row, so an empty file is told apart from n=0
    info = _inspect(Path(path))
    head = info.head
    while True:
        text, complete = _decoded_head(info, head)
        if info.kind == "delimited":
            piece, enough = _first_records(text, wanted + 1, complete)
        else:
            piece, enough = _first_lines(text, wanted, complete)
        if enough or complete or len(head) >= min(info.size, limits.PREVIEW_MAX_BYTES):
            break
        head = _read_head(info.path, min(len(head) * 4, limits.PREVIEW_MAX_BYTES))
    if info.kind == "delimited" and not piece.strip("\r\n"):
        raise DataError(
            f"{info.path}: the first row is longer than {len(head) // MB} MB, too long to "
            "preview. Check that this is a table with one row per line."
        )
    reporter = _Reporter(info.path, None, None)
    data = piece.encode("utf-8")
    if info.kind == "delimited":
        frame = _read_delimited_bytes(info, data, complete)
    elif info.kind == "jsonl":
        frame = _json_frame_from_bytes(info, data, reporter)
    else:
        frame = _read_json_array(info, reporter)
    return frame.head(n)


def _read_delimited_bytes(info: _FileInfo, data: bytes, complete: bool) -> pd.DataFrame:
    """Parse the preview's piece: the file's first whole rows, decoded and re-encoded UTF-8."""
    width = _header_width(info)
    buffer = bytearray(data) + bytes(len(_Probe(info, width).encoded()))
    parsed = None

    def line_of(position: int) -> int:
        return data.count(b"\n", 0, position) + 1

    with contextlib.suppress(_Serial, _NotUTF8):  # the plain parse below names the problem
        parsed = _parse_segment(info, buffer, len(data), complete, None, {}, width, line_of)
    if parsed is None:
        read, parse, convert = _csv_options(info, "utf-8", max(limits.BLOCK_SIZE, len(data) + 1))
        try:
            table = pa_csv.read_csv(pa.BufferReader(data), read, parse, convert)
        except pa.ArrowInvalid as exc:
            reporter = _Reporter(info.path, None, None)
            stream = io.StringIO(data.decode("utf-8"), newline="")
            raise _csv_problem(info, "utf-8", reporter, str(exc), stream=stream) from None
    else:
        table = parsed[0]
    return _finish(table, info, info.encoding, info.notes)


def _decoded_head(info: _FileInfo, head: bytes) -> tuple[str, bool]:
    """The head as text, and whether it is the whole file."""
    complete = len(head) >= info.size
    data = head
    if info.encoding == "utf-16" and len(data) % 2:
        data = data[:-1]
    text = data.decode(info.python_encoding, errors="ignore" if not complete else "replace")
    return text, complete


def _first_records(text: str, count: int, complete: bool) -> tuple[str, bool]:
    """The text of the first ``count`` non-blank records (quotes respected), and if it had them.

    Only whole records are returned: a record cut by the end of the head is dropped.
    """
    newline = "\n" if "\n" in text else "\r"
    in_quote = False
    found = 0
    last_end = 0  # end of the last record boundary outside quotes
    line_start = 0
    for match in re.finditer(f'["{re.escape(newline)}]', text):
        if match.group() == '"':
            in_quote = not in_quote
            continue
        if in_quote:
            continue
        end = match.end()
        if text[line_start : match.start()].strip("\r"):
            found += 1
        line_start = last_end = end
        if found >= count:
            return text[:end], True
    if complete:
        return text, True
    return text[:last_end], False


def _first_lines(text: str, count: int, complete: bool) -> tuple[str, bool]:
    """The first ``count`` non-blank lines of a JSON Lines head."""
    lines = text.splitlines(keepends=True)
    if not complete and lines and not lines[-1].endswith(("\n", "\r")):
        lines.pop()
    taken, found = [], 0
    for line in lines:
        taken.append(line)
        if line.strip():
            found += 1
            if found >= count:
                return "".join(taken), True
    return "".join(taken), complete
