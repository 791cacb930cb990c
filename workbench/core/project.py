"""A project: which data, which layers, how to train. Saved as versioned JSON."""

from __future__ import annotations

import functools
import json
import typing
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Annotated, Any

from workbench.core import options
from workbench.core.atomic import atomic_write_text
from workbench.core.errors import FileRejected, ModelConfigError
from workbench.core.kinds import KINDS, TASKS
from workbench.core.layers import CATALOG, LayerSpec
from workbench.core.safe_json import read_json
from workbench.core.splits import AUTO_TEST_FRACTION
from workbench.core.templates import text_classifier

SCHEMA_VERSION = 1
# Limits no person's project reaches: refused at once, naming the limit, instead of a hang.
MAX_PROJECT_BYTES = 4 * 2**20
MAX_LAYERS = 500
MAX_TEXT = 4096  # characters in a path, a column name or a string setting
# The names of each setting's values, from its one table (workbench.core.options).
OPTIMIZERS = options.OPTIMIZERS.names
SCHEDULES = options.SCHEDULES.names
CLASS_WEIGHTS = options.CLASS_WEIGHTS.names
# "auto" balances the classes when the largest is at least this many times the smallest.
# Balancing trades accuracy for the rare classes' recall: on TREC questions (14.5x) it cost
# 2.8 points of accuracy (0.822 -> 0.795), so auto keeps it for a severe imbalance, where
# a model could learn "always the common class" (tests/benchmarks/defaults_public.py).
IMBALANCE_RATIO = 20.0
# "auto" picks by task: binary / sparse categorical cross-entropy, or mean squared error.
CLASSIFICATION_LOSSES = options.LOSSES.names_for("classification")
REGRESSION_LOSSES = options.LOSSES.names_for("regression")
LOSSES = options.LOSSES.names
CLASSIFICATION_METRICS = options.METRICS.names_for("classification")
REGRESSION_METRICS = options.METRICS.names_for("regression")
METRICS = options.METRICS.names
MONITORS = options.MONITORS.names
DEVICES = ("auto", "cpu", "gpu", "all_gpus")  # all_gpus: tf.distribute.MirroredStrategy


@dataclass
class DatasetSpec:
    """Where the data is and which columns play which role."""

    path: str = ""
    text_column: str = ""
    label_column: str = ""
    kind: str = "text"
    task: str = "classification"
    augment: bool = False  # images: flips, rotations, zooms; audio: shift, gain, noise
    sample_rate: int = 0  # audio: the model's rate in Hz; 0 is the default (16 kHz)
    clip_seconds: float = 0.0  # audio: clip length; 0 is chosen from the data (95th pct)


@dataclass
class TrainingConfig:
    """Everything about a fit that is not the model itself."""

    optimizer: str = "adam"
    learning_rate: float = 1e-3
    # None: "auto", until the validation number stops improving, within a budget taken
    # from the data size (workbench.core.epochs.resolve_epochs); a number is exactly that
    epochs: int | None = None
    batch_size: int = 32
    validation_fraction: float = 0.2
    seed: int = 42
    # held out from training and validation, scored at the end; None: "auto", 10% when the
    # data has at least 1,000 rows, else none (workbench.core.splits.resolve_test_fraction)
    test_fraction: float | None = None
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
        if not isinstance(self.metrics, list):
            return ["Metrics must be a list of names."]
        if self.optimizer not in OPTIMIZERS:
            found.append(f"Optimizer must be one of {', '.join(OPTIMIZERS)}.")
        if not (0 < self.learning_rate <= 10):
            found.append("Learning rate must be above 0 and at most 10.")
        if self.epochs is not None and not (1 <= self.epochs <= 100_000):
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
        # auto may hold out AUTO_TEST_FRACTION, so it must leave room for that much
        test = AUTO_TEST_FRACTION if self.test_fraction is None else self.test_fraction
        if not (0.0 <= test < 0.9):
            found.append("Test fraction must be at least 0 and below 0.9 (or auto).")
        elif self.validation_fraction + test >= 0.9:
            auto = f" (auto tests on up to {test:.0%})" if self.test_fraction is None else ""
            found.append(
                f"Validation and test fractions together must leave 10% for training{auto}."
            )
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
    def from_dict(cls, data: Any, source: str | Path = "project") -> Project:
        """Inverse of :meth:`to_dict`; migrates older schema versions and validates every
        value against the file schema (types, ranges, the layer catalog's choices).

        Raises FileRejected naming ``source``, the field and the problem.
        """
        if not isinstance(data, dict):
            raise FileRejected(source, f"not a project (a JSON {_json_kind(data)}, not an object).")
        version = data.get("schema_version", 0)
        if isinstance(version, bool) or not isinstance(version, int) or version < 0:
            raise FileRejected(source, f"not a schema version (got {version!r}).", "schema_version")
        if version > SCHEMA_VERSION:
            raise FileRejected(
                source,
                f"saved by a newer Training Workbench (schema {version}); "
                "update the app to open it.",
            )
        layers = data.get("layers")
        if isinstance(layers, list) and len(layers) > MAX_LAYERS:  # refused before validating
            raise FileRejected(
                source,
                f"has {len(layers)} layers; a project may have at most {MAX_LAYERS}.",
                "layers",
            )
        checked = _validated(migrate(data), source)
        return cls(
            dataset=DatasetSpec(**checked.dataset.model_dump()),
            layers=[LayerSpec(layer.kind, dict(layer.params)) for layer in checked.layers],
            training=TrainingConfig(**checked.training.model_dump()),
        )

    def save(self, path: str | Path) -> None:
        """Write atomically: a crash mid-save leaves the previous file intact."""
        atomic_write_text(Path(path), json.dumps(self.to_dict(), indent=2))

    @classmethod
    def load(cls, path: str | Path) -> Project:
        """Read a project file; FileRejected in one line when it is not a valid one."""
        return cls.from_dict(read_json(path, MAX_PROJECT_BYTES), path)


def _json_kind(value: Any) -> str:
    return {list: "list", str: "string", bool: "true/false", type(None): "null"}.get(
        type(value), "number"
    )


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Bring a project dict up to SCHEMA_VERSION (version 0 had no version field)."""
    data = dict(data)
    data["schema_version"] = SCHEMA_VERSION
    return data


# The file schema. Types come from the dataclasses above (one source), strictly: "ten" is not
# an epoch count and 1e309 (infinity) is not a learning rate; unknown fields are refused.
# Ranges and choices come from the same checks the window's form uses, and layer settings from
# the layer catalog, so a value the form refuses is refused in a file too.
@functools.cache
def _schema() -> Any:
    """The project file's pydantic model, built on first use: pydantic and the models take
    a quarter of a second to load, which the window's start does not wait for."""
    import pydantic

    from workbench.core.schemas import STRICT

    _Text = Annotated[str, pydantic.StringConstraints(max_length=MAX_TEXT)]
    _Name = Annotated[str, pydantic.StringConstraints(max_length=64)]
    _ParamValue = bool | int | float | _Text | Annotated[list[int], pydantic.Field(max_length=16)]

    def _file_model(kind: type, choices: dict[str, tuple[str, ...]]) -> type[pydantic.BaseModel]:
        """A strict pydantic model with the fields, types and defaults of dataclass ``kind``."""
        hints = typing.get_type_hints(kind)
        spec: dict[str, Any] = {}
        for item in fields(kind):
            hint = hints[item.name]
            if item.name in choices:
                hint = typing.Literal[choices[item.name]]
            elif hint is str:
                hint = _Text
            elif hint == list[str]:
                hint = Annotated[list[_Name], pydantic.Field(max_length=32)]
            default = (
                pydantic.Field(default_factory=item.default_factory)
                if item.default_factory is not MISSING
                else item.default
            )
            spec[item.name] = (hint, default)
        return pydantic.create_model(f"{kind.__name__}File", __config__=STRICT, **spec)

    _DatasetFile = _file_model(DatasetSpec, {"kind": KINDS, "task": TASKS})
    _TrainingBase = _file_model(
        TrainingConfig,
        {
            "optimizer": OPTIMIZERS,
            "schedule": SCHEDULES,
            "class_weights": CLASS_WEIGHTS,
            "loss": LOSSES,
            "early_stopping_monitor": MONITORS,
            "device": DEVICES,
        },
    )

    class _TrainingFile(_TrainingBase):  # type: ignore[misc, valid-type]
        @pydantic.model_validator(mode="after")
        def _trainable(self) -> _TrainingFile:
            found = TrainingConfig(**self.model_dump()).problems()
            if found:
                raise ValueError(found[0])
            return self

    class _LayerFile(pydantic.BaseModel):
        model_config = STRICT
        kind: _Name
        params: Annotated[dict[_Name, _ParamValue], pydantic.Field(max_length=64)] = {}

        @pydantic.model_validator(mode="after")
        def _in_catalog(self) -> _LayerFile:
            if self.kind not in CATALOG:
                raise ValueError(f"{self.kind!r} is not a layer type the workbench has")
            found = LayerSpec(self.kind, dict(self.params)).problems()
            if found:
                raise ValueError(f"{self.kind}: {found[0]}")
            return self

    class _ProjectFile(pydantic.BaseModel):
        model_config = STRICT
        schema_version: int
        dataset: _DatasetFile = pydantic.Field(default_factory=_DatasetFile)  # type: ignore[valid-type]
        layers: Annotated[list[_LayerFile], pydantic.Field(max_length=MAX_LAYERS)] = []
        training: _TrainingFile = pydantic.Field(default_factory=_TrainingFile)

    return _ProjectFile


def _validated(data: dict[str, Any], source: str | Path) -> Any:
    from workbench.core.schemas import validate

    return validate(_schema(), data, source)


def layers_from_file(items: Any, source: str | Path) -> list[LayerSpec]:
    """Layers read from outside (a clipboard, a file), validated like a project's layers."""
    checked = _validated({"schema_version": SCHEMA_VERSION, "layers": items}, source)
    return [LayerSpec(layer.kind, dict(layer.params)) for layer in checked.layers]


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
