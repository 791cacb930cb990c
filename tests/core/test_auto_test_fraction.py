"""The test fraction's "auto": 10% held out from 1,000 rows up, none below; one function
decides it for the trainer, the data checks, the Data tab, the form, the script and the CLI."""

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from workbench.core.checks import split_report
from workbench.core.errors import FileRejected
from workbench.core.project import Project, TrainingConfig
from workbench.core.splits import (
    AUTO_TEST_FRACTION,
    AUTO_TEST_MIN_ROWS,
    describe_auto_test,
    held_out_rows,
    resolve_test_fraction,
    split_indices,
)


def test_auto_is_ten_percent_from_a_thousand_rows():
    assert (AUTO_TEST_FRACTION, AUTO_TEST_MIN_ROWS) == (0.10, 1000)
    assert resolve_test_fraction(None, 999) == 0.0
    assert resolve_test_fraction(None, 1000) == 0.10
    assert resolve_test_fraction(None, 0) == 0.0
    # a number set by the person is kept, 0 included, whatever the data's size
    assert resolve_test_fraction(0.0, 50_000) == 0.0
    assert resolve_test_fraction(0.25, 10) == 0.25


@pytest.mark.parametrize(("rows", "tested"), [(999, 0), (1000, 100)])
def test_split_holds_out_a_test_part_from_a_thousand_rows(rows, tested):
    labels = np.arange(rows) % 2
    split = split_indices(labels, rows, 0.2, seed=3, test_fraction=None)
    assert len(split.test) == tested == held_out_rows(np.bincount(labels).tolist(), None)
    assert len(split.train) + len(split.val) + len(split.test) == rows
    assert not set(split.test) & (set(split.train) | set(split.val))
    # explicit 0: none, even on big data
    assert len(split_indices(labels, rows, 0.2, seed=3, test_fraction=0.0).test) == 0


def test_held_out_rows_counts_what_the_split_takes_per_class():
    labels = np.repeat([0, 1, 2], [700, 290, 13])  # uneven classes: rounding per class
    split = split_indices(labels, len(labels), 0.2, seed=1, test_fraction=None)
    assert held_out_rows([700, 290, 13], None) == len(split.test) == 70 + 29 + 1
    assert held_out_rows([1203], 0.0) == 0 and held_out_rows([400], 0.5) == 200


def test_auto_described_for_the_data():
    assert describe_auto_test() == "Auto"
    assert describe_auto_test(0) == "Auto (none: under 1,000 rows)"
    assert describe_auto_test(1234) == "Auto (10%: 1,234 rows)"


def _table(rows: int) -> SimpleNamespace:
    """A data set as the checks see one: a frame, a label column, two classes."""
    frame = pd.DataFrame({"x": np.arange(rows, dtype=float), "y": ["a", "b"] * (rows // 2)})
    return SimpleNamespace(
        kind="tabular",
        task="classification",
        frame=frame,
        class_names=lambda: ["a", "b"],
        labels=lambda: frame["y"].tolist(),
    )


@pytest.mark.parametrize(("rows", "tested"), [(998, 0), (1000, 100)])
def test_data_checks_split_with_auto(rows, tested):
    _, _, counts = split_report(_table(rows), TrainingConfig())
    assert counts["test"]["rows"] == tested


def test_auto_is_the_default_and_round_trips(tmp_path):
    project = Project()
    assert project.training.test_fraction is None
    path = tmp_path / "p.json"
    project.save(path)
    assert json.loads(path.read_text())["training"]["test_fraction"] is None
    assert Project.load(path).training.test_fraction is None

    project.training.test_fraction = 0.0  # an explicit "none" stays none
    project.save(path)
    assert Project.load(path).training.test_fraction == 0.0


def test_older_files_keep_their_number_and_a_missing_one_is_auto():
    data = Project().to_dict()
    data["training"]["test_fraction"] = 0.15
    assert Project.from_dict(data).training.test_fraction == 0.15
    del data["training"]["test_fraction"]
    assert Project.from_dict(data).training.test_fraction is None


@pytest.mark.parametrize("value", ["auto", True, 0.95, -0.1])
def test_a_bad_test_fraction_in_a_file_is_refused(value):
    data = Project().to_dict()
    data["training"]["test_fraction"] = value
    with pytest.raises(FileRejected, match=r"test_fraction|Test fraction"):
        Project.from_dict(data)


def test_auto_leaves_room_for_its_test_part():
    # auto may hold out 10%: validation plus that must leave 10% for training
    assert TrainingConfig(validation_fraction=0.7).problems() == []
    (problem,) = TrainingConfig(validation_fraction=0.85).problems()
    assert "auto" in problem and "10% for training" in problem
    assert TrainingConfig(validation_fraction=0.85, test_fraction=0.0).problems() == []
