"""Sweeps inside the window: where a dropout value goes, how runs are labelled and named.

The grid's combinations and checks are core.search's (tests/core/test_search.py)."""

from __future__ import annotations

from workbench.core.layers import LayerSpec
from workbench.core.project import Project
from workbench.core.search import SearchSettings, apply, grid_points, parse_param
from workbench.core.sweeps import SweepPoint, dropout_targets, sweep_name


def mlp() -> Project:
    project = Project()
    project.layers = [
        LayerSpec("Dense", {"units": 64}),
        LayerSpec("Dropout", {"rate": 0.5}),
        LayerSpec("Dense", {"units": 32}),
        LayerSpec("Dense", {"units": 1, "activation": "sigmoid"}),
    ]
    return project


def test_dropout_goes_to_dropout_layers_else_to_recurrent_layers() -> None:
    assert dropout_targets(mlp()) == [(1, "rate")]
    project = Project()  # TextVectorization, Embedding, LSTM, Dense
    assert dropout_targets(project) == [(2, "dropout")]
    values = [apply(project, {"dropout": d}).layers[2].params["dropout"] for d in (0.0, 0.25)]
    assert values == [0.0, 0.25]


def test_grid_points_are_labelled_and_named_in_order() -> None:
    settings = SearchSettings(
        [parse_param("learning_rate=choice(0.001, 0.01)"), parse_param("dropout=choice(0.1, 0.3)")],
        search="grid",
    )
    points = [
        SweepPoint(i, values, apply(mlp(), values))
        for i, values in enumerate(grid_points(settings), start=1)
    ]
    assert [p.label for p in points] == [
        "lr 0.001, dropout 0.1",
        "lr 0.001, dropout 0.3",
        "lr 0.01, dropout 0.1",
        "lr 0.01, dropout 0.3",
    ]
    assert sweep_name(points[2], len(points)) == "sweep 3/4: lr 0.01, dropout 0.1"
    assert [p.project.layers[1].params["rate"] for p in points] == [0.1, 0.3, 0.1, 0.3]


def test_label_names_any_setting_a_search_varies() -> None:
    point = SweepPoint(1, {"learning_rate": 0.01, "batch_size": 16, "optimizer": "sgd",
                           "3.units": 32}, Project())  # fmt: skip
    assert point.label == "lr 0.01, batch 16, optimizer sgd, 3.units 32"
