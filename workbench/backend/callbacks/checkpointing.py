"""Handing every finished epoch to the run's recorder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from workbench.backend.callbacks.base import WholeModelCallback
from workbench.backend.callbacks.best_epoch import BestEpoch
from workbench.backend.callbacks.position import FitPosition
from workbench.backend.checkpoints import Checkpoint
from workbench.backend.fit_record import FitRecord


class EpochCheckpoint(WholeModelCallback):
    """After every finished epoch, calls ``save(record, checkpoint)``: the run as plain
    data (``snapshot()``) and a :class:`Checkpoint` with the whole model's weights, the
    optimizer's variables and the best epoch's weights. Put it last, after every callback
    whose counters the checkpoint keeps.
    """

    def __init__(
        self,
        position: FitPosition,
        best: BestEpoch,
        snapshot: Callable[[], FitRecord],
        save: Callable[[FitRecord, Checkpoint], Any],
        whole: Any = None,
    ) -> None:
        super().__init__(whole)
        self.position = position
        self.best = best
        self.snapshot = snapshot
        self.save = save

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if self.position.stopped_mid_epoch:
            return
        record = self.snapshot()
        checkpoint = Checkpoint(
            epoch=record.epoch,
            weights=self.weights_model.get_weights(),
            optimizer=[np.asarray(v.numpy()) for v in self.model.optimizer.variables],
            best_weights=self.best.best_weights,
            state=record.state,
        )
        self.save(record, checkpoint)
