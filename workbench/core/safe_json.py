"""JSON from strangers: size and nesting depth checked before the parser sees the text.

Python's own parser recurses once per level of nesting and pyarrow's overflows the stack on a
million levels, so the depth is measured first on the raw bytes (strings blanked out, then a
running count of brackets), which takes no recursion and a few milliseconds per megabyte.
The data readers use the same :class:`DepthCounter` on JSON-lines files, block by block.
"""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.errors import FileRejected

# No file a person makes nests this deep; the workbench's own files nest at most 6 levels.
MAX_DEPTH = 64
# A JSON string on one line (a valid one never holds a raw line break), written as an unrolled
# loop so the regex engine does not step per character. An unterminated string is left as it
# is, so its brackets still count: the count is never lower than a parser's.
_STRING = re.compile(rb'"[^"\\\n\r]*(?:\\[^\n\r][^"\\\n\r]*)*"')
_OPEN = (ord("["), ord("{"))
_CLOSE = (ord("]"), ord("}"))


def line_breaks(data: bytes) -> int:
    """Line breaks in ``data``: LF, CRLF and a lone CR each count once."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


class DepthCounter:
    """The bracket depth of JSON text fed in pieces (whole lines), strings blanked first.

    The running depth never goes below zero (a parser that fails on a stray ``]`` starts
    afresh after it), and it carries from piece to piece: pyarrow parses a block of lines as
    one stream, so ``[`` on a million lines nests as deep as on one.
    """

    def __init__(self, max_depth: int = MAX_DEPTH) -> None:
        self.max_depth = max_depth
        self._sum = 0  # opening minus closing brackets so far
        self._low = 0  # the lowest that sum has been (and 0)

    def feed(self, piece: bytes) -> int | None:
        """Count ``piece``'s brackets; None, or the number of line breaks in ``piece`` before
        the first bracket that goes past ``max_depth`` levels."""
        bare = _STRING.sub(b'""', piece)
        codes = np.frombuffer(bare, dtype=np.uint8)
        opens = (codes == _OPEN[0]) | (codes == _OPEN[1])
        closes = (codes == _CLOSE[0]) | (codes == _CLOSE[1])
        positions = np.flatnonzero(opens | closes)
        if not len(positions):
            return None
        steps = np.where(opens[positions], 1, -1).astype(np.int64)
        running = self._sum + np.cumsum(steps)
        low = np.minimum(np.minimum.accumulate(running), self._low)
        deep = np.flatnonzero(running - low > self.max_depth)
        if len(deep):
            return line_breaks(bare[: int(positions[deep[0]])])
        self._low, self._sum = int(low[-1]), int(running[-1])
        return None


def _fmt_bytes(n: int) -> str:
    return f"{n / 2**20:.0f} MiB" if n >= 2**20 else f"{n / 2**10:.0f} KiB"


def loads(
    raw: bytes | str, source: object, max_depth: int = MAX_DEPTH, allow_nan: bool = False
) -> Any:
    """Parse JSON text read from ``source``; FileRejected when it is not JSON or too deep.

    ``NaN`` and ``Infinity`` are refused here: no number a person types is one, and a setting
    that holds one would reach Keras or a generated script as it is. Files of measurements
    (a run's history, where a diverged epoch's loss is NaN) pass ``allow_nan=True``; their
    schema then says which fields may hold one.
    """
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    line = DepthCounter(max_depth).feed(data)
    if line is not None:
        raise FileRejected(
            source,
            f"nested more than {max_depth} levels deep (line {line + 1}); no file of this "
            "kind nests that deep, so it is refused unread.",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileRejected(source, f"not UTF-8 text (byte {exc.start}); not a JSON file.") from None
    try:
        if allow_nan:
            return json.loads(text)
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise FileRejected(
            source, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from None
    except (ValueError, RecursionError) as exc:
        raise FileRejected(source, f"not valid JSON ({exc}).") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a setting can hold")


def regular_file(path: str | Path) -> Path:
    """``path`` when it is a regular file; FileRejected (not found, a folder, or a pipe or
    device, which would block a reader forever or never end) otherwise. Never opens it."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise FileRejected(path, "not found.") from None
    except OSError as exc:
        raise FileRejected(path, f"cannot be read ({exc.strerror or exc}).") from None
    if stat.S_ISDIR(mode):
        raise FileRejected(path, "is a folder, not a file.")
    if not stat.S_ISREG(mode):
        raise FileRejected(path, "is not a regular file (a pipe, socket or device).")
    return path


def read_json(
    path: str | Path, max_bytes: int, max_depth: int = MAX_DEPTH, allow_nan: bool = False
) -> Any:
    """Read and parse a JSON file of at most ``max_bytes``, refused in one line otherwise."""
    path = regular_file(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except IsADirectoryError:
        raise FileRejected(path, "is a folder, not a file.") from None
    except FileNotFoundError:
        raise FileRejected(path, "not found.") from None
    except OSError as exc:
        raise FileRejected(path, f"cannot be read ({exc.strerror or exc}).") from None
    if len(raw) > max_bytes:
        raise FileRejected(
            path, f"larger than {_fmt_bytes(max_bytes)}, the most a file of this kind may be."
        )
    return loads(raw, path, max_depth, allow_nan)
