"""Live training curves with pyqtgraph, redrawn from growing numpy buffers.

Follows DESIGN.md "Plots": ``setData(x[:n], y[:n])`` on float64 arrays, clip to view,
automatic peak downsampling, the finite check left on (a loss can go NaN), width-1 pens.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGridLayout, QWidget

from workbench.ui.progress import ProgressSnapshot

pg.setConfigOptions(antialias=False, background="w", foreground="#333333")

_TRAIN_COLOR = "#1f77b4"
_VAL_COLOR = "#d62728"
_BATCH_COLOR = "#b4cde6"


def _pen(color: str) -> pg.QtGui.QPen:
    return pg.mkPen(color=color, width=1)


class EpochAxis(pg.AxisItem):
    """An x axis for per-epoch values: ticks on whole epochs only."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:
        """Drop fractional ticks; when zoomed in that far, tick every whole epoch."""
        levels = [(s, v) for s, v in super().tickValues(minVal, maxVal, size) if s >= 1]
        if levels:
            return levels
        first, last = int(np.ceil(minVal)), int(np.floor(maxVal))
        return [(1.0, [float(v) for v in range(first, last + 1)])]


def _make_plot(
    title: str, y_label: str, legend_at_bottom: bool = False, whole_epochs: bool = False
) -> pg.PlotWidget:
    axes = {"bottom": EpochAxis(orientation="bottom")} if whole_epochs else None
    widget = pg.PlotWidget(axisItems=axes)
    item = widget.getPlotItem()
    item.setTitle(title, size="10pt")
    item.setLabel("bottom", "epoch")
    item.setLabel("left", y_label)
    for axis in ("bottom", "left"):
        item.getAxis(axis).enableAutoSIPrefix(False)  # no "loss (x0.001)"
    item.showGrid(x=True, y=True, alpha=0.25)
    item.setClipToView(True)
    item.setDownsampling(auto=True, mode="peak")
    item.addLegend(
        offset=(-10, -10 if legend_at_bottom else 10),
        labelTextSize="9pt",
        brush=pg.mkBrush(255, 255, 255, 210),
    )
    item.setMenuEnabled(True)
    widget.setMinimumHeight(160)
    return widget


def _epoch_curve(plot: pg.PlotWidget, color: str, name: str) -> pg.PlotDataItem:
    """One point per epoch, joined: few points, so each is marked."""
    return plot.plot(pen=_pen(color), symbol="o", symbolSize=5, symbolBrush=color, name=name)


CURVE_INTERVAL_S = 0.25  # curves at 4 Hz; the progress bar and text keep the 25 Hz timer


class LivePlots(QWidget):
    """Per-batch loss on top; per-epoch loss and accuracy (train and validation) below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.batch_plot = _make_plot("Training loss by batch", "loss")
        self.loss_plot = _make_plot("Loss per epoch", "loss", whole_epochs=True)
        self.accuracy_plot = _make_plot(
            "Accuracy per epoch", "accuracy", legend_at_bottom=True, whole_epochs=True
        )
        self.batch_curve = self.batch_plot.plot(pen=_pen(_BATCH_COLOR), name="each batch")
        self.batch_mean_curve = self.batch_plot.plot(
            pen=_pen(_TRAIN_COLOR), name="mean over the epoch so far"
        )
        self.loss_curve = _epoch_curve(self.loss_plot, _TRAIN_COLOR, "train")
        self.val_loss_curve = _epoch_curve(self.loss_plot, _VAL_COLOR, "validation")
        self.accuracy_curve = _epoch_curve(self.accuracy_plot, _TRAIN_COLOR, "train")
        self.val_accuracy_curve = _epoch_curve(self.accuracy_plot, _VAL_COLOR, "validation")
        self.accuracy_plot.getPlotItem().setYRange(0.0, 1.0, padding=0.02)
        self.second_metric = "accuracy"
        self._drawn_at = float("-inf")
        self._version = -1
        self._epochs_drawn: dict[str, int] | None = None
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.batch_plot, 0, 0, 1, 2)
        layout.addWidget(self.loss_plot, 1, 0)
        layout.addWidget(self.accuracy_plot, 1, 1)
        layout.setRowStretch(0, 1)
        layout.setRowStretch(1, 1)

    def set_metric(self, metric: str) -> None:
        """The lower right plot: 'accuracy' (classification) or 'mae' (regression)."""
        if metric == self.second_metric:
            return
        self.second_metric = metric
        item = self.accuracy_plot.getPlotItem()
        if metric == "mae":
            item.setTitle("Mean absolute error per epoch", size="10pt")
            item.setLabel("left", "MAE")
            item.enableAutoRange(axis="y")
        else:
            item.setTitle("Accuracy per epoch", size="10pt")
            item.setLabel("left", "accuracy")
            item.setYRange(0.0, 1.0, padding=0.02)

    def clear(self) -> None:
        """Empty every curve (a new run starts)."""
        empty = np.empty(0, dtype=np.float64)
        for curve in self._curves():
            curve.setData(empty, empty)
        self._version = -1
        self._drawn_at = float("-inf")
        self._epochs_drawn: dict[str, int] | None = None

    def _curves(self) -> list[pg.PlotDataItem]:
        return [
            self.batch_curve,
            self.batch_mean_curve,
            self.loss_curve,
            self.val_loss_curve,
            self.accuracy_curve,
            self.val_accuracy_curve,
        ]

    def update_from(self, snapshot: ProgressSnapshot, force: bool = False) -> bool:
        """Redraw from a snapshot if it has news; returns whether anything was redrawn.

        The curves redraw at most every CURVE_INTERVAL_S (unless ``force``): painting three
        plots costs tens of milliseconds of CPU in software rendering, and on a 2-core
        machine every repaint is taken from training (at 25 Hz the run went half as fast).
        """
        if snapshot.version == self._version:
            return False
        now = time.monotonic()
        if not force and now - self._drawn_at < CURVE_INTERVAL_S:
            return False
        self._drawn_at = now
        self._version = snapshot.version
        key = snapshot.accuracy_key
        if key not in snapshot.epochs and "mae" in snapshot.epochs:
            key = "mae"
        if key == "mae":
            self.set_metric("mae")
        self.batch_curve.setData(snapshot.batch_x, snapshot.batch_y)
        self.batch_mean_curve.setData(snapshot.batch_x, snapshot.batch_mean_y)
        # Epoch curves change once an epoch: leave those plots alone (no repaint) otherwise.
        epochs = {name: len(x) for name, (x, _) in snapshot.epochs.items()}
        if epochs == self._epochs_drawn:
            return True
        self._epochs_drawn = epochs
        for curve, name in (
            (self.loss_curve, "loss"),
            (self.val_loss_curve, "val_loss"),
            (self.accuracy_curve, key),
            (self.val_accuracy_curve, f"val_{key}"),
        ):
            x, y = snapshot.epochs.get(name, (np.empty(0), np.empty(0)))
            curve.setData(x, y)
        return True

    def point_counts(self) -> dict[str, int]:
        """Points per curve (for tests and the status line)."""
        names = ("batch", "batch_mean", "loss", "val_loss", "accuracy", "val_accuracy")
        return {
            name: 0 if curve.xData is None else len(curve.xData)
            for name, curve in zip(names, self._curves(), strict=True)
        }
