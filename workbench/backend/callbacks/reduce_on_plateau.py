"""Halving the learning rate when val_loss stalls (the ``plateau`` schedule)."""

from __future__ import annotations

import math
from typing import Any

from workbench.backend.callbacks.position import FitPosition
from workbench.backend.log import log
from workbench.backend.optimizers import current_learning_rate
from workbench.backend.runtime import ensure_loaded
from workbench.core.listener import TrainingListener

ensure_loaded()
import keras  # noqa: E402

FACTOR, PATIENCE = 0.5, 2  # halve after 2 epochs without a better val_loss


class ReduceOnPlateau(keras.callbacks.Callback):
    """Multiplies the learning rate by ``FACTOR`` after ``PATIENCE`` epochs without a
    lower val_loss, and says so in the log. Its counters are kept in checkpoints.

    Example::

        plateau = ReduceOnPlateau(listener, position)
        plateau.set_model(model)
        for val_loss in (1.0, 0.9, 0.95, 0.91):
            plateau.update(val_loss)  # the rate is halved after the last one
    """

    def __init__(self, listener: TrainingListener, position: FitPosition) -> None:
        super().__init__()
        self.listener = listener
        self.position = position
        self.best = math.inf  # the lowest val_loss so far
        self.wait = 0

    def state(self) -> dict[str, Any]:
        """Counters as plain JSON, for a checkpoint."""
        return {
            "plateau_best": self.best if math.isfinite(self.best) else None,
            "plateau_wait": self.wait,
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Continue from a checkpoint's counters."""
        best = state.get("plateau_best")
        self.best = math.inf if best is None else float(best)
        self.wait = int(state.get("plateau_wait", 0))

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if not self.position.stopped_mid_epoch:
            self.update(float((logs or {}).get("val_loss", math.nan)))

    def update(self, val_loss: float) -> None:
        """Count one epoch's val_loss; halve the rate at the end of a plateau."""
        if not math.isfinite(val_loss):
            return
        if val_loss < self.best:
            self.best, self.wait = val_loss, 0
            return
        self.wait += 1
        if self.wait >= PATIENCE:
            old = current_learning_rate(self.model.optimizer)
            self.model.optimizer.learning_rate = old * FACTOR
            self.wait = 0
            log(
                self.listener,
                f"Learning rate reduced from {old:.3g} to {old * FACTOR:.3g}: val_loss "
                f"has not improved for {PATIENCE} epochs.",
            )
