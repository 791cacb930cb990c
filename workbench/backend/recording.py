"""Recording a run while it trains: history, a checkpoint per epoch, the model, the status.

The trainer's callbacks call a :class:`RunKeeper` after every finished epoch, and the trainer
once at the end, with plain data (a :class:`~workbench.backend.fit_record.FitRecord`, a
:class:`~workbench.backend.checkpoints.Checkpoint`); the run's folder (see
:mod:`workbench.core.runs`) then always holds a consistent picture: a checkpoint of the last
finished epoch and a run.json whose history ends at that epoch.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from workbench.backend.checkpoints import Checkpoint, write_checkpoint
from workbench.backend.fit_record import FitRecord
from workbench.backend.log import log
from workbench.core.listener import TrainingOutcome
from workbench.core.runs import RunRecord

TENSORBOARD_DIR = "tensorboard"


class SavesModel(Protocol):
    """What the recorder saves at the end (a :class:`~workbench.backend.predictor.Predictor`)."""

    def save(self, path: Path) -> Path: ...


class RunKeeper:
    """Writes one run's progress into its folder as training goes."""

    def __init__(self, record: RunRecord, listener: Any = None) -> None:
        self.record = record
        self.listener = listener

    @property
    def tensorboard_dir(self) -> Path:
        """Where TensorBoard event files go when the tensorboard package is installed."""
        return self.record.path / TENSORBOARD_DIR

    def begin(self) -> None:
        """Mark the run as training in this process."""
        self.record.status = "running"
        self.record.pid = os.getpid()
        self.record.message = ""
        self.record.save()

    def epoch_finished(self, fit: FitRecord, checkpoint: Checkpoint) -> None:
        """Checkpoint first, then run.json: the history never runs ahead of the checkpoint."""
        write_checkpoint(self.record.checkpoint_path, checkpoint)
        self.record.history = [dict(entry) for entry in fit.history]
        self.record.epochs_completed = fit.epoch
        self.record.best_epoch = fit.best_epoch
        self.record.save()
        log(self.listener, f"Checkpoint saved after epoch {fit.epoch}.")

    def settings_changed(self, changes: dict[str, Any]) -> None:
        """Settings changed during training become the run's settings (a resume uses them)."""
        if not changes:
            return
        self.record.project.setdefault("training", {}).update(changes)
        self.record.save()

    def finish(self, outcome: TrainingOutcome, fit: FitRecord, model: SavesModel) -> None:
        """Save the model (when an epoch finished) and the final status and metrics."""
        record = self.record
        if fit.epoch:
            path = model.save(record.model_path)
            outcome.model_path = outcome.model_path or str(path)
        if outcome.error:
            record.status, record.message = "failed", outcome.error
        elif outcome.stopped:
            record.status, record.message = "stopped", "Stopped on request."
        else:
            record.status = "finished"
            record.message = (
                f"Stopped early at epoch {outcome.epochs_completed}: no improvement."
                if fit.stopped_early
                else ""
            )
        metrics = fit.kept_metrics
        metrics.update(outcome.test_metrics)
        record.metrics = {k: v for k, v in metrics.items() if isinstance(v, float | int)}
        record.best_epoch = outcome.best_epoch
        record.epochs_completed = outcome.epochs_completed
        rates = [
            entry["samples_per_second"] for entry in record.history if "samples_per_second" in entry
        ]
        later = rates[1:] or rates
        if outcome.samples_per_second is not None:
            record.samples_per_second = outcome.samples_per_second
        elif later:
            record.samples_per_second = float(np.mean(later))
        if record.samples_per_second is not None and not math.isfinite(record.samples_per_second):
            record.samples_per_second = None
        record.pid = None
        record.save()

    def fail(self, message: str) -> None:
        """Training raised: keep what was recorded, say why it ended."""
        self.record.status = "failed"
        self.record.message = message
        self.record.pid = None
        self.record.save()
