"""Metric buffers and the stop/pause control."""

import math
import threading
import time

import pytest

from workbench.core.history import RunHistory, SeriesBuffer
from workbench.core.listener import TrainingControl


def test_series_buffer_grows_and_keeps_nan():
    buffer = SeriesBuffer(capacity=2)
    for i in range(5):
        buffer.append(i, float("nan") if i == 3 else i * 2)
    assert len(buffer) == 5
    assert list(buffer.x) == [0, 1, 2, 3, 4]
    assert math.isnan(buffer.y[3]) and buffer.y[4] == 8


def test_run_history_records_epoch_metrics():
    history = RunHistory()
    history.add_epoch(1, {"loss": 0.5, "val_loss": 0.6})
    history.add_epoch(2, {"loss": 0.4, "val_loss": 0.5})
    assert list(history.series("val_loss").y) == [0.6, 0.5]
    assert len(history.series("accuracy")) == 0


def test_pause_blocks_until_resume_and_stop_releases():
    control = TrainingControl()
    control.pause()
    released = threading.Event()

    def worker():
        control.wait_if_paused(poll=0.01)
        released.set()

    thread = threading.Thread(target=worker)
    thread.start()
    time.sleep(0.05)
    assert not released.is_set()
    control.request_stop()
    thread.join(2)
    assert released.is_set() and control.stop_requested


def test_bad_updates_are_refused_in_the_callers_thread():
    control = TrainingControl()
    with pytest.raises(ValueError, match="only learning_rate"):
        control.update(batch_size=8)
    with pytest.raises(ValueError, match="Epochs"):
        control.update(epochs=0)
    assert control.take_updates() == {}
    control.update(learning_rate="0.5")
    assert control.take_updates() == {"learning_rate": 0.5} and control.take_updates() == {}
