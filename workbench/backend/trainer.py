"""The one trainer the GUI and the CLI share: fit, report, obey stop, pause and setting
changes, keep the best epoch, and checkpoint every finished epoch when a run is recorded."""

from __future__ import annotations

import dataclasses
import gc
import importlib.util
import math
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from workbench.backend.acceleration import Acceleration, accelerated
from workbench.backend.adapters import Adapter, Split, adapter_for, steps
from workbench.backend.checkpoints import Checkpoint
from workbench.backend.metrics import builtin_only, metric_objects
from workbench.backend.model_builder import build_model
from workbench.backend.runtime import ensure_loaded
from workbench.core.datasets import Dataset
from workbench.core.errors import ModelConfigError, WorkbenchError
from workbench.core.listener import (
    TrainingControl,
    TrainingListener,
    TrainingOutcome,
    TrainingPlan,
)
from workbench.core.project import (
    Project,
    TrainingConfig,
    imbalance,
    loss_problem,
    resolve_class_weights,
)

if TYPE_CHECKING:
    from workbench.backend.recording import RunKeeper

ensure_loaded()
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
    "sgd": keras.optimizers.SGD,
    "rmsprop": keras.optimizers.RMSprop,
    "adagrad": keras.optimizers.Adagrad,
    "nadam": keras.optimizers.Nadam,
}
#: fit() runs open-ended and the bridge stops at the current target, so the target can
#: grow while training (epochs changed during a pause) without a second fit.
OPEN_ENDED_EPOCHS = 1_000_000
PLATEAU_FACTOR, PLATEAU_PATIENCE = 0.5, 2  # reduce on plateau: halve after 2 flat epochs


def schedule_steps(cfg: TrainingConfig, steps_per_epoch: int) -> tuple[int, int]:
    """(decay steps of the cosine schedule, of one step of the step schedule)."""
    total = max(1, steps_per_epoch * cfg.epochs)
    return total, max(1, total // 4)


def make_optimizer(cfg: TrainingConfig, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    """The optimizer with its learning-rate schedule and clipping, from the settings."""
    rate: Any = cfg.learning_rate
    cosine_steps, step_steps = schedule_steps(cfg, steps_per_epoch)
    if cfg.schedule == "cosine":
        rate = keras.optimizers.schedules.CosineDecay(cfg.learning_rate, decay_steps=cosine_steps)
    elif cfg.schedule == "step":  # halve every quarter of the run
        rate = keras.optimizers.schedules.ExponentialDecay(
            cfg.learning_rate, decay_steps=step_steps, decay_rate=0.5, staircase=True
        )
    options: dict[str, Any] = {"learning_rate": rate}
    if cfg.clip_norm > 0:
        options["clipnorm"] = cfg.clip_norm
    if cfg.optimizer == "sgd":
        if cfg.momentum > 0:
            options["momentum"] = cfg.momentum
        if cfg.nesterov:
            options["nesterov"] = True
    return OPTIMIZERS[cfg.optimizer](**options)


def balanced_weights(targets: np.ndarray, classes: int) -> dict[int, float]:
    """n / (classes x count) per class: rare classes count as much as common ones."""
    counts = np.bincount(targets.astype(np.int64), minlength=classes).astype(np.float64)
    counts[counts == 0] = 1.0
    return {i: float(len(targets) / (classes * c)) for i, c in enumerate(counts)}


def choose_loss(cfg: TrainingConfig, num_classes: int, task: str, output_units: int) -> str:
    """The Keras loss to compile, or ModelConfigError saying why the choice cannot train.

    ``auto`` follows the model's head: one sigmoid unit -> binary cross-entropy, a softmax
    over several units -> sparse categorical cross-entropy, regression -> mean squared error.
    """
    problem = loss_problem(cfg.loss, num_classes, task)
    if problem:
        raise ModelConfigError(problem)
    if task == "regression":
        return "mean_squared_error" if cfg.loss == "auto" else cfg.loss
    if cfg.loss == "auto":
        return "binary_crossentropy" if output_units == 1 else "sparse_categorical_crossentropy"
    if output_units == 1 and cfg.loss != "binary_crossentropy":
        raise ModelConfigError(
            f"The model ends in one sigmoid unit, which needs binary_crossentropy, not "
            f"{cfg.loss}; choose binary_crossentropy (or auto), or end the model with a Dense "
            f"layer of {max(num_classes, 2)} units and softmax."
        )
    if output_units > 1 and cfg.loss == "binary_crossentropy":
        raise ModelConfigError(
            f"Binary cross-entropy needs a model that ends in one sigmoid unit, but this one "
            f"ends in {output_units} units; choose sparse_categorical_crossentropy (or auto)."
        )
    return cfg.loss


def log(listener: Any, message: str) -> None:
    """Send a log line to listeners that take them (third-party ones may not)."""
    on_log = getattr(listener, "on_log", None)
    if callable(on_log):
        on_log(message)


def current_learning_rate(optimizer: Any) -> float:
    """The rate the optimizer applies now (schedules evaluated at the current step)."""
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


class _Bridge(keras.callbacks.Callback):
    """Relays Keras progress to a core listener and applies stop, pause and setting changes
    between batches.

    It also owns what Keras callbacks would otherwise do, so their state can be changed
    while paused and saved in a checkpoint: the best epoch by the monitored metric (whose
    weights are restored at the end when the settings ask), early stopping, and halving the
    learning rate on a plateau. Every epoch's logs gain ``learning_rate``.
    """

    def __init__(
        self,
        listener: TrainingListener,
        control: TrainingControl,
        plan: TrainingPlan,
        cfg: TrainingConfig,
        keeper: RunKeeper | None = None,
        start: Checkpoint | None = None,
        whole: keras.Model | None = None,
    ) -> None:
        super().__init__()
        self.listener = listener
        self.control = control
        self.plan = plan
        self.cfg = cfg
        self.keeper = keeper
        self.train_samples = plan.train_samples
        self.batch_size = cfg.batch_size
        self.target_epochs = plan.epochs
        self.patience = cfg.early_stopping_patience
        self.monitor = cfg.early_stopping_monitor
        self.epochs_completed = 0
        self.best_epoch: int | None = None
        self.best_value: float | None = None
        self.best_logs: dict[str, float] = {}
        self.best_weights: list[np.ndarray] | None = None
        self.last_logs: dict[str, float] = {}
        self.wait = 0  # epochs since the monitored metric last improved
        self.plateau_best = math.inf
        self.plateau_wait = 0
        self.history: list[dict[str, float]] = []
        self.epoch_rates: list[float] = []
        self.stopped_early = False
        self.stopped_mid_epoch = False
        self.diverged_at: tuple[int, int] | None = None  # (epoch, batch) of a NaN/inf loss
        self._epoch_start = 0.0
        self._train_end = 0.0
        self._samples_seen = 0
        self._good_weights: list[np.ndarray] | None = None  # last finished epoch's / start's
        self._monitor_noted = False
        self._whole = whole  # the saved model; fit may train a part of it (same layers)
        if start is not None:
            self._restore_state(start)

    # -- state kept in checkpoints ------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """Counters and best-so-far as plain JSON, for a checkpoint."""
        return {
            "best_epoch": self.best_epoch,
            "best_value": self.best_value,
            "best_logs": self.best_logs,
            "wait": self.wait,
            "plateau_best": self.plateau_best if math.isfinite(self.plateau_best) else None,
            "plateau_wait": self.plateau_wait,
            "target_epochs": self.target_epochs,
            "monitor": self.monitor,
            "seed": self.cfg.seed,
            "history": self.history,
        }

    def _restore_state(self, start: Checkpoint) -> None:
        state = start.state
        self.epochs_completed = start.epoch
        self.best_epoch = state.get("best_epoch")
        self.best_value = state.get("best_value")
        self.best_logs = dict(state.get("best_logs") or {})
        self.best_weights = start.best_weights
        self.wait = int(state.get("wait", 0))
        plateau = state.get("plateau_best")
        self.plateau_best = math.inf if plateau is None else float(plateau)
        self.plateau_wait = int(state.get("plateau_wait", 0))
        self.history = [dict(entry) for entry in state.get("history", [])]
        last = self.history[-1] if self.history else {}
        extra = ("epoch", "samples_per_second", "seconds")
        self.last_logs = {k: v for k, v in last.items() if k not in extra}

    # -- Keras hooks ----------------------------------------------------------------------------

    def on_train_begin(self, logs=None) -> None:
        self._good_weights = self.weights_model.get_weights()

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._epoch_start = time.perf_counter()
        self._samples_seen = 0

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        self._train_end = time.perf_counter()
        self._samples_seen = min(self.train_samples, (batch + 1) * self.batch_size)
        logs = _floats(logs)
        self.listener.on_batch(self._epoch_index, batch + 1, logs)
        if not math.isfinite(logs.get("loss", 0.0)):
            # Every later step would be NaN too: stop now and go back to good weights.
            self.diverged_at = (self._epoch_index, batch + 1)
            self.model.stop_training = True
            self.stopped_mid_epoch = True
            log(self.listener, self.divergence_message() or "")
            return
        self.control.wait_if_paused()
        updates = self.control.take_updates()
        if updates:
            self.apply_updates(updates)
        if self.control.stop_requested:
            self.model.stop_training = True
            self.stopped_mid_epoch = self._samples_seen < self.train_samples
            log(self.listener, f"Stop requested: training ends at epoch {self._epoch_index}.")

    def on_test_batch_end(self, batch: int, logs=None) -> None:
        # After a stop mid-epoch Keras still validates; one batch is enough to end it.
        if self.stopped_mid_epoch:
            self.model.stop_evaluating = True

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if self.stopped_mid_epoch:
            return
        logs = _floats(logs)
        number = epoch + 1
        elapsed = max(self._train_end - self._epoch_start, 1e-9)
        rate = self._samples_seen / elapsed
        logs["learning_rate"] = current_learning_rate(self.model.optimizer)
        self.epochs_completed = number
        self.last_logs = dict(logs)
        self.epoch_rates.append(rate)
        self.history.append(
            {"epoch": number, **logs, "samples_per_second": rate, "seconds": elapsed}
        )
        self._track_best(number, logs)
        if not self.cfg.restore_best_weights:
            self._good_weights = self.weights_model.get_weights()
        self.listener.on_epoch(number, logs, rate)
        if 0 < self.patience <= self.wait and number < self.target_epochs:
            self.stopped_early = True
            self.model.stop_training = True
            log(
                self.listener,
                f"Early stopping after epoch {number}: {self._watched(logs)} has not "
                f"improved for {self.wait} epoch(s); the best was epoch {self.best_epoch}.",
            )
        if self.cfg.schedule == "plateau":
            self._plateau(logs.get("val_loss", math.nan))
        if number >= self.target_epochs:
            self.model.stop_training = True
        if self.keeper is not None:
            self.keeper.epoch_finished(self)

    # -- decisions ---------------------------------------------------------------------------

    def _watched(self, logs: dict[str, float]) -> str:
        """The metric the best epoch and early stopping follow (val_loss if the chosen one
        is not measured, e.g. val_accuracy on regression)."""
        if self.monitor not in logs:
            if not self._monitor_noted:
                self._monitor_noted = True
                log(
                    self.listener,
                    f"{self.monitor} is not measured for this model; the best epoch and early "
                    "stopping follow val_loss instead.",
                )
            return "val_loss"
        return self.monitor

    def _track_best(self, number: int, logs: dict[str, float]) -> bool:
        name = self._watched(logs)
        value = logs.get(name, math.nan)
        higher = "accuracy" in name
        better = math.isfinite(value) and (
            self.best_value is None
            or (value > self.best_value if higher else value < self.best_value)
        )
        if better or self.best_epoch is None:
            self.best_epoch = number
            self.best_logs = dict(logs)
            self.best_value = value if math.isfinite(value) else None
            if self.cfg.restore_best_weights:
                self.best_weights = self.weights_model.get_weights()
        self.wait = 0 if better else self.wait + 1
        return better

    def _plateau(self, val_loss: float) -> None:
        if not math.isfinite(val_loss):
            return
        if val_loss < self.plateau_best:
            self.plateau_best, self.plateau_wait = val_loss, 0
            return
        self.plateau_wait += 1
        if self.plateau_wait >= PLATEAU_PATIENCE:
            old = current_learning_rate(self.model.optimizer)
            self.model.optimizer.learning_rate = old * PLATEAU_FACTOR
            self.plateau_wait = 0
            log(
                self.listener,
                f"Learning rate reduced from {old:.3g} to {old * PLATEAU_FACTOR:.3g}: val_loss "
                f"has not improved for {PLATEAU_PATIENCE} epochs.",
            )

    def apply_updates(self, updates: dict[str, Any]) -> None:
        """Settings sent with ``control.update`` (usually while paused), applied now."""
        changed: dict[str, Any] = {}
        if "epochs" in updates:
            changed["epochs"] = self._set_epochs(int(updates["epochs"]))
        if "learning_rate" in updates:
            self._set_learning_rate(float(updates["learning_rate"]))
            changed["learning_rate"] = float(updates["learning_rate"])
        if "early_stopping_patience" in updates:
            self.patience = int(updates["early_stopping_patience"])
            changed["early_stopping_patience"] = self.patience
            log(
                self.listener,
                f"Early stopping patience set to {self.patience} epoch(s)"
                if self.patience
                else "Early stopping turned off.",
            )
        if self.keeper is not None:
            self.keeper.settings_changed(changed)

    def _set_epochs(self, wanted: int) -> int:
        under_way = self._epoch_index
        target = max(wanted, under_way)
        if wanted < under_way:
            log(
                self.listener,
                f"Epochs set to {wanted}, but epoch {under_way} is under way: training ends "
                f"after it.",
            )
        else:
            log(self.listener, f"Epochs changed from {self.target_epochs} to {target}.")
        self.target_epochs = target
        self.cfg.epochs = target
        self.plan = dataclasses.replace(self.plan, epochs=target)
        self.listener.on_plan(self.plan)  # listeners learn the new length from a fresh plan
        schedule = getattr(self.model.optimizer, "_learning_rate", None)
        if self.cfg.schedule in ("cosine", "step") and schedule is not None:
            cosine_steps, step_steps = schedule_steps(self.cfg, self.plan.steps_per_epoch)
            schedule.decay_steps = cosine_steps if self.cfg.schedule == "cosine" else step_steps
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

    @property
    def weights_model(self) -> keras.Model:
        """The whole model (what is saved and checkpointed), even when fit trains a part."""
        return self._whole if self._whole is not None else self.model

    @property
    def _epoch_index(self) -> int:
        return self.epochs_completed + 1

    # -- the end -------------------------------------------------------------------------------

    def restore_best(self) -> None:
        """Put back the weights the person keeps.

        The best epoch's when ``restore_best_weights`` is on, else the last epoch's; a stop
        mid-epoch keeps the current ones; after a NaN loss, the last good weights (the best
        epoch's, the last finished epoch's, or those training began with).
        """
        if self.diverged_at is not None:
            good = self.best_weights if self.cfg.restore_best_weights else None
            good = good if good is not None else self._good_weights
            if good is not None:
                self.weights_model.set_weights(good)
        elif (
            self.cfg.restore_best_weights
            and self.best_weights is not None
            and not self.stopped_mid_epoch
            and self.best_epoch != self.epochs_completed
        ):
            self.weights_model.set_weights(self.best_weights)
            log(self.listener, f"Kept the weights of epoch {self.best_epoch}, the best one.")

    @property
    def kept_epoch(self) -> int | None:
        """The epoch whose weights the model ends with."""
        if self.cfg.restore_best_weights and self.best_epoch is not None:
            return self.best_epoch
        return self.epochs_completed or None

    def divergence_message(self) -> str | None:
        """What happened and what usually fixes it, when the loss stopped being a number."""
        if self.diverged_at is None:
            return None
        epoch, batch = self.diverged_at
        if self.cfg.restore_best_weights and self.best_epoch:
            kept = f"the weights of epoch {self.best_epoch} (the best so far) are kept"
        elif self.epochs_completed:
            kept = f"the weights of epoch {self.epochs_completed} are kept"
        else:
            kept = "the weights training started with are kept"
        return (
            f"the loss became NaN or infinite at epoch {epoch}, batch {batch}, so training "
            f"stopped; {kept}. This usually means the learning rate is too high (try 10x "
            "lower), inputs or targets are on very large scales, or a layer produced "
            "extreme values. Lower the learning rate and train again."
        )


def _floats(logs) -> dict[str, float]:
    return {k: float(v) for k, v in (logs or {}).items()}


def _one_hot(batches: Any, classes: int) -> Any:
    """Class indices -> one-hot rows, for categorical cross-entropy."""
    return batches.map(
        lambda x, y: (x, tf.one_hot(tf.cast(y, tf.int32), classes)),
        num_parallel_calls=tf.data.AUTOTUNE,
    )


class Trainer:
    """Fits a project's layer stack on any dataset. Blocks; run it off the GUI thread."""

    def __init__(
        self,
        project: Project,
        dataset: Dataset,
        output_dir: str | Path | None = None,
        initial_weights: list[list[Any]] | None = None,
    ) -> None:
        project.training.check()
        self.project = project
        self.dataset = dataset
        self.output_dir = Path(output_dir) if output_dir else None
        self.initial_weights = initial_weights  # per layer of the stack, e.g. from a .keras
        self.model: keras.Model | None = None
        self.adapter: Adapter | None = None
        self.split: Split | None = None
        self.bridge: _Bridge | None = None
        self.acceleration: Acceleration | None = None  # device, strategy, XLA of the last run

    def run(
        self,
        listener: TrainingListener,
        control: TrainingControl,
        start: Checkpoint | None = None,
        keeper: RunKeeper | None = None,
    ) -> TrainingOutcome:
        """Train (see :meth:`_run`) on the configured device, strategy and precision."""
        cfg = self.project.training
        # TF issue 61791: state grows per fit. A host that turned automatic collection off
        # (the window: Qt objects must be freed on its GUI thread) collects itself.
        keras.backend.clear_session(free_memory=gc.isenabled())
        # (cleared before the strategy scope opens: clearing inside it breaks the scope)
        with accelerated(cfg.device, cfg.mixed_precision, listener) as self.acceleration:
            return self._run(listener, control, start, keeper)

    def _run(
        self,
        listener: TrainingListener,
        control: TrainingControl,
        start: Checkpoint | None = None,
        keeper: RunKeeper | None = None,
    ) -> TrainingOutcome:
        """Train until the epochs are done or a stop is requested.

        ``start`` continues from a checkpoint (weights, optimizer state, counters, history):
        epochs ``start.epoch + 1`` .. ``project.training.epochs``. ``keeper`` records the run
        (history, checkpoint after every finished epoch, the model at the end).
        """
        cfg = self.project.training
        keras.utils.set_random_seed(cfg.seed)
        adapter = self.adapter = adapter_for(self.dataset, augment=self.project.dataset.augment)
        classes = len(adapter.class_names)
        loss_problem_now = loss_problem(cfg.loss, classes, adapter.task)
        if loss_problem_now:  # before the (slow) build
            raise ModelConfigError(loss_problem_now)
        split = self.split = adapter.split(cfg.validation_fraction, cfg.seed, cfg.test_fraction)
        model = self.model = build_model(self.project.layers, adapter, split.train)
        adapter.after_build(model, split.train)
        self.seeded_layers = self._seed_weights(model)
        units = int(model.outputs[0].shape[-1])
        loss = choose_loss(cfg, classes, adapter.task, units)
        one_hot = loss == "categorical_crossentropy"
        per_epoch = steps(len(split.train), cfg.batch_size)
        fit_model = self.acceleration.training_model(model)  # XLA-able part; same weights
        self.acceleration.compile(
            model,
            fit_model,
            per_epoch * cfg.epochs,
            optimizer=make_optimizer(cfg, per_epoch),
            loss=loss,
            metrics=(metrics := metric_objects(cfg.metrics, adapter.task, units, one_hot)),
        )
        first_epoch = 0
        if start is not None:
            self._restore(model, fit_model, start)
            first_epoch = start.epoch
            keras.utils.set_random_seed(cfg.seed + first_epoch)  # a fresh, reproducible order
        shuffle_seed = cfg.seed + first_epoch
        batched = self.acceleration.dataset_for
        train = batched(adapter, split.train, cfg.batch_size, shuffle_seed=shuffle_seed)
        val = batched(adapter, split.val, cfg.batch_size)
        if one_hot:
            train, val = _one_hot(train, units), _one_hot(val, units)
        plan = TrainingPlan(
            cfg.epochs, per_epoch, len(split.train), len(split.val), list(adapter.class_names)
        )
        listener.on_plan(plan)
        bridge = self.bridge = _Bridge(listener, control, plan, cfg, keeper, start, model)
        log(
            listener,
            f"Training on {len(split.train)} samples, validating on {len(split.val)}"
            + (f", testing on {len(split.test)}" if len(split.test) else "")
            + f"; batch {cfg.batch_size}, {per_epoch} steps per epoch; loss {loss}; "
            f"optimizer {cfg.optimizer}, learning rate {cfg.learning_rate:g} ({cfg.schedule}).",
        )
        if start is not None:
            log(
                listener,
                f"Resumed from epoch {start.epoch}: epochs {start.epoch + 1} to "
                f"{cfg.epochs} remain.",
            )
        callbacks: list[keras.callbacks.Callback] = [bridge]
        if keeper is not None and importlib.util.find_spec("tensorboard") is not None:
            callbacks.append(
                keras.callbacks.TensorBoard(
                    log_dir=str(keeper.tensorboard_dir), write_graph=False, profile_batch=0
                )
            )
        class_weight = None
        if adapter.task == "classification":
            train_targets = adapter.targets()[split.train].astype(np.int64)
            counts = np.bincount(train_targets, minlength=classes).tolist()
            if resolve_class_weights(cfg.class_weights, counts) == "balanced":
                class_weight = balanced_weights(train_targets, classes)
                shown = ", ".join(
                    f"{name} {class_weight[i]:.2f}" for i, name in enumerate(adapter.class_names)
                )
                why = (
                    f" (chosen automatically: the largest class has {imbalance(counts):.1f}x "
                    "the rows of the smallest)"
                    if cfg.class_weights == "auto"
                    else ""
                )
                log(listener, f"Balanced class weights{why}: {shown}.")
        if not control.stop_requested and first_epoch < cfg.epochs:
            # Image pipelines skip undecodable files, so Keras cannot know the epoch length
            # up front and warns when an epoch ends; that end is expected here.
            warnings.filterwarnings("ignore", message="Your input ran out of data")
            self.acceleration.fit(
                fit_model,
                train,
                validation_data=val,
                epochs=OPEN_ENDED_EPOCHS,
                initial_epoch=first_epoch,
                verbose=0,
                shuffle=False,
                callbacks=callbacks,
                class_weight=class_weight,
            )
        bridge.restore_best()
        later = bridge.epoch_rates[1:] or bridge.epoch_rates
        outcome = TrainingOutcome(
            stopped=control.stop_requested or bridge.diverged_at is not None,
            epochs_completed=bridge.epochs_completed,
            best_epoch=bridge.best_epoch,
            best_metrics=dict(bridge.best_logs),
            samples_per_second=float(np.mean(later)) if later else None,
            class_names=list(adapter.class_names),
            error=bridge.divergence_message(),
            run_id=keeper.record.id if keeper is not None else None,
        )
        if len(split.test) and bridge.epochs_completed and not control.stop_requested:
            test = adapter.dataset_for(split.test, cfg.batch_size)
            test = _one_hot(test, units) if one_hot else test
            scores = model.evaluate(test, verbose=0, return_dict=True)
            outcome.test_metrics = {f"test_{k}": float(v) for k, v in scores.items()}
        if builtin_only(metrics) != metrics:
            # Saved models must open in plain Keras, which does not know the macro metrics.
            model.compile(optimizer=model.optimizer, loss=loss, metrics=builtin_only(metrics))
        if self.output_dir is not None:
            outcome.model_path = str(self.predictor().save(self.output_dir / "model.keras"))
        if keeper is not None:
            keeper.finish(outcome, self)
        return outcome

    def _restore(self, model: keras.Model, fit_model: keras.Model, start: Checkpoint) -> None:
        """Weights and optimizer state of a checkpoint, or a readable error when the model
        built now is not the one that was saved (data or layers changed since)."""
        try:
            model.set_weights(start.weights)
            optimizer = model.optimizer
            if not optimizer.built:
                optimizer.build(fit_model.trainable_variables)
            variables = optimizer.variables
            if [tuple(v.shape) for v in variables] != [a.shape for a in start.optimizer]:
                raise ValueError("the optimizer's variables differ")
            for variable, value in zip(variables, start.optimizer, strict=True):
                variable.assign(value)
        except ValueError as exc:
            raise WorkbenchError(
                f"The checkpoint of epoch {start.epoch} does not fit the model built now "
                f"({exc}); the data or the layers changed since the run started. Train it "
                "as a new run instead."
            ) from None

    def _seed_weights(self, model: keras.Model) -> int:
        """Start from given weights where a layer's weight shapes match; count those layers."""
        if not self.initial_weights:
            return 0
        seeded = 0
        for index, (spec, weights) in enumerate(
            zip(self.project.layers, self.initial_weights, strict=False)
        ):
            if not weights:
                continue
            layer = model.get_layer(f"{spec.kind.lower()}_{index + 1}")
            current = layer.get_weights()
            if [w.shape for w in current] == [np.shape(w) for w in weights]:
                layer.set_weights(weights)
                seeded += 1
        return seeded

    def predictor(self):
        """The trained model wrapped for prediction and export."""
        from workbench.backend.api import Predictor

        if self.model is None or self.adapter is None:
            raise RuntimeError("predictor() before run()")
        return Predictor(self.model, self.adapter.metadata())
