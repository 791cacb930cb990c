"""Reading tabular files (CSV, TSV, JSON Lines) robustly, fast, with progress and cancel.

Why this module exists: a person opens whatever file they have. It may be huge, in the wrong
encoding, ragged, binary, or not a table at all. Reading must stay as fast as pandas' pyarrow
engine, report progress and stop when asked (the GUI calls it from a worker thread), and turn
every way a file can be wrong into a :class:`DataError` that names the file, the line or column,
and says what to do.

How it works:

- A cheap look at the first megabyte (:func:`_inspect`) catches missing, empty, binary and
  one-endless-line files, finds the encoding and sniffs the separator.
- A UTF-8 file is cut into pieces of a few megabytes at line breaks, parsed by pyarrow several
  at a time (each piece as one block, on its own thread) and accepted in file order, so
  ``progress`` and ``cancel`` run in the calling thread between pieces and memory stays near
  the size of the result. A cut may fall inside a quoted field that spans lines; a probe line
  appended to each piece tells (see :class:`_Probe`), and reading resumes at that row.
- Other encodings, and files the pieces cannot be sure of (a bad row, a row longer than a
  piece), go through pyarrow's streaming reader in one pass (:func:`_read_delimited_serial`).
  When pyarrow rejects the file, a slower pure-Python pass (:mod:`csv`) names the exact line.
- Column types are pandas' own for ``read_csv(engine="pyarrow")``: int64, float64, bool,
  datetime64 and ``str``, with pandas' missing-value markers; a column whose values are not
  all numbers stays strings; an all-empty column is float NaN.
- pyarrow itself accepts a quote left open at the end of the file as a field running to the
  end; here that is a DataError naming the line.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import os
import queue
import re
import threading
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json

from workbench.core.errors import DataError

__all__ = [
    "ColumnStats",
    "LoadCancelled",
    "column_stats",
    "duplicate_rows",
    "numeric_problems",
    "preview_rows",
    "read_table",
    "shared_rows",
]

MB = 1 << 20
HEAD_BYTES = 1 * MB  # what every read looks at first; also the longest possible header line
# The serial reader's unit of parsing and of progress. pyarrow's streaming reader reads about
# 37 blocks ahead, so this also bounds the raw bytes it holds; 1 MB is as fast as larger blocks.
BLOCK_SIZE = 1 * MB
MAX_ROW_BYTES = 8 * MB  # the longest row (or JSON line) we read: a retry uses blocks this big
PREVIEW_MAX_BYTES = 16 * MB  # the most a preview reads, however long its rows
_POLL_S = 0.1  # how often cancel() is polled while a whole-file pyarrow read runs

SEPARATORS = (",", "\t", ";", "|")
JSON_SUFFIXES = {".jsonl", ".ndjson", ".json"}
# pandas' default missing-value markers, so a file reads here as it does in pandas.read_csv.
NULL_VALUES = [
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
]

Progress = Callable[[float], object]
Cancel = Callable[[], bool]


class LoadCancelled(Exception):
    """Raised by :func:`read_table` when its ``cancel`` callback returned True."""


# --------------------------------------------------------------------------------------------
# Public API


def read_table(
    path: str | Path, *, progress: Progress | None = None, cancel: Cancel | None = None
) -> pd.DataFrame:
    """Read a whole CSV/TSV/JSON Lines file into a DataFrame, or raise DataError.

    ``progress(fraction)`` is called in the calling thread with increasing values in 0..1
    (the share of the file's bytes read so far), ending with 1.0. ``cancel()`` is polled
    between chunks; when it returns True the read stops and :class:`LoadCancelled` is raised.
    The frame's ``attrs`` record the ``source``, ``format``, ``encoding`` and ``separator``,
    and ``notes`` worth showing (e.g. that the file was read as Windows-1252).
    """
    reporter = _Reporter(Path(path), progress, cancel)
    info = _inspect(Path(path))
    reporter.check()
    if info.kind == "delimited":
        frame = _read_delimited(info, reporter)
    elif info.kind == "jsonl":
        frame = _read_json_lines(info, reporter)
    else:
        frame = _read_json_array(info, reporter)
    reporter.report(1.0)
    return frame


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
        if enough or complete or len(head) >= min(info.size, PREVIEW_MAX_BYTES):
            break
        head = _read_head(info.path, min(len(head) * 4, PREVIEW_MAX_BYTES))
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


# --------------------------------------------------------------------------------------------
# Looking at the file before reading it


@dataclass(frozen=True)
class _FileInfo:
    path: Path
    size: int
    head: bytes  # the first HEAD_BYTES
    kind: str  # "delimited" | "jsonl" | "json-array"
    encoding: str  # a Python codec name; "utf-8" also covers a UTF-8 byte-order mark
    separator: str
    notes: tuple[str, ...] = ()

    @property
    def python_encoding(self) -> str:
        """The codec for Python's own decoding (which, unlike pyarrow, keeps a BOM)."""
        return "utf-8-sig" if self.encoding == "utf-8" else self.encoding


_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive, such as an Excel .xlsx workbook", "save it as CSV UTF-8"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel (.xls) or Office file", "save it as CSV UTF-8"),
    (b"PAR1", "a Parquet file", "export it as CSV"),
    (b"\x1f\x8b", "gzip-compressed", "decompress it first"),
    (b"BZh", "bzip2-compressed", "decompress it first"),
    (b"\xfd7zXZ", "xz-compressed", "decompress it first"),
    (b"%PDF", "a PDF document", "export the table from it as CSV"),
    (b"\x89PNG", "a PNG image", "choose a table file (images load as an image folder)"),
    (b"\xff\xd8\xff", "a JPEG image", "choose a table file (images load as an image folder)"),
    (b"SQLite format 3", "an SQLite database", "export the table as CSV"),
)


def _read_head(path: Path, size: int) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError as exc:
        raise DataError(
            f"{path}: cannot be opened ({exc.strerror or exc}). Check that the file is "
            "readable, not locked by another program, and try again."
        ) from None


def _inspect(path: Path) -> _FileInfo:
    """Everything the first megabyte tells: raise DataError for what is plainly wrong."""
    if not path.exists():
        raise DataError(f"{path}: file not found. Check the path, or pick the file with Open.")
    if path.is_dir():
        raise DataError(f"{path}: is a folder; choose a CSV, TSV or JSON Lines file inside it.")
    if not path.is_file():
        raise DataError(f"{path}: is not a regular file; choose a CSV, TSV or JSON Lines file.")
    size = path.stat().st_size
    head = _read_head(path, HEAD_BYTES)
    truncated = size > len(head)
    notes: tuple[str, ...] = ()

    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
        text = head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
        notes = ("Read as UTF-16; saving the file as UTF-8 makes it load faster.",)
    else:
        body = head[3:] if head.startswith(codecs.BOM_UTF8) else head
        if not body.strip():
            if truncated:
                raise DataError(
                    f"{path}: begins with more than 1 MB of blank space. "
                    "Remove the blank lines at the start so that the header comes first."
                )
            raise DataError(
                f"{path}: the file is empty. Choose a file with a header row and data rows."
            )
        for magic, what, fix in _MAGIC:
            if head.startswith(magic):
                raise DataError(
                    f"{path}: this is a binary file ({what}), not a text table; "
                    f"{fix} and open that."
                )
        if b"\x00" in head:
            if _looks_like_utf16(head):
                raise DataError(
                    f"{path}: seems to be UTF-16 text without a byte-order mark. "
                    "Save it as UTF-8 (in Excel: Save As, 'CSV UTF-8') and open that."
                )
            raise DataError(
                f"{path}: this is a binary file, not text (it contains NUL bytes). "
                "Export your data as CSV, TSV or JSON Lines (UTF-8) and open that."
            )
        encoding, text, notes = _head_encoding(path, head, truncated)

    if not text.strip("\ufeff \t\r\n"):
        raise DataError(
            f"{path}: the file is empty. Choose a file with a header row and data rows."
        )
    suffix = path.suffix.lower()
    if suffix in JSON_SUFFIXES:
        stripped = text.lstrip("\ufeff \t\r\n")
        kind = "json-array" if suffix == ".json" and stripped.startswith("[") else "jsonl"
        return _FileInfo(path, size, head, kind, encoding, "", notes)

    if "\n" not in text and "\r" not in text:
        if truncated:
            raise DataError(
                f"{path}: line 1 is longer than {HEAD_BYTES // MB} MB with no line break, so it "
                "cannot be a header row. A table needs a header line and then one line per row; "
                "check that this is a CSV/TSV file and that its line breaks were not lost."
            )
        raise DataError(
            f"{path}: has a header but no data rows (the file is a single line). "
            "Add rows below the header."
        )
    separator = _sniff_separator(path, text, truncated)
    return _FileInfo(path, size, head, "delimited", encoding, separator, notes)


def _looks_like_utf16(head: bytes) -> bool:
    """Mostly-ASCII UTF-16: one byte of each pair is almost always NUL, the other almost never."""
    sample = head[:4096]
    half = max(len(sample) // 2, 1)
    zeros = sorted((sample[0::2].count(0), sample[1::2].count(0)))
    return zeros[1] > 0.7 * half and zeros[0] < 0.05 * half


def _first_invalid_utf8(data: bytes, final: bool) -> int | None:
    """Offset of the first byte that is not UTF-8; a character cut at the end is fine."""
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as exc:
        if not final and exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            return None
        return exc.start


def _head_encoding(path: Path, head: bytes, truncated: bool) -> tuple[str, str, tuple[str, ...]]:
    bad = _first_invalid_utf8(head, final=not truncated)
    if bad is None:
        return "utf-8", head.decode("utf-8", errors="ignore"), ()
    encoding = _legacy_encoding(path, head, bad)
    return encoding, head.decode(encoding, errors="replace"), _encoding_notes(encoding)


def _encoding_name(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return {
        "cp1252": "Windows-1252 (Western European)",
        "latin-1": "ISO-8859-1 (Latin-1)",
        "iso8859-1": "ISO-8859-1 (Latin-1)",
        "cp1251": "Windows-1251 (Cyrillic)",
        "cp1250": "Windows-1250 (Central European)",
        "utf-16": "UTF-16",
    }.get(name, name)


def _encoding_notes(encoding: str) -> tuple[str, ...]:
    return (
        f"Not UTF-8: read as {_encoding_name(encoding)}. Check that accented letters look "
        "right; saving the file as UTF-8 avoids the guess.",
    )


def _line_of(data: bytes, offset: int, first_line: int = 1) -> int:
    return first_line + data.count(b"\n", 0, offset)


def _legacy_encoding(
    path: Path, data: bytes, bad: int, first_line: int = 1, earlier_non_ascii: bool = False
) -> str:
    """The encoding a non-UTF-8 file seems to be in, or DataError saying what to do.

    ``data`` is a piece of the file starting at line ``first_line`` and ``bad`` the offset in it
    of the first byte that is not UTF-8. A file whose earlier part holds UTF-8 accented letters
    mixes encodings: reading it in any one of them would garble part of it, so that is an error.
    """
    line = _line_of(data, bad, first_line)
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    prefix = body[: max(bad - (len(data) - len(body)), 0)]
    if earlier_non_ascii or not prefix.isascii():
        raise DataError(
            f"{path}: line {line} is not valid UTF-8, but earlier lines are: the file mixes "
            "encodings. Re-save it as UTF-8 from the program that made it, or fix that line."
        )
    sample = data[max(0, bad - 65536) : bad + 65536]
    guess = _guess_encoding(sample)
    if guess is None:
        raise DataError(
            f"{path}: is not UTF-8 (line {line} has the byte 0x{data[bad]:02X}) and its "
            "encoding cannot be recognised. Save it as UTF-8 (in Excel: Save As, 'CSV UTF-8') "
            "and open that."
        )
    return guess


_WESTERN_SYMBOLS = set("€£¥©®°±§¶·«»–—‘’‚“”„…•†‡™´¨¸¢¤¦¬¹²³¼½¾×÷ªº¿¡")


def _plausibly_cp1252(sample: bytes) -> bool:
    """True when ``sample`` reads as Western European text in Windows-1252.

    Accented letters in Western languages sit inside words of ASCII letters ("café",
    "Straße"); Cyrillic or Greek bytes read as Windows-1252 give runs of accented letters
    ("Ïðèâåò"), which this rejects. Undefined bytes (0x81, 0x8D, ...) fail outright.
    """
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return False
    odd = [c for c in text if ord(c) > 127]
    if not odd:
        return True
    plausible = sum(
        1 for c in odd if c in _WESTERN_SYMBOLS or unicodedata.category(c).startswith("L")
    )
    if plausible < 0.9 * len(odd):
        return False
    runs = re.findall(r"[^\x00-\x7f]{3,}", text)
    in_runs = sum(len(run) for run in runs)
    return in_runs <= 0.3 * len(odd)


def _guess_encoding(sample: bytes) -> str | None:
    """Windows-1252 when it reads plausibly, else charset-normalizer's confident guess.

    charset-normalizer is unreliable on short Western samples (it calls "café" Urdu cp1006),
    and Windows-1252 is what Excel writes on most Western Windows machines, so that goes first.
    """
    if _plausibly_cp1252(sample):
        return "cp1252"
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # optional: without it only Windows-1252 is recognised
        return None
    best = from_bytes(sample).best()
    if best is None or best.chaos > 0.2 or best.encoding.startswith("utf"):
        return None
    return codecs.lookup(best.encoding).name


def _sniff_separator(path: Path, text: str, truncated: bool) -> str:
    """The separator giving the same number (>1) of fields on most lines; ',' if none does.

    A .tsv is trusted to use tabs; any other name is checked, since "CSV" exports from some
    programs use ';' (decimal commas) or tabs.
    """
    if path.suffix.lower() == ".tsv":
        return "\t"
    sample = text[:65536]
    cut = len(sample) < len(text) or truncated
    best: tuple[float, int, int] | None = None
    choice = ","
    for preference, separator in enumerate(SEPARATORS):
        records = []
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=separator)
        try:
            for record in reader:
                if record:
                    records.append(len(record))
                if len(records) > 100:
                    break
        except csv.Error:
            continue
        if cut and len(records) > 2:
            records.pop()  # the sample may end mid-row
        if not records or records[0] < 2:
            continue
        width = records[0]
        rest = records[1:]
        consistency = sum(1 for r in rest if r == width) / len(rest) if rest else 1.0
        score = (consistency, width if not rest else 0, -preference)
        if best is None or score > best:
            best, choice = score, separator
    return choice


# --------------------------------------------------------------------------------------------
# Progress, cancel and the reading thread


class _Reporter:
    """Turns fractions into monotonic ``progress`` calls and polls ``cancel``."""

    def __init__(self, path: Path, progress: Progress | None, cancel: Cancel | None) -> None:
        self.path = path
        self._progress = progress
        self._cancel = cancel
        self.last = 0.0

    def check(self) -> None:
        if self._cancel is not None and self._cancel():
            raise LoadCancelled(f"{self.path}: loading cancelled")

    def report(self, fraction: float) -> None:
        self.check()
        fraction = min(max(float(fraction), 0.0), 1.0)
        if self._progress is not None and fraction > self.last:
            self.last = fraction
            self._progress(fraction)


class _Stopped(Exception):
    """Raised inside pyarrow's read of a _CountingFile when the caller gave up."""


class _CountingFile:
    """A binary file for pyarrow: optionally reports each chunk read, can be told to stop, and
    can append ``suffix`` after the file's last byte (the quote probe, see :class:`_Probe`).

    pyarrow calls ``read`` from its own I/O thread; with ``report`` the sizes go through a
    queue to the caller's thread, which turns them into progress calls.
    """

    def __init__(self, path: Path, suffix: bytes = b"", report: bool = False) -> None:
        self._handle = path.open("rb")
        self._suffix = suffix
        self.chunks: queue.SimpleQueue[int | None] | None = queue.SimpleQueue() if report else None
        self.stop = False
        self._position = 0

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def read(self, size: int = -1) -> bytes:
        if self.stop:
            raise _Stopped
        data = self._handle.read(size)
        if self._suffix and (size < 0 or len(data) < size):
            extra = self._suffix if size < 0 else self._suffix[: size - len(data)]
            self._suffix = self._suffix[len(extra) :]
            data += extra
        self._position += len(data)
        if self.chunks is not None:
            self.chunks.put(len(data))
        return data

    def tell(self) -> int:
        return self._position

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self._handle.close()


def _read_in_thread(
    info: _FileInfo,
    reporter: _Reporter,
    work: Callable[[_CountingFile], pa.Table],
    suffix: bytes = b"",
) -> pa.Table:
    """Run ``work`` (a whole-file pyarrow read) in a helper thread, reporting from this one."""
    source = _CountingFile(info.path, suffix, report=True)
    chunks = source.chunks
    assert chunks is not None
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["table"] = work(source)
        except BaseException as exc:  # handed to the caller's thread below
            box["error"] = exc
        finally:
            chunks.put(None)

    thread = threading.Thread(target=target, name="workbench-read-table", daemon=True)
    consumed = 0
    start = reporter.last
    try:
        thread.start()
        while True:
            try:
                size = chunks.get(timeout=_POLL_S)
            except queue.Empty:
                size = 0
            if size is None:
                break
            consumed += size
            done = consumed / info.size if info.size else 0.0
            # leave the last 1% for converting to pandas; a second pass resumes where it was
            reporter.report(start + (0.99 - start) * min(done, 1.0))
    finally:
        source.stop = True
        thread.join()
        source.close()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["table"]  # type: ignore[return-value]


def _stream(
    info: _FileInfo,
    reporter: _Reporter,
    open_reader: Callable[[object], pa.RecordBatchReader],
    source: pa.NativeFile | _CountingFile,
    block_size: int,
    expansion: float = 1.0,
) -> pa.Table:
    """Read batch by batch in this thread: one batch per block, progress and cancel between.

    The reader reads ahead on pyarrow's I/O threads, so the position in the file says little;
    the number of blocks parsed says how far it got. ``expansion`` is how much bigger the
    decoded text is than the file (0.5 for UTF-16).
    """
    reader = None
    try:
        reader = open_reader(source)
        batches = []
        start = reporter.last
        expected = max(info.size * expansion, 1.0)
        while True:
            reporter.report(start + (0.99 - start) * min(len(batches) * block_size / expected, 1))
            try:
                batches.append(reader.read_next_batch())
            except StopIteration:
                break
        return pa.Table.from_batches(batches, schema=reader.schema)
    finally:
        if reader is not None:
            reader.close()
        source.close()


# --------------------------------------------------------------------------------------------
# Delimited text (CSV, TSV)


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


def _read_delimited(info: _FileInfo, reporter: _Reporter) -> pd.DataFrame:
    """The fast parallel read when it is sure to be exact, else the serial one."""
    if info.encoding == "utf-8" and b"\n" in info.head:
        try:
            return _read_csv_segments(info, reporter)
        except _NotUTF8:
            encoding = _encoding_of_whole_file(info, reporter)
            return _read_delimited_serial(info, reporter, encoding, _encoding_notes(encoding))
        except _Serial:
            pass
    return _read_delimited_serial(info, reporter, info.encoding, info.notes)


# The parallel read: the file in pieces cut at line breaks, each parsed by pyarrow as one block
# on a pool thread, accepted in file order in the calling thread, which reports progress and
# polls cancel between pieces. At most (threads + 1) pieces' raw bytes are held at a time.

SEGMENT_BYTES = 4 * MB  # one piece: big enough to amortise a parse, small enough to hold a few


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
        self.want = SEGMENT_BYTES
        self.eof = False

    def restart(self, offset: int, grow: int = 0) -> None:
        self.handle.seek(offset)
        self.offset, self.carry, self.eof = offset, b"", False
        self.want = max(SEGMENT_BYTES, grow * 2) if grow else SEGMENT_BYTES
        if self.want > MAX_ROW_BYTES + SEGMENT_BYTES:
            raise _Serial  # a row longer than any piece we are willing to hold

    def next(self, careful: bool) -> _Piece | None:
        """The next piece, or None at the end of the file."""
        while True:
            size = max(self.want, len(self.carry) + SEGMENT_BYTES)
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
                if filled > MAX_ROW_BYTES + SEGMENT_BYTES:
                    raise _Serial
                continue
            piece = _Piece(self.offset, buffer, cut, self.eof)
            self.carry = bytes(buffer[cut:filled])
            self.offset += cut
            self.want = SEGMENT_BYTES
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


# The serial read: pyarrow's streaming reader (any encoding), exact but on one core.


def _byte_codec(info: _FileInfo, encoding: str) -> str:
    """The codec that writes bytes as they are in the file (no byte-order mark)."""
    if encoding == "utf-16":
        return "utf-16-le" if info.head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
    return encoding


def _line_at(info: _FileInfo, offset: int, codec: str) -> int:
    """The line number of byte ``offset`` of the file."""
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    lines = 1
    with info.path.open("rb") as handle:
        remaining = max(offset, 0)
        while remaining > 0 and (chunk := handle.read(min(BLOCK_SIZE, remaining))):
            remaining -= len(chunk)
            if codec in ("utf-16-le", "utf-16-be"):
                lines += decoder.decode(chunk).count("\n")
            else:
                lines += chunk.count(b"\n")
    return lines


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
    block_size, whole = BLOCK_SIZE, False
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
            if "straddling" in detail and block_size < MAX_ROW_BYTES:
                block_size = MAX_ROW_BYTES  # a row is longer than a block: try bigger ones
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
        read, parse, convert = _csv_options(info, "utf-8", max(BLOCK_SIZE, len(data) + 1))
        try:
            table = pa_csv.read_csv(pa.BufferReader(data), read, parse, convert)
        except pa.ArrowInvalid as exc:
            reporter = _Reporter(info.path, None, None)
            stream = io.StringIO(data.decode("utf-8"), newline="")
            raise _csv_problem(info, "utf-8", reporter, str(exc), stream=stream) from None
    else:
        table = parsed[0]
    return _finish(table, info, info.encoding, info.notes)


def _undecodable(info: _FileInfo, encoding: str, exc: UnicodeDecodeError) -> DataError:
    byte = exc.object[exc.start : exc.start + 1] if isinstance(exc.object, bytes) else b""
    shown = f" (byte 0x{byte[0]:02X} has no meaning there)" if byte else ""
    fix = "Save it as UTF-8 (in Excel: Save As, 'CSV UTF-8') and open that."
    if encoding == "utf-8":
        return DataError(f"{info.path}: is not valid UTF-8 text{shown}. {fix}")
    return DataError(
        f"{info.path}: is not UTF-8 and cannot be read as {_encoding_name(encoding)} "
        f"either{shown}. {fix}"
    )


def _encoding_of_whole_file(info: _FileInfo, reporter: _Reporter) -> str:
    """Find the first byte that is not UTF-8 anywhere in the file and the encoding it suggests."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines, seen_non_ascii = 1, False
    with info.path.open("rb") as handle:
        while chunk := handle.read(BLOCK_SIZE):
            pending = decoder.getstate()[0]
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return _legacy_encoding(
                    info.path, pending + chunk, exc.start, lines, earlier_non_ascii=seen_non_ascii
                )
            seen_non_ascii = seen_non_ascii or not chunk.isascii()
            lines += chunk.count(b"\n")
            reporter.check()
    raise DataError(
        f"{info.path}: has text that is not UTF-8 but no such byte could be found again; "
        "was the file changed while it was read? Try again."
    )


def _fields(count: int) -> str:
    return "1 field" if count == 1 else f"{count} fields"


def _bounded_lines(stream: io.TextIOBase, path: Path, limit: int) -> Iterator[str]:
    """The stream's lines, refusing one longer than ``limit`` characters (no unbounded read)."""
    number = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(("\n", "\r")):
            raise DataError(
                f"{path}: line {number} is longer than {limit // MB} MB. A table has one row per "
                "line; check that the line breaks were not lost, or split the file."
            )
        yield line


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
    if csv.field_size_limit() < MAX_ROW_BYTES:
        csv.field_size_limit(MAX_ROW_BYTES)  # global, only ever raised: pyarrow reads such fields
    python_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    own = stream is None
    if stream is None:
        stream = info.path.open(encoding=python_encoding, newline="", errors="strict")
    path, sep = info.path, info.separator
    shown = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "'|'"}[sep]
    try:
        reader = csv.reader(_bounded_lines(stream, path, MAX_ROW_BYTES), delimiter=sep)
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
            f"{path}: cannot be read as a table: a row is longer than {MAX_ROW_BYTES // MB} MB. "
            'Check for a quote (") that is never closed, or split the long texts.'
        )
    if "Empty CSV" in detail:
        return DataError(f"{path}: has a header but no data rows. Add rows below the header.")
    detail = detail.strip().splitlines()[0] if detail.strip() else "unknown problem"
    return DataError(
        f"{path}: cannot be read as a table ({detail}). Check that every row has the same "
        "number of fields as the header and that quotes are closed."
    )


# --------------------------------------------------------------------------------------------
# JSON Lines and JSON arrays


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
    table = None
    try:
        options = pa_json.ReadOptions(block_size=BLOCK_SIZE)
        table = _stream(
            info,
            reporter,
            lambda source: pa_json.open_json(source, options),
            pa.OSFile(str(info.path)),
            BLOCK_SIZE,
        )
    except pa.ArrowInvalid:
        whole = pa_json.ReadOptions(block_size=MAX_ROW_BYTES)
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
        for number, line in enumerate(_bounded_lines(stream, info.path, MAX_ROW_BYTES), 1):
            chars += len(line)
            if number % 8192 == 0 and info.size:
                reporter.report(reporter.last + (0.99 - reporter.last) * min(chars / info.size, 1))
            if not line.strip():
                continue
            try:
                value = json.loads(line)
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
    try:
        with info.path.open(encoding="utf-8-sig") as stream:
            value = json.load(stream)
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
    frame.columns = _clean_names([str(c) for c in frame.columns])
    frame.attrs.update(_attrs(info, "utf-8", info.notes))
    return frame


# --------------------------------------------------------------------------------------------
# Finishing: names, types, attrs


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


# --------------------------------------------------------------------------------------------
# Preview helpers


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


# --------------------------------------------------------------------------------------------
# Statistics helpers


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
