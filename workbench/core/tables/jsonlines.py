"""JSON Lines and JSON arrays: read fast with pyarrow, exactly with Python when that fails.

The Python pass names the first line that is not a JSON object, or builds the frame when only
the types disagree; a .json file holding one array of objects is read whole.
"""

from __future__ import annotations

import io
import json

import pandas as pd
import pyarrow as pa
import pyarrow.json as pa_json

from workbench.core.errors import DataError
from workbench.core.tables import limits
from workbench.core.tables.depth import check_json_bytes, check_json_file
from workbench.core.tables.encoding import _encoding_name, _undecodable
from workbench.core.tables.files import _bounded_lines, _FileInfo
from workbench.core.tables.frames import _attrs, _clean_names, _finish
from workbench.core.tables.progress import (
    LoadCancelled,
    _read_in_thread,
    _Reporter,
    _Stopped,
    _stream,
)


def _require_utf8(info: _FileInfo) -> None:
    if info.encoding not in ("utf-8",):
        raise DataError(
            f"{info.path}: JSON must be UTF-8, but this file seems to be "
            f"{_encoding_name(info.encoding)}. Save it as UTF-8 and open that."
        )


def _read_json_lines(info: _FileInfo, reporter: _Reporter) -> pd.DataFrame:
    """Stream; else pyarrow's whole-file reader (it widens int to float); else Python.

    The Python pass names the first line that is not a JSON object, or builds the frame when
    only the types disagree (1 on one line, "a" on another: the column becomes strings).
    """
    _require_utf8(info)
    # Before pyarrow sees a byte: it overflows the stack on a line nested a million levels deep.
    check_json_file(info.path, info.size, lambda f: reporter.report(0.1 * f), reporter.check)
    table = None
    try:
        options = pa_json.ReadOptions(block_size=limits.BLOCK_SIZE)
        table = _stream(
            info,
            reporter,
            lambda source: pa_json.open_json(source, options),
            pa.OSFile(str(info.path)),
            limits.BLOCK_SIZE,
        )
    except pa.ArrowInvalid:
        whole = pa_json.ReadOptions(block_size=limits.MAX_ROW_BYTES)
        try:
            table = _read_in_thread(info, reporter, lambda source: pa_json.read_json(source, whole))
        except pa.ArrowInvalid:
            pass
        except _Stopped:
            raise LoadCancelled(f"{info.path}: loading cancelled") from None
    try:
        if table is not None:
            _validate_utf8(table)
            return _finish(table, info, "utf-8", info.notes)
        with info.path.open(encoding="utf-8-sig", errors="strict") as stream:
            return _json_lines_in_python(info, stream, reporter)
    except UnicodeDecodeError as exc:
        raise _undecodable(info, "utf-8", exc) from None


def _json_frame_from_bytes(info: _FileInfo, data: bytes, reporter: _Reporter) -> pd.DataFrame:
    _require_utf8(info)
    check_json_bytes(info.path, data)
    try:
        table = pa_json.read_json(
            io.BytesIO(data), read_options=pa_json.ReadOptions(block_size=len(data) + 1)
        )
    except pa.ArrowInvalid:
        return _json_lines_in_python(info, io.StringIO(data.decode("utf-8")), reporter)
    return _finish(table, info, "utf-8", info.notes)


def _validate_utf8(table: pa.Table) -> None:
    """pyarrow's JSON reader does not check that strings are UTF-8; make it an error here."""
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            for chunk in column.chunks:
                try:
                    chunk.validate(full=True)
                except pa.ArrowInvalid:
                    raise UnicodeDecodeError(
                        "utf-8", b"", 0, 1, "a string column is not valid UTF-8"
                    ) from None


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return f"a {type(value).__name__.replace('int', 'number').replace('float', 'number')}"


def _json_lines_in_python(
    info: _FileInfo, stream: io.TextIOBase, reporter: _Reporter
) -> pd.DataFrame:
    """Slow, exact: names the first line that is not a JSON object; else builds the frame."""
    records: list[dict] = []
    chars = 0
    try:
        for number, line in enumerate(_bounded_lines(stream, info.path, limits.MAX_ROW_BYTES), 1):
            chars += len(line)
            if number % 8192 == 0 and info.size:
                reporter.report(reporter.last + (0.99 - reporter.last) * min(chars / info.size, 1))
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except RecursionError:  # the depth check came first; never a traceback
                raise DataError(
                    f"{info.path}: line {number} is nested too deep; a data row is flat."
                ) from None
            except json.JSONDecodeError as exc:
                raise DataError(
                    f"{info.path}: line {number} is not valid JSON ({exc.msg} at column "
                    f"{exc.colno}). JSON Lines needs one complete JSON object per line; fix or "
                    "delete that line."
                ) from None
            if not isinstance(value, dict):
                raise DataError(
                    f"{info.path}: line {number} holds {_json_kind(value)}, not an object. "
                    'JSON Lines needs one object per line, like {"text": "...", "label": 1}.'
                )
            records.append(value)
    except UnicodeDecodeError as exc:
        raise _undecodable(info, "utf-8", exc) from None
    return _frame_from_records(info, records)


def _read_json_array(info: _FileInfo, reporter: _Reporter) -> pd.DataFrame:
    """A .json file holding one array of objects (read whole: meant for small files)."""
    _require_utf8(info)
    check_json_file(info.path, info.size, None, reporter.check)
    try:
        with info.path.open(encoding="utf-8-sig") as stream:
            value = json.load(stream)
    except RecursionError:  # cannot happen after the depth check; never a traceback
        raise DataError(
            f"{info.path}: is nested too deep to read; a data row is flat. Fix the file."
        ) from None
    except json.JSONDecodeError as exc:
        raise DataError(
            f"{info.path}: is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}. "
            "Fix the file, or save it as JSON Lines or CSV."
        ) from None
    except UnicodeDecodeError as exc:
        raise _undecodable(info, "utf-8", exc) from None
    reporter.check()
    if not isinstance(value, list):
        raise DataError(
            f"{info.path}: holds {_json_kind(value)}, not a list of objects. Use a JSON array "
            'of objects ([{"text": "...", "label": 1}, ...]) or JSON Lines.'
        )
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise DataError(
                f"{info.path}: item {index + 1} of the array is {_json_kind(item)}, not an "
                'object. Each item must be like {"text": "...", "label": 1}.'
            )
    return _frame_from_records(info, value)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _strings_if_mixed(series: pd.Series) -> pd.Series:
    """Strings mixed with numbers (1, "a") become all strings, as the same column would in CSV."""
    if series.dtype != object:
        return series
    types = {type(v) for v in series if not _missing(v)}
    if str in types and len(types) > 1 and not types & {dict, list}:
        return series.map(lambda v: v if _missing(v) else str(v)).astype("str")
    return series


def _frame_from_records(info: _FileInfo, records: list[dict]) -> pd.DataFrame:
    if not records:
        raise DataError(f"{info.path}: holds no records. Add one JSON object per row.")
    frame = pd.DataFrame.from_records(records)
    for column in frame.columns:
        frame[column] = _strings_if_mixed(frame[column])
    names = [str(c) for c in frame.columns]
    frame.columns = _clean_names(names)
    frame.attrs.update(_attrs(info, "utf-8", info.notes, names))
    return frame
