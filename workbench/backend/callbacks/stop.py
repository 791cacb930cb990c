"""Stopping on request."""

from __future__ import annotations

from workbench.backend.callbacks.position import FitPosition
from workbench.backend.log import log
from workbench.backend.runtime import ensure_loaded
from workbench.core.listener import TrainingControl, TrainingListener

ensure_loaded()
import keras  # noqa: E402


class StopOnRequest(keras.callbacks.Callback):
    """Ends training after the batch during which ``control.request_stop()`` was called.

    A stop before the epoch's last batch leaves the epoch unfinished: the epoch-end
    callbacks skip it, and validation (which Keras still starts) ends after one batch.
    """

    def __init__(
        self,
        listener: TrainingListener,
        control: TrainingControl,
        position: FitPosition,
        train_samples: int,
    ) -> None:
        super().__init__()
        self.listener = listener
        self.control = control
        self.position = position
        self.train_samples = train_samples  # in one epoch

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        if self.position.stopped_mid_epoch or not self.control.stop_requested:
            return
        self.model.stop_training = True
        self.position.stopped_mid_epoch = self.position.samples_seen < self.train_samples
        log(self.listener, f"Stop requested: training ends at epoch {self.position.epoch_index}.")

    def on_test_batch_end(self, batch: int, logs=None) -> None:
        # After a stop mid-epoch Keras still validates; one batch is enough to end it.
        if self.position.stopped_mid_epoch:
            self.model.stop_evaluating = True
