"""A project: which data, which layers, how to train. Saved as versioned JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from workbench.core.errors import ModelConfigError, WorkbenchError
from workbench.core.layers import LayerSpec
from workbench.core.templates import text_classifier

SCHEMA_VERSION = 1
OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop", "adagrad", "nadam")
SCHEDULES = ("constant", "cosine", "step", "plateau")
CLASS_WEIGHTS = ("auto", "none", "balanced")
# "auto" balances the classes when the largest is at least this many times the smallest.
IMBALANCE_RATIO = 1.5
# "auto" picks by task: binary / sparse categorical cross-entropy, or mean squared error.
CLASSIFICATION_LOSSES = (
    "auto",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
)
REGRESSION_LOSSES = ("auto", "mean_squared_error", "mean_absolute_error", "huber")
LOSSES = CLASSIFICATION_LOSSES + REGRESSION_LOSSES[1:]
CLASSIFICATION_METRICS = ("accuracy", "precision", "recall", "auc")
REGRESSION_METRICS = ("mae", "rmse")
METRICS = CLASSIFICATION_METRICS + REGRESSION_METRICS
MONITORS = ("val_loss", "val_accuracy", "loss")
DEVICES = ("auto", "cpu", "gpu", "all_gpus")  # all_gpus: tf.distribute.MirroredStrategy


@dataclass
class DatasetSpec:
    """Where the data is and which columns play which role."""

    path: str = ""
    text_column: str = ""
    label_column: str = ""
    kind: str = "text"
    task: str = "classification"
    augment: bool = False  # images: random flips, rotations and zooms while training


@dataclass
class TrainingConfig:
    """Everything about a fit that is not the model itself."""

    optimizer: str = "adam"
    learning_rate: float = 1e-3
    epochs: int = 5
    batch_size: int = 32
    validation_fraction: float = 0.2
    seed: int = 42
    test_fraction: float = 0.0  # held out from training and validation, scored at the end
    momentum: float = 0.0  # sgd only
    schedule: str = "constant"  # learning rate: constant, cosine decay, step decay, plateau
    early_stopping_patience: int = 0  # epochs without a better val_loss before stopping; 0 off
    class_weights: str = "auto"  # "balanced" weighs rare classes up; auto: when imbalanced
    clip_norm: float = 0.0  # gradient clipping by norm; 0 off
    loss: str = "auto"  # one of LOSSES; auto = the usual loss for the task and label count
    metrics: list[str] = field(default_factory=list)  # extra METRICS; accuracy/mae always
    nesterov: bool = False  # sgd only
    early_stopping_monitor: str = "val_loss"  # one of MONITORS
    restore_best_weights: bool = True  # keep the best epoch's weights, not the last
    device: str = "auto"  # one of DEVICES
    mixed_precision: bool = False  # float16 compute on a GPU; ignored on the CPU

    def problems(self) -> list[str]:
        """Settings that cannot train, worded for the user."""
        found = []
        if self.optimizer not in OPTIMIZERS:
            found.append(f"Optimizer must be one of {', '.join(OPTIMIZERS)}.")
        if not (0 < self.learning_rate <= 10):
            found.append("Learning rate must be above 0 and at most 10.")
        if not (1 <= self.epochs <= 100_000):
            found.append("Epochs must be between 1 and 100000.")
        if not (1 <= self.batch_size <= 1_000_000):
            found.append("Batch size must be at least 1.")
        if not (0.0 < self.validation_fraction < 0.9):
            found.append("Validation fraction must be above 0 and below 0.9.")
        if self.schedule not in SCHEDULES:
            found.append(f"Learning-rate schedule must be one of {', '.join(SCHEDULES)}.")
        if self.class_weights not in CLASS_WEIGHTS:
            found.append("Class weights must be auto, none or balanced.")
        if not (0.0 <= self.momentum < 1.0):
            found.append("Momentum must be at least 0 and below 1.")
        if self.early_stopping_patience < 0:
            found.append("Early-stopping patience must be 0 (off) or more epochs.")
        if self.clip_norm < 0:
            found.append("Gradient clipping must be 0 (off) or a positive norm.")
        if self.loss not in LOSSES:
            found.append(f"Loss must be one of {', '.join(LOSSES)}.")
        unknown = [m for m in self.metrics if m not in METRICS]
        if unknown:
            found.append(f"Unknown metric {', '.join(unknown)}; choose from {', '.join(METRICS)}.")
        if self.early_stopping_monitor not in MONITORS:
            found.append(f"Early stopping must watch one of {', '.join(MONITORS)}.")
        if self.device not in DEVICES:
            found.append(f"Device must be one of {', '.join(DEVICES)}.")
        if not (0.0 <= self.test_fraction < 0.9):
            found.append("Test fraction must be at least 0 and below 0.9.")
        elif self.validation_fraction + self.test_fraction >= 0.9:
            found.append("Validation and test fractions together must leave 10% for training.")
        return found

    def check(self) -> None:
        """Raise ModelConfigError naming the first bad setting."""
        found = self.problems()
        if found:
            raise ModelConfigError(" ".join(found))


@dataclass
class Project:
    """The document a person edits; the GUI and the CLI both drive the backend from it."""

    dataset: DatasetSpec = field(default_factory=DatasetSpec)
    layers: list[LayerSpec] = field(default_factory=text_classifier)
    training: TrainingConfig = field(default_factory=TrainingConfig)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, with the schema version."""
        return {
            "schema_version": SCHEMA_VERSION,
            "dataset": asdict(self.dataset),
            "layers": [layer.to_dict() for layer in self.layers],
            "training": asdict(self.training),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Project:
        """Inverse of :meth:`to_dict`; migrates older schema versions."""
        version = data.get("schema_version", 0)
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise WorkbenchError(
                f"This project was saved by a newer Training Workbench (schema {version}); "
                "update the app to open it."
            )
        data = migrate(data)
        try:
            return cls(
                dataset=DatasetSpec(**_known(DatasetSpec, data.get("dataset", {}))),
                layers=[LayerSpec.from_dict(item) for item in data.get("layers", [])],
                training=TrainingConfig(**_known(TrainingConfig, data.get("training", {}))),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise WorkbenchError(f"The project file is damaged: {exc}") from None

    def save(self, path: str | Path) -> None:
        """Write atomically: a crash mid-save leaves the previous file intact."""
        atomic_write_text(Path(path), json.dumps(self.to_dict(), indent=2))

    @classmethod
    def load(cls, path: str | Path) -> Project:
        """Read a project file, with a readable error when it is not one."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise WorkbenchError(f"{path}: not a readable project file ({exc}).") from None
        if not isinstance(data, dict):
            raise WorkbenchError(f"{path}: not a project file.")
        return cls.from_dict(data)


def _known(kind: type, values: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(kind)}
    return {k: v for k, v in values.items() if k in names}


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Bring a project dict up to SCHEMA_VERSION (version 0 had no version field)."""
    data = dict(data)
    data["schema_version"] = SCHEMA_VERSION
    return data


def atomic_write_text(path: Path, text: str) -> None:
    """Write, fsync, rename: readers see the old file or the new one, never half of one.

    A full disk or a read-only folder raises SaveFailed naming the file (see core.atomic).
    """
    from workbench.core import atomic

    atomic.atomic_write_text(path, text)


def resolve_loss(loss: str, num_classes: int, task: str) -> str:
    """The Keras loss name a setting means for this data ("auto" picks the usual one)."""
    if loss != "auto":
        return loss
    if task == "regression":
        return "mean_squared_error"
    return "binary_crossentropy" if num_classes <= 2 else "sparse_categorical_crossentropy"


def loss_problem(loss: str, num_classes: int, task: str) -> str | None:
    """Why a chosen loss cannot train this data, or None; worded for the user."""
    if loss == "auto":
        return None
    if task == "regression" and loss not in REGRESSION_LOSSES:
        return (
            f"The loss {loss} is for classification, but the target is a number; "
            "choose mean_squared_error, mean_absolute_error or huber (or auto)."
        )
    if task == "classification" and loss not in CLASSIFICATION_LOSSES:
        return (
            f"The loss {loss} is for numbers, but the labels are classes; "
            "choose a cross-entropy (or auto)."
        )
    if loss == "binary_crossentropy" and num_classes > 2:
        return (
            f"Binary cross-entropy needs 2 classes but the labels have {num_classes}; "
            "choose sparse_categorical_crossentropy (or auto)."
        )
    return None


def resolve_metrics(metrics: list[str], task: str) -> list[str]:
    """The metric names to compile: the task's basics first, then the extras that apply."""
    base = ["accuracy"] if task == "classification" else ["mae", "rmse"]
    allowed = CLASSIFICATION_METRICS if task == "classification" else REGRESSION_METRICS
    return base + [m for m in metrics if m in allowed and m not in base]


def imbalance(counts: list[int]) -> float:
    """How many times the largest class outnumbers the smallest (1.0 when balanced)."""
    present = [c for c in counts if c > 0]
    if len(present) < 2:
        return 1.0
    return max(present) / min(present)


def resolve_class_weights(setting: str, counts: list[int]) -> str:
    """'balanced' or 'none': what a class-weights setting means for these label counts."""
    if setting != "auto":
        return setting
    return "balanced" if imbalance(counts) >= IMBALANCE_RATIO else "none"
