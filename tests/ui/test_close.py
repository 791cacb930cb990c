"""Closing the window mid-training: it asks; No keeps training; Yes stops within 2 seconds.

A real (tiny) training runs on the training thread; the question is answered by a stand-in
for QMessageBox.question. "Within 2 seconds" is the requirement itself, measured here from
the close request to the end of the training thread (window.close() returns only after
shutdown has joined every thread).
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.ui.conftest import LONG, load
from workbench.ui.train.view import PAUSED, TRAINING

LEFT = Qt.MouseButton.LeftButton
CLOSE_LIMIT_S = 2.0


def start_long_training(qtbot, window, csv_path):
    """Many small batches over many epochs: the run is surely still going when we close."""
    load(qtbot, window, csv_path)
    qtbot.waitUntil(lambda: window.train_view.train_button.isEnabled(), timeout=LONG)
    view = window.train_view
    view.epochs_spin.setValue(500)
    view.batch_spin.setValue(2)
    qtbot.mouseClick(view.train_button, LEFT)
    thread = window.training.thread
    assert thread is not None
    # Past the first two epochs: graphs are compiled, checkpoints are being written.
    qtbot.waitUntil(lambda: thread.recorder.snapshot().epochs_done >= 2, timeout=LONG)
    return thread


def test_close_asks_no_keeps_training_yes_stops_within_two_seconds(
    qtbot, make_window, csv_path, monkeypatch
):
    window = make_window(backend=True)
    thread = start_long_training(qtbot, window, csv_path)
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.No]

    def question(parent, title, text, *args, **kwargs):
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(QMessageBox, "question", question)
    try:
        closed_in = check_close(qtbot, window, thread, answer)
    finally:  # even when a check fails, the window must not stay open with its thread
        answer[0] = QMessageBox.StandardButton.Yes
        window.close()
    print(f"close request to thread end: {closed_in:.2f} s")
    assert len(asked) == 2 and "Stop it and quit?" in asked[0]
    # The run is kept as stopped (not left "running" to be offered for resume).
    (run,) = window.store.list()
    assert run.status == "stopped" and run.epochs_completed >= 2
    assert window.store.interrupted() == []


def check_close(qtbot, window, thread, answer) -> float:
    """No keeps training (and the keyboard still steers it); Yes closes: seconds taken."""
    # No: the window stays open and training goes on.
    assert not window.close()
    assert window.isVisible() and window.is_training and thread.isRunning()
    # The Runs tab lists the run as running; it cannot be deleted meanwhile.
    runs = window.runs_view
    assert [r.status for r in runs.records()] == ["running"]
    runs.select_ids([runs.records()[0].id])
    assert not runs.delete_button.isEnabled() and not runs.use_button.isEnabled()
    steps = thread.recorder.snapshot().steps_done
    qtbot.waitUntil(lambda: thread.recorder.snapshot().steps_done > steps + 5, timeout=LONG)

    # Keyboard, from another tab: Ctrl+P pauses; a new learning rate applies on Ctrl+P.
    window.tabs.setCurrentWidget(window.runs_view)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert window.train_view.state == PAUSED and thread.control.paused
    window.train_view.learning_rate_spin.setValue(0.0005)
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert window.train_view.state == TRAINING and not thread.control.paused
    assert "learning rate 0.0005 from now on" in window.statusBar().currentMessage()

    def recorded_rate() -> float:  # run.json is rewritten after every epoch
        history = window.store.list()[0].history
        return history[-1]["learning_rate"] if history else 0.0

    qtbot.waitUntil(lambda: recorded_rate() == pytest.approx(0.0005), timeout=LONG)
    assert window.store.list()[0].project["training"]["learning_rate"] == pytest.approx(0.0005)

    # Yes: stop, join the thread, close — measured.
    answer[0] = QMessageBox.StandardButton.Yes
    started = time.perf_counter()
    assert window.close()
    elapsed = time.perf_counter() - started
    assert thread.isFinished()
    assert elapsed <= CLOSE_LIMIT_S, f"closing took {elapsed:.2f} s"
    assert not window.isVisible() and not window.is_training
    return elapsed


APP_SCRIPT = r"""
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from workbench.ui.main_window import MainWindow

QMessageBox.question = staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
app = QApplication([])
window = MainWindow()
window.show()
window.start_backend()
window.data.open_path(sys.argv[1])
state = {}

def tick():
    thread = window.training.thread
    if "started" not in state and window.train_view.train_button.isEnabled():
        window.train_view.epochs_spin.setValue(500)
        window.train_view.batch_spin.setValue(2)
        window.training.start_training()
        state["started"] = True
    elif thread is not None and thread.recorder.snapshot().epochs_done >= 1:
        if "closing" not in state:
            state["closing"] = time.perf_counter()
            window.close()  # the last window: the app quits when it has closed

poll = QTimer()
poll.timeout.connect(tick)
poll.start(50)
QTimer.singleShot(150_000, lambda: app.exit(3))
code = app.exec()
poll.stop()
print(f"closed after {time.perf_counter() - state.get('closing', 0):.2f} s", flush=True)
sys.exit(code)
"""


def test_the_app_exits_cleanly_when_closed_mid_training(csv_path) -> None:
    """The whole application, in its own process: close mid-run, exit code 0, no Qt abort."""
    result = subprocess.run(
        [sys.executable, "-c", APP_SCRIPT, str(csv_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "QThread: Destroyed" not in result.stderr
    assert result.stdout.startswith("closed after ")
    seconds = float(result.stdout.split()[2])  # close request to the end of app.exec()
    assert seconds <= CLOSE_LIMIT_S
