"""Where a run stands after a finished epoch, as plain data (no Keras)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FitRecord:
    """What the training callbacks know after a finished epoch, or at the end of a fit.

    The run's recorder (:class:`workbench.backend.recording.RunKeeper`) writes it into
    run.json; ``state`` is what a checkpoint's state.json holds (the callbacks' counters,
    the best-so-far, the history; see :class:`workbench.backend.checkpoints.CheckpointState`).
    """

    epoch: int  # epochs finished
    best_epoch: int | None
    best_metrics: dict[str, float]
    last_metrics: dict[str, float]  # the last finished epoch's logs
    history: list[dict[str, float]]  # one entry per epoch: logs, samples/s, seconds
    kept_epoch: int | None = None  # the epoch whose weights the model ends with
    stopped_early: bool = False  # early stopping ended the fit
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def kept_metrics(self) -> dict[str, float]:
        """The logs of the epoch whose weights are kept (empty before the first)."""
        if self.kept_epoch is None:
            return {}
        return dict(self.best_metrics if self.kept_epoch == self.best_epoch else self.last_metrics)
