"""Searches over settings: the space (which settings vary, and how) and how to search it.

A search is a list of :class:`Param` (one setting each, as ``NAME=SPEC``) plus a
:class:`SearchSettings` (grid, random or Bayesian; how many trials; how many at once; early
termination; the metric; the Ray cluster). The window, the CLI and the Ray driver all read
the same classes, so a space typed in one place means the same everywhere. Plain Python.

>>> p = parse_param("learning_rate=loguniform(1e-4, 1e-2)")
>>> p.kind, p.low, p.high
('loguniform', 0.0001, 0.01)
>>> parse_param("LSTM.units=choice(32, 64)").values
(32, 64)
"""

from __future__ import annotations

import copy
import itertools
import math
import re
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from workbench.core.errors import WorkbenchError
from workbench.core.layers import LayerSpec
from workbench.core.options import CLASS_WEIGHTS, LOSSES, OPTIMIZERS, SCHEDULES, higher_is_better
from workbench.core.project import Project, resolve_metrics
from workbench.core.sweeps import dropout_targets

SEARCHES = ("grid", "random", "bayesian")
EARLY_STOPS = ("none", "asha", "median")
SPEC_KINDS = ("choice", "uniform", "loguniform", "int")
#: More trials than this in one search is almost always a typo (and days of training).
MAX_TRIALS = 1000
MAX_PARAMS = 20
MAX_CHOICES = 100
#: The epochs a trial may run at most when its epochs are "auto" and a scheduler needs a
#: horizon (ASHA's max_t).
AUTO_EPOCH_HORIZON = 100

_SPEC = re.compile(r"^\s*(choice|uniform|loguniform|int)\s*\((.*)\)\s*$", re.IGNORECASE | re.S)
_NAME = re.compile(r"^[A-Za-z0-9_]+(\.[A-Za-z_][A-Za-z0-9_]*)?$")


@dataclass(frozen=True)
class TrainSetting:
    """A Train-tab setting a search may vary."""

    kind: str  # "float" | "int" | "choice"
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""


#: Every Train-tab setting a search may vary (the validation split and the seed are left
#: out: trials that split the data differently are not comparable).
TRAIN_SETTINGS: dict[str, TrainSetting] = {
    "learning_rate": TrainSetting("float", minimum=1e-12, maximum=10, help="step size"),
    "batch_size": TrainSetting("int", minimum=1, maximum=1_000_000, help="samples per step"),
    "epochs": TrainSetting("int", minimum=1, maximum=100_000, help="passes over the data"),
    "optimizer": TrainSetting("choice", OPTIMIZERS.names, help="how weights are updated"),
    "momentum": TrainSetting("float", minimum=0.0, maximum=0.999, help="sgd momentum"),
    "schedule": TrainSetting("choice", SCHEDULES.names, help="learning-rate schedule"),
    "clip_norm": TrainSetting("float", minimum=0.0, maximum=1e6, help="gradient clipping"),
    "early_stopping_patience": TrainSetting("int", minimum=0, maximum=10_000),
    "class_weights": TrainSetting("choice", CLASS_WEIGHTS.names),
    "loss": TrainSetting("choice", LOSSES.names),
}
#: Short names people type, for the settings above.
ALIASES = {"lr": "learning_rate", "batch": "batch_size", "patience": "early_stopping_patience"}
#: Every dropout in the model at once (Dropout layers, else recurrent layers' dropout).
DROPOUT = "dropout"


@dataclass(frozen=True)
class Param:
    """One varying setting: ``name`` and its distribution.

    ``choice`` keeps ``values``; ``uniform``/``loguniform`` draw a number in [low, high];
    ``int`` draws a whole number in [low, high], both ends included.
    """

    name: str
    kind: str
    values: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None

    @property
    def spec(self) -> str:
        """The text form, ``choice(a, b)`` or ``uniform(lo, hi)``: parse_param reads it."""
        if self.kind == "choice":
            return f"choice({', '.join(_fmt(v) for v in self.values)})"
        return f"{self.kind}({_fmt(self.low)}, {_fmt(self.high)})"

    def __str__(self) -> str:
        return f"{self.name}={self.spec}"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON."""
        return {"name": self.name, "kind": self.kind, "values": list(self.values),
                "low": self.low, "high": self.high}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Param:
        """The inverse of :meth:`to_dict`, re-checked as if typed."""
        param = cls(data["name"], data["kind"], tuple(data.get("values") or ()),
                    data.get("low"), data.get("high"))  # fmt: skip
        if not isinstance(param.name, str) or not _NAME.match(param.name):
            raise WorkbenchError(f"{param.name!r} is not a setting name.")
        return parse_spec(param.name, param.spec)


def parse_param(text: str) -> Param:
    """``NAME=SPEC`` -> Param; WorkbenchError saying what is wrong and how it should look."""
    name, sep, spec = text.partition("=")
    name = ALIASES.get(name.strip(), name.strip())
    if not sep or not name:
        raise WorkbenchError(
            f"--param {text!r}: write NAME=SPEC, e.g. learning_rate=loguniform(1e-4, 1e-2)."
        )
    if not _NAME.match(name):
        raise WorkbenchError(
            f"--param {text!r}: {name!r} is not a setting name; use a Train setting "
            f"({', '.join(TRAIN_SETTINGS)}), 'dropout', or LAYER.PARAM such as LSTM.units or "
            "3.units (the layer's number in the Model tab)."
        )
    return parse_spec(name, spec)


def parse_spec(name: str, spec: str) -> Param:
    """``choice(a,b)``, ``uniform(lo,hi)``, ``loguniform(lo,hi)`` or ``int(lo,hi)`` for
    ``name``; WorkbenchError in words otherwise."""
    match = _SPEC.match(spec)
    if not match:
        raise WorkbenchError(
            f"{name}: {spec.strip()!r} is not a search space; write choice(a, b, ...), "
            "uniform(lo, hi), loguniform(lo, hi) or int(lo, hi)."
        )
    kind = match.group(1).lower()
    parts = [p.strip() for p in match.group(2).split(",")]
    if parts == [""]:
        parts = []
    if kind == "choice":
        if not parts or any(not p for p in parts):
            raise WorkbenchError(f"{name}: choice(...) needs values separated by commas.")
        if len(parts) > MAX_CHOICES:
            raise WorkbenchError(f"{name}: at most {MAX_CHOICES} choices.")
        values: list[Any] = []
        for part in parts:
            value = _value(part)
            if value not in values:
                values.append(value)
        return Param(name, kind, tuple(values))
    if len(parts) != 2:
        raise WorkbenchError(f"{name}: {kind}(lo, hi) takes two numbers, got {len(parts)}.")
    try:
        low, high = (int(p) if kind == "int" else float(p) for p in parts)
    except ValueError:
        what = "whole numbers" if kind == "int" else "numbers"
        raise WorkbenchError(f"{name}: {kind}({', '.join(parts)}) needs two {what}.") from None
    if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        raise WorkbenchError(f"{name}: {kind}(lo, hi) needs lo below hi (got {low}, {high}).")
    if kind == "loguniform" and low <= 0:
        raise WorkbenchError(f"{name}: loguniform needs numbers above 0 (got {low}).")
    return Param(name, kind, (), low, high)


def _value(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text.strip("'\"")


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass
class SearchSettings:
    """How to search: the strategy, the budget, early termination, the metric, where."""

    params: list[Param] = field(default_factory=list)
    search: str = "random"  # one of SEARCHES
    trials: int = 8  # random and bayesian; grid tries every combination
    parallel: int = 1  # trials at once
    early_stop: str = "none"  # one of EARLY_STOPS
    metric: str = ""  # "" = val_accuracy for classification, val_loss otherwise
    ray_address: str = ""  # "" = a local Ray started for this search
    cpus_per_trial: float = 0.0  # 0 = the machine's cores shared among parallel trials
    gpus_per_trial: float = 0.0
    seed: int = 0
    storage: str = ""  # where Tune keeps trial checkpoints ("" = beside the run store)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON."""
        data = asdict(self)
        data["params"] = [p.to_dict() for p in self.params]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SearchSettings:
        """The inverse of :meth:`to_dict`; a field of the wrong type or an unknown one is a
        WorkbenchError naming it (the data may come from a file)."""
        if not isinstance(data, dict):
            raise WorkbenchError("search: expected an object of settings.")
        values = dict(data)
        params = values.pop("params", [])
        if not isinstance(params, list) or not all(isinstance(p, dict) for p in params):
            raise WorkbenchError("search.params: expected a list of objects.")
        for key, value in values.items():
            expected = _FIELD_TYPES.get(key)
            if expected is None:
                raise WorkbenchError(f"search.{key}: not a search setting.")
            if isinstance(value, bool) or not isinstance(value, expected):
                raise WorkbenchError(f"search.{key}: {value!r} has the wrong type.")
        try:
            parsed = [Param.from_dict(p) for p in params]
        except (KeyError, TypeError) as exc:
            raise WorkbenchError(f"search.params: {exc!r} is missing or wrong.") from None
        return cls(params=parsed, **values)

    def metric_for(self, project: Project) -> str:
        """The metric trials are compared by."""
        if self.metric:
            return self.metric
        return "val_accuracy" if project.dataset.task != "regression" else "val_loss"

    def mode_for(self, project: Project) -> str:
        """'max' when the metric improves upwards, else 'min'."""
        return "max" if higher_is_better(self.metric_for(project)) else "min"

    def grid_size(self) -> int:
        """Combinations of the choice values (grid search's number of trials)."""
        return math.prod(len(p.values) for p in self.params if p.kind == "choice")

    def planned_trials(self) -> int:
        """How many trials the search will run."""
        return self.grid_size() if self.search == "grid" else self.trials

    def problems(self, project: Project) -> list[str]:
        """What keeps this search from running on the project, worded for the person."""
        found: list[str] = []
        if self.search not in SEARCHES:
            found.append(f"Search must be one of {', '.join(SEARCHES)}.")
        if self.early_stop not in EARLY_STOPS:
            found.append(f"Early termination must be one of {', '.join(EARLY_STOPS)}.")
        if not self.params:
            found.append("Add at least one setting to vary: a search compares trials.")
        if len(self.params) > MAX_PARAMS:
            found.append(f"At most {MAX_PARAMS} settings may vary in one search.")
        names = [p.name for p in self.params]
        for name in sorted({n for n in names if names.count(n) > 1}):
            found.append(f"{name} is given twice; keep one range for it.")
        for param in self.params:
            found.extend(param_problems(project, param))
        if self.search == "grid":
            ranges = [p.name for p in self.params if p.kind != "choice"]
            if ranges:
                found.append(
                    f"Grid search tries listed values: give {', '.join(ranges)} as "
                    "choice(...), or use random or bayesian search for ranges."
                )
            elif self.params and self.grid_size() > MAX_TRIALS:
                found.append(f"The grid has {self.grid_size()} combinations; at most {MAX_TRIALS}.")
        elif not (1 <= self.trials <= MAX_TRIALS):
            found.append(f"Trials must be between 1 and {MAX_TRIALS}.")
        if not (1 <= self.parallel <= 256):
            found.append("Parallel trials must be between 1 and 256.")
        if self.cpus_per_trial < 0 or self.gpus_per_trial < 0:
            found.append("CPUs and GPUs per trial must be 0 (automatic) or more.")
        metric = self.metric_for(project)
        logged = logged_metrics(project)
        if metric.removeprefix("val_") == "accuracy" and project.dataset.task == "regression":
            found.append("A regression model has no accuracy: compare trials by val_loss.")
        elif metric not in logged:
            found.append(
                f"Trials cannot be compared by {metric}: training logs {', '.join(logged)}. "
                "Add the metric in the Train tab (or --metrics), or choose one of those."
            )
        if self.early_stop != "none" and epochs_of(project, self) is None:
            found.append("Early termination needs a number of epochs: set Epochs or vary them.")
        return found

    def check(self, project: Project) -> None:
        """Raise WorkbenchError naming the first problem."""
        problems = self.problems(project)
        if problems:
            raise WorkbenchError(problems[0])


def logged_metrics(project: Project) -> list[str]:
    """The numbers every epoch logs for this project (training, then validation): what a
    search can compare trials by."""
    task = "regression" if project.dataset.task == "regression" else "classification"
    names = ["loss"] + [
        "root_mean_squared_error" if name == "rmse" else name
        for name in resolve_metrics(project.training.metrics, task)
    ]
    return names + [f"val_{name}" for name in names]


_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "search": str,
    "trials": int,
    "parallel": int,
    "early_stop": str,
    "metric": str,
    "ray_address": str,
    "cpus_per_trial": (int, float),
    "gpus_per_trial": (int, float),
    "seed": int,
    "storage": str,
}


def epochs_of(project: Project, settings: SearchSettings) -> int | None:
    """The most epochs one trial runs (None: auto epochs, no fixed horizon)."""
    for param in settings.params:
        if param.name == "epochs":
            return int(max(param.values) if param.kind == "choice" else param.high or 1)
    if project.training.epochs is None and settings.early_stop != "none":
        return AUTO_EPOCH_HORIZON
    return project.training.epochs


def settable_names(project: Project) -> list[str]:
    """Every name a search may vary on this project: Train settings, 'dropout' when the
    model has any, then each layer's numeric and choice parameters as ``N.param``."""
    names = list(TRAIN_SETTINGS)
    if dropout_targets(project):
        names.append(DROPOUT)
    for number, layer in enumerate(project.layers, start=1):
        for spec in layer.type.params:
            if spec.kind in ("int", "float", "choice", "bool"):
                names.append(f"{number}.{spec.name}")
    return names


def layer_target(project: Project, name: str) -> tuple[int, str]:
    """(index in the stack, parameter) of ``N.param`` or ``Kind.param``; WorkbenchError
    in words when no layer (or more than one) answers to it."""
    head, _, param = name.partition(".")
    layers = project.layers
    if head.isdigit():
        index = int(head) - 1
        if not (0 <= index < len(layers)):
            raise WorkbenchError(f"{name}: the model has layers 1 to {len(layers)}.")
    else:
        found = [i for i, layer in enumerate(layers) if layer.kind.lower() == head.lower()]
        if not found:
            kinds = ", ".join(dict.fromkeys(layer.kind for layer in layers))
            raise WorkbenchError(f"{name}: the model has no {head} layer (it has {kinds}).")
        if len(found) > 1:
            numbers = ", ".join(str(i + 1) for i in found)
            raise WorkbenchError(
                f"{name}: the model has {len(found)} {head} layers ({numbers}); name one by "
                f"its number, e.g. {found[0] + 1}.{param}."
            )
        index = found[0]
    layer = layers[index]
    if param not in layer.params:
        options = ", ".join(layer.params) or "none"
        raise WorkbenchError(f"{name}: {layer.kind} has no parameter {param!r} ({options}).")
    return index, param


def param_problems(project: Project, param: Param) -> list[str]:
    """Why ``param`` cannot vary on this project (unknown name, values out of range)."""
    try:
        samples = _extremes(param)
        for value in samples:
            apply(project, {param.name: value})
    except WorkbenchError as exc:
        return [str(exc)]
    return []


def _extremes(param: Param) -> list[Any]:
    if param.kind == "choice":
        return list(param.values)
    if param.kind == "int":
        return [int(param.low or 0), int(param.high or 0)]
    return [float(param.low or 0.0), float(param.high or 0.0)]


def apply(project: Project, values: dict[str, Any]) -> Project:
    """A copy of ``project`` with each setting set; WorkbenchError naming a bad value."""
    changed = copy.deepcopy(project)
    for name, value in values.items():
        _set(changed, name, value)
    problems = changed.training.problems()
    if problems:
        raise WorkbenchError(problems[0])
    return changed


def _set(project: Project, name: str, value: Any) -> None:
    training = project.training
    if name in TRAIN_SETTINGS:
        setting = TRAIN_SETTINGS[name]
        if setting.kind == "choice":
            if value not in setting.choices:
                raise WorkbenchError(
                    f"{name}: {value!r} is not one of {', '.join(setting.choices)}."
                )
        else:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise WorkbenchError(f"{name}: {value!r} is not a number.")
            if setting.kind == "int":
                if value != int(value):
                    raise WorkbenchError(f"{name}: {value!r} is not a whole number.")
                value = int(value)
            else:
                value = float(value)
            low, high = setting.minimum, setting.maximum
            if (low is not None and value < low) or (high is not None and value > high):
                raise WorkbenchError(f"{name}: {value:g} is outside {low:g} to {high:g}.")
        setattr(training, name, value)
        return
    if name == DROPOUT:
        targets = dropout_targets(project)
        if not targets:
            raise WorkbenchError(
                "dropout: the model has no Dropout layer or recurrent dropout to vary; add "
                "one in the Model tab."
            )
        for index, key in targets:
            _set_layer(project.layers[index], key, value, name)
        return
    if "." not in name:
        raise WorkbenchError(
            f"{name} is not a setting a search can vary; use one of "
            f"{', '.join(TRAIN_SETTINGS)}, 'dropout', or LAYER.PARAM such as LSTM.units."
        )
    index, key = layer_target(project, name)
    _set_layer(project.layers[index], key, value, name)


def _set_layer(layer: LayerSpec, key: str, value: Any, name: str) -> None:
    spec = layer.type.param(key)
    if spec.kind == "int" and isinstance(value, float) and value == int(value):
        value = int(value)
    if spec.kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    problem = spec.check(value)
    if problem:
        raise WorkbenchError(f"{name}: {problem}")
    layer.params[key] = value


def grid_points(settings: SearchSettings) -> list[dict[str, Any]]:
    """Every combination of the choice values, the first setting varying slowest."""
    params = [p for p in settings.params if p.kind == "choice"]
    return [
        dict(zip((p.name for p in params), combo, strict=True))
        for combo in itertools.product(*(p.values for p in params))
    ]


def describe(values: dict[str, Any]) -> str:
    """'learning_rate 0.0012, 3.units 48' for a trial's values (floats to 3 digits)."""
    return ", ".join(f"{k} {_short(v)}" for k, v in values.items())


def _short(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


@dataclass
class SweepJob:
    """What a search needs: the project, the search settings, where runs go."""

    project: Project
    settings: SearchSettings
    store_root: Path
    name: str = "trial"
    sweep_id: str = field(default_factory=lambda: new_sweep_id())  # defined below

    def to_dict(self) -> dict[str, Any]:
        """The spec file the window hands to ``workbench sweep --spec``."""
        return {
            "project": self.project.to_dict(),
            "search": self.settings.to_dict(),
            "store": str(self.store_root),
            "name": self.name,
            "sweep_id": self.sweep_id,
        }


def new_sweep_id() -> str:
    """'sweep-20261204-153000-1a2b3c': sortable and unique."""
    return f"sweep-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
