"""A loss that becomes NaN stops training at once, says why, and keeps good weights."""

import numpy as np

from tests.backend.test_recorded_runs import LogRecorder
from workbench.backend import api
from workbench.core.datasets import load_dataset
from workbench.core.project import DatasetSpec, Project
from workbench.core.templates import default_layers


def exploding(tmp_path):
    x = np.random.default_rng(0).normal(size=(200, 4))
    np.savez(tmp_path / "v.npz", x=x, y=x[:, 0] * 1e3 + 0.5)
    data = load_dataset(tmp_path / "v.npz")
    project = Project(DatasetSpec(kind="npz", task="regression"), default_layers(data))
    project.training.optimizer = "sgd"
    project.training.learning_rate = 10.0
    project.training.epochs = 3
    return project, data


def test_nan_loss_stops_within_the_batch_and_keeps_the_start_weights(tmp_path):
    project, data = exploding(tmp_path)
    recorder = LogRecorder()
    outcome, predictor = api.train(project, data, recorder)
    assert any("NaN or infinite at epoch 1" in line for line in recorder.lines)
    assert outcome.stopped and outcome.error
    assert "NaN or infinite" in outcome.error and "learning rate" in outcome.error
    last_loss = recorder.batches[-1]
    assert outcome.epochs_completed == 0 and last_loss[0] == 1  # never left epoch 1
    values = [p.value for p in predictor.predict_arrays(data.x[:5])]
    assert all(np.isfinite(values))  # the weights it started with, not NaN ones


def test_cli_reports_divergence_with_exit_2(tmp_path, capsys):
    from workbench.cli import main

    x = np.random.default_rng(0).normal(size=(200, 4))
    np.savez(tmp_path / "v.npz", x=x, y=x[:, 0] * 1e3 + 0.5)
    code = main(
        [
            "train",
            "--data",
            str(tmp_path / "v.npz"),
            "--optimizer",
            "sgd",
            "--learning-rate",
            "10",
            "--epochs",
            "2",
            "--output",
            str(tmp_path / "m"),
            "--json",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 2
    assert '"event": "error"' in out and "NaN or infinite" in err
    from workbench.core.runs import default_store

    (record,) = default_store().list()
    assert record.status == "failed" and "NaN or infinite" in record.message
