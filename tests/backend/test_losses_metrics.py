"""Losses and metrics by task and head: binary, multi-class and regression; the macro
metrics agree with scikit-learn; a loss that cannot fit the data is refused in words."""

import numpy as np
import pytest
from sklearn.metrics import precision_score, recall_score, roc_auc_score

from tests.backend.test_training import Recorder
from workbench.backend import api
from workbench.backend.metrics import MacroPrecision, MacroRecall, OneVsRestAUC
from workbench.core.datasets import load_dataset
from workbench.core.errors import ModelConfigError
from workbench.core.project import DatasetSpec, Project
from workbench.core.templates import default_layers


def dataset(tmp_path, y, name="d.npz"):
    x = np.random.default_rng(3).normal(size=(len(y), 4))
    x[:, 0] += np.asarray(y, dtype=float)  # learnable
    np.savez(tmp_path / name, x=x, y=y)
    return load_dataset(tmp_path / name)


def project_for(data, task="classification", epochs=2, **settings):
    project = Project(DatasetSpec(kind="npz", task=task), default_layers(data))
    project.training.epochs = epochs
    for key, value in settings.items():
        setattr(project.training, key, value)
    return project


@pytest.fixture
def three(tmp_path):
    return dataset(tmp_path, np.arange(150) % 3)


def test_macro_metrics_match_scikit_learn():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, size=200)
    probs = rng.dirichlet(np.ones(4), size=200)
    probs[np.arange(200), labels] += 0.3  # better than chance
    probs /= probs.sum(axis=1, keepdims=True)
    guesses = probs.argmax(axis=1)
    one_hot = np.eye(4)[labels]
    for truth in (labels, one_hot):  # class indices and one-hot rows both work
        precision, recall, auc = MacroPrecision(4), MacroRecall(4), OneVsRestAUC(4)
        for metric in (precision, recall, auc):
            metric.update_state(truth[:120], probs[:120])  # two batches
            metric.update_state(truth[120:], probs[120:])
        assert float(precision.result()) == pytest.approx(
            precision_score(labels, guesses, average="macro", zero_division=0), abs=1e-5
        )
        assert float(recall.result()) == pytest.approx(
            recall_score(labels, guesses, average="macro", zero_division=0), abs=1e-5
        )
        sklearn_auc = roc_auc_score(labels, probs, multi_class="ovr", average="macro")
        assert float(auc.result()) == pytest.approx(sklearn_auc, abs=0.01)


def test_a_class_never_predicted_counts_as_zero_precision():
    metric = MacroPrecision(3)
    metric.update_state(np.array([0, 1, 2]), np.eye(3)[[0, 1, 1]])
    expected = precision_score([0, 1, 2], [0, 1, 1], average="macro", zero_division=0)
    assert float(metric.result()) == pytest.approx(expected)


def test_binary_metrics_are_logged_under_stable_names(tmp_path):
    data = dataset(tmp_path, np.arange(120) % 2)
    recorder = Recorder()
    project = project_for(data, metrics=["precision", "recall", "auc"])
    api.train(project, data, recorder)
    logs = recorder.epochs[-1][1]
    for name in ("accuracy", "precision", "recall", "auc"):
        assert 0.0 <= logs[name] <= 1.0 and 0.0 <= logs[f"val_{name}"] <= 1.0


def test_multi_class_metrics_train_with_sparse_and_categorical_losses(three):
    sparse, categorical = Recorder(), Recorder()
    metrics = ["precision", "recall", "auc"]
    api.train(project_for(three, metrics=metrics), three, sparse)
    api.train(
        project_for(three, metrics=metrics, loss="categorical_crossentropy"), three, categorical
    )
    first, second = sparse.epochs[0][1], categorical.epochs[0][1]
    assert {"val_precision", "val_recall", "val_auc", "val_accuracy"} <= set(first)
    # One-hot targets with categorical cross-entropy compute the same numbers.
    for name in ("loss", "val_loss", "val_accuracy", "val_precision", "val_auc"):
        assert second[name] == pytest.approx(first[name], rel=1e-4), name


def test_regression_losses_and_metrics(tmp_path):
    data = dataset(tmp_path, np.linspace(0.0, 10.0, 120), "r.npz")
    for loss in ("mean_squared_error", "mean_absolute_error", "huber"):
        recorder = Recorder()
        api.train(project_for(data, task="regression", loss=loss), data, recorder)
        logs = recorder.epochs[-1][1]
        assert {"mae", "root_mean_squared_error", "val_mae", "val_loss"} <= set(logs)
        if loss == "mean_absolute_error":
            assert logs["val_loss"] == pytest.approx(logs["val_mae"], rel=1e-4)


@pytest.mark.parametrize(
    ("loss", "words"),
    [
        ("binary_crossentropy", "Binary cross-entropy needs 2 classes but the labels have 3"),
        ("mean_squared_error", "is for numbers, but the labels are classes"),
    ],
)
def test_a_loss_that_does_not_fit_the_data_is_explained(three, loss, words):
    with pytest.raises(ModelConfigError, match=words):
        api.train(project_for(three, loss=loss), three, Recorder())


def test_a_loss_that_does_not_fit_the_head_is_explained(tmp_path):
    data = dataset(tmp_path, np.arange(120) % 2)  # one sigmoid unit by default
    with pytest.raises(ModelConfigError, match="one sigmoid unit, which needs binary"):
        api.train(project_for(data, loss="sparse_categorical_crossentropy"), data, Recorder())


def test_a_model_trained_with_macro_metrics_opens_in_plain_keras(three, tmp_path):
    import subprocess
    import sys

    project = project_for(three, epochs=1, metrics=["precision", "recall", "auc"])
    outcome, _ = api.train(project, three, Recorder(), output_dir=tmp_path / "m")
    script = "import sys, keras; keras.models.load_model(sys.argv[1]); print('ok')"
    result = subprocess.run(
        [sys.executable, "-c", script, outcome.model_path], capture_output=True, text=True
    )
    assert result.stdout.strip() == "ok", result.stderr[-2000:]
