"""Search spaces: NAME=SPEC parsing, where a name points in the project, what cannot run."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.core.errors import WorkbenchError
from workbench.core.layers import LayerSpec
from workbench.core.project import DatasetSpec, Project
from workbench.core.search import (
    Param,
    SearchSettings,
    SweepJob,
    apply,
    epochs_of,
    grid_points,
    parse_param,
    settable_names,
)


def text_project() -> Project:
    """The default text stack: TextVectorization, Embedding, LSTM, Dense."""
    return Project(DatasetSpec("reviews.csv", "review", "sentiment", kind="text"))


@pytest.mark.parametrize(
    ("text", "kind", "values", "low", "high"),
    [
        ("learning_rate=loguniform(1e-4, 1e-2)", "loguniform", (), 1e-4, 1e-2),
        ("dropout=uniform(0,0.5)", "uniform", (), 0.0, 0.5),
        ("LSTM.units=int(16, 128)", "int", (), 16, 128),
        ("optimizer=choice(adam, sgd, adam)", "choice", ("adam", "sgd"), None, None),
        ("batch=choice(16,32)", "choice", (16, 32), None, None),  # alias of batch_size
        ("3.return_sequences=choice(true, false)", "choice", (True, False), None, None),
    ],
)
def test_parse_each_kind(text, kind, values, low, high) -> None:
    param = parse_param(text)
    assert (param.kind, param.values, param.low, param.high) == (kind, values, low, high)
    assert parse_param(str(param)) == param  # the text form reads back the same


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("learning_rate", "write NAME=SPEC"),
        ("learning_rate=normal(0, 1)", "is not a search space"),
        ("learning_rate=loguniform(0, 1)", "loguniform needs numbers above 0"),
        ("learning_rate=uniform(1, 1)", "needs lo below hi"),
        ("units=int(1.5, 4)", "needs two whole numbers"),
        ("units=int(4)", "takes two numbers, got 1"),
        ("x=choice()", "needs values separated by commas"),
        ("a/b=choice(1,2)", "is not a setting name"),
    ],
)
def test_bad_specs_say_what_to_write(text, words) -> None:
    with pytest.raises(WorkbenchError, match=words.replace("(", r"\(")):
        parse_param(text)


def test_names_point_at_settings_and_layers() -> None:
    project = text_project()
    project.layers.insert(3, LayerSpec("Dropout", {"rate": 0.5}))
    changed = apply(
        project,
        {"learning_rate": 0.01, "LSTM.units": 32, "dropout": 0.25, "batch_size": 16.0},
    )
    assert changed.training.learning_rate == 0.01
    assert changed.training.batch_size == 16 and isinstance(changed.training.batch_size, int)
    assert changed.layers[2].params["units"] == 32
    assert changed.layers[3].params["rate"] == 0.25
    assert project.layers[2].params["units"] == 64  # the original is left alone
    by_number = apply(project, {"3.units": 8})
    assert by_number.layers[2].params["units"] == 8
    names = settable_names(project)
    assert {"learning_rate", "optimizer", "dropout", "3.units", "4.rate"} <= set(names)


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"GRU.units": 8}, "no GRU layer (it has TextVectorization, Embedding, LSTM, Dense)"),
        ({"9.units": 8}, "the model has layers 1 to 4"),
        ({"LSTM.kernel": 8}, "LSTM has no parameter 'kernel'"),
        ({"LSTM.units": 0}, "Units must be at least 1"),
        ({"optimizer": "adamw2"}, "'adamw2' is not one of"),
        ({"batch_size": 2.5}, "is not a whole number"),
        ({"dropout": 0.2}, "no Dropout layer or recurrent dropout"),
        ({"learning_rate": 50.0}, "outside"),
        ({"seed": 3}, "seed is not a setting a search can vary"),
    ],
)
def test_bad_values_name_the_setting(values, words) -> None:
    project = text_project()
    if "dropout" in values:  # a stack without Dropout layers or recurrent dropout
        project.layers = [layer for layer in project.layers if "dropout" not in layer.params]
    with pytest.raises(WorkbenchError, match=words.replace("(", r"\(").replace(")", r"\)")):
        apply(project, values)


def test_two_layers_of_a_kind_need_a_number() -> None:
    project = text_project()
    project.layers.insert(3, LayerSpec("Dense", {"units": 16, "activation": "relu"}))
    with pytest.raises(WorkbenchError, match=r"2 Dense layers \(4, 5\); name one by its number"):
        apply(project, {"Dense.units": 8})


def test_settings_problems_in_words() -> None:
    project = text_project()
    lr = parse_param("learning_rate=loguniform(1e-4, 1e-2)")
    assert SearchSettings([lr], search="random", trials=12, parallel=2).problems(project) == []
    grid = SearchSettings([lr], search="grid")
    assert (
        "Grid search tries listed values: give learning_rate as choice" in grid.problems(project)[0]
    )
    assert "at least one setting" in SearchSettings([]).problems(project)[0]
    twice = SearchSettings([lr, lr])
    assert "learning_rate is given twice" in twice.problems(project)[0]
    early = SearchSettings([lr], early_stop="asha")
    assert epochs_of(project, early) == 100  # auto epochs: a horizon for ASHA
    project.training.epochs = 5
    assert epochs_of(project, early) == 5
    varied = SearchSettings([lr, parse_param("epochs=choice(3, 9)")], early_stop="median")
    assert epochs_of(project, varied) == 9
    regression = text_project()
    regression.dataset.task = "regression"
    wrong = SearchSettings([lr], metric="val_accuracy")
    assert "no accuracy" in wrong.problems(regression)[0]
    assert SearchSettings([lr]).metric_for(regression) == "val_loss"
    assert SearchSettings([lr]).mode_for(regression) == "min"
    assert SearchSettings([lr]).mode_for(project) == "max"  # val_accuracy by default


def test_grid_points_and_round_trip() -> None:
    settings = SearchSettings(
        [parse_param("learning_rate=choice(0.001, 0.01)"), parse_param("batch=choice(16,32,64)")],
        search="grid",
    )
    points = grid_points(settings)
    assert settings.planned_trials() == len(points) == 6
    assert points[0] == {"learning_rate": 0.001, "batch_size": 16}
    assert points[-1] == {"learning_rate": 0.01, "batch_size": 64}
    again = SearchSettings.from_dict(settings.to_dict())
    assert again == settings
    job = SweepJob(text_project(), settings, store_root=Path("/tmp/x"))
    data = job.to_dict()
    assert data["sweep_id"].startswith("sweep-") and data["search"]["search"] == "grid"


def test_a_damaged_param_in_a_job_file_is_rechecked() -> None:
    with pytest.raises(WorkbenchError, match="loguniform needs numbers above 0"):
        Param.from_dict({"name": "learning_rate", "kind": "loguniform", "low": -1, "high": 1})
