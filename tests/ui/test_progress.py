"""Training progress bookkeeping and its display, without TensorFlow."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from workbench.core.listener import TrainingOutcome, TrainingPlan
from workbench.core.outcome import describe_outcome
from workbench.ui.train.progress import ProgressRecorder, format_duration
from workbench.ui.train.view import IDLE, PAUSED, STOPPING, TRAINING, TrainView

ROOT = Path(__file__).resolve().parents[2]
PLAN = TrainingPlan(
    epochs=2,
    steps_per_epoch=4,
    train_samples=128,
    validation_samples=32,
    class_names=["neg", "pos"],
)


def run_epoch(recorder: ProgressRecorder, epoch: int, means: list[float]) -> None:
    for step, mean in enumerate(means, start=1):
        recorder.on_batch(epoch, step, {"loss": mean, "accuracy": 0.5})


def test_recorder_keeps_running_mean_and_each_batch_loss():
    recorder = ProgressRecorder()
    recorder.on_plan(PLAN)
    run_epoch(recorder, 1, [1.0, 0.8, 0.6, 0.5])  # batch losses 1.0, 0.6, 0.2, 0.2
    snap = recorder.snapshot()
    np.testing.assert_allclose(snap.batch_x, [0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(snap.batch_mean_y, [1.0, 0.8, 0.6, 0.5])
    np.testing.assert_allclose(snap.batch_y, [1.0, 0.6, 0.2, 0.2])
    assert snap.batch_x.dtype == np.float64
    recorder.on_epoch(
        1, {"loss": 0.5, "accuracy": 0.7, "val_loss": 0.6, "val_accuracy": 0.65}, 90.0
    )
    run_epoch(recorder, 2, [0.4, float("nan")])
    snap = recorder.snapshot()
    assert (snap.epoch, snap.step, snap.epochs_done, snap.steps_done) == (2, 2, 1, 6)
    assert np.isnan(snap.batch_y[-1])  # a diverging loss shows, it does not vanish
    assert snap.accuracy_key == "accuracy"
    np.testing.assert_allclose(snap.epochs["val_accuracy"][1], [0.65])
    assert snap.describe().startswith("Epoch 2/2 · batch 2/4 · ")
    assert snap.describe().endswith(" left")


def test_recorder_versions_views_and_pause():
    recorder = ProgressRecorder()
    assert recorder.snapshot().describe() == "Preparing data and model…"
    recorder.on_plan(PLAN)
    run_epoch(recorder, 1, [1.0])
    first = recorder.snapshot()
    run_epoch(recorder, 1, [1.0, 0.9])
    assert recorder.snapshot().version > first.version
    assert len(first.batch_x) == 1  # an earlier snapshot is not changed by later batches
    recorder.set_paused(True)
    snap = recorder.snapshot()
    assert snap.paused and snap.describe().endswith("paused")
    recorder.set_paused(False)
    assert not recorder.snapshot().paused


def test_format_duration():
    assert [format_duration(s) for s in (0, 12.4, 185, 3723)] == ["0:00", "0:12", "3:05", "1:02:03"]


def test_outcome_sentences():
    stopped = TrainingOutcome(True, 0, None, {}, None)
    assert describe_outcome(stopped, None).startswith("Stopped during epoch 1, before")
    done = TrainingOutcome(False, 3, 2, {"val_accuracy": 0.875, "val_loss": 0.3}, 1500.0)
    text = describe_outcome(done, None)
    assert "Finished 3 epochs." in text
    assert "Best validation accuracy 87.5% (epoch 2)." in text
    later = TrainingOutcome(True, 2, 2, {"val_accuracy": 0.9}, None)
    assert describe_outcome(later, None).startswith("Stopped after epoch 2.")


def test_train_view_shows_progress_and_buttons_follow_state(qtbot):
    view = TrainView()
    qtbot.addWidget(view)
    view.show()
    view.set_train_reason(None)
    assert view.train_button.isEnabled() and not view.stop_button.isEnabled()
    view.start_run()
    view.set_state(TRAINING)
    assert not view.train_button.isEnabled() and view.stop_button.isEnabled()
    assert not view.epochs_spin.isEnabled()
    recorder = ProgressRecorder()
    recorder.on_plan(PLAN)
    run_epoch(recorder, 1, [0.9, 0.8, 0.7])
    view.show_progress(recorder.snapshot())
    assert view.progress_bar.maximum() == 8 and view.progress_bar.value() == 3
    assert view.progress_label.text().startswith("Epoch 1/2 · batch 3/4")
    assert view.plots.point_counts()["batch"] == 3
    view.set_state(PAUSED)
    assert view.pause_button.text() == "Resume"
    view.set_state(STOPPING)
    assert not view.stop_button.isEnabled()
    assert "Stopping" in view.reason_label.text()
    view.finish_run("Stopped after epoch 1 of 2.", recorder.snapshot(), error=False)
    assert view.state == IDLE
    assert view.result_label.text() == "Stopped after epoch 1 of 2."
    view.finish_run("Training failed: boom", None, error=True)
    assert view.banner.text() == "Training failed: boom"


def test_many_redraws_do_not_exhaust_none_or_true():
    """Guards the PySide6 pin: 6.12.0's abi3 wheel on Python < 3.12 drops a reference to
    None on every void Qt call and to True on every emit, and this many repaints of the live
    plots abort the interpreter ('deallocating None'). Runs in a child process so a bad
    PySide6 cannot take pytest down with it.
    """
    code = textwrap.dedent(
        """
        import os, sys
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtCore import QObject, Signal
        from PySide6.QtWidgets import QApplication
        from workbench.core.listener import TrainingPlan
        from workbench.ui.train.progress import ProgressRecorder
        from workbench.ui.train.view import TrainView
        app = QApplication([])
        view = TrainView(); view.show()
        recorder = ProgressRecorder()
        recorder.on_plan(TrainingPlan(5, 200, 6400, 1600, ["a", "b"]))
        for i in range(250):
            recorder.on_batch(1 + i // 200, i % 200 + 1, {"loss": 0.5})
            view.show_progress(recorder.snapshot())
            app.processEvents()
        class Pinger(QObject):
            ping = Signal()
        pinger = Pinger()
        for _ in range(20000):
            pinger.ping.emit()
        print("survived")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "survived" in result.stdout


@pytest.mark.parametrize("state", [IDLE, TRAINING])
def test_config_form_locks_while_training(qtbot, state):
    view = TrainView()
    qtbot.addWidget(view)
    view.set_state(state)
    assert view.learning_rate_spin.isEnabled() is (state == IDLE)


def test_advanced_settings_round_trip_through_the_form(qtbot):
    from workbench.core.project import TrainingConfig

    view = TrainView()
    qtbot.addWidget(view)
    assert not view.momentum_spin.isEnabled()  # adam: momentum does not apply
    view.optimizer_combo.setCurrentText("sgd")
    assert view.momentum_spin.isEnabled()
    view.momentum_spin.setValue(0.9)
    view.schedule_combo.setCurrentText("cosine")
    view.patience_spin.setValue(3)
    view.class_weights_combo.setCurrentText("balanced")
    view.clip_spin.setValue(1.0)
    config = view.config()
    assert (config.optimizer, config.momentum, config.schedule) == ("sgd", 0.9, "cosine")
    assert (config.early_stopping_patience, config.class_weights, config.clip_norm) == (
        3,
        "balanced",
        1.0,
    )
    view.set_config(TrainingConfig())  # epochs auto: patience 0 is auto's own
    assert view.patience_spin.text() == "auto" and view.clip_spin.text() == "off"
    view.set_config(TrainingConfig(epochs=5))
    assert view.patience_spin.text() == "off"


def test_curves_redraw_at_most_every_quarter_second_unless_forced(qtbot):
    from workbench.core.listener import TrainingPlan
    from workbench.ui.train.plots import LivePlots

    plots = LivePlots()
    qtbot.addWidget(plots)
    recorder = ProgressRecorder()
    recorder.on_plan(TrainingPlan(1, 10, 100, 20, ["a", "b"]))
    recorder.on_batch(1, 1, {"loss": 0.7})
    assert plots.update_from(recorder.snapshot())
    recorder.on_batch(1, 2, {"loss": 0.6})
    assert not plots.update_from(recorder.snapshot())  # too soon: painting costs training
    assert plots.point_counts()["batch"] == 1
    assert plots.update_from(recorder.snapshot(), force=True)  # the end of a run
    assert plots.point_counts()["batch"] == 2


def test_log_lines_are_stamped_kept_in_order_and_read_once_per_view():
    from workbench.ui.train.progress import LOG_LINES_KEPT

    recorder = ProgressRecorder()
    recorder.on_log("Sequence length 27.")
    first = recorder.snapshot()
    assert first.log_total == 1 and first.log_lines[0].endswith("  Sequence length 27.")
    assert first.log_lines[0][2] == ":"  # HH:MM:SS first
    for i in range(LOG_LINES_KEPT + 5):
        recorder.on_log(f"line {i}")
    snap = recorder.snapshot()
    assert snap.version > first.version
    assert snap.log_total == LOG_LINES_KEPT + 6
    assert len(snap.log_lines) == LOG_LINES_KEPT  # the oldest are dropped
    assert snap.log_since(snap.log_total - 2)[-1].endswith("line 2004")
    assert [line.split("  ")[1] for line in snap.log_since(snap.log_total - 2)] == [
        "line 2003",
        "line 2004",
    ]
    assert snap.log_since(snap.log_total) == []
    assert first.log_lines == (first.log_lines[0],)  # an old snapshot does not change


def test_epoch_time_and_speed_leave_pauses_out():
    now = [10.0]
    recorder = ProgressRecorder(clock=lambda: now[0])
    recorder.on_plan(PLAN)  # epoch 1's clock starts here (building the model counts)
    now[0] = 11.0
    run_epoch(recorder, 1, [1.0, 0.9])
    recorder.set_paused(True)
    now[0] = 40.0  # a long pause
    recorder.set_paused(False)
    now[0] = 42.0
    run_epoch(recorder, 1, [1.0, 0.9, 0.8, 0.7])
    recorder.on_epoch(1, {"loss": 0.7}, 0.0)  # a speed of 0 means "not measured"
    snap = recorder.snapshot()
    assert snap.epoch_seconds == (pytest.approx(3.0),)  # 32 s minus the 29 s pause
    assert snap.seconds_per_epoch == pytest.approx(3.0)
    assert snap.samples_per_second is not None  # estimated from the batches instead
    now[0] = 46.0
    recorder.on_epoch(2, {"loss": 0.6}, 250.0)
    snap = recorder.snapshot()
    assert snap.epoch_seconds[-1] == pytest.approx(4.0)
    assert snap.samples_per_second == 250.0


def test_progress_bar_moves_a_few_times_a_second_and_always_at_the_end(qtbot, monkeypatch):
    """QProgressBar repaints synchronously when it moves: it follows at most
    PROGRESS_BAR_HZ ticks a second, while the text beside it follows every tick."""
    from types import SimpleNamespace

    from workbench.ui.train import view as train_view

    clock = SimpleNamespace(now=100.0)
    monkeypatch.setattr(train_view, "time", SimpleNamespace(monotonic=lambda: clock.now))
    view = TrainView()
    qtbot.addWidget(view)
    view.start_run()
    view.set_state(TRAINING)
    recorder = ProgressRecorder()
    recorder.on_plan(PLAN)  # 2 epochs of 4 batches
    recorder.on_batch(1, 1, {"loss": 0.9})
    view.show_progress(recorder.snapshot())
    assert view.progress_bar.value() == 1
    recorder.on_batch(1, 2, {"loss": 0.8})
    clock.now += 0.1  # the next tick: the text moves, the bar waits
    view.show_progress(recorder.snapshot())
    assert view.progress_bar.value() == 1
    assert "batch 2/4" in view.progress_label.text()
    clock.now += 1.0 / train_view.PROGRESS_BAR_HZ
    view.show_progress(recorder.snapshot())
    assert view.progress_bar.value() == 2
    for epoch, step in ((1, 3), (1, 4), (2, 1), (2, 2), (2, 3), (2, 4)):
        recorder.on_batch(epoch, step, {"loss": 0.5})
    view.show_progress(recorder.snapshot())  # the same instant, but the last batch
    assert view.progress_bar.value() == view.progress_bar.maximum() == 8
