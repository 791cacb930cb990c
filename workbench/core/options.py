"""The choices a person makes in the training settings: one table per option.

Each table lists the values a project may store (:attr:`Option.name`), the short text a form
shows for each (:attr:`Option.label`), a one-line :attr:`Option.help`, and what else its
readers need: the tasks a loss, metric or monitor fits, whether a monitor is better higher,
the settings only one optimizer takes.

Every reader takes its values from here: the project's schema and checks
(:mod:`workbench.core.project`), the trainer (its name -> Keras class mappings), the exported
script (:mod:`workbench.backend.codegen`), the command line's choices and the Train tab's
form. A value added here works everywhere or fails a test (``tests/core/test_options.py``,
``tests/backend/test_codegen.py``).

Example::

    >>> from workbench.core.options import LOSSES, OPTIMIZERS
    >>> OPTIMIZERS.names
    ('adam', 'adamw', 'sgd', 'rmsprop', 'adagrad', 'nadam')
    >>> LOSSES.names_for("regression")
    ('auto', 'mean_squared_error', 'mean_absolute_error', 'huber')
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

CLASSIFICATION, REGRESSION = "classification", "regression"
BOTH = (CLASSIFICATION, REGRESSION)


@dataclass(frozen=True)
class Option:
    """One value of a setting."""

    name: str  # what a project stores, the CLI takes and the trainer reads
    label: str  # what a form shows
    help: str = ""  # one line: what choosing it does
    tasks: tuple[str, ...] = BOTH  # the tasks it fits (losses, metrics, monitors)
    higher_is_better: bool = False  # monitors: an accuracy improves upwards, a loss down
    settings: tuple[str, ...] = ()  # optimizers: TrainingConfig fields only this one reads

    def fits(self, task: str | None) -> bool:
        """Whether the option applies to a task (None: the task is not known yet)."""
        return task is None or task in self.tasks


class OptionTable:
    """The values of one setting, in the order forms and messages list them."""

    def __init__(self, setting: str, *options: Option) -> None:
        self.setting = setting  # the TrainingConfig field it fills
        self._options = options
        self._by_name = {option.name: option for option in options}
        if len(self._by_name) != len(options):
            raise ValueError(f"{setting}: two options share a name")

    @property
    def names(self) -> tuple[str, ...]:
        """Every value, as stored."""
        return tuple(option.name for option in self._options)

    def names_for(self, task: str | None) -> tuple[str, ...]:
        """The values that fit a task (all of them for None)."""
        return tuple(option.name for option in self._options if option.fits(task))

    def label(self, name: str) -> str:
        """The form's text for a value."""
        return self[name].label

    def __getitem__(self, name: str) -> Option:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(
                f"{name!r} is not a {self.setting} value; choose one of {', '.join(self.names)}"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[Option]:
        return iter(self._options)

    def __len__(self) -> int:
        return len(self._options)

    def __repr__(self) -> str:
        return f"OptionTable({self.setting!r}: {', '.join(self.names)})"


OPTIMIZERS = OptionTable(
    "optimizer",
    Option("adam", "adam", "Adaptive moments per weight; suits most problems (0.001)."),
    Option("adamw", "adamw", "Adam with decoupled weight decay; often generalises a bit better."),
    Option(
        "sgd",
        "sgd",
        "Plain gradient descent, with optional momentum and Nesterov momentum.",
        settings=("momentum", "nesterov"),
    ),
    Option("rmsprop", "rmsprop", "Steps scaled by recent gradient sizes; a classic for RNNs."),
    Option("adagrad", "adagrad", "Per-weight rates that shrink with use; suits sparse inputs."),
    Option("nadam", "nadam", "Adam with Nesterov momentum."),
)

SCHEDULES = OptionTable(
    "schedule",
    Option("constant", "constant", "The learning rate stays as set."),
    Option("cosine", "cosine", "Cosine decay from the set rate to zero over the run."),
    Option("step", "step", "The rate is halved every quarter of the run."),
    Option("plateau", "plateau", "The rate is halved when val_loss stalls for 2 epochs."),
)

# "auto" picks by task: binary / sparse categorical cross-entropy, or mean squared error.
LOSSES = OptionTable(
    "loss",
    Option("auto", "auto", "The usual loss for the task and the model's head."),
    Option(
        "binary_crossentropy",
        "binary cross-entropy",
        "Two classes, one sigmoid unit.",
        (CLASSIFICATION,),
    ),
    Option(
        "categorical_crossentropy",
        "categorical cross-entropy (one-hot labels)",
        "Classes as one-hot rows, a softmax head.",
        (CLASSIFICATION,),
    ),
    Option(
        "sparse_categorical_crossentropy",
        "sparse categorical cross-entropy",
        "Classes as indices, a softmax head.",
        (CLASSIFICATION,),
    ),
    Option(
        "mean_squared_error",
        "mean squared error",
        "The mean of squared misses; big misses count most.",
        (REGRESSION,),
    ),
    Option(
        "mean_absolute_error",
        "mean absolute error",
        "The mean size of a miss; outliers count less.",
        (REGRESSION,),
    ),
    Option(
        "huber",
        "Huber (squared near 0, absolute far out)",
        "Squared for small misses, absolute for large ones.",
        (REGRESSION,),
    ),
)

METRICS = OptionTable(
    "metrics",
    Option(
        "accuracy",
        "accuracy",
        "Share of samples whose predicted class is right (always measured).",
        (CLASSIFICATION,),
        higher_is_better=True,
    ),
    Option(
        "precision",
        "precision",
        "Of the samples predicted positive, the share that really are positive.",
        (CLASSIFICATION,),
        higher_is_better=True,
    ),
    Option(
        "recall",
        "recall",
        "Of the samples that really are positive, the share the model finds.",
        (CLASSIFICATION,),
        higher_is_better=True,
    ),
    Option(
        "auc",
        "auc",
        "Area under the ROC curve: how well scores rank positives first (0.5 chance, 1 best).",
        (CLASSIFICATION,),
        higher_is_better=True,
    ),
    Option(
        "mae",
        "mae",
        "Mean absolute error: the average size of a miss, in the target's units (always).",
        (REGRESSION,),
    ),
    Option(
        "rmse",
        "rmse",
        "Root mean squared error: like MAE, but big misses count more (always measured).",
        (REGRESSION,),
    ),
)

# What picks the best epoch and drives early stopping.
MONITORS = OptionTable(
    "early_stopping_monitor",
    Option("val_loss", "val_loss", "The loss on the validation part (lower is better)."),
    Option(
        "val_accuracy",
        "val_accuracy",
        "The accuracy on the validation part (higher is better).",
        (CLASSIFICATION,),
        higher_is_better=True,
    ),
    Option("loss", "loss", "The loss on the training part (lower is better)."),
)

CLASS_WEIGHTS = OptionTable(
    "class_weights",
    Option("auto", "auto", "balanced when the largest class has 20x the rows of the smallest."),
    Option("none", "none", "Every sample counts the same."),
    Option("balanced", "balanced", "Mistakes on rare classes count more."),
)

#: Every table, by the TrainingConfig field it fills.
TABLES: dict[str, OptionTable] = {
    table.setting: table
    for table in (OPTIMIZERS, SCHEDULES, LOSSES, METRICS, MONITORS, CLASS_WEIGHTS)
}


def higher_is_better(monitor: str) -> bool:
    """Whether a logged number improves upwards: accuracies and other scores do, losses
    and errors do not (a ``val_`` prefix reads as the metric's own name)."""
    if monitor in MONITORS:
        return MONITORS[monitor].higher_is_better
    name = monitor.removeprefix("val_")
    return name in METRICS and METRICS[name].higher_is_better
