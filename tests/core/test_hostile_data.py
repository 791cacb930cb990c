"""Hostile data files: JSON nested a million levels deep, silent problems in a table (infinite
numbers, empty columns, a stray string in a numeric column, repeated column names), and a
system file that must not be echoed in a message.

The deep-JSON cases run ``workbench check-data`` in a subprocess, so a regression kills only
that process (pyarrow dies with signal 11 on such a line) and the test sees its exit code.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from workbench.core import tables
from workbench.core.datasets import load_dataset
from workbench.core.errors import DataError
from workbench.core.tables import depth, preview_rows, read_table

DEEP = 1_000_000


def check_data(*argv: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workbench", "check-data", *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def deep_files(folder: Path) -> dict[str, tuple[Path, int]]:
    """name -> (file, the line to be named)."""
    lists = "[" * DEEP + "]" * DEEP
    row = '{"text": "fine", "label": 0}\n'
    files = {
        "one line of brackets": ("deep.jsonl", lists + "\n", 1),
        "deep text field": ("field.jsonl", row + '{"text": ' + lists + ', "label": 1}\n', 2),
        "deep across lines": ("lines.jsonl", row + "[\n" * DEEP + "]\n" * DEEP, 66),
        "json array": ("deep.json", "[" + row + ',{"text": ' + lists + ', "label": 1}]\n', 2),
        "no line break at the end": ("last.ndjson", row + "{" * DEEP, 2),
    }
    out = {}
    for name, (file, text, line) in files.items():
        path = folder / file
        path.write_text(text, encoding="utf-8")
        out[name] = (path, line)
    return out


@pytest.mark.parametrize(
    "case",
    [
        "one line of brackets",
        "deep text field",
        "deep across lines",
        "json array",
        "no line break at the end",
    ],
)
def test_deep_json_is_refused_in_one_line_not_a_crash(tmp_path, case):
    path, line = deep_files(tmp_path)[case]
    result = check_data(path)
    assert result.returncode == 2, (result.returncode, result.stderr[-500:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-2000:]
    assert str(path) in lines[0]
    assert f"line {line} is nested more than 64 levels deep" in lines[0]
    assert "Traceback" not in result.stderr


def test_deep_json_is_refused_by_preview_and_full_read(tmp_path):
    # 100 levels: refused before any parser sees it (safe in this process).
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "a", "label": 0}\n{"a": ' + "[" * 100 + "]" * 100 + "}\n")
    for read in (read_table, preview_rows):
        with pytest.raises(DataError, match=r"d\.jsonl: line 2 is nested more than 64 levels"):
            read(path)


def test_ordinary_nesting_and_brackets_in_strings_load(tmp_path):
    path = tmp_path / "ok.jsonl"
    rows = [
        {"text": "[" * 500 + "{" * 500, "label": 0, "tags": [[1, 2], [3]]},
        {"text": 'a "quoted" ] word', "label": 1, "tags": [[4]]},
        {"text": "\\", "label": 1, "tags": [json.loads("[" * 30 + "]" * 30)]},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    frame = read_table(path)
    assert len(frame) == 3 and frame["text"].iloc[0].startswith("[[[")
    array = tmp_path / "ok.json"
    array.write_text(json.dumps(rows), encoding="utf-8")
    assert len(read_table(array)) == 3


def test_depth_carries_across_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(tables.limits, "BLOCK_SIZE", 64)
    path = tmp_path / "blocks.jsonl"
    path.write_text('{"a": 1}\n' * 20 + "[\n" * 70 + "]\n" * 70, encoding="utf-8")
    with pytest.raises(DataError, match="line 85 is nested"):
        depth.check_json_file(path)
    # Closing brackets first do not buy depth later (a block may be parsed afresh).
    path.write_text("]]]]]]]]]]\n" * 10 + "[" * 65 + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 11 is nested"):
        depth.check_json_file(path)
    path.write_text('{"a": [[1]]}\n' * 200, encoding="utf-8")
    depth.check_json_file(path)  # fine


def test_a_line_too_long_to_check_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(tables.limits, "MAX_ROW_BYTES", 1000)
    monkeypatch.setattr(tables.limits, "BLOCK_SIZE", 256)
    path = tmp_path / "long.jsonl"
    path.write_text('{"a": 1}\n{"a": "' + "x" * 3000 + '"}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"long\.jsonl: line 2 is longer than"):
        depth.check_json_file(path)


# -- the four silent cases in a table ----------------------------------------------------------


def four_problems(path: Path, rows: int = 1000) -> Path:
    """Columns: a, a (repeated), speed (inf, -inf), empty, weight (one "12kg"), label."""
    lines = ["a,a,speed,empty,weight,label"]
    for i in range(rows):
        speed = "inf" if i % 100 == 0 else ("-inf" if i % 100 == 1 else f"{i * 0.5}")
        weight = "12kg" if i == 500 else str(i % 37 + 0.5)
        lines.append(f"{i % 7},{i % 5},{speed},,{weight},{'yes' if i % 2 else 'no'}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_infinite_values_warn_and_count(tmp_path):
    table = load_dataset(four_problems(tmp_path / "t.csv"))
    assert table.feature_types["speed"] == "numeric"
    note = next(n for n in table.notes if "'speed'" in n)
    assert "20 infinite value(s)" in note and "missing" in note


def test_empty_column_is_left_out_with_a_warning(tmp_path):
    table = load_dataset(four_problems(tmp_path / "t.csv"))
    assert "empty" not in table.features and "empty" in table.ignored
    assert any("'empty' is empty in every row" in n and "left out" in n for n in table.notes)
    # also when the roles come back from the Data tab
    again = table.with_settings(roles={"empty": "numeric"})
    assert "empty" not in again.features


def test_mostly_numeric_column_with_a_stray_is_numeric(tmp_path):
    table = load_dataset(four_problems(tmp_path / "t.csv"))
    assert table.feature_types["weight"] == "numeric"
    note = next(n for n in table.notes if "'weight'" in n)
    assert "1 value(s)" in note and "row 502" in note and "'12kg'" in note
    # Re-checking with the same roles (the Data tab does) keeps it, and says it again.
    again = table.with_settings(task="classification")
    assert again.feature_types["weight"] == "numeric"
    assert any("'weight'" in n for n in again.notes)


def test_stray_row_numbers_count_rows_left_out_for_no_target(tmp_path):
    lines = ["x,label"] + [f"{i % 9},{'' if i < 3 else i % 2}" for i in range(40)]
    lines[30] = "oops,1"  # file line 31 = row 31
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = load_dataset(path, "tabular")
    assert table.feature_types["x"] == "numeric"
    assert any("row 31, 'oops'" in n for n in table.notes), table.notes
    assert any("row 31, 'oops'" in n for n in table.with_settings().notes)


def test_an_id_column_with_a_stray_is_still_an_id(tmp_path):
    lines = ["id,x,label"] + [f"{'?' if i == 7 else i},{i % 3},{i % 2}" for i in range(100)]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = load_dataset(path, "tabular")
    assert "id" in table.ignored and table.features == ["x"]


def test_a_column_of_words_stays_categorical_and_numeric_is_still_refused(tmp_path):
    lines = ["colour,label"] + [f"{'red' if i % 3 else 7},{i % 2}" for i in range(60)]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = load_dataset(path, "tabular")
    assert table.feature_types["colour"] == "categorical"
    with pytest.raises(DataError, match="'colour' cannot be numeric: row 3 has 'red'"):
        table.with_settings(roles={"colour": "numeric"})


def test_repeated_column_names_are_named(tmp_path):
    table = load_dataset(four_problems(tmp_path / "t.csv"))
    assert any("Column name 'a' appears 2 times" in n and "'a.1'" in n for n in table.notes), (
        table.notes
    )
    text = tmp_path / "texts.csv"
    text.write_text(
        "text,text,label\n" + "".join(f"words {i} here,more {i},{i % 2}\n" for i in range(30))
    )
    table = load_dataset(text, "text", text_column="text", label_column="label")
    assert any("Column name 'text' appears 2 times" in n for n in table.notes)


def test_infinite_targets_are_left_out(tmp_path):
    lines = ["x,y"] + [f"{i % 10},{'inf' if i == 4 else i * 1.5}" for i in range(50)]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = load_dataset(path, "tabular", task="regression")
    assert len(table.frame) == 49
    assert np.isfinite(table.targets()).all()
    assert any("1 rows with an infinite 'y'" in n for n in table.notes)


def test_check_data_names_the_four_problems(tmp_path):
    path = four_problems(tmp_path / "t.csv")
    text = check_data(path)
    assert text.returncode == 0, text.stderr
    for words in ("'a' appears 2 times", "'speed' holds 20", "'empty' is empty", "'weight'"):
        assert any(words in line for line in text.stdout.splitlines() if line.startswith("Note:"))
    info = json.loads(check_data(path, "--json").stdout)
    assert len(info["notes"]) == 4
    assert info["features"]["weight"] == "numeric" and "empty" in info["ignored"]


# -- a system file is not echoed ------------------------------------------------------------------

FIRST_LINE = "root:x:0:0:root:/root:/bin/bash"


def passwd(tmp_path: Path) -> Path:
    path = tmp_path / "passwd"
    path.write_text(
        FIRST_LINE + "\n" + "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n" * 30,
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"kind": "text"},
        {"kind": "text", "text_column": "text", "label_column": "label"},
        {"kind": "tabular", "label_column": "label"},
        {"kind": "tabular"},
    ],
)
def test_a_system_file_is_not_echoed(tmp_path, options):
    with pytest.raises(DataError) as caught:
        load_dataset(passwd(tmp_path), **options)
    message = str(caught.value)
    assert "root:x" not in message and "/bin/bash" not in message
    assert str(tmp_path / "passwd") in message and "one column" in message
    assert "\n" not in message


def test_check_data_on_a_system_file_does_not_echo_it(tmp_path):
    result = check_data(passwd(tmp_path), "--label-column", "label")
    assert result.returncode == 2
    assert "root:x" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_column_names_in_messages_are_clipped(tmp_path):
    long = "n" * 200
    path = tmp_path / "t.csv"
    path.write_text(f"{long},b\n1,2\n3,4\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_dataset(path, "tabular", label_column="nope")
    message = str(caught.value)
    assert "Columns are: " in message and long not in message and "n" * 29 + "…" in message
    assert tables.describe_columns(["one whole line"]).startswith("The file has one column")
