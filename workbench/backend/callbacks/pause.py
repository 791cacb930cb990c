"""Pausing between batches."""

from __future__ import annotations

from workbench.backend.callbacks.position import FitPosition
from workbench.backend.runtime import ensure_loaded
from workbench.core.listener import TrainingControl

ensure_loaded()
import keras  # noqa: E402


class PauseBetweenBatches(keras.callbacks.Callback):
    """Blocks after a batch while ``control`` is paused (a stop releases it).

    The callbacks after it in the list (``LiveSettings``, ``StopOnRequest``) run when the
    pause ends, so settings changed during the pause apply before the next batch.
    """

    def __init__(self, control: TrainingControl, position: FitPosition) -> None:
        super().__init__()
        self.control = control
        self.position = position

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        if not self.position.stopped_mid_epoch:  # not once training has ended (a NaN loss)
            self.control.wait_if_paused()
