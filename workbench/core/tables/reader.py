"""read_table: the whole file into a DataFrame, dispatched on what the file is.

The entry point of the package: look at the file (:mod:`.files`), then read it as delimited
text (the parallel :mod:`.segments` read when it is sure to be exact, else :mod:`.serial`) or
as JSON (:mod:`.jsonlines`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.core.tables.encoding import _encoding_notes, _encoding_of_whole_file
from workbench.core.tables.files import _FileInfo, _inspect
from workbench.core.tables.jsonlines import _read_json_array, _read_json_lines
from workbench.core.tables.probe import _NotUTF8, _Serial
from workbench.core.tables.progress import Cancel, Progress, _Reporter
from workbench.core.tables.segments import _read_csv_segments
from workbench.core.tables.serial import _read_delimited_serial


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
