"""The one trainer the GUI and the CLI share: fit, report, obey stop and pause, keep the best."""

from __future__ import annotations

import math
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from workbench.backend.adapters import Adapter, Split, adapter_for, steps
from workbench.backend.model_builder import build_model
from workbench.backend.runtime import ensure_loaded
from workbench.core.datasets import Dataset
from workbench.core.listener import (
    TrainingControl,
    TrainingListener,
    TrainingOutcome,
    TrainingPlan,
)
from workbench.core.project import Project
from workbench.core.templates import head_for

ensure_loaded()
import keras  # noqa: E402

OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
    "sgd": keras.optimizers.SGD,
    "rmsprop": keras.optimizers.RMSprop,
    "adagrad": keras.optimizers.Adagrad,
    "nadam": keras.optimizers.Nadam,
}


def make_optimizer(cfg: Any, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    """The optimizer with its learning-rate schedule and clipping, from the settings."""
    rate: Any = cfg.learning_rate
    total = max(1, steps_per_epoch * cfg.epochs)
    if cfg.schedule == "cosine":
        rate = keras.optimizers.schedules.CosineDecay(cfg.learning_rate, decay_steps=total)
    elif cfg.schedule == "step":  # halve every quarter of the run
        rate = keras.optimizers.schedules.ExponentialDecay(
            cfg.learning_rate, decay_steps=max(1, total // 4), decay_rate=0.5, staircase=True
        )
    options: dict[str, Any] = {"learning_rate": rate}
    if cfg.clip_norm > 0:
        options["clipnorm"] = cfg.clip_norm
    if cfg.optimizer == "sgd" and cfg.momentum > 0:
        options["momentum"] = cfg.momentum
    return OPTIMIZERS[cfg.optimizer](**options)


def balanced_weights(targets: np.ndarray, classes: int) -> dict[int, float]:
    """n / (classes x count) per class: rare classes count as much as common ones."""
    counts = np.bincount(targets.astype(np.int64), minlength=classes).astype(np.float64)
    counts[counts == 0] = 1.0
    return {i: float(len(targets) / (classes * c)) for i, c in enumerate(counts)}


class _Bridge(keras.callbacks.Callback):
    """Relays Keras progress to a core listener and applies stop/pause between batches.

    Also remembers the weights of the epoch with the lowest validation loss, so the model
    a person keeps is the best one seen, and times the training part of every epoch.
    """

    def __init__(
        self,
        listener: TrainingListener,
        control: TrainingControl,
        train_samples: int,
        batch_size: int,
    ) -> None:
        super().__init__()
        self.listener = listener
        self.control = control
        self.train_samples = train_samples
        self.batch_size = batch_size
        self.epochs_completed = 0
        self.best_epoch: int | None = None
        self.best_logs: dict[str, float] = {}
        self.best_weights: list[np.ndarray] | None = None
        self.epoch_rates: list[float] = []
        self._epoch_start = 0.0
        self._train_end = 0.0
        self._samples_seen = 0
        self.stopped_mid_epoch = False
        self.diverged_at: tuple[int, int] | None = None  # (epoch, batch) of a NaN/inf loss
        self._start_weights: list[np.ndarray] | None = None

    def on_train_begin(self, logs=None) -> None:
        self._start_weights = self.model.get_weights()

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
            return
        self.control.wait_if_paused()
        if self.control.stop_requested:
            self.model.stop_training = True
            self.stopped_mid_epoch = self._samples_seen < self.train_samples

    def on_test_batch_end(self, batch: int, logs=None) -> None:
        # After a stop mid-epoch Keras still validates; one batch is enough to end it.
        if self.stopped_mid_epoch:
            self.model.stop_evaluating = True

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        logs = _floats(logs)
        elapsed = max(self._train_end - self._epoch_start, 1e-9)
        rate = self._samples_seen / elapsed
        if not self.stopped_mid_epoch:
            self.epochs_completed = epoch + 1
            self.epoch_rates.append(rate)
            val_loss = logs.get("val_loss", math.nan)
            best = self.best_logs.get("val_loss", math.inf)
            if self.best_epoch is None or (math.isfinite(val_loss) and val_loss < best):
                self.best_epoch = epoch + 1
                self.best_logs = dict(logs)
                self.best_weights = self.model.get_weights()
            self.listener.on_epoch(epoch + 1, logs, rate)

    @property
    def _epoch_index(self) -> int:
        return self.epochs_completed + 1

    def restore_best(self) -> None:
        """Put back the best epoch's weights (a stop mid-epoch keeps the current ones; after
        a NaN loss, the last good weights: the best epoch's, or those training began with)."""
        if self.diverged_at is not None:
            good = self.best_weights if self.best_weights is not None else self._start_weights
            if good is not None:
                self.model.set_weights(good)
        elif self.best_weights is not None and not self.stopped_mid_epoch:
            self.model.set_weights(self.best_weights)

    def divergence_message(self) -> str | None:
        """What happened and what usually fixes it, when the loss stopped being a number."""
        if self.diverged_at is None:
            return None
        epoch, batch = self.diverged_at
        kept = (
            f"the weights of epoch {self.best_epoch} (the best so far) are kept"
            if self.best_epoch
            else "the weights training started with are kept"
        )
        return (
            f"the loss became NaN or infinite at epoch {epoch}, batch {batch}, so training "
            f"stopped; {kept}. This usually means the learning rate is too high (try 10x "
            "lower), inputs or targets are on very large scales, or a layer produced "
            "extreme values. Lower the learning rate and train again."
        )


def _floats(logs) -> dict[str, float]:
    return {k: float(v) for k, v in (logs or {}).items()}


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

    def run(self, listener: TrainingListener, control: TrainingControl) -> TrainingOutcome:
        """Train until the epochs are done or a stop is requested."""
        cfg = self.project.training
        keras.backend.clear_session(free_memory=True)  # TF issue 61791: state grows per fit
        keras.utils.set_random_seed(cfg.seed)
        adapter = self.adapter = adapter_for(self.dataset, augment=self.project.dataset.augment)
        split = self.split = adapter.split(cfg.validation_fraction, cfg.seed, cfg.test_fraction)
        model = self.model = build_model(self.project.layers, adapter, split.train)
        adapter.after_build(model, split.train)
        self.seeded_layers = self._seed_weights(model)
        _, _, loss = head_for(len(adapter.class_names), adapter.task)
        metrics: list = ["accuracy"]
        if adapter.task == "regression":
            metrics = ["mae", keras.metrics.RootMeanSquaredError(name="root_mean_squared_error")]
        model.compile(
            optimizer=make_optimizer(cfg, steps(len(split.train), cfg.batch_size)),
            loss=loss,
            metrics=metrics,
        )
        train = adapter.dataset_for(split.train, cfg.batch_size, shuffle_seed=cfg.seed)
        val = adapter.dataset_for(split.val, cfg.batch_size)
        listener.on_plan(
            TrainingPlan(
                cfg.epochs,
                steps(len(split.train), cfg.batch_size),
                len(split.train),
                len(split.val),
                list(adapter.class_names),
            )
        )
        bridge = _Bridge(listener, control, len(split.train), cfg.batch_size)
        callbacks: list[keras.callbacks.Callback] = [bridge]
        if cfg.early_stopping_patience > 0:  # the best epoch's weights are restored after
            callbacks.append(
                keras.callbacks.EarlyStopping("val_loss", patience=cfg.early_stopping_patience)
            )
        if cfg.schedule == "plateau":
            callbacks.append(keras.callbacks.ReduceLROnPlateau("val_loss", factor=0.5, patience=2))
        class_weight = None
        if cfg.class_weights == "balanced" and adapter.task == "classification":
            class_weight = balanced_weights(
                adapter.targets()[split.train], len(adapter.class_names)
            )
        if not control.stop_requested:
            # Image pipelines skip undecodable files, so Keras cannot know the epoch length
            # up front and warns when an epoch ends; that end is expected here.
            warnings.filterwarnings("ignore", message="Your input ran out of data")
            model.fit(
                train,
                validation_data=val,
                epochs=cfg.epochs,
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
        )
        if len(split.test) and bridge.epochs_completed and not control.stop_requested:
            test = adapter.dataset_for(split.test, cfg.batch_size)
            scores = model.evaluate(test, verbose=0, return_dict=True)
            outcome.test_metrics = {f"test_{k}": float(v) for k, v in scores.items()}
        if self.output_dir is not None:
            outcome.model_path = str(self.predictor().save(self.output_dir / "model.keras"))
        return outcome

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
