"""Projects: defaults, JSON round trip, atomic saves, damaged files."""

import json

import pytest

from workbench.core.errors import ModelConfigError, WorkbenchError
from workbench.core.project import SCHEMA_VERSION, Project, TrainingConfig
from workbench.core.templates import fit_head, fit_sequence_length, head_for, text_classifier


def test_default_project_is_the_seed_text_classifier():
    project = Project()
    assert [layer.describe() for layer in project.layers] == [
        "TextVectorization(10000, len 100)",
        "Embedding(10000, 64)",
        "LSTM(64)",
        "Dense(1, sigmoid)",
    ]
    assert project.layers[1].params["mask_zero"] is True
    t = project.training
    assert (t.optimizer, t.batch_size) == ("adam", 32)


def test_head_follows_the_number_of_classes():
    assert head_for(2) == (1, "sigmoid", "binary_crossentropy")
    assert head_for(5) == (5, "softmax", "sparse_categorical_crossentropy")
    layers = text_classifier(2)
    assert fit_head(layers, 4) is True
    assert layers[-1].params == {"units": 4, "activation": "softmax"}
    assert fit_head(layers, 4) is False
    assert fit_sequence_length(layers, 24) is True
    assert layers[0].params["output_sequence_length"] == 24


def test_save_and_load_round_trip(tmp_path):
    project = Project()
    project.training.epochs = 7
    project.layers[2].params["units"] = 16
    path = tmp_path / "p" / "project.json"
    project.save(path)
    loaded = Project.load(path)
    assert loaded.training.epochs == 7
    assert loaded.layers[2].params["units"] == 16
    assert json.loads(path.read_text())["schema_version"] == SCHEMA_VERSION
    assert [p.name for p in path.parent.iterdir()] == ["project.json"]  # no temp files left


def test_newer_or_damaged_project_files_are_refused_in_words(tmp_path):
    newer = tmp_path / "new.json"
    newer.write_text(json.dumps({"schema_version": SCHEMA_VERSION + 1}))
    with pytest.raises(WorkbenchError, match="newer Training Workbench"):
        Project.load(newer)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(WorkbenchError, match=r"broken\.json: not valid JSON"):
        Project.load(broken)


def test_training_config_problems_are_named():
    config = TrainingConfig(learning_rate=0, epochs=0, validation_fraction=0.95)
    text = " ".join(config.problems())
    assert "Learning rate" in text and "Epochs" in text and "Validation fraction" in text
    with pytest.raises(ModelConfigError):
        config.check()


def test_auto_loss_follows_task_and_classes() -> None:
    from workbench.core.project import resolve_loss

    assert resolve_loss("auto", 2, "classification") == "binary_crossentropy"
    assert resolve_loss("auto", 5, "classification") == "sparse_categorical_crossentropy"
    assert resolve_loss("auto", 0, "regression") == "mean_squared_error"
    assert resolve_loss("huber", 0, "regression") == "huber"


def test_wrong_loss_for_the_data_is_explained() -> None:
    from workbench.core.project import loss_problem

    assert loss_problem("auto", 3, "classification") is None
    assert "target is a number" in loss_problem("binary_crossentropy", 0, "regression")
    assert "labels are classes" in loss_problem("huber", 2, "classification")
    assert "has 4" in loss_problem("binary_crossentropy", 4, "classification").replace(
        "have", "has"
    )


def test_metrics_keep_the_basics_and_drop_what_does_not_apply() -> None:
    from workbench.core.project import resolve_metrics

    assert resolve_metrics(["auc", "mae"], "classification") == ["accuracy", "auc"]
    assert resolve_metrics(["rmse", "auc"], "regression") == ["mae", "rmse"]


def test_auto_class_weights_follow_the_imbalance() -> None:
    from workbench.core.project import imbalance, resolve_class_weights

    assert imbalance([30, 20]) == 1.5 and imbalance([5]) == 1.0 and imbalance([0, 4, 2]) == 2.0
    assert resolve_class_weights("auto", [200, 10]) == "balanced"
    assert resolve_class_weights("auto", [199, 10]) == "none"
    assert resolve_class_weights("none", [90, 10]) == "none"
    assert resolve_class_weights("balanced", [10, 10]) == "balanced"
