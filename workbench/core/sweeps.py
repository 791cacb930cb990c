"""Sweeps that run inside the window, one run after another (when Ray is not there):
the points of a grid search, their labels and run names, and where a dropout value goes.

The grid itself is a :class:`workbench.core.search.SearchSettings` of ``choice`` values;
:func:`workbench.core.search.grid_points` lists its combinations. Plain Python.

>>> from workbench.core.project import Project
>>> point = SweepPoint(3, {"learning_rate": 0.01, "batch_size": 32}, Project())
>>> sweep_name(point, 8)
'sweep 3/8: lr 0.01, batch 32'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.core.project import Project

#: More runs than this in one sweep is almost always a typo (and hours of training).
MAX_RUNS = 64
#: Layers whose ``rate`` is a dropout rate.
DROPOUT_LAYERS = ("Dropout", "SpatialDropout1D")
#: The short names run names use for the most varied settings.
SHORT_NAMES = {"learning_rate": "lr", "batch": "batch", "batch_size": "batch"}


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


def sweep_name(point: SweepPoint, total: int) -> str:
    """The run name of one point: 'sweep 3/8: lr 0.01, batch 32'."""
    return f"sweep {point.index}/{total}: {point.label}"


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
