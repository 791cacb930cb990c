"""Epochs "auto": the budget comes from the data size; a typed number is exact."""

import doctest

import pytest

from workbench.core import epochs
from workbench.core.epochs import EpochBudget, auto_epoch_cap, auto_patience, resolve_epochs
from workbench.core.listener import TrainingOutcome
from workbench.core.project import Project, TrainingConfig


def test_the_examples_in_the_docstrings_hold():
    assert doctest.testmod(epochs).failed == 0


def test_auto_is_the_default_and_survives_a_project_file(tmp_path):
    assert TrainingConfig().epochs is None
    project = Project()
    project.save(tmp_path / "p.json")
    assert Project.load(tmp_path / "p.json").training.epochs is None
    project.training.epochs = 7
    project.save(tmp_path / "p.json")
    assert Project.load(tmp_path / "p.json").training.epochs == 7


@pytest.mark.parametrize("bad", [0, -3, 100_001])
def test_a_number_out_of_range_is_refused_but_auto_is_not(bad):
    assert TrainingConfig(epochs=None).problems() == []
    assert any("Epochs must be" in p for p in TrainingConfig(epochs=bad).problems())


def test_the_cap_shrinks_as_the_data_grows_within_limits():
    caps = [auto_epoch_cap(rows, 32) for rows in (100, 1_000, 10_000, 100_000, 10_000_000)]
    assert caps == sorted(caps, reverse=True)
    assert caps[0] == epochs.AUTO_MAX_EPOCHS and caps[-1] == epochs.AUTO_MIN_EPOCHS
    # about AUTO_STEP_BUDGET steps in all: 10,000 rows -> 313 steps an epoch -> 96 epochs
    assert caps[2] == 96
    assert auto_patience(100, 32) == epochs.AUTO_PATIENCE_MAX
    assert auto_patience(10_000_000, 32) == epochs.AUTO_PATIENCE_MIN


def test_a_typed_number_and_a_set_patience_are_kept():
    assert resolve_epochs(12, 0, 5000, 32) == EpochBudget(12, 0, auto=False)
    assert resolve_epochs(12, 3, 5000, 32) == EpochBudget(12, 3, auto=False)
    budget = resolve_epochs(None, 4, 5000, 32)
    assert budget.auto and budget.patience == 4 and budget.epochs == auto_epoch_cap(5000, 32)


def test_what_auto_did_is_said_in_words():
    done = TrainingOutcome(False, 9, 6, {}, None, auto_epochs=True, stopped_early=True)
    assert done.epochs_text() == "auto: stopped at epoch 9 (best 6)"
    fixed = TrainingOutcome(False, 5, 5, {}, None)
    assert fixed.epochs_text() == "5 epochs"
    assert resolve_epochs(None, 0, 350, 32).describe() == (
        "auto: at most 300 epochs, stops after 20 without improvement"
    )


@pytest.mark.parametrize(
    ("where", "value", "said"),
    [
        (("training", "epochs"), "many", "training.epochs: Input should be a valid integer"),
        (("training", "epochs"), 0, "Epochs must be between 1 and 100000"),
        (("layers", 0, "params", "standardize"), "__import__('os')", "Standardize must be one of"),
        (("layers", 0, "params", "output_mode"), "tf_idf", "Output must be one of int, multi_hot"),
    ],
)
def test_a_project_file_with_bad_epochs_or_text_settings_is_refused(where, value, said):
    import copy

    from workbench.core.errors import FileRejected

    data = copy.deepcopy(Project().to_dict())
    target = data
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    with pytest.raises(FileRejected, match=said):
        Project.from_dict(data, "p.json")
