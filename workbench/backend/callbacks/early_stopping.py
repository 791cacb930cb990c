"""Early stopping when the monitored number stops improving."""

from __future__ import annotations

from typing import Any

from workbench.backend.callbacks.best_epoch import BestEpoch
from workbench.backend.callbacks.position import FitPosition, floats
from workbench.backend.log import log
from workbench.backend.runtime import ensure_loaded
from workbench.core.listener import TrainingListener

ensure_loaded()
import keras  # noqa: E402


class EarlyStopping(keras.callbacks.Callback):
    """Ends training after ``patience`` epochs in a row without a new best epoch (as
    ``BestEpoch``, which must come before it, judges them); patience 0 is off.

    ``patience`` may change while training (``LiveSettings``); the count of epochs without
    improvement (``wait``) is kept in checkpoints.
    """

    def __init__(
        self, listener: TrainingListener, position: FitPosition, best: BestEpoch, patience: int
    ) -> None:
        super().__init__()
        self.listener = listener
        self.position = position
        self.best = best
        self.patience = patience
        self.wait = 0  # epochs since the monitored number last improved
        self.stopped_early = False

    def state(self) -> dict[str, Any]:
        """The count of epochs without improvement, for a checkpoint."""
        return {"wait": self.wait}

    def restore(self, state: dict[str, Any]) -> None:
        """Continue counting from a checkpoint."""
        self.wait = int(state.get("wait", 0))

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if self.position.stopped_mid_epoch:
            return
        self.wait = 0 if self.best.improved else self.wait + 1
        number = epoch + 1
        if 0 < self.patience <= self.wait and number < self.position.target_epochs:
            self.stopped_early = True
            self.model.stop_training = True
            log(
                self.listener,
                f"Early stopping after epoch {number}: {self.best.watched(floats(logs))} has "
                f"not improved for {self.wait} epoch(s); the best was epoch "
                f"{self.best.best_epoch}.",
            )
