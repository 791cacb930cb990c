"""Epochs "auto": train until the validation number stops improving, within a budget.

A fixed number of epochs is wrong for almost every data set: small tables need hundreds
of short epochs, a text model overfits after two or three. "auto" (``epochs`` None in the
settings) trains until the monitored validation number has not improved for a patience of
epochs, keeps the best epoch's weights, and never runs past a cap taken from the data
size: about AUTO_STEP_BUDGET optimiser steps, at least AUTO_MIN_EPOCHS and at most
AUTO_MAX_EPOCHS epochs. A number the person types still means exactly that many epochs.

Plain Python, so the form, the CLI, the exported script and the trainer read one rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Optimiser steps an auto run may take at most (about 60,000 samples seen 30 times at 32
#: per batch): enough for a small table to converge over hundreds of short epochs, while
#: a big data set gets a few long ones.
AUTO_STEP_BUDGET = 30_000
AUTO_MIN_EPOCHS = 5
AUTO_MAX_EPOCHS = 300
#: Epochs without a better validation number before an auto run stops: about
#: AUTO_PATIENCE_STEPS optimiser steps' worth, so short epochs (small data, whose validation
#: numbers are noisy and improve slowly) wait more of them than long ones. Measured on a
#: 4,600-row table: a patience of 5 stopped at epoch 32 (0.877), of 15 at 108 (0.884).
AUTO_PATIENCE_STEPS = 1500
AUTO_PATIENCE_MIN = 5
AUTO_PATIENCE_MAX = 20

AUTO_EPOCHS_HELP = (
    "Auto: train until the validation loss stops improving (the best epoch's weights are "
    "kept), at most a number of epochs taken from the data size."
)


@dataclass(frozen=True)
class EpochBudget:
    """How long a fit may run: at most ``epochs``, stopping after ``patience`` epochs
    without improvement (0: never early), ``auto`` when the settings said "auto"."""

    epochs: int
    patience: int
    auto: bool

    def describe(self) -> str:
        """In words, e.g. 'auto: at most 120 epochs, stops after 8 without improvement'."""
        if not self.auto:
            return f"{self.epochs} epochs"
        return (
            f"auto: at most {self.epochs} epochs, stops after {self.patience} without improvement"
        )


def auto_epoch_cap(train_rows: int, batch_size: int) -> int:
    """The most epochs an auto run takes for this many training rows.

    >>> auto_epoch_cap(350, 32), auto_epoch_cap(7_000, 32), auto_epoch_cap(1_000_000, 32)
    (300, 137, 5)
    """
    per_epoch = _steps(train_rows, batch_size)
    return max(AUTO_MIN_EPOCHS, min(AUTO_MAX_EPOCHS, math.ceil(AUTO_STEP_BUDGET / per_epoch)))


def auto_patience(train_rows: int, batch_size: int) -> int:
    """Epochs without improvement an auto run waits: AUTO_PATIENCE_STEPS steps' worth,
    within limits.

    >>> auto_patience(350, 32), auto_patience(3_200, 32), auto_patience(100_000, 32)
    (20, 15, 5)
    """
    per_epoch = _steps(train_rows, batch_size)
    return max(
        AUTO_PATIENCE_MIN, min(AUTO_PATIENCE_MAX, math.ceil(AUTO_PATIENCE_STEPS / per_epoch))
    )


def _steps(train_rows: int, batch_size: int) -> int:
    return max(1, math.ceil(max(train_rows, 1) / max(batch_size, 1)))


def resolve_epochs(
    epochs: int | None, patience: int, train_rows: int, batch_size: int
) -> EpochBudget:
    """The budget of a fit: ``epochs`` and ``patience`` as set, or for ``epochs`` None
    ("auto") the cap from the data size and, unless a patience is set, an automatic one.

    The one place "auto" is decided: the trainer, the CLI and the exported script all
    train with what this returns.

    >>> resolve_epochs(7, 0, 5000, 32)
    EpochBudget(epochs=7, patience=0, auto=False)
    >>> resolve_epochs(None, 0, 350, 32)
    EpochBudget(epochs=300, patience=20, auto=True)
    >>> resolve_epochs(None, 4, 350, 32).patience
    4
    """
    if epochs is not None:
        return EpochBudget(int(epochs), int(patience), auto=False)
    cap = auto_epoch_cap(train_rows, batch_size)
    chosen = int(patience) if patience > 0 else auto_patience(train_rows, batch_size)
    return EpochBudget(cap, chosen, auto=True)


def describe_auto_result(epochs_done: int, best: int | None, stopped_early: bool) -> str:
    """What an auto run did, for the form and the CLI: 'auto: stopped at epoch 9 (best 6)'.

    >>> describe_auto_result(9, 6, True), describe_auto_result(300, 290, False)
    ('auto: stopped at epoch 9 (best 6)', 'auto: ran all 300 epochs (best 290)')
    """
    best_text = f" (best {best})" if best else ""
    if stopped_early:
        return f"auto: stopped at epoch {epochs_done}{best_text}"
    return f"auto: ran all {epochs_done} epochs{best_text}"
