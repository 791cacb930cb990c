"""Sweeps: a grid of settings expands to one project per combination, checked first."""

from __future__ import annotations

import pytest

from workbench.core.errors import WorkbenchError
from workbench.core.layers import LayerSpec
from workbench.core.project import Project
from workbench.core.sweeps import (
    SweepGrid,
    SweepPoint,
    check,
    dropout_targets,
    expand,
    parse_values,
    sweep_name,
    units_layers,
)


def mlp() -> Project:
    project = Project()
    project.layers = [
        LayerSpec("Dense", {"units": 64}),
        LayerSpec("Dropout", {"rate": 0.5}),
        LayerSpec("Dense", {"units": 32}),
        LayerSpec("Dense", {"units": 1, "activation": "sigmoid"}),
    ]
    return project


def test_grid_expands_to_every_combination_in_order() -> None:
    project = mlp()
    grid = SweepGrid(
        learning_rates=[1e-3, 1e-2],
        units=[16, 128],
        units_layer=2,
        dropouts=[0.1, 0.3],
        batch_sizes=[8, 64],
    )
    points = expand(project, grid)
    assert grid.size == len(points) == 16
    assert [p.index for p in points] == list(range(1, 17))
    combos = {
        (
            p.project.training.learning_rate,
            p.project.layers[2].params["units"],
            p.project.layers[1].params["rate"],
            p.project.training.batch_size,
        )
        for p in points
    }
    assert len(combos) == 16
    first, last = points[0], points[-1]
    assert first.settings == {"learning_rate": 1e-3, "units": 16, "dropout": 0.1, "batch": 8}
    assert last.settings == {"learning_rate": 1e-2, "units": 128, "dropout": 0.3, "batch": 64}
    assert first.label == "lr 0.001, units 16, dropout 0.1, batch 8"
    assert (
        sweep_name(points[2], len(points)) == "sweep 3/16: lr 0.001, units 16, dropout 0.3, batch 8"
    )
    # The other layers and the original project are untouched.
    assert all(p.project.layers[0].params["units"] == 64 for p in points)
    assert project.layers[2].params["units"] == 32 and project.training.learning_rate == 1e-3


def test_only_the_settings_given_vary() -> None:
    points = expand(Project(), SweepGrid(batch_sizes=[16, 32, 64]))
    assert [p.project.training.batch_size for p in points] == [16, 32, 64]
    assert [p.label for p in points] == ["batch 16", "batch 32", "batch 64"]
    assert {p.project.training.learning_rate for p in points} == {1e-3}


def test_dropout_goes_to_recurrent_layers_when_there_is_no_dropout_layer() -> None:
    project = Project()  # TextVectorization, Embedding, LSTM, Dense
    assert dropout_targets(project) == [(2, "dropout")]
    points = expand(project, SweepGrid(dropouts=[0.0, 0.25]))
    assert [p.project.layers[2].params["dropout"] for p in points] == [0.0, 0.25]


def test_units_layers_leave_out_the_output_layer() -> None:
    assert units_layers(mlp()) == [0, 2]
    assert units_layers(Project()) == [2]


@pytest.mark.parametrize(
    ("grid", "expected"),
    [
        (SweepGrid(learning_rates=[0.01]), "at least two values"),
        (SweepGrid(batch_sizes=list(range(1, 80))), "at most 64"),
        (SweepGrid(learning_rates=[0.01, -1.0]), "Learning rates must be above 0"),
        (SweepGrid(units=[8, 16]), "Choose which layer's units"),
        (SweepGrid(units=[8, 16], units_layer=3), "Choose which layer's units"),
        (SweepGrid(dropouts=[0.2, 1.5]), "between 0 and 0.95"),
        (SweepGrid(batch_sizes=[0, 4]), "Batch sizes must be whole numbers"),
    ],
)
def test_bad_grids_are_named(grid: SweepGrid, expected: str) -> None:
    assert any(expected in problem for problem in check(mlp(), grid))
    with pytest.raises(WorkbenchError, match=expected.split("'")[0]):
        expand(mlp(), grid)


def test_dropout_without_anything_to_drop_is_refused() -> None:
    project = mlp()
    del project.layers[1]
    with pytest.raises(WorkbenchError, match="no dropout to vary"):
        expand(project, SweepGrid(dropouts=[0.1, 0.2]))


def test_parse_values() -> None:
    assert parse_values("0.001, 0.01;0.1  0.01", float, "Learning rate") == [0.001, 0.01, 0.1]
    assert parse_values("  ", int, "Units") == []
    assert parse_values("16,32", int, "Units") == [16, 32]
    with pytest.raises(WorkbenchError, match=r"Units: '1.5' is not a number; give whole numbers"):
        parse_values("8, 1.5", int, "Units")
    with pytest.raises(WorkbenchError, match="Learning rate: 'fast'"):
        parse_values("fast", float, "Learning rate")


def test_label_names_any_setting_a_search_varies() -> None:
    point = SweepPoint(1, {"learning_rate": 0.01, "batch_size": 16, "optimizer": "sgd",
                           "3.units": 32}, Project())  # fmt: skip
    assert point.label == "lr 0.01, batch 16, optimizer sgd, 3.units 32"
