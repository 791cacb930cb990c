"""The one trainer the GUI and the CLI share: build the model, compile it with the chosen
loss, metrics and optimizer, fit it, and report the outcome.

What happens during the fit (progress, stop, pause, settings changed while paused, the best
epoch, early stopping, the plateau schedule, the NaN guard, a checkpoint per finished epoch
when a run is recorded) is done by the callbacks of :mod:`workbench.backend.callbacks`.
"""

from __future__ import annotations

import dataclasses
import gc
import importlib.util
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from workbench.backend.acceleration import Acceleration, accelerated
from workbench.backend.adapters import Adapter, Split, adapter_for, steps
from workbench.backend.callbacks import OPEN_ENDED_EPOCHS, FitCallbacks
from workbench.backend.checkpoints import Checkpoint
from workbench.backend.log import log
from workbench.backend.metrics import builtin_only, metric_objects
from workbench.backend.model_builder import build_model
from workbench.backend.optimizers import make_optimizer
from workbench.backend.predictor import Predictor
from workbench.backend.runtime import ensure_loaded
from workbench.core.datasets import Dataset
from workbench.core.epochs import EpochBudget, resolve_epochs
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
from workbench.core.splits import resolve_test_fraction

if TYPE_CHECKING:
    from workbench.backend.recording import RunKeeper

ensure_loaded()
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402


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
        self.callbacks: FitCallbacks | None = None  # those of the last run
        self.acceleration: Acceleration | None = None  # device, strategy, XLA of the last run
        self.budget: EpochBudget | None = None  # the epochs and patience of the last run

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
        test_fraction = resolve_test_fraction(cfg.test_fraction, adapter.size)  # None: auto
        split = self.split = adapter.split(cfg.validation_fraction, cfg.seed, test_fraction)
        # From here on the fit reads a copy with the epochs "auto" resolved (the settings
        # keep saying auto): at most budget.epochs, stopping after budget.patience.
        budget = self.budget = resolve_epochs(
            cfg.epochs, cfg.early_stopping_patience, len(split.train), cfg.batch_size
        )
        cfg = dataclasses.replace(
            cfg, epochs=budget.epochs, early_stopping_patience=budget.patience
        )
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
            cfg.epochs,
            per_epoch,
            len(split.train),
            len(split.val),
            list(adapter.class_names),
            auto_epochs=budget.auto,
        )
        listener.on_plan(plan)
        fit = self.callbacks = FitCallbacks(
            listener,
            control,
            plan,
            cfg,
            whole=model,
            start=start,
            on_epoch=keeper.epoch_finished if keeper is not None else None,
            on_change=keeper.settings_changed if keeper is not None else None,
            auto_patience=budget.auto and self.project.training.early_stopping_patience == 0,
        )
        log(
            listener,
            f"Training on {len(split.train)} samples, validating on {len(split.val)}"
            + (f", testing on {len(split.test)}" if len(split.test) else "")
            + (" (auto)" if len(split.test) and cfg.test_fraction is None else "")
            + f"; batch {cfg.batch_size}, {per_epoch} steps per epoch; loss {loss}; "
            f"optimizer {cfg.optimizer}, learning rate {cfg.learning_rate:g} ({cfg.schedule}).",
        )
        if budget.auto:
            log(
                listener,
                f"Epochs {budget.describe()} ({len(split.train):,} training rows, "
                f"{cfg.early_stopping_monitor}).",
            )
        if start is not None:
            log(
                listener,
                f"Resumed from epoch {start.epoch}: epochs {start.epoch + 1} to "
                f"{cfg.epochs} remain.",
            )
        callbacks: list[keras.callbacks.Callback] = list(fit.callbacks)
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
        fit.finish()
        record = fit.record()
        later = fit.progress.epoch_rates[1:] or fit.progress.epoch_rates
        outcome = TrainingOutcome(
            stopped=control.stop_requested or fit.diverged,
            epochs_completed=record.epoch,
            # "best" everywhere means the epoch whose weights the model keeps (the Runs tab
            # reads the same from run.json): the best by the monitor, or the last epoch when
            # the settings keep the last weights.
            best_epoch=record.kept_epoch,
            best_metrics=record.kept_metrics,
            samples_per_second=float(np.mean(later)) if later else None,
            class_names=list(adapter.class_names),
            error=fit.nan_guard.message(),
            run_id=keeper.record.id if keeper is not None else None,
            auto_epochs=budget.auto,
            stopped_early=record.stopped_early,
        )
        if len(split.test) and record.epoch and not control.stop_requested:
            test = adapter.dataset_for(split.test, cfg.batch_size)
            test = _one_hot(test, units) if one_hot else test
            scores = model.evaluate(test, verbose=0, return_dict=True)
            outcome.test_metrics = {f"test_{k}": float(v) for k, v in scores.items()}
            outcome.test_samples = len(split.test)
        if builtin_only(metrics) != metrics:
            # Saved models must open in plain Keras, which does not know the macro metrics.
            model.compile(optimizer=model.optimizer, loss=loss, metrics=builtin_only(metrics))
        if self.output_dir is not None:
            outcome.model_path = str(self.predictor().save(self.output_dir / "model.keras"))
        if keeper is not None:
            keeper.finish(outcome, record, self.predictor())
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

    def predictor(self) -> Predictor:
        """The trained model wrapped for prediction and export."""
        if self.model is None or self.adapter is None:
            raise RuntimeError("predictor() before run()")
        return Predictor(self.model, self.adapter.metadata())
