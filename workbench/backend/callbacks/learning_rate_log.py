"""Adds the learning rate to every epoch's logs."""

from __future__ import annotations

from workbench.backend.optimizers import current_learning_rate
from workbench.backend.runtime import ensure_loaded

ensure_loaded()
import keras  # noqa: E402


class LearningRateLog(keras.callbacks.Callback):
    """Writes ``learning_rate`` (the rate the optimizer applies now) into the epoch's logs.

    Keras hands one logs dict to every callback in turn, so the callbacks after this one
    (the best epoch, the history, the listener, TensorBoard) all see it; put it first.
    """

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if logs is not None:
            logs["learning_rate"] = current_learning_rate(self.model.optimizer)
