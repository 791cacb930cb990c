"""Closing the window mid-training: it asks; No keeps training; Yes stops within 2 seconds.

A real (tiny) training runs on the training thread; the question is answered by a stand-in
for QMessageBox.question. "Within 2 seconds" is the requirement itself, measured here from
the close request to the end of the training thread (window.close() returns only after
shutdown has joined every thread).
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.ui.conftest import LONG, load

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
    thread = window._training
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

    # No: the window stays open and training goes on.
    assert not window.close()
    assert window.isVisible() and window.is_training and thread.isRunning()
    steps = thread.recorder.snapshot().steps_done
    qtbot.waitUntil(lambda: thread.recorder.snapshot().steps_done > steps + 5, timeout=LONG)

    # Yes: stop, join the thread, close — measured.
    answer[0] = QMessageBox.StandardButton.Yes
    started = time.perf_counter()
    assert window.close()
    elapsed = time.perf_counter() - started
    assert thread.isFinished()
    print(f"close request to thread end: {elapsed:.2f} s")
    assert elapsed <= CLOSE_LIMIT_S, f"closing took {elapsed:.2f} s"
    assert not window.isVisible() and not window.is_training
    assert len(asked) == 2 and "Stop it and quit?" in asked[0]
    # The run is kept as stopped (not left "running" to be offered for resume).
    (run,) = window.store.list()
    assert run.status == "stopped" and run.epochs_completed >= 2
    assert window.store.interrupted() == []
