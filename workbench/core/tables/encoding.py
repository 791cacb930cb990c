"""Encodings: telling UTF-8 from UTF-16 and legacy code pages, and naming them to a person.

A file may come from Excel on Windows (Windows-1252), another code page, or mix encodings.
Here are the checks on the head, the guess for a file that is not UTF-8 (Windows-1252 first,
then charset-normalizer), the notes and DataErrors that name an encoding, and the search of
the whole file for its first byte that is not UTF-8.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.core.errors import DataError
from workbench.core.tables import limits

if TYPE_CHECKING:  # only for annotations: files imports this module
    from workbench.core.tables.files import _FileInfo
    from workbench.core.tables.progress import _Reporter


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
        while chunk := handle.read(limits.BLOCK_SIZE):
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
