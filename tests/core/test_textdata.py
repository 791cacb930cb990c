"""Loading texts and labels, and every way a file can be wrong."""

import pytest

from workbench.core.errors import DataError
from workbench.core.samples import DEFAULT_SAMPLE
from workbench.core.textdata import load_text_table, suggest_sequence_length


def write(tmp_path, name, content, mode="w"):
    path = tmp_path / name
    if mode == "wb":
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_sample_is_real_sized_and_has_two_balanced_enough_classes():
    table = load_text_table(DEFAULT_SAMPLE.path)
    counts = table.class_counts()
    assert len(table.frame) >= 2000
    assert len(counts) >= 2
    assert min(counts.values()) / len(table.frame) > 0.2
    assert (table.text_column, table.label_column) == ("text", "label")
    assert 8 <= table.suggested_sequence_length() <= 64


def test_columns_are_guessed_by_content(tmp_path):
    rows = "\n".join(
        f"{i},{'yes' if i % 2 else 'no'},this is a longer piece of text {i}" for i in range(30)
    )
    path = write(tmp_path, "d.csv", "id,verdict,body_txt\n" + rows)
    table = load_text_table(path)
    assert (table.text_column, table.label_column) == ("body_txt", "verdict")
    assert table.class_counts() == {"no": 15, "yes": 15}


def test_tsv_and_numeric_labels(tmp_path):
    path = write(tmp_path, "d.tsv", "sentence\ty\nfine day\t1\nbad day\t0\nok day\t1\n")
    table = load_text_table(path)
    assert table.class_names() == ["0", "1"]
    assert table.texts()[0] == "fine day"


def test_semicolon_csv_is_sniffed(tmp_path):
    path = write(tmp_path, "d.csv", "text;label\nfine, really;a\nbad;b\n")
    assert load_text_table(path).texts() == ["fine, really", "bad"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", "", "the file is empty"),
        ("header.csv", "text,label\n", "no data rows"),
        ("single.csv", "text,label\na,x\nb,x\n", "single class"),
        ("one_col.csv", "text\nhello\nworld\n", "only one column"),
        ("nolabel.csv", "text,label\na,x\nb,\nc,y\n", "row 3 has no label"),
        ("ragged.csv", 'text,label\n"open quote,x\n', "cannot be read as a table"),
    ],
)
def test_bad_files_raise_a_message_naming_the_problem(tmp_path, name, content, message):
    path = write(tmp_path, name, content)
    with pytest.raises(DataError, match=message) as info:
        load_text_table(path)
    assert name in str(info.value)


def test_binary_file_named_csv(tmp_path):
    path = write(tmp_path, "photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, mode="wb")
    with pytest.raises(DataError, match="binary file"):
        load_text_table(path)


def test_missing_file_and_wrong_column(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        load_text_table(tmp_path / "nope.csv")
    path = write(tmp_path, "d.csv", "text,label\na,x\nb,y\n")
    with pytest.raises(DataError, match=r"no column named 'category'.*Columns are: text, label"):
        load_text_table(path, label_column="category")


def test_sequence_length_suggestion_covers_most_texts():
    assert suggest_sequence_length([]) == 100
    assert suggest_sequence_length([3] * 100) == 8
    lengths = list(range(1, 101))
    suggestion = suggest_sequence_length(lengths)
    assert suggestion == 96  # the 95th percentile (95.05), rounded up
    assert suggest_sequence_length([600] * 10) == 512
