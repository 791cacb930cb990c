"""Ending training after the set number of epochs."""

from __future__ import annotations

from workbench.backend.callbacks.position import FitPosition
from workbench.backend.runtime import ensure_loaded

ensure_loaded()
import keras  # noqa: E402

#: fit() runs open-ended and EpochTarget stops at the current target, so the target can
#: grow while training (epochs changed during a pause) without a second fit.
OPEN_ENDED_EPOCHS = 1_000_000


class EpochTarget(keras.callbacks.Callback):
    """Ends training once ``position.target_epochs`` epochs are finished (the target may
    move while training; see ``LiveSettings``)."""

    def __init__(self, position: FitPosition) -> None:
        super().__init__()
        self.position = position

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if not self.position.stopped_mid_epoch and epoch + 1 >= self.position.target_epochs:
            self.model.stop_training = True
