"""Reading tables: every kind of bad input, encodings, progress and cancel, preview, stats.

Files here are small (a few MB at most). The module's sizes (head, piece, block) are shrunk
with monkeypatch where a test needs a file to span several pieces.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.core import tables, textdata
from workbench.core.errors import DataError
from workbench.core.tables import (
    ColumnStats,
    LoadCancelled,
    column_stats,
    duplicate_rows,
    numeric_problems,
    preview_rows,
    read_table,
    shared_rows,
)


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def csv_text(rows: list[list[str]], newline: str = "\n") -> str:
    """Rows as CSV, quoted where needed, the way spreadsheets write them."""
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows(rows)
    return out.getvalue()


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces, blocks and the head a few KB long, so small files take the multi-piece paths."""
    monkeypatch.setattr(tables.limits, "SEGMENT_BYTES", 4096)
    monkeypatch.setattr(tables.limits, "BLOCK_SIZE", 4096)
    monkeypatch.setattr(tables.limits, "HEAD_BYTES", 4096)


def read_error(path: Path) -> str:
    with pytest.raises(DataError) as info:
        read_table(path)
    message = str(info.value)
    assert path.name in message
    return message


# -------------------------------------------------------------------------------------------
# Bad input: each names the file, and the line or column, and says what to do


def test_missing_file(tmp_path):
    message = read_error(tmp_path / "nope.csv")
    assert "file not found" in message


def test_folder_given(tmp_path):
    folder = tmp_path / "data.csv"
    folder.mkdir()
    assert "is a folder" in read_error(folder)


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path, content):
    assert "the file is empty" in read_error(write(tmp_path, "empty.csv", content))


@pytest.mark.parametrize("content", ["text,label\n", "text,label", "text,label\n\n\n"])
def test_header_only(tmp_path, content):
    message = read_error(write(tmp_path, "header.csv", content))
    assert "no data rows" in message and "Add rows" in message


def test_binary_file_named_csv(tmp_path):
    path = write(tmp_path, "weights.csv", bytes(range(256)) * 40)
    message = read_error(path)
    assert "binary file" in message and "NUL" in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(100), "Excel"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG image"),
        (b"\x1f\x8b\x08\x00" + bytes(100), "decompress it first"),
    ],
)
def test_known_binary_formats_are_named(tmp_path, content, expected):
    message = read_error(write(tmp_path, "data.csv", content))
    assert "binary file" in message and expected in message


def test_ragged_row_with_too_many_fields(tmp_path):
    path = write(tmp_path, "ragged.csv", "text,label\na,1\nb,2\nc,3,4\nd,5\n")
    message = read_error(path)
    assert "line 4 has 3 fields, but the header (line 1) has 2" in message
    assert "double quotes" in message


def test_ragged_row_with_too_few_fields(tmp_path):
    message = read_error(write(tmp_path, "few.tsv", "text\tlabel\na\t1\nb\n"))
    assert "line 3 has 1 field, but the header (line 1) has 2" in message


def test_ragged_row_deep_in_a_multi_piece_file(tmp_path, small_pieces):
    lines = ["id,text,label"] + [f"{i},row number {i},{i % 2}" for i in range(3000)]
    lines[2500] = "2499,this row, has a comma,1"
    message = read_error(write(tmp_path, "deep.csv", "\n".join(lines) + "\n"))
    assert "line 2501 has 4 fields, but the header (line 1) has 3" in message


def test_unclosed_quote_that_swallows_rows(tmp_path):
    path = write(tmp_path, "unclosed.csv", 'text,label\na,1\n"open quote,x\nb,2\nc,3\n')
    message = read_error(path)
    assert 'line 3 opens a quote (") that is never closed' in message


def test_unclosed_quote_in_the_header(tmp_path):
    message = read_error(write(tmp_path, "header.csv", 'text,"label\na,1\nb,2\n'))
    assert 'line 1 opens a quote (") that is never closed' in message


@pytest.mark.parametrize("pieces", [False, True])
def test_unclosed_quote_in_last_column_pyarrow_would_accept(tmp_path, request, pieces):
    """pyarrow reads `1,"x<EOF>` as a field running to the end; that must be an error."""
    if pieces:
        request.getfixturevalue("small_pieces")
    rows = "".join(f"{i},row {i}\n" for i in range(400))
    path = write(tmp_path, "tail.csv", "id,text\n" + rows + '401,"never closed\n402,more\n')
    assert 'line 402 opens a quote (") that is never closed' in read_error(path)


def test_quoted_newlines_inside_closed_quotes_load(tmp_path):
    rows = [["text", "label"], ["line one\nline two", "1"], ['say "hi",\r\nthen go', "0"]]
    path = write(tmp_path, "multi.csv", csv_text(rows, newline="\r\n"))
    frame = read_table(path)
    assert frame["text"].tolist() == ["line one\nline two", 'say "hi",\r\nthen go']
    assert frame["label"].tolist() == [1, 0]


def test_quoted_newlines_across_many_pieces_match_the_csv_module(tmp_path, small_pieces):
    rng = np.random.default_rng(0)
    rows = [["id", "text", "label"]]
    for i in range(2000):
        words = " ".join(rng.choice(["a", "b,", 'c"', "d\n", "e\r\n", "f"], 6))
        rows.append([str(i), words, "pos" if i % 3 else "neg"])
    path = write(tmp_path, "multi.csv", csv_text(rows))
    frame = read_table(path)
    expected = list(csv.reader(io.StringIO(path.read_bytes().decode(), newline="")))[1:]
    assert len(frame) == 2000
    assert frame["text"].tolist() == [row[1] for row in expected]
    assert frame["id"].tolist() == list(range(2000))


def test_a_line_longer_than_the_head_with_no_line_break(tmp_path):
    """The brief's "50 MB single line": only the first megabyte is read, then a clear message."""
    path = tmp_path / "oneline.csv"
    with path.open("wb") as handle:
        for _ in range(3):
            handle.write(b"x" * tables.MB)
    start = time.perf_counter()
    message = read_error(path)
    assert time.perf_counter() - start < 2
    assert "line 1 is longer than 1 MB with no line break" in message
    with pytest.raises(DataError, match="line 1 is longer"):
        preview_rows(path)


def test_a_row_longer_than_any_piece(tmp_path, small_pieces, monkeypatch):
    monkeypatch.setattr(tables.limits, "MAX_ROW_BYTES", 16384)
    rows = "".join(f"{i},short\n" for i in range(200))
    path = write(tmp_path, "long.csv", "id,text\n" + rows + "201," + "y" * 60000 + "\n9,z\n")
    assert "line 202 is longer than" in read_error(path)


def test_all_missing_column_is_not_an_error(tmp_path):
    frame = read_table(write(tmp_path, "nolabels.csv", "text,label\nhello,\nbye,\n"))
    assert frame["label"].isna().all() and frame["label"].dtype == np.float64


def test_numbers_mixed_with_strings_stay_strings(tmp_path):
    path = write(tmp_path, "ages.csv", "age,label\n12,a\nn/a,b\nabc,c\n40,d\n")
    frame = read_table(path)
    assert frame["age"].tolist()[0] == "12" and pd.isna(frame["age"].tolist()[1])
    assert {s.name: s.kind for s in column_stats(frame)}["age"] == "categorical"
    assert numeric_problems(frame, "age") == "row 4 has 'abc' in numeric column 'age'."


def test_a_type_change_after_the_first_piece(tmp_path, small_pieces):
    rows = [f"00{i % 10},{i},{i % 7}" for i in range(3000)]
    rows[2800] = "abc,2800.5,"
    frame = read_table(write(tmp_path, "late.csv", "code,value,n\n" + "\n".join(rows) + "\n"))
    assert frame["code"].dtype != np.int64 and frame["code"].iloc[0] == "000"  # kept as text
    assert frame["code"].iloc[2800] == "abc"
    assert frame["value"].dtype == np.float64 and frame["value"].iloc[2800] == 2800.5
    assert frame["n"].dtype == np.float64 and np.isnan(frame["n"].iloc[2800])


def test_repeated_and_empty_column_names_are_made_unique(tmp_path):
    frame = read_table(write(tmp_path, "names.csv", "a, a , ,\n1,2,3,4\n"))
    assert list(frame.columns) == ["a", "a.1", "Unnamed: 2", "Unnamed: 3"]


@pytest.mark.parametrize(
    ("name", "content", "texts"),
    [
        ("semi.csv", "text;label\nfine, really;a\nbad;b\n", ["fine, really", "bad"]),
        ("tabs.csv", "text\tlabel\nhello, world\tpos\nhi\tneg\n", ["hello, world", "hi"]),
        ("pipes.txt", "text|label\na b|1\nc d|0\n", ["a b", "c d"]),
        ("plain.tsv", "text\tlabel\nx;y\t1\n", ["x;y"]),
    ],
)
def test_separator_is_sniffed(tmp_path, name, content, texts):
    assert read_table(write(tmp_path, name, content))["text"].tolist() == texts


# -------------------------------------------------------------------------------------------
# Encodings


def test_utf8_with_byte_order_mark(tmp_path):
    frame = read_table(write(tmp_path, "bom.csv", b"\xef\xbb\xbftext,label\ncaf\xc3\xa9,1\n"))
    assert list(frame.columns) == ["text", "label"] and frame["text"][0] == "café"
    assert frame.attrs["encoding"] == "utf-8"


def test_cp1252_is_read_correctly(tmp_path):
    content = "text,label\ncafé coûte 5€,pos\nnaïve “quote”,neg\n".encode("cp1252")
    for reader in (read_table, preview_rows):
        frame = reader(write(tmp_path, "excel.csv", content))
        assert frame["text"].tolist() == ["café coûte 5€", "naïve “quote”"]
        assert frame.attrs["encoding"] == "cp1252"
        assert "Windows-1252" in frame.attrs["notes"][0]


def test_cp1252_byte_found_only_beyond_the_head(tmp_path, small_pieces):
    rows = "".join(f"plain row {i},pos\n" for i in range(2000))
    content = b"text,label\n" + rows.encode() + "crème brûlée,neg\n".encode("cp1252")
    frame = read_table(write(tmp_path, "late.csv", content))
    assert frame["text"].iloc[-1] == "crème brûlée" and frame.attrs["encoding"] == "cp1252"


def test_mixed_encodings_are_rejected_with_the_line(tmp_path):
    content = "text,label\ncafé,pos\n".encode() + "crème,neg\n".encode("cp1252")
    message = read_error(write(tmp_path, "mixed.csv", content))
    assert "line 3 is not valid UTF-8" in message and "mixes encodings" in message


def test_cyrillic_windows_1251_is_read_correctly(tmp_path):
    pytest.importorskip("charset_normalizer")
    content = "текст,метка\nпривет мир как дела,да\nпока друг мой,нет\n".encode("cp1251")
    frame = read_table(write(tmp_path, "ru.csv", content))
    assert frame["текст"].tolist() == ["привет мир как дела", "пока друг мой"]


def test_utf16_with_a_byte_order_mark_is_read(tmp_path):
    content = "text\tlabel\nhéllo\tpos\nwörld\tneg\n".encode("utf-16")
    frame = read_table(write(tmp_path, "unicode.txt", content))
    assert frame["text"].tolist() == ["héllo", "wörld"] and frame.attrs["encoding"] == "utf-16"


def test_utf16_without_a_byte_order_mark_is_rejected(tmp_path):
    message = read_error(write(tmp_path, "u16.csv", "text,label\nhi,1\n".encode("utf-16-le")))
    assert "UTF-16" in message and "Save it as UTF-8" in message


def test_json_lines_must_be_utf8(tmp_path):
    message = read_error(write(tmp_path, "d.jsonl", '{"text": "café"}\n'.encode("cp1252")))
    assert "JSON must be UTF-8" in message and "Windows-1252" in message


# -------------------------------------------------------------------------------------------
# JSON Lines


@pytest.mark.parametrize("name", ["d.jsonl", "d.ndjson", "d.json"])
def test_json_lines(tmp_path, name):
    lines = [{"text": "good film", "label": 1}, {"text": "bad", "label": 0, "extra": 2.5}]
    content = "\n".join(json.dumps(line) for line in lines) + "\n"
    frame = read_table(write(tmp_path, name, content))
    assert frame["text"].tolist() == ["good film", "bad"]
    assert frame["label"].tolist() == [1, 0]
    assert pd.isna(frame["extra"][0]) and frame["extra"][1] == 2.5


def test_json_array_file(tmp_path):
    frame = read_table(write(tmp_path, "d.json", '[{"a": 1}, {"a": 2}]'))
    assert frame["a"].tolist() == [1, 2]


def test_json_lines_bad_line_is_named(tmp_path):
    content = '{"text": "a"}\n{"text": "b",\n{"text": "c"}\n'
    message = read_error(write(tmp_path, "bad.jsonl", content))
    assert "line 2 is not valid JSON" in message


def test_json_lines_non_object_line_is_named(tmp_path):
    message = read_error(write(tmp_path, "list.jsonl", '{"a": 1}\n[1, 2]\n'))
    assert "line 2 holds a list, not an object" in message


def test_json_lines_numbers_and_strings_in_one_field_become_strings(tmp_path):
    frame = read_table(write(tmp_path, "mixed.jsonl", '{"a": 1}\n{"a": "x"}\n{"a": null}\n'))
    assert frame["a"].tolist()[:2] == ["1", "x"] and pd.isna(frame["a"][2])


# -------------------------------------------------------------------------------------------
# Progress and cancel


def big_enough_csv(folder: Path, name: str = "big.csv", rows: int = 20000) -> Path:
    lines = ["text,label,score"] + [
        f"text number {i} here,{i % 2},{i / 7:.3f}" for i in range(rows)
    ]
    return write(folder, name, "\n".join(lines) + "\n")


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_progress_increases_to_one_in_the_calling_thread(tmp_path, monkeypatch, encoding):
    """UTF-8 takes the parallel pieces, Windows-1252 the serial streaming reader."""
    monkeypatch.setattr(tables.limits, "SEGMENT_BYTES", 32768)
    monkeypatch.setattr(tables.limits, "BLOCK_SIZE", 32768)
    path = big_enough_csv(tmp_path)
    if encoding == "cp1252":
        path.write_bytes(path.read_bytes().replace(b"here", "hère".encode("cp1252")))
    calls: list[tuple[float, int]] = []
    polls: list[int] = []

    def cancel() -> bool:
        polls.append(threading.get_ident())
        return False

    frame = read_table(
        path, progress=lambda f: calls.append((f, threading.get_ident())), cancel=cancel
    )
    fractions = [f for f, _ in calls]
    assert len(frame) == 20000 and frame.attrs["encoding"] == encoding
    assert len(fractions) >= 5
    assert fractions == sorted(fractions) and len(set(fractions)) == len(fractions)
    assert 0 < fractions[0] < 0.5 and fractions[-1] == 1.0
    assert {thread for _, thread in calls} == {threading.get_ident()}
    assert len(polls) >= len(fractions) and set(polls) == {threading.get_ident()}


def test_progress_from_a_worker_thread(tmp_path):
    path = big_enough_csv(tmp_path, rows=2000)
    seen: dict[str, object] = {}

    def work() -> None:
        calls: list[int] = []
        seen["frame"] = read_table(path, progress=lambda f: calls.append(threading.get_ident()))
        seen["threads"] = set(calls)
        seen["me"] = threading.get_ident()

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(30)
    assert len(seen["frame"]) == 2000 and seen["threads"] == {seen["me"]}


@pytest.mark.parametrize("name", ["big.csv", "big.jsonl", "big-cp1252.csv"])
def test_cancel_raises_load_cancelled(tmp_path, monkeypatch, name):
    monkeypatch.setattr(tables.limits, "SEGMENT_BYTES", 32768)
    monkeypatch.setattr(tables.limits, "BLOCK_SIZE", 32768)
    if name.endswith(".jsonl"):
        lines = (json.dumps({"text": f"row {i}", "label": i % 2}) for i in range(20000))
        path = write(tmp_path, name, "\n".join(lines) + "\n")
    else:
        path = big_enough_csv(tmp_path, name)
        if "cp1252" in name:
            path.write_bytes(path.read_bytes().replace(b"here", "hère".encode("cp1252")))
    threads_before = threading.active_count()
    calls: list[float] = []
    with pytest.raises(LoadCancelled) as info:
        read_table(path, progress=calls.append, cancel=lambda: len(calls) >= 2)
    assert not isinstance(info.value, DataError) and name in str(info.value)
    assert 0 < calls[-1] < 1.0
    assert threading.active_count() == threads_before  # no reading thread left behind
    assert len(read_table(path)) == 20000  # and the next read works


def test_cancel_before_anything_is_read(tmp_path):
    with pytest.raises(LoadCancelled):
        read_table(big_enough_csv(tmp_path, rows=100), cancel=lambda: True)


# -------------------------------------------------------------------------------------------
# Preview


def test_preview_reads_only_the_start_of_a_large_file(tmp_path):
    path = big_enough_csv(tmp_path, rows=60000)  # about 2 MB
    with path.open("a") as handle:
        handle.write("a ragged row,1,2,3\n")  # after the first megabyte: the preview never sees it
    start = time.perf_counter()
    frame = preview_rows(path, n=50)
    assert time.perf_counter() - start < 0.5
    assert len(frame) == 50 and frame["text"].iloc[49] == "text number 49 here"
    assert "line 60002 has 4 fields" in read_error(path)


def test_preview_of_broken_files(tmp_path):
    with pytest.raises(DataError, match="binary file"):
        preview_rows(write(tmp_path, "b.csv", bytes(range(256)) * 4))
    with pytest.raises(DataError, match="line 3 has 3 fields"):
        preview_rows(write(tmp_path, "r.csv", "a,b\n1,2\n3,4,5\n"))
    with pytest.raises(DataError, match="no data rows"):
        preview_rows(write(tmp_path, "h.csv", "a,b\n"))


def test_preview_with_quoted_newlines_and_zero_rows(tmp_path):
    path = write(tmp_path, "q.csv", 'text,label\n"a\nb",1\n"c\nd",2\n"e",3\n')
    assert preview_rows(path, 2)["text"].tolist() == ["a\nb", "c\nd"]
    assert list(preview_rows(path, 0).columns) == ["text", "label"]


def test_textdata_read_table_still_works_both_ways(tmp_path):
    path = big_enough_csv(tmp_path, rows=500)
    assert len(textdata.read_table(path)) == 500
    assert len(textdata.read_table(path, nrows=7)) == 7
    with pytest.raises(DataError, match="file not found"):
        textdata.read_table(tmp_path / "gone.csv")


# -------------------------------------------------------------------------------------------
# Statistics


def test_column_stats_types_missing_and_distinct():
    frame = pd.DataFrame(
        {
            "text": [f"a fairly long review text number {i}, with words" for i in range(99)]
            + [None],
            "label": ["pos", "neg"] * 50,
            "score": np.arange(100) / 3,
            "code": [f"C{i}" for i in range(100)],
            "flag": [True, False] * 50,
        }
    )
    stats = {s.name: s for s in column_stats(frame)}
    assert stats["text"] == ColumnStats("text", "text", 1, 99)
    assert stats["label"] == ColumnStats("label", "categorical", 0, 2)
    assert stats["score"] == ColumnStats("score", "numeric", 0, 100)
    assert stats["code"].kind == "categorical"  # short values, even if all distinct
    assert stats["flag"].kind == "categorical"


def test_duplicate_rows():
    frame = pd.DataFrame({"t": ["a", "b", "a", "a", None, None], "l": [1, 1, 1, 2, 3, 3]})
    assert duplicate_rows(frame) == 2  # ("a", 1) again and (None, 3) again
    assert duplicate_rows(frame.iloc[:0]) == 0


def test_shared_rows_between_splits():
    train = pd.DataFrame({"text": ["a", "b", "c"], "label": [1, 0, 1]})
    val = pd.DataFrame({"label": [1, 0, 0, 1], "text": ["a", "b", "c", "a"]})
    assert shared_rows(train, val) == 3  # "a"/1 twice, "b"/0 once; "c"/0 differs
    assert shared_rows(["x", "y", "z"], ["y", "q", "y"]) == 2
    assert shared_rows(pd.Series(["x"]), []) == 0
    floats = val.astype({"label": "float64"})  # a missing label elsewhere makes it float
    assert shared_rows(train, floats.assign(label=["1", "0", "0", "1"])) == 3
    with pytest.raises(ValueError, match="different columns"):
        shared_rows(train, val[["text"]])


def test_stats_handle_unhashable_json_values():
    frame = pd.DataFrame({"tags": [["a"], ["a"], ["b"]], "n": [1, 1, 2]})
    assert duplicate_rows(frame) == 1
    assert [s.distinct for s in column_stats(frame)] == [2, 2]


def test_numeric_problems():
    frame = pd.DataFrame({"age": ["12", "40", None, "1,5"], "n": [1.0, 2.0, None, 4.0]})
    assert numeric_problems(frame, "n") is None
    message = numeric_problems(frame, "age")
    assert (
        message.startswith("row 5 has '1,5' in numeric column 'age'") and "decimal comma" in message
    )
    assert numeric_problems(pd.DataFrame({"a": ["1", " 2 ", None]}), "a") is None
    with pytest.raises(KeyError):
        numeric_problems(frame, "missing")


# -------------------------------------------------------------------------------------------
# Fuzzing: whatever the bytes, a DataFrame or a DataError, never anything else

FUZZ_DIR = Path(tempfile.mkdtemp(prefix="workbench-fuzz-"))
CSV_ALPHABET = st.sampled_from([*'ab,;\t|"\n\r 1.-é€\x00', "\r\n", '""', "\ufeff"])


def only_frame_or_data_error(path: Path) -> None:
    for reader in (read_table, preview_rows):
        try:
            frame = reader(path)
        except DataError:
            continue
        assert isinstance(frame, pd.DataFrame) and len(frame) > 0


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".tsv", ".jsonl"]))
def test_fuzz_arbitrary_bytes(data, suffix):
    path = FUZZ_DIR / f"bytes{suffix}"
    path.write_bytes(data)
    only_frame_or_data_error(path)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.lists(CSV_ALPHABET, max_size=300).map("".join),
    encoding=st.sampled_from(["utf-8", "cp1252"]),
)
def test_fuzz_small_csv_texts(text, encoding):
    path = FUZZ_DIR / "text.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    only_frame_or_data_error(path)


quoted_field = st.text(alphabet=list('ab,"\n\r x'), max_size=10).map(
    lambda s: '"' + s.replace('"', '""') + '"'
)
plain_field = st.text(alphabet=list("ab x1"), max_size=6)
csv_rows = st.integers(1, 4).flatmap(
    lambda width: st.lists(
        st.lists(st.one_of(quoted_field, plain_field), min_size=width, max_size=width),
        min_size=1,
        max_size=25,
    ).map(lambda rows: (width, rows))
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=csv_rows, newline=st.sampled_from(["\n", "\r\n"]), tail=st.sampled_from(["", "\n"]))
def test_fuzz_pieces_read_exactly_what_pyarrow_reads(table, newline, tail):
    """Tiny pieces cut inside quoted fields all the time; the result must not change."""
    width, rows = table
    lines = [",".join(f"c{i}" for i in range(width))] + [",".join(row) for row in rows]
    data = (newline.join(lines) + tail).encode()
    path = FUZZ_DIR / "pieces.csv"
    path.write_bytes(data)
    parse = pa_csv.ParseOptions(newlines_in_values=True)
    convert = pa_csv.ConvertOptions(null_values=tables.NULL_VALUES, strings_can_be_null=True)
    expected = pa_csv.read_csv(pa.BufferReader(data), parse_options=parse, convert_options=convert)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tables.limits, "SEGMENT_BYTES", 24)
        try:
            frame = read_table(path)
        except DataError as exc:
            assert "no data rows" in str(exc) or expected.num_rows == 0
            return
    assert frame.shape == (expected.num_rows, width)
    # pyarrow's own table, turned into pandas the same way (an int column with a gap is float)
    reference = tables._finish(expected, tables._inspect(path), "utf-8", ())
    pd.testing.assert_frame_equal(frame, reference)
