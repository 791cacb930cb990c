"""Settings changed while training runs or is paused, applied between batches."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from workbench.backend.callbacks.early_stopping import EarlyStopping
from workbench.backend.callbacks.position import FitPosition
from workbench.backend.log import log
from workbench.backend.optimizers import SCHEDULES, current_learning_rate, decay_steps
from workbench.backend.runtime import ensure_loaded
from workbench.core.listener import TrainingControl, TrainingListener, TrainingPlan
from workbench.core.project import TrainingConfig

ensure_loaded()
import keras  # noqa: E402


class LiveSettings(keras.callbacks.Callback):
    """Applies what ``control.update`` queued (epochs, learning rate, early-stopping
    patience) after the batch it was sent during, or when a pause ends, and says so.

    The settings ``cfg`` change with them; ``on_change`` (the run's recorder) gets
    ``{field: new value}`` so a resume uses them. Put it after ``PauseBetweenBatches``.
    """

    def __init__(
        self,
        listener: TrainingListener,
        control: TrainingControl,
        position: FitPosition,
        cfg: TrainingConfig,
        plan: TrainingPlan,
        early_stopping: EarlyStopping,
        on_change: Callable[[dict[str, Any]], None] | None = None,
        auto_patience: bool = False,
    ) -> None:
        super().__init__()
        # the patience early stopping uses is auto's own, not one the person set
        self.auto_patience = auto_patience
        self.listener = listener
        self.control = control
        self.position = position
        self.cfg = cfg
        self.plan = plan
        self.early_stopping = early_stopping
        self.on_change = on_change

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        if self.position.stopped_mid_epoch:
            return
        updates = self.control.take_updates()
        if updates:
            self.apply(updates)

    def apply(self, updates: dict[str, Any]) -> None:
        """Settings sent with ``control.update`` (usually while paused), applied now."""
        changed: dict[str, Any] = {}
        if updates.get("epochs") is not None:  # None ("auto") is no change: the run goes on
            changed["epochs"] = self._set_epochs(int(updates["epochs"]))
        if "learning_rate" in updates:
            self._set_learning_rate(float(updates["learning_rate"]))
            changed["learning_rate"] = float(updates["learning_rate"])
        if "early_stopping_patience" in updates:
            patience = self.early_stopping.patience = int(updates["early_stopping_patience"])
            changed["early_stopping_patience"] = patience
            log(
                self.listener,
                f"Early stopping patience set to {patience} epoch(s)"
                if patience
                else "Early stopping turned off.",
            )
        if self.on_change is not None:
            self.on_change(changed)

    def _set_epochs(self, wanted: int) -> int:
        under_way = self.position.epoch_index
        target = max(wanted, under_way)
        if wanted < under_way:
            log(
                self.listener,
                f"Epochs set to {wanted}, but epoch {under_way} is under way: training ends "
                f"after it.",
            )
        else:
            before = self.position.target_epochs
            was = f"auto (at most {before})" if self.plan.auto_epochs else str(before)
            log(self.listener, f"Epochs changed from {was} to {target}.")
        self.position.target_epochs = target
        self.cfg.epochs = target
        # A number typed into an auto run is its length from now on, no longer a cap, and
        # exactly that many epochs: auto's own early stopping ends with it.
        if self.plan.auto_epochs and self.auto_patience:
            self.early_stopping.patience = 0
        self.plan = dataclasses.replace(self.plan, epochs=target, auto_epochs=False)
        self.listener.on_plan(self.plan)  # listeners learn the new length from a fresh plan
        schedule = getattr(self.model.optimizer, "_learning_rate", None)
        if SCHEDULES[self.cfg.schedule].keras_class is not None and schedule is not None:
            schedule.decay_steps = decay_steps(self.cfg, self.plan.steps_per_epoch)
            self._retrace_now()
            log(self.listener, f"The {self.cfg.schedule} schedule now spans {target} epochs.")
        return target

    def _set_learning_rate(self, rate: float) -> None:
        optimizer = self.model.optimizer
        old = current_learning_rate(optimizer)
        schedule = getattr(optimizer, "_learning_rate", None)
        if isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
            # The schedule keeps its shape and position, rescaled to start from the new rate.
            schedule.initial_learning_rate = rate
            self._retrace_now()
            new = current_learning_rate(optimizer)
            log(
                self.listener,
                f"The {self.cfg.schedule} schedule now starts from {rate:.3g}: the rate goes "
                f"from {old:.3g} to {new:.3g} at this step and keeps decaying from there.",
            )
        else:
            optimizer.learning_rate = rate
            log(self.listener, f"Learning rate changed from {old:.3g} to {rate:.3g}.")
        self.cfg.learning_rate = rate

    def _retrace_now(self) -> None:
        """Schedules are read when the train step is traced: trace it again."""
        self.model.make_train_function(force=True)
