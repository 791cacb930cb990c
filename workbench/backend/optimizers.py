"""Optimizers and learning-rate schedules, by the names a project stores.

The names come from :mod:`workbench.core.options` (one table for the trainer, the exported
script, the CLI and the form); here each gets its Keras class. ``tests/backend`` checks that
the keys here are exactly the table's names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.backend.runtime import ensure_loaded
from workbench.core import options
from workbench.core.epochs import auto_epoch_cap
from workbench.core.project import TrainingConfig

ensure_loaded()
import keras  # noqa: E402

#: Optimizer name -> Keras class.
OPTIMIZERS: dict[str, type[keras.optimizers.Optimizer]] = {
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
    "sgd": keras.optimizers.SGD,
    "rmsprop": keras.optimizers.RMSprop,
    "adagrad": keras.optimizers.Adagrad,
    "nadam": keras.optimizers.Nadam,
}


@dataclass(frozen=True)
class Schedule:
    """How a learning-rate schedule is made from the set rate and the run's length."""

    keras_class: type | None  # None: the rate stays as set (while the optimizer steps)
    decay_divisor: int = 1  # decay_steps = the run's steps // this (at least 1)
    options: dict[str, Any] = field(default_factory=dict)  # the class's other arguments


#: Schedule name -> how it is made. ``plateau`` keeps the rate as set; the ReduceOnPlateau
#: callback (workbench.backend.callbacks) halves it while training.
SCHEDULES: dict[str, Schedule] = {
    "constant": Schedule(None),
    "cosine": Schedule(keras.optimizers.schedules.CosineDecay),
    "step": Schedule(  # halve every quarter of the run
        keras.optimizers.schedules.ExponentialDecay, 4, {"decay_rate": 0.5, "staircase": True}
    ),
    "plateau": Schedule(None),
}


def decay_steps(cfg: TrainingConfig, steps_per_epoch: int) -> int:
    """The ``decay_steps`` of the settings' schedule for a run of ``cfg.epochs`` epochs
    (for "auto", its cap: the schedule spans the longest the run may take)."""
    epochs = cfg.epochs
    if epochs is None:
        epochs = auto_epoch_cap(steps_per_epoch * cfg.batch_size, cfg.batch_size)
    total = max(1, steps_per_epoch * epochs)
    return max(1, total // SCHEDULES[cfg.schedule].decay_divisor)


def make_optimizer(cfg: TrainingConfig, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    """The optimizer with its learning-rate schedule and clipping, from the settings.

    Example: ``make_optimizer(TrainingConfig(optimizer="sgd", momentum=0.9), 10)``.
    """
    rate: Any = cfg.learning_rate
    schedule = SCHEDULES[cfg.schedule]
    if schedule.keras_class is not None:
        rate = schedule.keras_class(
            cfg.learning_rate, decay_steps=decay_steps(cfg, steps_per_epoch), **schedule.options
        )
    chosen: dict[str, Any] = {"learning_rate": rate}
    if cfg.clip_norm > 0:
        chosen["clipnorm"] = cfg.clip_norm
    own = options.OPTIMIZERS[cfg.optimizer].settings  # e.g. sgd's momentum and nesterov
    if "momentum" in own and cfg.momentum > 0:
        chosen["momentum"] = cfg.momentum
    if "nesterov" in own and cfg.nesterov:
        chosen["nesterov"] = True
    return OPTIMIZERS[cfg.optimizer](**chosen)


def current_learning_rate(optimizer: Any) -> float:
    """The rate the optimizer applies now (schedules evaluated at the current step)."""
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))
