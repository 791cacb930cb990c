"""Sweeps: a grid of a few settings, expanded to one project per combination.

A person picks values for the learning rate, the units of one layer, the dropout rate and
the batch size; :func:`expand` turns the grid into projects that the window (or a script)
trains one after another. Plain Python: no Qt, no TensorFlow.

>>> from workbench.core.project import Project
>>> grid = SweepGrid(learning_rates=[1e-3, 1e-2], batch_sizes=[16, 32])
>>> [point.label for point in expand(Project(), grid)]
['lr 0.001, batch 16', 'lr 0.001, batch 32', 'lr 0.01, batch 16', 'lr 0.01, batch 32']
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from typing import Any

from workbench.core.errors import WorkbenchError
from workbench.core.project import Project

#: More runs than this in one sweep is almost always a typo (and hours of training).
MAX_RUNS = 64
#: Layers whose ``rate`` is a dropout rate.
DROPOUT_LAYERS = ("Dropout", "SpatialDropout1D")
#: The short names run names use for the most varied settings.
SHORT_NAMES = {"learning_rate": "lr", "batch": "batch", "batch_size": "batch"}


@dataclass
class SweepGrid:
    """The values to try for each setting; an empty list keeps the project's value."""

    learning_rates: list[float] = field(default_factory=list)
    units: list[int] = field(default_factory=list)
    units_layer: int | None = None  # index in the stack of the layer whose units vary
    dropouts: list[float] = field(default_factory=list)
    batch_sizes: list[int] = field(default_factory=list)

    @property
    def size(self) -> int:
        """How many runs the grid expands to."""
        total = 1
        for values in (self.learning_rates, self.units, self.dropouts, self.batch_sizes):
            total *= max(1, len(values))
        return total


@dataclass
class SweepPoint:
    """One combination: its settings in words and the project that trains it."""

    index: int  # 1-based position in the sweep
    settings: dict[str, Any]
    project: Project

    @property
    def label(self) -> str:
        """'lr 0.001, units 32, dropout 0.2, batch 16' (only the settings that vary).

        Any other name (a search's ``optimizer`` or ``3.units``) is shown as it is named.
        """
        return ", ".join(f"{SHORT_NAMES.get(k, k)} {_number(v)}" for k, v in self.settings.items())


def units_layers(project: Project) -> list[int]:
    """Indices of the layers whose units a sweep may change (every one but the output)."""
    return [index for index, layer in enumerate(project.layers[:-1]) if "units" in layer.params]


def dropout_targets(project: Project) -> list[tuple[int, str]]:
    """(layer index, parameter) pairs a dropout value goes to.

    Dropout layers if the stack has any; otherwise the ``dropout`` setting of recurrent
    layers. Empty when nothing in the stack drops anything.
    """
    layers = project.layers
    found = [(i, "rate") for i, layer in enumerate(layers) if layer.kind in DROPOUT_LAYERS]
    if found:
        return found
    return [(i, "dropout") for i, layer in enumerate(layers) if "dropout" in layer.params]


def check(project: Project, grid: SweepGrid) -> list[str]:
    """What keeps the grid from running on this project, worded for the person."""
    problems = []
    if grid.size < 2:
        problems.append("Give at least two values for one setting: a sweep compares runs.")
    if grid.size > MAX_RUNS:
        problems.append(
            f"The grid makes {grid.size} runs; at most {MAX_RUNS} are allowed. Give fewer values."
        )
    if any(not (0 < v <= 10) for v in grid.learning_rates):
        problems.append("Learning rates must be above 0 and at most 10.")
    if any(not (1 <= v <= 1_000_000) for v in grid.batch_sizes):
        problems.append("Batch sizes must be whole numbers of at least 1.")
    if any(not (0.0 <= v <= 0.95) for v in grid.dropouts):
        problems.append("Dropout rates must be between 0 and 0.95.")
    if grid.units:
        if any(not (1 <= v <= 65536) for v in grid.units):
            problems.append("Units must be whole numbers between 1 and 65536.")
        if grid.units_layer not in units_layers(project):
            problems.append(
                "Choose which layer's units to vary (a layer with units, not the output layer)."
            )
    if grid.dropouts and not dropout_targets(project):
        problems.append(
            "The model has no dropout to vary: add a Dropout layer (Model tab) or clear the "
            "dropout values."
        )
    return problems


def expand(project: Project, grid: SweepGrid) -> list[SweepPoint]:
    """One project per combination, learning rate varying slowest, batch size fastest.

    Raises WorkbenchError naming the first problem when the grid cannot run.
    """
    problems = check(project, grid)
    if problems:
        raise WorkbenchError(problems[0])
    axes: list[tuple[str, list[Any]]] = [
        (name, values)
        for name, values in (
            ("learning_rate", grid.learning_rates),
            ("units", grid.units),
            ("dropout", grid.dropouts),
            ("batch", grid.batch_sizes),
        )
        if values
    ]
    points = []
    for number, combination in enumerate(itertools.product(*(v for _, v in axes)), start=1):
        settings = dict(zip((name for name, _ in axes), combination, strict=True))
        points.append(SweepPoint(number, settings, _apply(project, grid, settings)))
    return points


def _apply(project: Project, grid: SweepGrid, settings: dict[str, Any]) -> Project:
    changed = copy.deepcopy(project)
    if "learning_rate" in settings:
        changed.training.learning_rate = float(settings["learning_rate"])
    if "batch" in settings:
        changed.training.batch_size = int(settings["batch"])
    if "units" in settings and grid.units_layer is not None:
        changed.layers[grid.units_layer].params["units"] = int(settings["units"])
    if "dropout" in settings:
        for index, name in dropout_targets(changed):
            changed.layers[index].params[name] = float(settings["dropout"])
    return changed


def parse_values(text: str, kind: type, what: str) -> list[Any]:
    """'0.001, 0.01 0.1' -> [0.001, 0.01, 0.1]; duplicates dropped, order kept.

    ``kind`` is int or float; ``what`` names the field in the error message.
    """
    values: list[Any] = []
    for part in text.replace(";", ",").replace(",", " ").split():
        try:
            value = float(part) if kind is float else int(part)
        except ValueError:
            expected = "whole numbers" if kind is int else "numbers"
            raise WorkbenchError(
                f"{what}: {part!r} is not a number; give {expected} separated by commas."
            ) from None
        if value not in values:
            values.append(value)
    return values


def sweep_name(point: SweepPoint, total: int) -> str:
    """The run name of one point: 'sweep 3/8: lr 0.01, batch 32'."""
    return f"sweep {point.index}/{total}: {point.label}"


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
