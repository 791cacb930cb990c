"""Runs recorded while training: history, checkpoints, model, status; resume and continue."""

import threading

import numpy as np
import pytest

from tests.backend.test_training import Recorder
from workbench.backend import api
from workbench.backend.checkpoints import latest_checkpoint
from workbench.core.datasets import load_dataset
from workbench.core.errors import WorkbenchError
from workbench.core.listener import TrainingControl
from workbench.core.project import DatasetSpec, Project
from workbench.core.runs import RunStore
from workbench.core.templates import default_layers

TRAIN_ROWS, BATCH = 96, 32  # 3 steps per epoch


class LogRecorder(Recorder):
    """A Recorder that also keeps the log lines and every plan it was sent."""

    def __init__(self, at_batch=None, action=None):
        super().__init__(at_batch, action)
        self.lines, self.plans = [], []

    def on_plan(self, plan):
        super().on_plan(plan)
        self.plans.append(plan.epochs)

    def on_log(self, message):
        self.lines.append(message)


@pytest.fixture
def vectors(tmp_path):
    x = np.random.default_rng(1).normal(size=(120, 4))
    np.savez(tmp_path / "v.npz", x=x, y=(x[:, 0] + x[:, 1] > 0).astype(int))
    return load_dataset(tmp_path / "v.npz")


def project_for(data, epochs=3, **settings):
    project = Project(DatasetSpec(path=str(data.path), kind="npz"), default_layers(data))
    project.training.epochs = epochs
    project.training.batch_size = BATCH
    for key, value in settings.items():
        setattr(project.training, key, value)
    return project


def iterations(record) -> int:
    """The optimizer's step count stored in the run's last checkpoint."""
    checkpoint = latest_checkpoint(record.checkpoint_path)
    return int(checkpoint.optimizer[0])


def test_a_recorded_run_keeps_history_checkpoint_model_and_status(vectors, tmp_path):
    store = RunStore(tmp_path / "runs")
    recorder = LogRecorder()
    outcome, _ = api.train(project_for(vectors), vectors, recorder, store=store, run_name="first")
    record = store.get(outcome.run_id)
    assert record.name == "first" and record.status == "finished" and record.pid is None
    assert [entry["epoch"] for entry in record.history] == [1, 2, 3]
    assert all("learning_rate" in e and e["samples_per_second"] > 0 for e in record.history)
    assert record.best_epoch == outcome.best_epoch and record.samples_per_second > 0
    assert record.metrics["val_loss"] == pytest.approx(outcome.best_metrics["val_loss"])
    assert record.model_path.is_file() and outcome.model_path == str(record.model_path)
    assert [p.name for p in record.checkpoint_path.iterdir()] == ["epoch-00003"]
    assert iterations(record) == 3 * 3  # 3 epochs of 3 steps
    assert Project.from_dict(record.project).training.batch_size == BATCH
    assert any("Checkpoint saved after epoch 3" in line for line in recorder.lines)
    assert any("Training on 96 samples, validating on 24" in line for line in recorder.lines)


def test_stopped_run_resumes_with_optimizer_state_and_one_history(vectors, tmp_path):
    store = RunStore(tmp_path / "runs")
    control = TrainingControl()
    stopper = LogRecorder(at_batch=(3, 2), action=control.request_stop)
    outcome, _ = api.train(project_for(vectors, epochs=5), vectors, stopper, control, store=store)
    record = store.get(outcome.run_id)
    assert record.status == "stopped" and record.epochs_completed == 2
    assert iterations(record) == 2 * 3

    recorder = LogRecorder()
    resumed, _ = api.resume(outcome.run_id, vectors, recorder, store=store)
    record = store.get(outcome.run_id)
    assert [e for e, _, _ in recorder.epochs] == [3, 4, 5]
    assert [entry["epoch"] for entry in record.history] == [1, 2, 3, 4, 5]
    assert record.status == "finished" and resumed.run_id == record.id
    assert iterations(record) == 5 * 3  # the step count went on from the checkpoint's
    assert any("Resumed from epoch 2" in line for line in recorder.lines)
    with pytest.raises(WorkbenchError, match="continue it"):
        api.resume(record, vectors, LogRecorder(), store=store)


def test_continue_training_makes_a_linked_run(vectors, tmp_path):
    store = RunStore(tmp_path / "runs")
    outcome, _ = api.train(project_for(vectors, epochs=2), vectors, LogRecorder(), store=store)
    parent = store.get(outcome.run_id)
    recorder = LogRecorder()
    more, _ = api.continue_run(parent, vectors, 2, recorder)
    child = store.get(more.run_id)
    assert child.id != parent.id and child.parent == parent.id
    assert [entry["epoch"] for entry in child.history] == [1, 2, 3, 4]
    assert [e for e, _, _ in recorder.epochs] == [3, 4] and recorder.plan.epochs == 4
    assert iterations(child) == 4 * 3
    assert store.get(parent.id).history == parent.history  # the parent is left as it was
    assert Project.from_dict(child.project).training.epochs == 4


def test_pause_then_change_learning_rate_and_epochs_takes_effect_on_resume(vectors):
    control = TrainingControl()
    paused = threading.Event()

    def pause():
        control.pause()
        paused.set()

    recorder = LogRecorder(at_batch=(2, 1), action=pause)
    done = []
    project = project_for(vectors, epochs=3, learning_rate=0.01)
    thread = threading.Thread(
        target=lambda: done.append(api.train(project, vectors, recorder, control))
    )
    thread.start()
    assert paused.wait(60)
    control.update(learning_rate=0.002, epochs=5)
    control.resume()
    thread.join(120)
    outcome = done[0][0]
    rates = [logs["learning_rate"] for _, logs, _ in recorder.epochs]
    assert rates[0] == pytest.approx(0.01) and rates[1:] == pytest.approx([0.002] * 4)
    assert outcome.epochs_completed == 5 and recorder.plans == [3, 5]
    assert any("Learning rate changed from 0.01 to 0.002" in line for line in recorder.lines)


def test_fewer_epochs_while_training_end_after_the_current_one(vectors):
    control = TrainingControl()
    recorder = LogRecorder(at_batch=(3, 1), action=lambda: control.update(epochs=1))
    outcome, _ = api.train(project_for(vectors, epochs=6), vectors, recorder, control)
    assert outcome.epochs_completed == 3 and recorder.plans == [6, 3]
    assert any("epoch 3 is under way" in line for line in recorder.lines)


def test_cosine_schedule_rescales_when_the_rate_changes(vectors):
    control = TrainingControl()
    recorder = LogRecorder(at_batch=(2, 1), action=lambda: control.update(learning_rate=0.1))
    api.train(project_for(vectors, epochs=3, schedule="cosine"), vectors, recorder, control)
    rates = [logs["learning_rate"] for _, logs, _ in recorder.epochs]
    assert rates[0] < 1e-3 and rates[1] > 0.01  # the curve now starts from 0.1
    assert rates[2] < rates[1]  # and keeps decaying
    assert any("cosine schedule now starts from 0.1" in line for line in recorder.lines)


def test_patience_changed_while_training_stops_early(vectors):
    control = TrainingControl()
    recorder = LogRecorder(
        at_batch=(1, 1), action=lambda: control.update(early_stopping_patience=1)
    )
    project = project_for(vectors, epochs=30, learning_rate=1e-9)
    outcome, _ = api.train(project, vectors, recorder, control)
    assert outcome.epochs_completed < 30 and not outcome.stopped
    assert any(line.startswith("Early stopping after epoch") for line in recorder.lines)


def test_failed_training_marks_the_run_failed(vectors, tmp_path):
    store = RunStore(tmp_path / "runs")
    project = project_for(vectors, loss="mean_squared_error")  # numbers loss on classes
    with pytest.raises(WorkbenchError, match="cross-entropy"):
        api.train(project, vectors, LogRecorder(), store=store)
    (record,) = store.list()
    assert record.status == "failed" and "cross-entropy" in record.message


def test_resume_refuses_a_checkpoint_that_no_longer_fits(vectors, tmp_path):
    store = RunStore(tmp_path / "runs")
    outcome, _ = api.train(project_for(vectors, epochs=1), vectors, LogRecorder(), store=store)
    record = store.get(outcome.run_id)
    record.status = "stopped"
    record.project["layers"][0]["params"]["units"] = 3  # the stack changed since
    with pytest.raises(WorkbenchError, match="does not fit the model"):
        api.resume(record, vectors, LogRecorder(), store=store)


def test_a_text_model_resumes_where_it_stopped(tmp_path):
    """Text models fit the part after the vectorizer; resume restores that optimizer."""
    from tests.backend.test_training import tiny_project
    from tests.textfixtures import write_csv
    from workbench.core.textdata import load_text_table

    table = load_text_table(write_csv(tmp_path / "reviews.csv", n=120))
    store = RunStore(tmp_path / "runs")
    project = tiny_project(table, epochs=3)
    project.training.learning_rate = 0.01
    control = TrainingControl()
    stopper = LogRecorder(at_batch=(2, 1), action=control.request_stop)
    outcome, _ = api.train(project, table, stopper, control, store=store)
    stopped_loss = stopper.epochs[-1][1]["loss"]
    recorder = LogRecorder()
    resumed, predictor = api.resume(outcome.run_id, table, recorder, store=store)
    assert [e for e, _, _ in recorder.epochs] == [2, 3] and resumed.epochs_completed == 3
    assert recorder.epochs[0][1]["loss"] < stopped_loss  # learning goes on, not from scratch
    assert iterations(store.get(outcome.run_id)) == 3 * 6  # 96 texts / 16 per batch
    assert [r.label for r in predictor.predict(["superb lovely", "awful boring"])] == ["pos", "neg"]
