"""Progress for the listener: every batch's logs, every epoch's logs and speed, the history."""

from __future__ import annotations

import time
from typing import Any

from workbench.backend.callbacks.position import FitPosition, floats
from workbench.backend.runtime import ensure_loaded
from workbench.core.listener import TrainingListener

ensure_loaded()
import keras  # noqa: E402

#: History entries hold these besides the epoch's logs.
NOT_LOGGED = ("epoch", "samples_per_second", "seconds")


class ProgressRelay(keras.callbacks.Callback):
    """Relays Keras progress to a core listener and keeps the run's history.

    After each batch the listener gets the batch's logs; after each finished epoch, the
    epoch's logs (with ``learning_rate``, see ``LearningRateLog``) and the training speed in
    samples per second, and the history gains an entry ``{"epoch", **logs,
    "samples_per_second", "seconds"}``. It counts the finished epochs for the others.
    """

    def __init__(
        self, listener: TrainingListener, position: FitPosition, train_samples: int, batch: int
    ) -> None:
        super().__init__()
        self.listener = listener
        self.position = position
        self.train_samples = train_samples
        self.batch_size = batch
        self.history: list[dict[str, float]] = []
        self.last_logs: dict[str, float] = {}
        self.epoch_rates: list[float] = []  # samples per second of each epoch of this fit
        self._epoch_start = 0.0
        self._train_end = 0.0

    def state(self) -> dict[str, Any]:
        """The history so far, for a checkpoint."""
        return {"history": self.history}

    def restore(self, state: dict[str, Any]) -> None:
        """Continue a checkpoint's history."""
        self.history = [dict(entry) for entry in state.get("history", [])]
        last = self.history[-1] if self.history else {}
        self.last_logs = {k: v for k, v in last.items() if k not in NOT_LOGGED}

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._epoch_start = time.perf_counter()
        self.position.samples_seen = 0

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        self._train_end = time.perf_counter()
        seen = min(self.train_samples, (batch + 1) * self.batch_size)
        self.position.samples_seen = seen
        self.listener.on_batch(self.position.epoch_index, batch + 1, floats(logs))

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if self.position.stopped_mid_epoch:
            return
        logs = floats(logs)
        number = epoch + 1
        elapsed = max(self._train_end - self._epoch_start, 1e-9)
        rate = self.position.samples_seen / elapsed
        self.position.epochs_completed = number
        self.last_logs = dict(logs)
        self.epoch_rates.append(rate)
        self.history.append(
            {"epoch": number, **logs, "samples_per_second": rate, "seconds": elapsed}
        )
        self.listener.on_epoch(number, logs, rate)
