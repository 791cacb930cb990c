"""A plot's view range that holds still while a run's curves grow.

pyqtgraph's auto-range moves the view whenever a curve gets a point. A moved range relays
out and repaints both axes (their labels, grid and cached pixmaps), and the new tick labels
can change an axis's width, which lays the plot out and paints it again: measured, each
per-epoch plot painted three to four times per new epoch, 10 to 30 ms of the GUI thread,
which shares Python's lock with the training thread. Held still, a new point repaints only
the curve.

The range spans the planned epochs on x and grows or shrinks on y in steps, only when the
values leave it or fill much less of it. Once the person zooms or pans, the range is
theirs until they press the plot's auto-range button ("A"), or a new run starts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg

#: Headroom above (and below, for negative values) the values when the range is refit.
MARGIN = 0.15
#: The range is refit when the values fill less than this share of its height.
ROOMY = 0.4


class SteadyRange:
    """Sets a plot's range from its values, in steps; hands it over on zoom or pan."""

    def __init__(self, plot: pg.PlotWidget, x_from: float = 0.0) -> None:
        """``x_from``: the left end of the x range (0 for batches, 0.5 for whole epochs)."""
        item = plot.getPlotItem()
        self._box = item.getViewBox()
        self._x_from = x_from
        self.owned = True  # False once the person zoomed or panned
        self.log = False  # on a log axis the plot auto-ranges (values are log10 there)
        self.current: tuple[float, float, float, float] | None = None  # x0, x1, y0, y1
        self._box.sigRangeChangedManually.connect(self._on_manual)
        item.autoBtn.clicked.connect(self.reset)  # "A": the workbench ranges it again

    def _on_manual(self, *_: object) -> None:
        self.owned = False

    def reset(self, *_: object) -> None:
        """Take the range back and set it at the next :meth:`fit` (new run, "A")."""
        self.owned = True
        self.refit()

    def refit(self) -> None:
        """Set the range at the next :meth:`fit` even if the values still fit (other values
        shown, another axis scale); a range the person took over stays theirs."""
        self.current = None

    def set_log(self, on: bool) -> None:
        """On a log axis pyqtgraph auto-ranges; back on a linear one, the next fit sets it."""
        self.log = on
        self.refit()
        if on:
            self._box.enableAutoRange()

    def fit(
        self,
        x_to: float,
        values: Sequence[np.ndarray] = (),
        fixed_y: tuple[float, float] | None = None,
    ) -> bool:
        """Show x from ``x_from`` to ``x_to`` and y around ``values`` (or ``fixed_y``).

        Returns whether the range moved. Nothing moves while the values still fit well,
        after the person took the range over, on a log axis, or with no finite value yet.
        """
        if not self.owned or self.log:
            return False
        if fixed_y is not None:
            low, top = fixed_y
        else:
            finite = [v[np.isfinite(v)] for v in values if len(v)]
            finite = [v for v in finite if len(v)]
            if not finite:
                return False
            vmin = min(float(v.min()) for v in finite)
            vmax = max(float(v.max()) for v in finite)
            current = self.current
            if (
                current is not None
                and current[1] == x_to
                and current[2] <= vmin
                and vmax <= current[3]
                and vmax - current[2] >= ROOMY * (current[3] - current[2])
            ):
                return False
            low, top = _headroom(vmin, vmax)
        wanted = (self._x_from, float(x_to), float(low), float(top))
        if wanted == self.current:
            return False
        self.current = wanted
        self._box.disableAutoRange()
        self._box.setRange(xRange=wanted[:2], yRange=wanted[2:], padding=0.0)
        return True


def _headroom(vmin: float, vmax: float) -> tuple[float, float]:
    """A y range from 0 (or below, for negative values) to a margin above the values."""
    low, high = min(0.0, vmin), max(0.0, vmax)
    span = high - low
    if span == 0.0:
        return low, low + 1.0
    return (low - MARGIN * span if vmin < 0 else low), (high + MARGIN * span if vmax > 0 else high)
