"""The real window and the real TensorFlow backend, driven the way a person would.

Open the sample, read the model summary, shrink the model in the form, train, stop
mid-epoch, and predict. Also: an invalid stack marks the culprit row and blocks Train.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import LONG
from workbench.core.samples import DEFAULT_SAMPLE
from workbench.ui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton


def summary_row(window: MainWindow, row: int) -> list[str]:
    model = window.model_view.stack_model
    return [model.index(row, column).data() for column in range(4)]


def wait_until_trainable(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.train_view.train_button.isEnabled(), timeout=LONG)


@pytest.fixture
def live_window(make_window) -> MainWindow:
    """A window with the backend loading TensorFlow behind it."""
    return make_window(backend=True)


def open_sample(qtbot, window: MainWindow) -> None:
    window.sample_actions[DEFAULT_SAMPLE.name].trigger()  # File > Open sample > …
    qtbot.waitUntil(lambda: window.table is not None, timeout=LONG)
    qtbot.waitUntil(lambda: window.backend_ready, timeout=LONG)
    wait_until_trainable(qtbot, window)


def test_person_trains_stops_midway_and_predicts(qtbot, live_window, tmp_path):
    window = live_window
    open_sample(qtbot, window)
    assert window.backend_label.text().startswith("Backend ready: Keras 3.")
    classes = set(window.table.class_names())
    assert classes == {"cognition", "communication"}

    # The summary reads like model.summary() for the default stack chosen for these short
    # texts: a bag of words and word pairs.
    assert summary_row(window, 0) == [
        "1",
        "TextVectorization(20000, multi_hot, 2-grams)",
        "(None, 20000)",
        "0",
    ]
    assert summary_row(window, 1) == ["2", "Dense(64, relu)", "(None, 64)", "1,280,064"]
    assert summary_row(window, 2) == ["3", "Dropout(0.5)", "(None, 64)", "0"]
    assert summary_row(window, 3) == ["4", "Dense(1, sigmoid)", "(None, 1)", "65"]
    assert window.model_view.total_label.text().startswith("Total params: 1,280,129")

    # Shrink the hidden layer in the parameter form: the summary follows.
    window.tabs.setCurrentWidget(window.model_view)
    window.model_view.stack_view.selectRow(1)
    units = window.model_view.param_form.editor("units")
    units.selectAll()
    qtbot.keyClicks(units, "16")
    qtbot.waitUntil(lambda: summary_row(window, 1)[3] == "320,016", timeout=LONG)  # 20000*16+16
    assert summary_row(window, 1)[1] == "Dense(16, relu)"
    wait_until_trainable(qtbot, window)

    # Small settings, then Train.
    view = window.train_view
    window.tabs.setCurrentWidget(view)
    view.epochs_spin.setValue(2)
    view.batch_spin.setValue(16)
    wait_until_trainable(qtbot, window)
    qtbot.mouseClick(view.train_button, LEFT)
    assert window.is_training
    assert not window.model_view.palette_tree.isEnabled()  # no edits while training
    assert not window.open_action.isEnabled()
    assert not window.data_view.label_combo.isEnabled()

    def batches_done() -> int:
        thread = window.training.thread
        return thread.recorder.snapshot().steps_done if thread else 0

    qtbot.waitUntil(lambda: batches_done() >= 5, timeout=LONG)
    window.tabs.setCurrentWidget(window.data_view)  # the window stays usable meanwhile
    window.tabs.setCurrentWidget(view)

    # Pause holds the run at a batch boundary; Resume lets it go on.
    qtbot.mouseClick(view.pause_button, LEFT)
    assert view.pause_button.text() == "Resume"
    qtbot.wait(300)
    held = batches_done()
    qtbot.wait(300)
    assert batches_done() == held
    qtbot.mouseClick(view.pause_button, LEFT)
    qtbot.waitUntil(lambda: batches_done() > held, timeout=LONG)

    # Stop mid-epoch: training ends within about a batch, the model is kept.
    qtbot.mouseClick(view.stop_button, LEFT)
    qtbot.waitUntil(lambda: not window.is_training, timeout=10_000)
    outcome = window.training.last_outcome
    assert outcome is not None and outcome.stopped
    assert outcome.epochs_completed < 2
    assert "Stopped" in view.result_label.text()
    assert view.plots.point_counts()["batch"] > 0
    assert view.train_button.isEnabled()
    assert window.model_view.palette_tree.isEnabled()
    assert window.export_action.isEnabled()

    # Predict: type a text, press Enter.
    predict = window.predict_view
    window.tabs.setCurrentWidget(predict)
    assert predict.text_edit.isEnabled()
    qtbot.keyClicks(predict.text_edit, "a written message sent to a friend")
    qtbot.keyClick(predict.text_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: predict.label_value.text() in classes, timeout=LONG)
    probabilities = predict.probability_model.probabilities()
    assert set(probabilities) == classes
    assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-4)
    assert predict.confidence_label.text().startswith("Confidence ")

    # File > Export model… writes a .keras file (the dialog's answer given directly).
    window.predict.export_model(tmp_path / "topics")
    saved = tmp_path / "topics.keras"
    qtbot.waitUntil(lambda: "Model saved to" in window.statusBar().currentMessage(), timeout=LONG)
    assert saved.is_file() and saved.stat().st_size > 0


def test_unexpected_training_error_is_shown_and_the_ui_recovers(qtbot, live_window, monkeypatch):
    window = live_window
    open_sample(qtbot, window)
    from workbench.backend import trainer

    def explode(self, listener, control, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(trainer.Trainer, "run", explode)
    view = window.train_view
    window.tabs.setCurrentWidget(view)
    qtbot.mouseClick(view.train_button, LEFT)
    qtbot.waitUntil(lambda: not window.is_training, timeout=LONG)
    assert view.banner.text() == "Unexpected error while training: RuntimeError: disk on fire"
    assert view.train_button.isEnabled()
    assert window.model_view.palette_tree.isEnabled()
    assert window.open_action.isEnabled()
    assert window.predictor is None
    # The run is kept in the Runs tab as failed, with the reason.
    (run,) = window.runs_view.records()
    assert run.status == "failed" and run.message == "disk on fire"


def test_invalid_layers_mark_the_row_and_disable_train(qtbot, live_window):
    window = live_window
    open_sample(qtbot, window)
    view = window.model_view
    train = window.train_view

    # Embedding vocabulary smaller than the vectorizer's (in the sequence template).
    window.model.use_template("seed-lstm")
    wait_until_trainable(qtbot, window)
    view.select_row(1)
    view.param_form.editor("input_dim").setValue(100)
    qtbot.waitUntil(lambda: 1 in view.row_errors(), timeout=LONG)
    assert "smaller than the vectorizer's 10000" in view.row_errors()[1]
    assert "Layer 2:" in view.error_label.text()
    assert not train.train_button.isEnabled()
    assert train.reason_label.text().startswith("Layer 2:")
    view.param_form.editor("input_dim").setValue(10000)
    wait_until_trainable(qtbot, window)
    assert view.row_errors() == {}

    # An LSTM after a pooling layer gets no sequence.
    view.select_row(1)
    items = view.palette_tree.findItems(
        "GlobalMaxPooling1D", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive
    )
    view.palette_tree.setCurrentItem(items[0])
    qtbot.mouseClick(view.add_button, LEFT)
    assert [layer.kind for layer in view.layers][2:4] == ["GlobalMaxPooling1D", "LSTM"]
    qtbot.waitUntil(lambda: 3 in view.row_errors(), timeout=LONG)
    assert "LSTM needs a sequence" in view.row_errors()[3]
    assert not train.train_button.isEnabled()
    assert "Layer 4:" in train.reason_label.text()

    # Removing the pooling layer makes the stack trainable again.
    view.select_row(2)
    qtbot.mouseClick(view.remove_button, LEFT)
    wait_until_trainable(qtbot, window)
    assert view.row_errors() == {}
