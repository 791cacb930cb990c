"""`workbench train` records runs; `workbench runs` lists them and exports their history;
`train --resume` continues a stopped run; the new training flags reach the trainer."""

import csv
import json

import numpy as np
import pytest

from tests.cli.test_cli import run_cli
from workbench.core.project import Project
from workbench.core.runs import default_store


@pytest.fixture
def vectors(tmp_path):
    x = np.random.default_rng(4).normal(size=(120, 4))
    np.savez(tmp_path / "v.npz", x=x, y=(x[:, 0] > 0).astype(int))
    return tmp_path / "v.npz"


def train_json(capsys, tmp_path, data, *flags):
    code, out, err = run_cli(
        capsys, "train", "--data", data, "--output", tmp_path / "m", "--json", *flags
    )
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_train_records_a_run_and_reports_speed_for_every_epoch(tmp_path, capsys, vectors):
    events = train_json(capsys, tmp_path, vectors, "--epochs", "3", "--name", "baseline")
    epochs = [e for e in events if e["event"] == "epoch"]
    assert all(e["samples_per_second"] > 0 for e in epochs[1:]) and len(epochs) == 3
    assert all("learning_rate" in e for e in epochs)
    assert any(e["event"] == "log" and "Checkpoint saved" in e["message"] for e in events)
    done = events[-1]
    (record,) = default_store().list()
    assert done["event"] == "done" and done["run_id"] == record.id
    assert record.name == "baseline" and record.status == "finished"

    code, out, _ = run_cli(capsys, "runs", "--json")
    (listed,) = json.loads(out)
    assert code == 0 and listed["id"] == record.id and listed["epochs_completed"] == 3
    assert listed["metrics"]["val_loss"] == pytest.approx(done["val_loss"])

    code, out, _ = run_cli(capsys, "runs")
    header, row = out.splitlines()
    assert code == 0 and header.startswith("ID") and record.id in row and "finished" in row


def test_runs_lists_the_test_score_when_a_run_held_one_out(tmp_path, capsys, vectors):
    train_json(capsys, tmp_path, vectors, "--epochs", "1", "--name", "none held out")
    code, out, _ = run_cli(capsys, "runs")
    assert code == 0 and "Test" not in out.splitlines()[0]  # no run has a test part
    done = train_json(capsys, tmp_path, vectors, "--epochs", "1", "--test-fraction", "0.25")[-1]
    assert done["test_rows"] == 30 and "test_accuracy" in done

    code, out, _ = run_cli(capsys, "runs")
    header, *rows = out.splitlines()
    assert code == 0 and header.split()[-1] == "Test"
    held = next(row for row in rows if done["run_id"] in row)
    assert held.rstrip().endswith(f"test_accuracy {done['test_accuracy']:.4g}")
    code, out, _ = run_cli(capsys, "runs", "--json")
    listed = {run["id"]: run for run in json.loads(out)}
    assert listed[done["run_id"]]["test"] == f"test_accuracy {done['test_accuracy']:.4g}"
    assert listed[done["run_id"]]["metrics"]["test_loss"] == pytest.approx(done["test_loss"])
    assert [run["test"] for run in listed.values() if run["id"] != done["run_id"]] == [None]


def test_new_training_flags_reach_the_run(tmp_path, capsys, vectors):
    flags = [
        "--epochs", "2", "--optimizer", "sgd", "--momentum", "0.9", "--nesterov",
        "--loss", "binary_crossentropy", "--metrics", "precision,auc",
        "--monitor", "val_accuracy", "--no-restore-best", "--device", "cpu",
    ]  # fmt: skip
    events = train_json(capsys, tmp_path, vectors, *flags)
    epoch = next(e for e in events if e["event"] == "epoch")
    assert {"val_precision", "val_auc", "precision", "auc"} <= set(epoch)
    (record,) = default_store().list()
    training = Project.from_dict(record.project).training
    assert training.nesterov and training.loss == "binary_crossentropy"
    assert training.metrics == ["precision", "auc"]
    assert training.early_stopping_monitor == "val_accuracy"
    assert not training.restore_best_weights and training.device == "cpu"


def test_runs_csv_has_one_row_per_run_and_epoch_with_settings(tmp_path, capsys, vectors):
    train_json(capsys, tmp_path, vectors, "--epochs", "2", "--learning-rate", "0.01")
    train_json(capsys, tmp_path, vectors, "--epochs", "3", "--batch-size", "16")
    target = tmp_path / "all.csv"
    code, out, _ = run_cli(capsys, "runs", "--csv", target)
    assert code == 0 and "2 run(s)" in out
    rows = list(csv.DictReader(target.open()))
    first, second = (r.id for r in default_store().list())
    assert [(r["run_id"], r["epoch"]) for r in rows] == [
        (first, "1"), (first, "2"), (second, "1"), (second, "2"), (second, "3")
    ]  # fmt: skip
    assert rows[0]["setting_learning_rate"] == "0.01" and rows[2]["setting_batch_size"] == "16"
    assert float(rows[0]["learning_rate"]) == pytest.approx(0.01)  # the rate of that epoch
    assert float(rows[4]["val_loss"]) > 0 and "Dense" in rows[0]["setting_layers"]


def test_train_resume_continues_a_stopped_run(tmp_path, capsys, vectors):
    from tests.backend.test_training import Recorder
    from workbench.backend import api
    from workbench.core.datasets import load_dataset
    from workbench.core.listener import TrainingControl
    from workbench.core.project import DatasetSpec
    from workbench.core.templates import default_layers

    data = load_dataset(vectors)
    project = Project(DatasetSpec(path=str(vectors), kind="npz"), default_layers(data))
    project.training.epochs = 4
    control = TrainingControl()
    stopper = Recorder(at_batch=(3, 1), action=control.request_stop)
    outcome, _ = api.train(project, data, stopper, control, store=default_store())

    code, out, err = run_cli(capsys, "train", "--resume", outcome.run_id, "--json")
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert [e["epoch"] for e in events if e["event"] == "epoch"] == [3, 4]
    assert events[-1]["run_id"] == outcome.run_id
    record = default_store().get(outcome.run_id)
    assert record.status == "finished" and len(record.history) == 4


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--metrics", "precision,speed"], "unknown metric speed"),
        (["--loss", "hinge"], "invalid choice: 'hinge'"),
        (["--monitor", "val_auc"], "invalid choice: 'val_auc'"),
        (["--momentum", "1.5"], "Momentum must be at least 0 and below 1"),
        (["--device", "tpu"], "invalid choice: 'tpu'"),
    ],
)
def test_bad_training_values_exit_2_with_one_line(tmp_path, capsys, vectors, flags, words):
    code, _, err = run_cli(capsys, "train", "--data", vectors, "--output", tmp_path / "o", *flags)
    assert code == 2 and words in err
    assert len(err.strip().splitlines()) == 1


def test_resume_of_an_unknown_run_exits_2(capsys):
    code, _, err = run_cli(capsys, "train", "--resume", "no-such-run")
    assert code == 2 and "No run 'no-such-run'" in err and "workbench runs" in err
    assert len(err.strip().splitlines()) == 1


# -- damage stays local ----------------------------------------------------------------------


def interrupted_run(vectors, name="interrupted"):
    """A run killed after epoch 1 (a checkpoint of made-up weights), ready to resume."""
    from tests.backend.test_checkpoints import checkpoint
    from workbench.backend.checkpoints import write_checkpoint
    from workbench.core.project import DatasetSpec

    project = Project(DatasetSpec(path=str(vectors), kind="npz"))
    run = default_store().create(project.to_dict(), name=name)
    run.status, run.pid = "interrupted", None
    run.history = [{"epoch": 1, "loss": 0.5}]
    run.save()
    write_checkpoint(run.checkpoint_path, checkpoint(1))
    return run


def test_runs_lists_healthy_runs_and_names_each_damaged_one(tmp_path, capsys, vectors):
    healthy = interrupted_run(vectors, "healthy")
    listing = interrupted_run(vectors, "a list")
    (listing.path / "run.json").write_text("[1, 2]")
    typed = interrupted_run(vectors, "typed")
    data = json.loads((typed.path / "run.json").read_text())
    (typed.path / "run.json").write_text(json.dumps({**data, "created": "today"}))

    code, out, err = run_cli(capsys, "runs")
    assert code == 0 and healthy.id in out and listing.id not in out and typed.id not in out
    lines = err.strip().splitlines()  # damaged runs come in folder order: ids made in one
    assert sorted(lines) == sorted(
        [  # second sort by their random part
            f"run {listing.id}: {listing.path}/run.json is damaged (not a run record (a JSON "
            "list)), skipped",
            f"run {typed.id}: {typed.path}/run.json is damaged (created: Input should be a valid "
            "number (got 'today')), skipped",
        ]
    )
    code, out, err = run_cli(capsys, "runs", "--json")
    assert code == 0 and [r["id"] for r in json.loads(out)] == [healthy.id]
    assert len(err.strip().splitlines()) == 2
    code, out, err = run_cli(capsys, "runs", "--csv", tmp_path / "h.csv")
    assert code == 0 and "1 run(s)" in out and len(err.strip().splitlines()) == 2


def _break_run_json(run):
    (run.path / "run.json").write_text('{"id": [')


def _break_project(run):
    data = json.loads((run.path / "run.json").read_text())
    data["project"]["training"]["epochs"] = "many"
    (run.path / "run.json").write_text(json.dumps(data))


def _state(run):
    return run.checkpoint_path / "epoch-00001" / "state.json"


def _state_a_list(run):
    _state(run).write_text("[1, 2, 3]")


def _state_wrong_field(run):
    state = json.loads(_state(run).read_text())
    _state(run).write_text(json.dumps({**state, "wait": "soon"}))


def _weights_truncated(run):
    weights = run.checkpoint_path / "epoch-00001" / "weights.npz"
    weights.write_bytes(weights.read_bytes()[:100])


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (_break_run_json, "run.json: not valid JSON"),
        (_break_project, "the settings saved with run"),
        (_state_a_list, "state.json: not a checkpoint state (a JSON list)"),
        (_state_wrong_field, "state.json: wait: Input should be a valid integer"),
        (_weights_truncated, "weights.npz: damaged or truncated"),
    ],
)
def test_resume_of_a_damaged_run_exits_2_with_one_line(capsys, vectors, damage, words):
    run = interrupted_run(vectors)
    damage(run)
    code, out, err = run_cli(capsys, "train", "--resume", run.id)
    assert code == 2 and words in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err + out
    assert str(run.path) in err


def test_train_into_an_unwritable_workspace_exits_2_with_one_line(
    tmp_path, capsys, vectors, monkeypatch
):
    blocker = tmp_path / "a-file"
    blocker.write_text("the workspace cannot be made under a file")
    monkeypatch.setenv("WORKBENCH_HOME", str(blocker / "home"))
    code, _, err = run_cli(
        capsys, "train", "--data", vectors, "--output", tmp_path / "o", "--epochs", "1"
    )
    assert code == 2 and "set WORKBENCH_HOME to a folder you can write to" in err, err
    assert len(err.strip().splitlines()) == 1 and str(blocker) in err
    code, out, _ = run_cli(capsys, "runs")
    assert code == 0 and "No runs yet" in out
