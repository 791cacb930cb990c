"""A model file's decision threshold is a stranger's number: validated before it is used."""

import json

import pytest

from workbench.core.errors import FileRejected
from workbench.core.model_meta import read_meta

TWO = {"kind": "text", "task": "classification", "class_names": ["neg", "pos"]}


def meta(**extra):
    return json.dumps({**TWO, **extra}).encode()


def test_a_threshold_in_range_is_kept():
    assert read_meta(meta(threshold=0.73), "m.keras")["threshold"] == 0.73
    assert "threshold" not in read_meta(meta(), "m.keras")


@pytest.mark.parametrize(
    "bad",
    [
        {"threshold": 1.5},
        {"threshold": -0.1},
        {"threshold": "0.5"},
        {"threshold": 0.5, "class_names": ["a", "b", "c"]},
        {"threshold": 0.5, "task": "regression", "class_names": []},
    ],
)
def test_a_bad_threshold_is_refused_naming_the_file(bad):
    with pytest.raises(FileRejected) as caught:
        read_meta(meta(**bad), "m.keras")
    assert "m.keras" in str(caught.value)


def test_a_nan_threshold_is_refused():
    raw = json.dumps({**TWO, "threshold": float("nan")}).encode()  # Python writes NaN
    with pytest.raises(FileRejected):
        read_meta(raw, "m.keras")
