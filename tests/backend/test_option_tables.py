"""Every value of every option table works in the trainer's tables and in the exported script.

A value added to workbench.core.options without its Keras class, its metric objects or its
script code fails here, not in a person's export (``KeyError: 'adamw'`` once did).
"""

import ast

import keras
import numpy as np
import pytest

from workbench.backend import codegen, optimizers
from workbench.backend.codegen import keras_script
from workbench.backend.metrics import metric_objects
from workbench.core.datasets import load_dataset
from workbench.core.options import LOSSES, METRICS, OPTIMIZERS, SCHEDULES, TABLES
from workbench.core.project import DatasetSpec, Project, TrainingConfig
from workbench.core.templates import default_layers

EVERY_VALUE = [(setting, name) for setting, table in TABLES.items() for name in table.names]


def test_the_trainers_mappings_hold_exactly_the_tables_names():
    assert tuple(optimizers.OPTIMIZERS) == OPTIMIZERS.names
    assert tuple(optimizers.SCHEDULES) == SCHEDULES.names
    for optimizer in optimizers.OPTIMIZERS.values():
        assert issubclass(optimizer, keras.optimizers.Optimizer)


@pytest.mark.parametrize("name", OPTIMIZERS.names)
@pytest.mark.parametrize("schedule", SCHEDULES.names)
def test_every_optimizer_and_schedule_is_made(name, schedule):
    cfg = TrainingConfig(optimizer=name, schedule=schedule, momentum=0.5, nesterov=True)
    made = optimizers.make_optimizer(cfg, steps_per_epoch=10)
    assert isinstance(made, optimizers.OPTIMIZERS[name])
    assert optimizers.current_learning_rate(made) == pytest.approx(cfg.learning_rate)
    assert hasattr(made, "nesterov") == (name == "sgd")


@pytest.mark.parametrize("name", [n for n in LOSSES.names if n != "auto"])
def test_every_loss_is_a_keras_loss(name):
    assert keras.losses.get(name) is not None


@pytest.mark.parametrize(
    "task, units", [("classification", 1), ("classification", 3), ("regression", 1)]
)
def test_every_metric_of_a_task_is_measured_for_each_head(task, units):
    for name in METRICS.names_for(task):
        logged = {"rmse": "root_mean_squared_error"}.get(name, name)
        assert logged in [m.name for m in metric_objects([name], task, units)], name
        assert codegen._metric_code(name, task, units, one_hot=False) is not None, name


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    """Vectors with 2 classes (a sigmoid head), 3 classes (softmax) and a number target."""
    folder = tmp_path_factory.mktemp("tables")
    x = np.random.default_rng(0).normal(size=(90, 4))
    targets = {
        "two": (x[:, 0] > 0).astype(int),
        "three": np.digitize(x[:, 0], [-0.4, 0.4]),
        "number": x[:, 0] * 3.0 + x[:, 1],
    }
    for name, y in targets.items():
        np.savez(folder / f"{name}.npz", x=x, y=y)
    return {name: load_dataset(folder / f"{name}.npz") for name in targets}


def _data_for(setting, name, datasets):
    option = TABLES[setting][name]
    if option.tasks == ("regression",):
        return datasets["number"]
    if name in ("categorical_crossentropy", "sparse_categorical_crossentropy"):
        return datasets["three"]  # a softmax head
    return datasets["two"]


def _expected_code(setting, name):
    """What the script must say for one value, beyond naming it in its settings comment."""
    if setting == "optimizer":
        return f"keras.optimizers.{optimizers.OPTIMIZERS[name].__name__}("
    if setting == "schedule":
        kind = optimizers.SCHEDULES[name].keras_class
        if name == "plateau":
            return "keras.callbacks.ReduceLROnPlateau("
        if kind is None:
            return "optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE)"
        return f"keras.optimizers.schedules.{kind.__name__}(LEARNING_RATE, decay_steps="
    if setting == "loss":
        return f"loss={name!r}" if name != "auto" else "loss='binary_crossentropy'"
    if setting == "metrics":
        return {"rmse": "RootMeanSquaredError(", "mae": "MeanAbsoluteError("}.get(
            name, f'(name="{name}")'
        )
    if setting == "early_stopping_monitor":
        return f"keras.callbacks.EarlyStopping({name!r}, patience=2"
    return {
        "auto": "if imbalance(labels[train_rows]) >= 20.0 else None",
        "none": "class_weight=None",
        "balanced": "class_weight=balanced_weights(labels[train_rows], len(CLASS_NAMES)),",
    }[name]


@pytest.mark.parametrize("setting, name", EVERY_VALUE, ids=[f"{s}={n}" for s, n in EVERY_VALUE])
def test_the_script_export_parses_and_names_every_value(setting, name, datasets):
    data = _data_for(setting, name, datasets)
    project = Project(DatasetSpec(kind="npz", task=data.task), default_layers(data))
    project.training.early_stopping_patience = 2
    value = [name] if setting == "metrics" else name
    setattr(project.training, setting, value)
    script = keras_script(project, data)
    ast.parse(script)
    assert f"#   {setting}: {name}\n" in script
    assert _expected_code(setting, name) in script
