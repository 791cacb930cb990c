"""One table per option: the names, labels and helps every reader takes its choices from."""

import dataclasses

import pytest

from workbench.core import options, project
from workbench.core.errors import FileRejected, ModelConfigError
from workbench.core.options import (
    CLASS_WEIGHTS,
    LOSSES,
    METRICS,
    MONITORS,
    OPTIMIZERS,
    SCHEDULES,
    TABLES,
    Option,
    OptionTable,
    higher_is_better,
)
from workbench.core.project import Project, TrainingConfig

FIELDS = {f.name for f in dataclasses.fields(TrainingConfig)}


def test_every_table_fills_a_training_setting_and_is_listed():
    assert set(TABLES) == {
        "optimizer",
        "schedule",
        "loss",
        "metrics",
        "early_stopping_monitor",
        "class_weights",
    }
    assert set(TABLES) <= FIELDS
    for setting, table in TABLES.items():
        assert table.setting == setting


@pytest.mark.parametrize("table", TABLES.values(), ids=list(TABLES))
def test_each_option_has_a_name_a_label_and_a_one_line_help(table):
    assert len(table) >= 2
    assert len(set(table.names)) == len(table.names)
    for option in table:
        assert option.name and option.name == option.name.strip().lower()
        assert option.label and "\n" not in option.label
        assert option.help and "\n" not in option.help and option.help.endswith(".")
        assert option.tasks and set(option.tasks) <= set(options.BOTH)
        assert set(option.settings) <= FIELDS
        assert table[option.name] is option and option.name in table
        assert table.label(option.name) == option.label


def test_the_project_checks_names_from_the_tables():
    assert OPTIMIZERS.names == project.OPTIMIZERS
    assert SCHEDULES.names == project.SCHEDULES
    assert LOSSES.names == project.LOSSES
    assert METRICS.names == project.METRICS
    assert MONITORS.names == project.MONITORS
    assert CLASS_WEIGHTS.names == project.CLASS_WEIGHTS
    assert LOSSES.names_for("classification") == project.CLASSIFICATION_LOSSES
    assert LOSSES.names_for("regression") == project.REGRESSION_LOSSES
    assert METRICS.names == project.CLASSIFICATION_METRICS + project.REGRESSION_METRICS


@pytest.mark.parametrize(
    "setting, name",
    [(setting, name) for setting, table in TABLES.items() for name in table.names],
)
def test_every_value_is_accepted_by_the_settings_and_the_file_schema(setting, name):
    value = [name] if setting == "metrics" else name
    config = TrainingConfig(**{setting: value})
    assert config.problems() == []
    data = Project(training=config).to_dict()
    assert getattr(Project.from_dict(data).training, setting) == value


@pytest.mark.parametrize("setting", [s for s in TABLES if s != "metrics"])
def test_a_value_outside_the_table_is_refused(setting):
    with pytest.raises(ModelConfigError):
        TrainingConfig(**{setting: "nonsense"}).check()
    data = Project().to_dict()
    data["training"][setting] = "nonsense"
    with pytest.raises(FileRejected):
        Project.from_dict(data)


def test_a_metric_outside_the_table_is_refused():
    with pytest.raises(ModelConfigError, match="Unknown metric nonsense"):
        TrainingConfig(metrics=["nonsense"]).check()


def test_tasks_split_losses_metrics_and_monitors():
    assert LOSSES.names_for("classification") == (
        "auto",
        "binary_crossentropy",
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
    )
    assert LOSSES.names_for("regression") == (
        "auto",
        "mean_squared_error",
        "mean_absolute_error",
        "huber",
    )
    assert LOSSES.names_for(None) == LOSSES.names
    assert METRICS.names_for("regression") == ("mae", "rmse")
    assert MONITORS.names_for("regression") == ("val_loss", "loss")
    assert OPTIMIZERS.names_for("regression") == OPTIMIZERS.names


def test_monitors_know_which_way_is_better():
    assert higher_is_better("val_accuracy") and higher_is_better("val_auc")
    assert not higher_is_better("val_loss") and not higher_is_better("loss")
    assert not higher_is_better("val_mae")
    assert [m.name for m in MONITORS if m.higher_is_better] == ["val_accuracy"]


def test_only_sgd_takes_momentum_and_nesterov():
    assert {o.name for o in OPTIMIZERS if o.settings} == {"sgd"}
    assert OPTIMIZERS["sgd"].settings == ("momentum", "nesterov")


def test_an_unknown_name_is_a_key_error_naming_the_choices():
    with pytest.raises(KeyError, match="adam, adamw"):
        OPTIMIZERS["adamx"]
    assert "adamx" not in OPTIMIZERS


def test_a_table_refuses_two_options_of_one_name():
    with pytest.raises(ValueError, match="share a name"):
        OptionTable("optimizer", Option("a", "a"), Option("a", "b"))
