"""Sweeps in the window: the dialog checks the grid; runs train one after another; cancel.

The dialog tests need no TensorFlow; the sweep runs train the tiny text model for real.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.conftest import LONG, load
from workbench.core.layers import LayerSpec
from workbench.core.project import Project
from workbench.ui.runs.sweep_dialog import SweepDialog

LEFT = Qt.MouseButton.LeftButton


def test_dialog_counts_runs_and_explains_bad_values(qtbot) -> None:
    project = Project()
    project.layers.insert(3, LayerSpec("Dropout", {"rate": 0.5}))
    dialog = SweepDialog(project)
    qtbot.addWidget(dialog)
    assert not dialog.start_button.isEnabled()
    assert "at least two values" in dialog.problem_label.text()
    qtbot.keyClicks(dialog.learning_rate_edit, "0.001, 0.01")
    qtbot.keyClicks(dialog.batch_edit, "16 32 64")
    assert dialog.count_label.text() == "6 runs"
    assert dialog.start_button.isEnabled()
    qtbot.keyClicks(dialog.units_edit, "8, x")
    assert not dialog.start_button.isEnabled()
    assert dialog.problem_label.text() == (
        "Units: 'x' is not a number; give whole numbers separated by commas."
    )
    dialog.units_edit.clear()
    qtbot.keyClicks(dialog.units_edit, "8, 32")
    assert dialog.units_layer_combo.currentText() == "3: LSTM(64)"
    qtbot.keyClicks(dialog.dropout_edit, "0.1, 0.3")
    assert dialog.count_label.text() == "24 runs"
    points = dialog.points()
    assert len(points) == 24
    assert {p.project.layers[2].params["units"] for p in points} == {8, 32}
    assert {p.project.layers[3].params["rate"] for p in points} == {0.1, 0.3}
    assert project.layers[2].params["units"] == 64  # the window's project is left alone


def test_dialog_without_dropout_or_units_disables_those_fields(qtbot) -> None:
    project = Project()
    project.layers = [LayerSpec("Dense", {"units": 1, "activation": "sigmoid"})]
    dialog = SweepDialog(project)
    qtbot.addWidget(dialog)
    assert not dialog.units_edit.isEnabled() and not dialog.units_layer_combo.isEnabled()
    assert not dialog.dropout_edit.isEnabled()
    assert dialog.dropout_edit.placeholderText() == "no Dropout layer in the model"
    qtbot.keyClicks(dialog.batch_edit, "8, 16")
    assert dialog.start_button.isEnabled() and dialog.count_label.text() == "2 runs"


def sweep_window(qtbot, make_window, csv_path):
    window = make_window(backend=True)
    load(qtbot, window, csv_path)
    qtbot.waitUntil(lambda: window.train_view.train_button.isEnabled(), timeout=LONG)
    # The backend's devices reach the Train tab's device choice.
    devices = window.train_view.settings.devices_label
    qtbot.waitUntil(lambda: "CPU:0" in devices.text(), timeout=LONG)
    return window


def test_sweep_runs_one_after_another_and_marks_the_best(qtbot, make_window, csv_path):
    window = sweep_window(qtbot, make_window, csv_path)
    window.train_view.epochs_spin.setValue(2)
    project = window.project
    project.training = window.train_view.config()
    dialog = SweepDialog(project, window)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.learning_rate_edit, "0.0001, 0.01")
    window.runs.start_sweep(dialog.points())
    view = window.runs_view
    assert window.tabs.currentWidget() is view
    assert view.sweep_label.text().startswith("Sweep run 1/2: lr 0.0001")
    assert view.cancel_sweep_button.isVisible() and not view.sweep_button.isEnabled()
    first = window.training.thread
    qtbot.waitUntil(lambda: "2/2" in view.sweep_label.text(), timeout=LONG)
    assert first.isFinished()  # one training thread at a time: the first had ended
    qtbot.waitUntil(lambda: not window.runs.sweep_running, timeout=LONG)
    runs = window.store.list()
    assert [r.name for r in runs] == ["sweep 1/2: lr 0.0001", "sweep 2/2: lr 0.01"]
    assert [r.status for r in runs] == ["finished", "finished"]
    assert [Project.from_dict(r.project).training.learning_rate for r in runs] == [1e-4, 1e-2]
    assert len(runs[0].history) == 2 and len(runs[1].history) == 2
    # The best by val_loss is starred and both sweep runs are selected for the overlay.
    losses = {r.id: min(e["val_loss"] for e in r.history) for r in runs}
    assert view.best_id == min(losses, key=losses.get)
    assert sorted(view.selected_ids()) == sorted(losses)
    assert len(view.curves) == 2
    assert not view.sweep_label.isVisible()
    assert window.statusBar().currentMessage().startswith("Sweep finished. Best by val_loss: ")

    # Open the best run's saved model for prediction: the Predict tab answers with it.
    view.select_ids([view.best_id])
    assert view.predict_button.isEnabled()
    window.session.set_predictor(None)
    qtbot.mouseClick(view.predict_button, LEFT)
    qtbot.waitUntil(lambda: window.predictor is not None, timeout=LONG)
    predict = window.predict_view
    assert window.tabs.currentWidget() is predict and predict.text_edit.isEnabled()
    qtbot.keyClicks(predict.text_edit, "a lovely and wonderful movie")
    qtbot.keyClick(predict.text_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: predict.label_value.text() in {"pos", "neg"}, timeout=LONG)
    assert window.session.last_run_id == view.best_id


def test_cancel_sweep_stops_the_current_run_and_starts_no_more(qtbot, make_window, csv_path):
    window = sweep_window(qtbot, make_window, csv_path)
    window.train_view.epochs_spin.setValue(300)
    project = window.project
    project.training = window.train_view.config()
    dialog = SweepDialog(project, window)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.batch_edit, "4, 8, 16")
    window.runs.start_sweep(dialog.points())
    thread = window.training.thread
    qtbot.waitUntil(lambda: thread.recorder.snapshot().epochs_done >= 1, timeout=LONG)
    qtbot.mouseClick(window.runs_view.cancel_sweep_button, LEFT)
    qtbot.waitUntil(lambda: not window.runs.sweep_running and not window.is_training, timeout=LONG)
    runs = window.store.list()
    assert [r.status for r in runs] == ["stopped"]
    assert window.statusBar().currentMessage().startswith("Sweep cancelled after 1 of 3 runs.")
    assert window.train_view.train_button.isEnabled()
