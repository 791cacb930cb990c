"""Recording a run while it trains: history, a checkpoint per epoch, the model, the status.

The trainer calls a :class:`RunKeeper` after every finished epoch and once at the end; the
run's folder (see :mod:`workbench.core.runs`) then always holds a consistent picture: a
checkpoint of the last finished epoch and a run.json whose history ends at that epoch.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from workbench.backend.checkpoints import Checkpoint, write_checkpoint
from workbench.backend.trainer import log
from workbench.core.listener import TrainingOutcome
from workbench.core.runs import RunRecord

if TYPE_CHECKING:
    from workbench.backend.trainer import Trainer, _Bridge

TENSORBOARD_DIR = "tensorboard"


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

    def epoch_finished(self, bridge: _Bridge) -> None:
        """Checkpoint first, then run.json: the history never runs ahead of the checkpoint."""
        model = bridge.model
        optimizer_state = [np.asarray(v.numpy()) for v in model.optimizer.variables]
        checkpoint = Checkpoint(
            epoch=bridge.epochs_completed,
            weights=bridge.weights_model.get_weights(),
            optimizer=optimizer_state,
            best_weights=bridge.best_weights,
            state=bridge.state(),
        )
        write_checkpoint(self.record.checkpoint_path, checkpoint)
        self.record.history = [dict(entry) for entry in bridge.history]
        self.record.epochs_completed = bridge.epochs_completed
        self.record.best_epoch = bridge.best_epoch
        self.record.save()
        log(self.listener, f"Checkpoint saved after epoch {bridge.epochs_completed}.")

    def settings_changed(self, changes: dict[str, Any]) -> None:
        """Settings changed during training become the run's settings (a resume uses them)."""
        if not changes:
            return
        self.record.project.setdefault("training", {}).update(changes)
        self.record.save()

    def finish(self, outcome: TrainingOutcome, trainer: Trainer) -> None:
        """Save the model and the final status and metrics."""
        bridge = trainer.bridge
        record = self.record
        if bridge is not None and bridge.epochs_completed:
            path = trainer.predictor().save(record.model_path)
            outcome.model_path = outcome.model_path or str(path)
        if outcome.error:
            record.status, record.message = "failed", outcome.error
        elif outcome.stopped:
            record.status, record.message = "stopped", "Stopped on request."
        else:
            record.status = "finished"
            record.message = (
                f"Stopped early at epoch {outcome.epochs_completed}: no improvement."
                if bridge is not None and bridge.stopped_early
                else ""
            )
        kept = bridge.kept_epoch if bridge is not None else None
        metrics: dict[str, float] = {}
        if bridge is not None and kept is not None:
            source = bridge.best_logs if kept == bridge.best_epoch else bridge.last_logs
            metrics = dict(source)
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
