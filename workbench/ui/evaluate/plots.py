"""The Evaluate tab's plots: ROC and precision-recall curves, the reliability diagram, and a
regressor's predicted-vs-actual scatter and residual histogram.

Imported only when a plot page is first shown (the window's start-up never pays for them).
Every curve is one ``setData`` of numpy arrays with width-1 pens (DESIGN.md "Plots"); the
scatter draws a fixed subset of at most :data:`MAX_SCATTER` points (always including the
worst errors) with one brush for all, so 100,000 rows pan and zoom smoothly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from workbench.ui.wheel import guard_wheel

pg.setConfigOptions(antialias=False, background="w", foreground="#333333")

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
MAX_CURVES = 10  # more classes: the first ones only (the legend says so)
MAX_SCATTER = 20_000
WORST_SHOWN = 200
_GREY = "#999999"


def _pen(color: str, dashed: bool = False) -> Any:
    from PySide6.QtCore import Qt

    style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
    return pg.mkPen(color=color, width=1, style=style)


def _plot(title: str, x_label: str, y_label: str) -> pg.PlotWidget:
    plot = pg.PlotWidget()
    plot.setTitle(title)
    plot.setLabel("bottom", x_label)
    plot.setLabel("left", y_label)
    plot.showGrid(x=True, y=True, alpha=0.2)
    plot.setMenuEnabled(False)
    plot.setMinimumSize(220, 200)
    guard_wheel(plot)
    return plot


def _curve(plot: pg.PlotWidget, x: np.ndarray, y: np.ndarray, color: str, name: str) -> Any:
    item = plot.plot(name=name, pen=_pen(color))
    item.setClipToView(True)
    item.setDownsampling(auto=True, method="peak")
    item.setData(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    return item


class CurvesPanel(QWidget):
    """ROC and PR curves per class (AUC / AP in the legend) and the reliability diagram."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.roc = _plot("ROC", "False positive rate", "True positive rate")
        self.pr = _plot("Precision–recall", "Recall", "Precision")
        self.reliability = _plot("Reliability", "Confidence", "Accuracy")
        for plot in (self.roc, self.pr, self.reliability):
            plot.setRange(xRange=(0, 1), yRange=(0, 1.02), padding=0.02)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #5f6368;")
        row = QHBoxLayout()
        for plot in (self.roc, self.pr, self.reliability):
            row.addWidget(plot, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row, 1)
        layout.addWidget(self.note)
        self.curve_names: dict[str, list[str]] = {"roc": [], "pr": []}

    def clear(self) -> None:
        """No curves."""
        for plot in (self.roc, self.pr, self.reliability):
            plot.clear()
            if plot.plotItem.legend is not None:
                plot.plotItem.legend.clear()
        self.curve_names = {"roc": [], "pr": []}
        self.note.clear()

    def set_evaluation(self, evaluation: Any) -> None:
        """Draw a ClassificationEval's threshold-free curves."""
        self.clear()
        for plot in (self.roc, self.pr):
            if plot.plotItem.legend is None:
                plot.addLegend(offset=(-10, 10) if plot is self.pr else (10, -10))
        roc, pr = evaluation.roc_curves(), evaluation.pr_curves()
        self.roc.plot([0, 1], [0, 1], pen=_pen(_GREY, dashed=True))
        for i, (name, (fpr, tpr, auc)) in enumerate(list(roc.items())[:MAX_CURVES]):
            label = f"{name} (AUC {auc:.3f})"
            _curve(self.roc, fpr, tpr, COLORS[i % len(COLORS)], label)
            self.curve_names["roc"].append(label)
        for i, (name, (recall, precision, ap)) in enumerate(list(pr.items())[:MAX_CURVES]):
            label = f"{name} (AP {ap:.3f})"
            _curve(self.pr, recall, precision, COLORS[i % len(COLORS)], label)
            self.curve_names["pr"].append(label)
        notes = []
        if not roc:
            notes.append("No ROC or PR curve: the evaluated rows hold only one class.")
        elif len(roc) > MAX_CURVES:
            notes.append(f"Curves of the first {MAX_CURVES} of {len(roc)} classes are drawn.")
        rel = evaluation.reliability()
        centres = (np.arange(len(rel.counts)) + 0.5) / len(rel.counts)
        used = rel.counts > 0
        bars = pg.BarGraphItem(
            x=centres[used],
            height=rel.accuracy[used],
            width=0.9 / len(rel.counts),
            brush=pg.mkBrush(31, 119, 180, 90),
            pen=_pen("#1f77b4"),
        )
        self.reliability.addItem(bars)
        self.reliability.plot([0, 1], [0, 1], pen=_pen(_GREY, dashed=True))
        self.reliability.plot(
            rel.confidence[used],
            rel.accuracy[used],
            pen=None,
            symbol="o",
            symbolSize=6,
            symbolBrush=pg.mkBrush("#d62728"),
            symbolPen=None,
        )
        self.reliability.setTitle(f"Reliability (ECE {rel.ece:.3f})")
        self.ece = rel.ece
        notes.append(
            "Reliability: bars are the share right among answers given with that confidence; "
            "on the dashed diagonal the confidence is honest (dots: mean confidence)."
        )
        self.note.setText(" ".join(notes))


class RegressionPlots(QWidget):
    """Predicted vs actual (with the diagonal) and the residuals' histogram."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scatter_plot = _plot("Predicted vs actual", "Actual", "Predicted")
        self.histogram = _plot("Residuals (predicted − actual)", "Residual", "Rows")
        self.scatter = pg.PlotDataItem(
            pen=None,
            symbol="o",
            symbolSize=3,
            symbolPen=None,
            symbolBrush=pg.mkBrush(31, 119, 180, 110),
        )
        self.scatter.setClipToView(True)
        self.scatter_plot.addItem(self.scatter)
        self.diagonal = self.scatter_plot.plot(pen=_pen(_GREY, dashed=True))
        self.bars = self.histogram.plot(
            stepMode="center", fillLevel=0, pen=_pen("#1f77b4"), brush=(31, 119, 180, 90)
        )
        self.note = QLabel()
        self.note.setStyleSheet("color: #5f6368;")
        row = QHBoxLayout()
        row.addWidget(self.scatter_plot, 1)
        row.addWidget(self.histogram, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row, 1)
        layout.addWidget(self.note)
        self.drawn = 0

    def set_evaluation(self, evaluation: Any) -> None:
        """Draw a RegressionEval: at most MAX_SCATTER points, the worst errors always in."""
        actual = np.asarray(evaluation.y_true, dtype=np.float64)
        predicted = np.asarray(evaluation.predicted, dtype=np.float64)
        n = len(actual)
        if n > MAX_SCATTER:
            step = int(np.ceil(n / MAX_SCATTER))
            pick = np.union1d(np.arange(0, n, step), evaluation.worst(WORST_SHOWN))
            self.note.setText(
                f"{len(pick):,} of {n:,} rows drawn (every {step}th, and the "
                f"{WORST_SHOWN} worst errors); the histogram counts all rows."
            )
        else:
            pick = slice(None)
            self.note.setText(f"{n:,} rows.")
        self.scatter.setData(actual[pick], predicted[pick])
        self.drawn = len(self.scatter.xData) if self.scatter.xData is not None else 0
        finite = np.isfinite(actual) & np.isfinite(predicted)
        if finite.any():
            low = float(min(actual[finite].min(), predicted[finite].min()))
            high = float(max(actual[finite].max(), predicted[finite].max()))
            self.diagonal.setData([low, high], [low, high])
        residuals = (predicted - actual)[finite]
        if len(residuals):
            counts, edges = np.histogram(residuals, bins=min(60, max(5, len(residuals) // 20)))
            self.bars.setData(edges.astype(np.float64), counts.astype(np.float64))
        else:
            self.bars.setData([], [])
        self.scatter_plot.enableAutoRange()
        self.histogram.enableAutoRange()

    def clear(self) -> None:
        """No points."""
        self.scatter.setData([], [])
        self.diagonal.setData([], [])
        self.bars.setData([], [])
        self.note.clear()
        self.drawn = 0
