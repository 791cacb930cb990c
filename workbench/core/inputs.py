"""Files given to ``predict``: texts one per line, arrays in an .npz; read as data, refused in
one line when they are not what the model reads."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from workbench.core.errors import DataError
from workbench.core.safe_json import regular_file

MAX_TEXT_FILE_BYTES = 256 * 2**20
MAX_ARRAY_BYTES = 4 * 2**30  # one array, inflated


def read_text_lines(path: Path) -> list[str]:
    """The non-empty lines of a UTF-8 text file."""
    regular_file(path)  # a named pipe would block the read forever
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_TEXT_FILE_BYTES + 1)
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    if len(raw) > MAX_TEXT_FILE_BYTES:
        raise DataError(f"{path}: larger than 256 MiB; split it into smaller files.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: not UTF-8 text (byte {exc.start} is not valid UTF-8); "
            "save it as UTF-8 and try again."
        ) from None
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise DataError(f"{path}: has no text to predict (every line is empty).")
    return lines


def read_npz_array(path: Path, choose: Callable[[list[str]], str]) -> np.ndarray:
    """One array of an .npz, ``choose`` picking its name from those in the file.

    Never unpickles: an array of Python objects is refused, and so is an archive that would
    inflate an array past 4 GiB.
    """
    regular_file(path)
    try:
        with zipfile.ZipFile(path) as archive:
            sizes = {info.filename: info.file_size for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(f"{path}: not a readable .npz file ({exc}).") from None
    if any(size > MAX_ARRAY_BYTES for size in sizes.values()):
        raise DataError(f"{path}: an array in it would take more than 4 GiB of memory.")
    try:
        with np.load(path, allow_pickle=False) as archive:
            name = choose(list(archive.files))
            return archive[name]
    except DataError:
        raise
    except ValueError:
        raise DataError(
            f"{path}: holds Python objects (pickled), which the workbench never loads; "
            "save plain numeric arrays with numpy.savez."
        ) from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise DataError(f"{path}: not a readable .npz file ({exc}).") from None
