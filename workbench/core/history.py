"""Metric history in growing numpy buffers, so plots redraw slices without copying lists."""

from __future__ import annotations

import numpy as np


class SeriesBuffer:
    """An append-only (x, y) series; capacity doubles when full."""

    def __init__(self, capacity: int = 256) -> None:
        self._x = np.empty(capacity, dtype=np.float64)
        self._y = np.empty(capacity, dtype=np.float64)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def append(self, x: float, y: float) -> None:
        """Add one point (NaN is kept: a diverging loss must show, not vanish)."""
        if self._n == len(self._x):
            self._x = np.concatenate([self._x, np.empty_like(self._x)])
            self._y = np.concatenate([self._y, np.empty_like(self._y)])
        self._x[self._n] = x
        self._y[self._n] = y
        self._n += 1

    @property
    def x(self) -> np.ndarray:
        """A view of the x values so far."""
        return self._x[: self._n]

    @property
    def y(self) -> np.ndarray:
        """A view of the y values so far."""
        return self._y[: self._n]

    def clear(self) -> None:
        """Forget every point, keeping the capacity."""
        self._n = 0


class RunHistory:
    """Per-batch loss and per-epoch metrics of one training run."""

    def __init__(self) -> None:
        self.batch_loss = SeriesBuffer(1024)
        self.epoch_metrics: dict[str, SeriesBuffer] = {}

    def add_batch(self, global_step: float, loss: float) -> None:
        """Record the running loss after a batch (x in fractional epochs)."""
        self.batch_loss.append(global_step, loss)

    def add_epoch(self, epoch: int, logs: dict[str, float]) -> None:
        """Record every metric Keras reported for an epoch (epoch is 1-based)."""
        for name, value in logs.items():
            self.epoch_metrics.setdefault(name, SeriesBuffer(64)).append(epoch, float(value))

    def series(self, name: str) -> SeriesBuffer:
        """One epoch metric, empty if never reported."""
        return self.epoch_metrics.get(name, SeriesBuffer(1))
