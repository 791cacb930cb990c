"""The Train tab on its own: the settings form, pause-time edits, shortcuts, stats and log."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox

from workbench.core.listener import TrainingPlan
from workbench.core.project import TrainingConfig
from workbench.ui.train.progress import ProgressRecorder
from workbench.ui.train.view import IDLE, PAUSED, SHORTCUTS, TRAINING, TrainView

PLAN = TrainingPlan(epochs=3, steps_per_epoch=4, train_samples=128, validation_samples=32,
                    class_names=["a", "b"])  # fmt: skip

# Every field differs from its default, so a field the form drops or mangles fails the test.
EVERYTHING = TrainingConfig(
    optimizer="sgd",
    learning_rate=0.0025,
    epochs=17,
    batch_size=48,
    validation_fraction=0.15,
    seed=7,
    test_fraction=0.1,
    momentum=0.9,
    schedule="cosine",
    early_stopping_patience=4,
    class_weights="balanced",
    clip_norm=1.5,
    loss="categorical_crossentropy",
    metrics=["precision", "auc"],
    nesterov=True,
    early_stopping_monitor="val_accuracy",
    restore_best_weights=False,
    device="cpu",
    mixed_precision=True,
)


@pytest.fixture
def view(qtbot) -> TrainView:
    widget = TrainView()
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    return widget


def test_every_setting_round_trips_through_the_form(view):
    default = TrainingConfig()
    changed = [
        f.name
        for f in dataclasses.fields(TrainingConfig)
        if getattr(EVERYTHING, f.name) != getattr(default, f.name)
    ]
    assert len(changed) == len(dataclasses.fields(TrainingConfig))
    view.set_task("classification", 3)
    view.set_config(EVERYTHING)
    assert view.config() == EVERYTHING
    view.set_config(default)
    assert view.config() == default
    view.set_task("regression", 1)  # metrics and losses of the other task are kept, not lost
    view.set_config(EVERYTHING)
    assert view.config() == EVERYTHING


def test_every_field_has_a_visible_one_line_help(view, qtbot):
    form = view.settings
    fields = [w for kind in (QComboBox, QSpinBox, QDoubleSpinBox, QCheckBox)
              for w in form.findChildren(kind)]  # fmt: skip
    assert len(fields) >= 19
    for widget in fields:
        text = form.help_text(widget)
        assert text and "\n" not in text, widget
        # shown once: in the help box, not again as a tooltip or in the status bar
        assert not widget.toolTip() and not widget.statusTip(), widget
    # Hovering (or focusing) a field puts its help under the form.
    view.learning_rate_spin.setEnabled(True)
    view.learning_rate_spin.setFocus()
    qtbot.waitUntil(lambda: "Learning rate" in view.help_label.text())
    assert "0.001 suits adam" in view.help_label.text()


def test_sgd_only_and_gpu_only_settings_follow_their_conditions(view):
    assert not view.momentum_spin.isEnabled() and not view.nesterov_check.isEnabled()
    view.optimizer_combo.setCurrentText("sgd")
    assert view.momentum_spin.isEnabled() and view.nesterov_check.isEnabled()
    assert not view.mixed_precision_check.isEnabled()  # devices unknown yet
    view.set_devices(["CPU:0"])
    assert not view.mixed_precision_check.isEnabled()
    assert "Mixed precision needs a GPU" in view.settings.devices_label.text()
    model = view.device_combo.model()
    assert not model.item(view.device_combo.findData("gpu")).isEnabled()
    view.set_devices(["CPU:0", "GPU:0"])
    assert view.mixed_precision_check.isEnabled()
    assert model.item(view.device_combo.findData("gpu")).isEnabled()
    assert not model.item(view.device_combo.findData("all_gpus")).isEnabled()  # needs two
    view.device_combo.setCurrentIndex(view.device_combo.findData("cpu"))
    assert not view.mixed_precision_check.isEnabled()


def test_losses_and_metrics_follow_the_task(view):
    view.set_task("classification", 2)
    losses = [view.loss_combo.itemData(i) for i in range(view.loss_combo.count())]
    assert "huber" not in losses and "binary_crossentropy" in losses
    assert view.loss_combo.itemText(0) == "auto (binary cross-entropy)"
    assert view.metric_checks["accuracy"].isChecked()
    assert not view.metric_checks["accuracy"].isEnabled()  # always measured
    assert view.metric_checks["auc"].isEnabled() and not view.metric_checks["auc"].isChecked()
    assert view.metric_checks["mae"].isHidden()
    view.metric_checks["auc"].click()
    assert view.config().metrics == ["auc"]

    view.set_task("classification", 5)
    assert view.loss_combo.itemText(0) == "auto (sparse categorical cross-entropy)"
    view.loss_combo.setCurrentIndex(view.loss_combo.findData("binary_crossentropy"))
    assert any("needs 2 classes" in p for p in view.config_problems())
    assert view.problems_label.isVisibleTo(view)

    view.set_task("regression", 1)
    losses = [view.loss_combo.itemData(i) for i in range(view.loss_combo.count())]
    assert "huber" in losses
    assert "does not fit" in view.loss_combo.currentText()  # the old choice stays, marked
    assert view.metric_checks["auc"].isHidden() and not view.metric_checks["rmse"].isHidden()
    assert view.plots.second_metric == "mae"
    view.monitor_combo.setCurrentText("val_accuracy")
    assert any("regression has no accuracy" in p for p in view.config_problems())


def test_paused_only_lr_epochs_and_patience_can_change_and_resume_hands_them_over(view, qtbot):
    view.set_train_reason(None)
    view.epochs_spin.setValue(3)  # a fixed number (a paused auto run: test_epochs_auto.py)
    view.start_run()
    view.set_state(TRAINING)
    recorder = ProgressRecorder()
    recorder.on_plan(PLAN)
    for step in range(1, 5):
        recorder.on_batch(1, step, {"loss": 0.5})
    recorder.on_epoch(1, {"loss": 0.5}, 100.0)
    recorder.on_batch(2, 1, {"loss": 0.4})
    view.show_progress(recorder.snapshot())
    assert not view.learning_rate_spin.isEnabled()
    view.set_state(PAUSED)
    editable = {view.learning_rate_spin, view.epochs_spin, view.patience_spin}
    for widget in view.settings._inputs():
        assert widget.isEnabled() is (widget in editable), widget
    assert "apply on Resume" in view.reason_label.text()
    assert view.pending_changes() == {}
    assert view.epochs_spin.minimum() == 2  # not below the epoch being trained
    view.learning_rate_spin.setValue(0.0005)
    view.epochs_spin.setValue(8)
    assert view.pending_changes() == {"learning_rate": 0.0005, "epochs": 8}
    order = []
    view.sig_pause_changes.connect(lambda changes: order.append(("changes", changes)))
    view.sig_pause.connect(lambda paused: order.append(("pause", paused)))
    qtbot.mouseClick(view.pause_button, Qt.MouseButton.LeftButton)
    assert order == [("changes", {"learning_rate": 0.0005, "epochs": 8}), ("pause", False)]
    assert view.pending_changes() == {}  # handed over once
    view.set_state(TRAINING)
    assert not view.epochs_spin.isEnabled()
    view.set_state(IDLE)
    assert view.epochs_spin.minimum() == 0 and view.batch_spin.isEnabled()  # Auto, then 1…
    assert view.epochs_spin.specialValueText() == "Auto" and view.config().epochs == 8


def test_shortcuts_start_pause_stop_and_continue(view, qtbot):
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    got = []
    view.sig_train.connect(lambda: got.append("train"))
    view.sig_pause.connect(lambda p: got.append(("pause", p)))
    view.sig_stop.connect(lambda: got.append("stop"))
    view.sig_continue.connect(lambda n: got.append(("continue", n)))
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(view, Qt.Key.Key_Return, ctrl)
    assert got == []  # no data yet: Train is disabled, and so is its shortcut
    view.set_train_reason(None)
    qtbot.keyClick(view, Qt.Key.Key_Return, ctrl)
    assert got == ["train"]
    view.set_state(TRAINING)
    qtbot.keyClick(view, Qt.Key.Key_P, ctrl)
    view.set_state(PAUSED)
    qtbot.keyClick(view, Qt.Key.Key_P, ctrl)
    qtbot.keyClick(view, Qt.Key.Key_Period, ctrl)
    assert got[1:] == [("pause", True), ("pause", False), "stop"]
    view.set_state(IDLE)
    shift_ctrl = ctrl | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(view, Qt.Key.Key_Return, shift_ctrl)
    assert got[-1] == "stop"  # nothing trained yet: Continue is off
    view.set_can_continue(True)
    view.continue_spin.setValue(3)
    qtbot.keyClick(view, Qt.Key.Key_Return, shift_ctrl)
    assert got[-1] == ("continue", 3)
    qtbot.mouseClick(view.continue_button, Qt.MouseButton.LeftButton)
    assert got[-1] == ("continue", 3)
    for key, button in (("start", view.train_button), ("stop", view.stop_button)):
        assert SHORTCUTS[key].split("+")[0] in button.toolTip()


def test_a_finished_run_can_be_continued_a_failed_one_cannot(view):
    view.set_train_reason(None)
    recorder = ProgressRecorder()
    recorder.on_plan(PLAN)
    recorder.on_batch(1, 1, {"loss": 0.5})
    recorder.on_epoch(1, {"loss": 0.5}, 100.0)
    view.finish_run("Finished 1 epoch.", recorder.snapshot(), error=False)
    assert view.continue_button.isEnabled()
    view.set_train_reason("Load a dataset first.")
    assert not view.continue_button.isEnabled()
    view.set_train_reason(None)
    view.finish_run("Training failed: boom", recorder.snapshot(), error=True)
    assert not view.continue_button.isEnabled()


def test_speed_epoch_time_time_left_and_log_follow_the_recorder(view):
    now = [100.0]
    recorder = ProgressRecorder(clock=lambda: now[0])
    view.start_run()
    view.set_state(TRAINING)
    recorder.on_plan(PLAN)
    recorder.on_log("Sequence length 27 (95th percentile of token counts).")
    for step in range(1, 5):
        now[0] += 0.5
        recorder.on_batch(1, step, {"loss": 0.5})
    view.show_progress(recorder.snapshot())
    assert view.speed_label.text() == "64 samples/s"  # 32 samples a batch, 2 batches a second
    assert view.epoch_time_label.text() == ""  # no epoch finished yet
    assert view.time_left_label.text() == "0:04 left"  # 8 batches left at 2 a second
    assert view.progress_label.text() == "Epoch 1/3 · batch 4/4"
    now[0] += 0.5
    recorder.on_epoch(1, {"loss": 0.4}, 80.0)
    recorder.on_log("Epoch 1 checkpoint saved.")
    view.show_progress(recorder.snapshot())
    assert view.speed_label.text() == "80 samples/s in epoch 1"  # the epoch's own figure
    assert view.epoch_time_label.text() == "2.5 s per epoch"  # from the plan: building counts
    lines = view.log_pane.lines()
    assert len(lines) == 2 and lines[1].endswith("  Epoch 1 checkpoint saved.")
    assert view.log_pane.isReadOnly()
    view.show_progress(recorder.snapshot())
    assert len(view.log_pane.lines()) == 2  # lines are appended once
    recorder.set_paused(True)
    view.show_progress(recorder.snapshot())
    assert view.time_left_label.isHidden()  # the progress text says paused
    assert view.progress_label.text().endswith("paused")
    view.start_run()
    assert view.log_pane.lines() == [] and view.speed_label.text() == ""


def test_a_short_real_training_fills_log_learning_rate_and_speed(qtbot, make_window, csv_path):
    """The one real training here: the backend's log lines and learning rate reach the view."""
    from tests.ui.conftest import LONG, load

    window = make_window(backend=True)
    load(qtbot, window, csv_path)
    view = window.train_view
    window.tabs.setCurrentWidget(view)
    view.epochs_spin.setValue(2)
    view.batch_spin.setValue(16)
    qtbot.waitUntil(view.train_button.isEnabled, timeout=LONG)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.is_training, timeout=LONG)
    qtbot.waitUntil(lambda: not window.is_training, timeout=LONG)
    assert view.result_label.text().startswith("Finished 2 epochs"), view.banner.text()
    assert view.plots.point_counts()["learning_rate"] == 2
    assert view.plots.point_counts()["val_loss"] == 2
    assert view.log_pane.lines(), "the trainer's messages reach the log pane"
    assert view.speed_label.text().endswith("samples/s in epoch 2")
    assert view.epoch_time_label.text().endswith("per epoch")
    assert view.continue_button.isEnabled()


def test_progress_texts_fit_labels_that_never_relayout_the_window(qtbot) -> None:
    """Labels updated many times a second have a fixed size (no window relayout per text),
    wide enough for the longest text they show."""
    from workbench.core.listener import TrainingPlan
    from workbench.ui.train.progress import ProgressRecorder
    from workbench.ui.train.view import TrainView

    view = TrainView()
    qtbot.addWidget(view)
    recorder = ProgressRecorder()
    recorder.on_plan(TrainingPlan(1000, 10000, 320000, 80000, ["a", "b"]))
    recorder.on_batch(999, 9999, {"loss": 0.5})
    view.show_progress(recorder.snapshot())
    for label in (view.progress_label, view.speed_label, view.time_left_label):
        assert label.minimumSize() == label.maximumSize()
    text = view.progress_label.text()
    assert "Epoch 999/1000" in text
    assert view.progress_label.fontMetrics().horizontalAdvance(text) <= view.progress_label.width()


def test_auto_class_weights_say_what_they_will_do(qtbot) -> None:
    from workbench.ui.train.view import TrainView

    view = TrainView()
    qtbot.addWidget(view)
    view.set_task("classification", 2, [2500, 100])
    assert view.class_weights_combo.currentText() == "auto → balanced (25.0x)"
    assert view.config().class_weights == "auto"
    view.set_task("classification", 2, [400, 100])
    assert view.class_weights_combo.currentText() == "auto → none (4.0x)"
    config = view.config()
    config.class_weights = "none"
    view.set_config(config)
    assert view.config().class_weights == "none"
