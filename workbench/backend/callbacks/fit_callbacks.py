"""The callbacks of one fit, built from the settings, in the order Keras must call them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workbench.backend.callbacks.best_epoch import BestEpoch
from workbench.backend.callbacks.checkpointing import EpochCheckpoint
from workbench.backend.callbacks.early_stopping import EarlyStopping
from workbench.backend.callbacks.epoch_target import EpochTarget
from workbench.backend.callbacks.learning_rate_log import LearningRateLog
from workbench.backend.callbacks.live_settings import LiveSettings
from workbench.backend.callbacks.nan_guard import NaNGuard
from workbench.backend.callbacks.pause import PauseBetweenBatches
from workbench.backend.callbacks.position import FitPosition
from workbench.backend.callbacks.progress import ProgressRelay
from workbench.backend.callbacks.reduce_on_plateau import ReduceOnPlateau
from workbench.backend.callbacks.stop import StopOnRequest
from workbench.backend.checkpoints import Checkpoint
from workbench.backend.fit_record import FitRecord
from workbench.core.listener import TrainingControl, TrainingListener, TrainingPlan
from workbench.core.project import TrainingConfig


class FitCallbacks:
    """Makes the callbacks of one fit and reads what they leave.

    :attr:`callbacks` is the list for ``fit``. Keras calls each hook on every callback in
    list order with one logs dict, so the order is part of the design: the learning rate
    joins the logs first; the best epoch is judged before the listener hears of the epoch;
    a NaN loss is caught before a pause could block; settings changed during a pause apply
    before a stop is obeyed; the checkpoint comes last, after every counter moved.

    With ``start`` (a checkpoint) the counters, best-so-far and history go on from it;
    ``on_epoch`` (the run's recorder) gets a :class:`FitRecord` and a :class:`Checkpoint`
    after every finished epoch, and ``on_change`` the settings changed while training.
    After fit, :meth:`finish` puts back the weights the person keeps.
    """

    def __init__(
        self,
        listener: TrainingListener,
        control: TrainingControl,
        plan: TrainingPlan,
        cfg: TrainingConfig,
        whole: Any = None,
        start: Checkpoint | None = None,
        on_epoch: Callable[[FitRecord, Checkpoint], Any] | None = None,
        on_change: Callable[[dict[str, Any]], Any] | None = None,
        auto_patience: bool = False,
    ) -> None:
        self.cfg = cfg
        self.position = FitPosition(target_epochs=plan.epochs)
        position = self.position
        self.best = BestEpoch(
            listener, position, cfg.early_stopping_monitor, cfg.restore_best_weights, whole
        )
        self.progress = ProgressRelay(listener, position, plan.train_samples, cfg.batch_size)
        self.nan_guard = NaNGuard(listener, position, self.best, whole)
        self.early_stopping = EarlyStopping(
            listener, position, self.best, cfg.early_stopping_patience
        )
        # Made even when the schedule is not plateau: its counters are in every checkpoint.
        self.plateau = ReduceOnPlateau(listener, position)
        live = LiveSettings(
            listener, control, position, cfg, plan, self.early_stopping, on_change, auto_patience
        )
        self.callbacks: list[Any] = [
            LearningRateLog(),
            self.best,
            self.progress,
            self.nan_guard,
            PauseBetweenBatches(control, position),
            live,
            StopOnRequest(listener, control, position, plan.train_samples),
            self.early_stopping,
            *([self.plateau] if cfg.schedule == "plateau" else []),
            EpochTarget(position),
        ]
        if on_epoch is not None:
            self.callbacks.append(
                EpochCheckpoint(position, self.best, self.record, on_epoch, whole)
            )
        if start is not None:
            self.restore(start)

    # -- checkpoints ---------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """Every callback's counters, the best-so-far and the history, as plain JSON."""
        return {
            **self.best.state(),
            **self.early_stopping.state(),
            **self.plateau.state(),
            "target_epochs": self.position.target_epochs,
            "seed": self.cfg.seed,
            **self.progress.state(),
        }

    def restore(self, start: Checkpoint) -> None:
        """Go on from a checkpoint: epochs done, counters, best-so-far, history."""
        self.position.epochs_completed = start.epoch
        self.best.restore(start.state, start.best_weights)
        self.early_stopping.restore(start.state)
        self.plateau.restore(start.state)
        self.progress.restore(start.state)

    def record(self) -> FitRecord:
        """Where the run stands now, as plain data."""
        best_epoch = self.best.best_epoch
        if self.cfg.restore_best_weights and best_epoch is not None:
            kept = best_epoch
        else:
            kept = self.position.epochs_completed or None
        return FitRecord(
            epoch=self.position.epochs_completed,
            best_epoch=best_epoch,
            best_metrics=dict(self.best.best_logs),
            last_metrics=dict(self.progress.last_logs),
            history=self.progress.history,
            kept_epoch=kept,
            stopped_early=self.early_stopping.stopped_early,
            state=self.state(),
        )

    # -- the end -------------------------------------------------------------------------------

    @property
    def diverged(self) -> bool:
        """Whether the loss stopped being a number."""
        return self.nan_guard.diverged_at is not None

    def finish(self) -> None:
        """Put back the weights the person keeps.

        The best epoch's when ``restore_best_weights`` is on, else the last epoch's; a stop
        mid-epoch keeps the current ones; after a NaN loss, the last good weights (the best
        epoch's, the last finished epoch's, or those training began with).
        """
        if self.diverged:
            self.nan_guard.restore_good_weights()
        else:
            self.best.restore_best_weights()
