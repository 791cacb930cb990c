"""How deep a JSON data file nests, measured before any parser sees it.

pyarrow's JSON reader recurses once per level of nesting and dies with a segmentation fault
on a line nested a million levels deep (Python's json raises RecursionError). A data row is
flat, so a file is refused with a :class:`DataError` naming the line as soon as its nesting
goes past :data:`~workbench.core.safe_json.MAX_DEPTH`.

The depth is counted across lines, not per line: pyarrow parses a block of lines as one
stream of values, so ``[`` on a million lines and ``]`` on a million more nest as deep as one
line would. Strings are blanked first (a string never spans a line break in valid JSON, so
the text can be cut at line breaks), and the running depth never goes below zero (a parse of
a later block starts afresh), so the count is never lower than any parser's.
"""

from __future__ import annotations

from pathlib import Path

from workbench.core.errors import DataError
from workbench.core.safe_json import MAX_DEPTH, DepthCounter, line_breaks
from workbench.core.tables import limits
from workbench.core.tables.limits import MB


class _DepthScan:
    """Fed whole lines in file order; raises DataError at the first line nested too deep."""

    def __init__(self, path: Path, max_depth: int = MAX_DEPTH) -> None:
        self.path = path
        self.max_depth = max_depth
        self.line = 1  # the number of the first line of the next piece
        self._counter = DepthCounter(max_depth)

    def feed(self, piece: bytes) -> None:
        """Count the brackets of ``piece`` (whole lines), carrying the depth from before."""
        breaks = self._counter.feed(piece)
        if breaks is not None:
            raise too_deep(self.path, self.line + breaks, self.max_depth)
        self.line += line_breaks(piece)


def too_deep(path: Path, line: int, max_depth: int = MAX_DEPTH) -> DataError:
    """The one-line refusal of a JSON line nested past ``max_depth``."""
    return DataError(
        f"{path}: line {line} is nested more than {max_depth} levels deep; a data row is flat "
        '(like {"text": "...", "label": 1}). Fix or delete that line.'
    )


def check_json_bytes(path: Path, data: bytes) -> None:
    """Refuse JSON text nested deeper than a data row can be (the whole text at once)."""
    scan = _DepthScan(path)
    scan.feed(data)


def check_json_file(path: Path, size: int = 0, report=None, check=None) -> None:
    """Refuse a JSON (Lines) file nested deeper than a data row can be, reading it in blocks.

    ``report(fraction)`` is called after each block and ``check()`` before it (cancel). A line
    longer than ``limits.MAX_ROW_BYTES`` is refused as the readers refuse it, since it cannot be
    checked in pieces.
    """
    scan = _DepthScan(path)
    pending = b""
    done = 0
    with path.open("rb") as handle:
        while True:
            if check is not None:
                check()
            block = handle.read(limits.BLOCK_SIZE)
            done += len(block)
            data = pending + block
            if not block:
                if data:
                    scan.feed(data)
                return
            cut = data.rfind(b"\n") + 1 or data.rfind(b"\r") + 1
            pending = data[cut:]
            if cut:
                scan.feed(data[:cut])
            if len(pending) > limits.MAX_ROW_BYTES:
                raise DataError(
                    f"{path}: line {scan.line} is longer than {limits.MAX_ROW_BYTES // MB} MB. "
                    "A table has one row per line; check that the line breaks were not lost, "
                    "or split the file."
                )
            if report is not None and size:
                report(min(done / size, 1.0))
