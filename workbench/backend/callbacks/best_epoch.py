"""The best epoch by the monitored number, and its weights."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from workbench.backend.callbacks.base import WholeModelCallback
from workbench.backend.callbacks.position import FitPosition, floats
from workbench.backend.log import log
from workbench.core.listener import TrainingListener
from workbench.core.options import higher_is_better

FALLBACK_MONITOR = "val_loss"  # followed when the chosen number is not measured


class BestEpoch(WholeModelCallback):
    """Keeps the best epoch so far by ``monitor`` (its number, logs and, when
    ``restore_best_weights``, its weights); :meth:`restore_best_weights` puts them back.

    The first epoch is the best until one improves on it; of equal epochs the first stays
    the best. ``improved`` says whether the last finished epoch was a new best, for early
    stopping. Its counters go into every checkpoint (:meth:`state`, :meth:`restore`).
    """

    def __init__(
        self,
        listener: TrainingListener,
        position: FitPosition,
        monitor: str,
        restore_best_weights: bool,
        whole: Any = None,
    ) -> None:
        super().__init__(whole)
        self.listener = listener
        self.position = position
        self.monitor = monitor
        self.restore_best = restore_best_weights
        self.best_epoch: int | None = None
        self.best_value: float | None = None
        self.best_logs: dict[str, float] = {}
        self.best_weights: list[np.ndarray] | None = None
        self.improved = False
        self._monitor_noted = False

    def state(self) -> dict[str, Any]:
        """Best-so-far as plain JSON, for a checkpoint."""
        return {
            "best_epoch": self.best_epoch,
            "best_value": self.best_value,
            "best_logs": self.best_logs,
            "monitor": self.monitor,
        }

    def restore(self, state: dict[str, Any], best_weights: list[np.ndarray] | None) -> None:
        """Continue from a checkpoint's best-so-far."""
        self.best_epoch = state.get("best_epoch")
        self.best_value = state.get("best_value")
        self.best_logs = dict(state.get("best_logs") or {})
        self.best_weights = best_weights

    def watched(self, logs: dict[str, float]) -> str:
        """The number followed: the monitor, or val_loss when the monitor is not measured
        (val_accuracy on a regression); the first time that happens the log says so."""
        if self.monitor in logs:
            return self.monitor
        if not self._monitor_noted:
            self._monitor_noted = True
            log(
                self.listener,
                f"{self.monitor} is not measured for this model; the best epoch and early "
                f"stopping follow {FALLBACK_MONITOR} instead.",
            )
        return FALLBACK_MONITOR

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if self.position.stopped_mid_epoch:
            return
        logs = floats(logs)
        name = self.watched(logs)
        value = logs.get(name, math.nan)
        higher = higher_is_better(name)
        better = math.isfinite(value) and (
            self.best_value is None
            or (value > self.best_value if higher else value < self.best_value)
        )
        if better or self.best_epoch is None:
            self.best_epoch = epoch + 1
            self.best_logs = dict(logs)
            self.best_value = value if math.isfinite(value) else None
            if self.restore_best:
                self.best_weights = self.weights_model.get_weights()
        self.improved = better

    def restore_best_weights(self) -> None:
        """At the end: the best epoch's weights, when the settings keep them and the last
        finished epoch was not the best (a stop mid-epoch keeps the current ones)."""
        if (
            self.restore_best
            and self.best_weights is not None
            and not self.position.stopped_mid_epoch
            and self.best_epoch != self.position.epochs_completed
        ):
            self.weights_model.set_weights(self.best_weights)
            log(self.listener, f"Kept the weights of epoch {self.best_epoch}, the best one.")
