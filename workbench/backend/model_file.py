"""Opening a .keras file from a stranger: the archive checked first, Keras in safe mode, and
whatever Keras refuses said in one line naming the file and the layer.

Keras's own refusals carry the whole model config over several lines; the person needs to
know which layer was refused and why, and the full text stays available as ``details``
(``workbench --verbose``).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

from workbench.backend import custom_layers  # noqa: F401 (registers the workbench's layers)
from workbench.backend.runtime import ensure_loaded
from workbench.core.errors import FileRejected
from workbench.core.safe_json import loads, regular_file

ensure_loaded()
import keras  # noqa: E402

# Sizes no model the workbench writes comes near; a file past them is refused before Keras
# reads it (a decompression bomb inflates a small archive to gigabytes in memory).
MAX_ENTRIES = 1_000
MAX_CONFIG_BYTES = 64 * 2**20
MAX_TOTAL_BYTES = 16 * 2**30
MAX_RATIO = 200  # deflate's best on real weights is a few x; a bomb's is thousands
# Keras's configs nest a few dozen levels (a model in a model in a wrapper); Keras's parser
# recurses once per level, so a config nested 100,000 deep is refused before it sees it.
MAX_CONFIG_DEPTH = 256
CONFIG_ENTRY = "config.json"


def check_archive(path: Path) -> None:
    """Refuse a .keras archive that is not a zip, lists hostile names or would inflate
    past the limits; reads only the archive's directory."""
    regular_file(path)  # not found, a folder, or a pipe that would block the read
    if not zipfile.is_zipfile(path):
        raise FileRejected(path, "not a .keras model file (it is not a zip archive).")
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRejected(path, f"a damaged .keras archive ({first_line(exc)}).") from None
    if len(entries) > MAX_ENTRIES:
        raise FileRejected(path, f"the archive holds {len(entries)} entries; a model has a few.")
    total = 0
    for entry in entries:
        name = PurePosixPath(entry.filename.replace("\\", "/"))
        if name.is_absolute() or ".." in name.parts:
            raise FileRejected(
                path, f"the archive has an entry outside itself ({_clip(entry.filename)})."
            )
        total += entry.file_size
        inflates = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > 2**20 and inflates > MAX_RATIO:
            raise FileRejected(
                path,
                f"entry {_clip(entry.filename)} would inflate {inflates:.0f}x to "
                f"{entry.file_size >> 20} MiB; refused as a decompression bomb.",
            )
        if entry.filename.endswith(".json") and entry.file_size > MAX_CONFIG_BYTES:
            raise FileRejected(path, f"entry {_clip(entry.filename)} is larger than 64 MiB.")
    if total > MAX_TOTAL_BYTES:
        raise FileRejected(path, f"the archive would inflate to {total >> 30} GiB.")


def load_keras(path: str | Path) -> Any:
    """A Keras model from a checked archive, safe mode on, never compiled."""
    path = Path(path)
    check_archive(path)
    check_config(path)
    try:
        return keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as exc:  # Keras raises many kinds for a damaged or unsafe archive
        error = FileRejected(path, f"cannot open this model: {refusal(exc)}")
        error.details = str(exc)
        raise error from None


def check_config(path: Path) -> None:
    """Refuse a checked archive whose config.json is missing, not JSON, nested deeper than
    any model's or not an object, in one line, before Keras parses it."""
    source = f"{path} ({CONFIG_ENTRY})"
    raw = read_entry(path, CONFIG_ENTRY, MAX_CONFIG_BYTES)
    if raw is None:
        raise FileRejected(path, f"not a .keras model file (the archive has no {CONFIG_ENTRY}).")
    config = loads(raw, source, max_depth=MAX_CONFIG_DEPTH, allow_nan=True)
    if not isinstance(config, dict):
        kind = "list" if isinstance(config, list) else type(config).__name__
        raise FileRejected(source, f"not a Keras model configuration (a JSON {kind}).")


def read_entry(path: Path, name: str, limit: int) -> bytes | None:
    """One entry of a checked archive (None when absent), at most ``limit`` bytes; an entry
    that does not inflate to what the archive says (a bad CRC, cut short) is FileRejected."""
    try:
        with zipfile.ZipFile(path) as archive:
            if name not in archive.namelist():
                return None
            with archive.open(name) as handle:
                return handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise FileRejected(
            path, f"a damaged .keras archive (entry {_clip(name)}: {first_line(exc)})."
        ) from None


def refusal(exc: BaseException) -> str:
    """Keras's reason for not loading a model, as one short line."""
    text = str(exc)
    if "Lambda" in text and "safe_mode" in text:
        return (
            "it has a Lambda layer holding Python code, which safe mode never runs; "
            "rebuild that layer from Keras's own layers"
        )
    located = re.search(r"Could not locate (?:class|function) '([^']+)'", text)
    named = re.search(r"Full object config: \{.*?'name': '([^']{1,80})'", text, re.DOTALL)
    module = re.search(r"Full object config: \{'module': '([^']{1,80})'", text)
    if located:
        where = f"layer {named.group(1)!r} " if named else ""
        source = f" from module {module.group(1)!r}" if module else ""
        return (
            f"{where}uses class {located.group(1)!r}{source}, which is neither Keras's nor "
            "the workbench's; safe mode does not load unknown code"
        )
    unsaveable = re.search(r"Could not deserialize '([^']{1,120})'", text)
    if unsaveable:
        return f"class {unsaveable.group(1)!r} is not a Keras layer; safe mode refuses it"
    return _clip(first_line(exc), 160)


def first_line(exc: BaseException) -> str:
    """The first non-empty line of an exception's message (Keras's run to pages)."""
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[0].strip() if lines else type(exc).__name__


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
