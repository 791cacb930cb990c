"""Stops at a loss that is no longer a number, and goes back to good weights."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from workbench.backend.callbacks.base import WholeModelCallback
from workbench.backend.callbacks.best_epoch import BestEpoch
from workbench.backend.callbacks.position import FitPosition, floats
from workbench.backend.log import log
from workbench.core.listener import TrainingListener


class NaNGuard(WholeModelCallback):
    """Ends training at the batch whose loss is NaN or infinite (every later step would be
    too) and remembers the last good weights: the best epoch's when the settings keep
    them, else the last finished epoch's, or those training began with.

    :meth:`restore_good_weights` puts them back; :meth:`message` says what happened and
    what usually fixes it. Put it after ``ProgressRelay`` (which reports the batch) and
    before ``PauseBetweenBatches``: a diverged training does not pause.
    """

    def __init__(
        self,
        listener: TrainingListener,
        position: FitPosition,
        best: BestEpoch,
        whole: Any = None,
    ) -> None:
        super().__init__(whole)
        self.listener = listener
        self.position = position
        self.best = best
        self.diverged_at: tuple[int, int] | None = None  # (epoch, batch) of the bad loss
        self.good_weights: list[np.ndarray] | None = None  # the last finished epoch's / start's

    def on_train_begin(self, logs=None) -> None:
        self.good_weights = self.weights_model.get_weights()

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        if math.isfinite(floats(logs).get("loss", 0.0)):
            return
        self.diverged_at = (self.position.epoch_index, batch + 1)
        self.model.stop_training = True
        self.position.stopped_mid_epoch = True
        log(self.listener, self.message() or "")

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if not self.position.stopped_mid_epoch and not self.best.restore_best:
            self.good_weights = self.weights_model.get_weights()

    def restore_good_weights(self) -> None:
        """After a NaN loss: put back the last good weights."""
        good = self.best.best_weights if self.best.restore_best else None
        good = good if good is not None else self.good_weights
        if good is not None:
            self.weights_model.set_weights(good)

    def message(self) -> str | None:
        """What happened and what usually fixes it, when the loss stopped being a number."""
        if self.diverged_at is None:
            return None
        epoch, batch = self.diverged_at
        if self.best.restore_best and self.best.best_epoch:
            kept = f"the weights of epoch {self.best.best_epoch} (the best so far) are kept"
        elif self.position.epochs_completed:
            kept = f"the weights of epoch {self.position.epochs_completed} are kept"
        else:
            kept = "the weights training started with are kept"
        return (
            f"the loss became NaN or infinite at epoch {epoch}, batch {batch}, so training "
            f"stopped; {kept}. This usually means the learning rate is too high (try 10x "
            "lower), inputs or targets are on very large scales, or a layer produced "
            "extreme values. Lower the learning rate and train again."
        )
