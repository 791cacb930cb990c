"""JSON from strangers: size and nesting depth checked before the parser sees the text.

Python's own parser recurses once per level of nesting and pyarrow's overflows the stack on a
million levels, so the depth is measured first on the raw bytes (strings blanked out, then a
running count of brackets), which takes no recursion and a few milliseconds per megabyte.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.errors import FileRejected

# No file a person makes nests this deep; the workbench's own files nest at most 6 levels.
MAX_DEPTH = 64
# A JSON string, written as an unrolled loop so the regex engine does not step per character.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


def nesting_depth(raw: bytes) -> int:
    """The deepest bracket nesting of JSON text (brackets inside strings do not count)."""
    if not raw:
        return 0
    bare = np.frombuffer(_STRING.sub(b'""', raw), dtype=np.uint8)
    steps = np.zeros(len(bare), dtype=np.int32)
    steps[(bare == ord("[")) | (bare == ord("{"))] = 1
    steps[(bare == ord("]")) | (bare == ord("}"))] = -1
    return int(np.cumsum(steps).max(initial=0))


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
    depth = nesting_depth(data)
    if depth > max_depth:
        raise FileRejected(
            source,
            f"nested {depth} levels deep, more than the {max_depth} any workbench file uses; "
            "it is not a file the workbench wrote.",
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


def read_json(
    path: str | Path, max_bytes: int, max_depth: int = MAX_DEPTH, allow_nan: bool = False
) -> Any:
    """Read and parse a JSON file of at most ``max_bytes``, refused in one line otherwise."""
    path = Path(path)
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
