"""Looking at a file before reading it: what the first megabyte tells.

:func:`_inspect` catches missing, empty, binary and one-endless-line files, finds the encoding
and sniffs the separator, giving the :class:`_FileInfo` every reader starts from. Also the
small file helpers the readers share: reading the head, the line number of a byte offset,
and reading lines with a bound on their length.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from workbench.core.errors import DataError
from workbench.core.tables import limits
from workbench.core.tables.encoding import _head_encoding, _looks_like_utf16
from workbench.core.tables.limits import JSON_SUFFIXES, MB, SEPARATORS


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
    head = _read_head(path, limits.HEAD_BYTES)
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
                f"{path}: line 1 is longer than {limits.HEAD_BYTES // MB} MB with no line break, "
                "so it cannot be a header row. A table needs a header line and then one line per "
                "row; check that this is a CSV/TSV file and that its line breaks were not lost."
            )
        raise DataError(
            f"{path}: has a header but no data rows (the file is a single line). "
            "Add rows below the header."
        )
    separator = _sniff_separator(path, text, truncated)
    return _FileInfo(path, size, head, "delimited", encoding, separator, notes)


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


def _line_at(info: _FileInfo, offset: int, codec: str) -> int:
    """The line number of byte ``offset`` of the file."""
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    lines = 1
    with info.path.open("rb") as handle:
        remaining = max(offset, 0)
        while remaining > 0 and (chunk := handle.read(min(limits.BLOCK_SIZE, remaining))):
            remaining -= len(chunk)
            if codec in ("utf-16-le", "utf-16-be"):
                lines += decoder.decode(chunk).count("\n")
            else:
                lines += chunk.count(b"\n")
    return lines


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
