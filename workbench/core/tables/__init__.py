"""Reading tabular files (CSV, TSV, JSON Lines) robustly, fast, with progress and cancel.

Why this package exists: a person opens whatever file they have. It may be huge, in the wrong
encoding, ragged, binary, or not a table at all. Reading must stay as fast as pandas' pyarrow
engine, report progress and stop when asked (the GUI calls it from a worker thread), and turn
every way a file can be wrong into a :class:`DataError` that names the file, the line or column,
and says what to do.

How it works:

- A cheap look at the first megabyte (:func:`_inspect`, in :mod:`.files`) catches missing,
  empty, binary and one-endless-line files, finds the encoding (:mod:`.encoding`) and sniffs
  the separator.
- A UTF-8 file is cut into pieces of a few megabytes at line breaks, parsed by pyarrow several
  at a time (each piece as one block, on its own thread) and accepted in file order, so
  ``progress`` and ``cancel`` run in the calling thread between pieces and memory stays near
  the size of the result (:mod:`.segments`). A cut may fall inside a quoted field that spans
  lines; a probe line appended to each piece tells (see :class:`_Probe` in :mod:`.probe`), and
  reading resumes at that row.
- Other encodings, and files the pieces cannot be sure of (a bad row, a row longer than a
  piece), go through pyarrow's streaming reader in one pass (:func:`_read_delimited_serial`,
  in :mod:`.serial`). When pyarrow rejects the file, a slower pure-Python pass (:mod:`csv`)
  names the exact line.
- Column types are pandas' own for ``read_csv(engine="pyarrow")``: int64, float64, bool,
  datetime64 and ``str``, with pandas' missing-value markers; a column whose values are not
  all numbers stays strings; an all-empty column is float NaN.
- pyarrow itself accepts a quote left open at the end of the file as a field running to the
  end; here that is a DataError naming the line.

The modules: :mod:`.reader` (read_table), :mod:`.preview` (preview_rows), :mod:`.stats`
(column statistics), :mod:`.files`, :mod:`.encoding`, :mod:`.probe`, :mod:`.segments`,
:mod:`.serial`, :mod:`.jsonlines`, :mod:`.frames` (finishing a frame), :mod:`.progress`
(progress, cancel, reading threads) and :mod:`.limits` (sizes and missing-value markers).
"""

from __future__ import annotations

from workbench.core.tables.files import _inspect as _inspect
from workbench.core.tables.frames import _finish as _finish
from workbench.core.tables.frames import clip_name, describe_columns, repeated_notes
from workbench.core.tables.limits import MB as MB
from workbench.core.tables.limits import NULL_VALUES as NULL_VALUES
from workbench.core.tables.preview import preview_rows
from workbench.core.tables.progress import Cancel as Cancel
from workbench.core.tables.progress import LoadCancelled
from workbench.core.tables.progress import Progress as Progress
from workbench.core.tables.reader import read_table
from workbench.core.tables.stats import (
    ColumnStats,
    column_stats,
    duplicate_rows,
    numeric_problems,
    shared_rows,
)

__all__ = [
    "ColumnStats",
    "LoadCancelled",
    "clip_name",
    "column_stats",
    "describe_columns",
    "duplicate_rows",
    "numeric_problems",
    "preview_rows",
    "read_table",
    "repeated_notes",
    "shared_rows",
]
