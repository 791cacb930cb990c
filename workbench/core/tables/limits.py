"""Sizes and markers every reader shares: how much is read at once, and what counts as missing.

The byte sizes are read at call time as ``limits.NAME`` (never imported by name), so that a
test can shrink them with ``monkeypatch.setattr(tables.limits, ...)`` to make a small file
span several pieces.
"""

from __future__ import annotations

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

SEGMENT_BYTES = 4 * MB  # one piece: big enough to amortise a parse, small enough to hold a few
