"""Live training curves with pyqtgraph, redrawn from growing numpy buffers.

Follows DESIGN.md "Plots": ``setData(x[:n], y[:n])`` on float64 arrays, clip to view,
automatic peak downsampling, the finite check left on (a loss can go NaN), width-1 pens.
The mouse zooms (right-drag, or the wheel once the plot is clicked: until then the wheel
scrolls the page, see :mod:`workbench.ui.wheel`) and pans (left-drag); a toolbar switches
the loss and learning-rate axes to log scale, shows or hides series, picks the metric and
exports the curves as PNG or CSV (clicking a legend entry hides its curve too).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.file_dialogs import save_file
from workbench.ui.train.progress import ProgressSnapshot
from workbench.ui.train.steady_range import SteadyRange
from workbench.ui.wheel import guard_wheel

pg.setConfigOptions(antialias=False, background="w", foreground="#333333")

_TRAIN_COLOR = "#1f77b4"
_VAL_COLOR = "#d62728"
_BATCH_COLOR = "#b4cde6"
_LR_COLOR = "#2ca02c"
#: The epochs an auto run's x axes span at first; the span doubles as the run goes on.
AUTO_SPAN_START = 10


def shown_epochs(snapshot: ProgressSnapshot) -> int:
    """The epochs the x axes span (0 before the plan): the planned ones; for epochs "auto"
    (the plan's epochs a cap the run usually stops well before), AUTO_SPAN_START doubled
    as often as the epochs reached need, never past the cap. A run that stops at epoch 12
    of a 300 cap is not drawn in a corner, and the range still moves only a few times.

    >>> from workbench.core.listener import TrainingPlan
    >>> snap = ProgressSnapshot(0, TrainingPlan(300, 4, 128, 32, [], True), 12, 1, 11,
    ...                         *[np.empty(0)] * 3)
    >>> shown_epochs(snap)
    20
    """
    plan = snapshot.plan
    if plan is None:
        return 0
    if not plan.auto_epochs:
        return plan.epochs
    reached = max(snapshot.epoch, snapshot.epochs_done)
    span = AUTO_SPAN_START
    while span < reached:
        span *= 2
    return min(span, plan.epochs)


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


class ValueAxis(pg.AxisItem):
    """A y axis whose log scale labels 1, 2 and 5 of each decade, not every minor tick
    (pyqtgraph labels 0.1, 0.09, 0.08, … on top of each other when a range spans about
    one decade); the other ticks keep their grid lines."""

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        """Blank the labels of the minor ticks other than 2 and 5 when there are many."""
        strings = super().logTickStrings(values, scale, spacing)
        if len(values) <= 4:
            return strings
        shown = []
        for value, text in zip(values, strings, strict=True):
            mantissa = round(10 ** (value - np.floor(value + 1e-9)), 6)
            shown.append(text if mantissa in (1.0, 2.0, 5.0) else "")
        return shown


def _make_plot(
    title: str, y_label: str, legend_at_bottom: bool = False, whole_epochs: bool = False
) -> pg.PlotWidget:
    axes: dict[str, pg.AxisItem] = {"left": ValueAxis(orientation="left")}
    if whole_epochs:
        axes["bottom"] = EpochAxis(orientation="bottom")
    widget = pg.PlotWidget(axisItems=axes)
    item = widget.getPlotItem()
    item.setTitle(title, size="10pt")
    item.setLabel("bottom", "epoch")
    item.setLabel("left", y_label)
    for axis in ("bottom", "left"):
        item.getAxis(axis).enableAutoSIPrefix(False)  # no "loss (x0.001)"
    item.showGrid(x=True, y=True, alpha=0.25)
    for axis in ("bottom", "left"):
        # An axis (labels and grid) repaints with every curve update, ~2 ms each in
        # software, on the GUI thread training shares Python's lock with. Cached as a
        # pixmap, it is only blitted until its ticks change (which calls update()).
        item.getAxis(axis).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    item.setClipToView(True)
    item.getViewBox().setLimits(xMin=0.0)  # no negative epochs, even zoomed out
    item.setDownsampling(auto=True, mode="peak")
    item.addLegend(
        offset=(-10, -10 if legend_at_bottom else 10),
        labelTextSize="9pt",
        brush=pg.mkBrush(255, 255, 255, 210),
    )
    item.setMenuEnabled(True)
    widget.setMinimumHeight(160)
    guard_wheel(widget)  # the wheel scrolls the page until the plot is clicked
    return widget


def _keyed_title(title: str) -> str:
    """A title that doubles as the legend: the train and validation colours after it (a dot
    and a smaller name each, so the title fits a plot a third of a 1024-pixel window wide)."""
    key = "".join(
        f"&nbsp;<span style='color:{color}; font-size:9pt'>&#9679;&nbsp;{name}</span>"
        for color, name in ((_TRAIN_COLOR, "train"), (_VAL_COLOR, "validation"))
    )
    return f"{title}{key}"


def _epoch_curve(plot: pg.PlotWidget, color: str, name: str) -> pg.PlotDataItem:
    """One point per epoch, joined: few points, so each is marked."""
    return plot.plot(pen=_pen(color), symbol="o", symbolSize=5, symbolBrush=color, name=name)


CURVE_INTERVAL_S = 0.5  # curves at most at 2 Hz (the window's timer ticks at 10 Hz)
LR_KEYS = ("learning_rate", "lr")  # what the trainer logs per epoch for the learning rate
NOT_METRICS = {"loss", *LR_KEYS}
BOUNDED = ("acc", "precision", "recall", "auc")  # metrics between 0 and 1
METRIC_TITLES = {
    "accuracy": "Accuracy",
    "precision": "Precision",
    "recall": "Recall",
    "auc": "AUC",
    "mae": "Mean absolute error",
    "rmse": "Root mean squared error",
}


def metric_title(name: str) -> str:
    """'Accuracy', 'Mean absolute error', or the Keras name with spaces for others."""
    if name in METRIC_TITLES:
        return METRIC_TITLES[name]
    if name.endswith("accuracy"):
        return name.replace("_", " ").capitalize()
    return name.replace("_", " ")


def metric_names(epochs: dict[str, tuple[np.ndarray, np.ndarray]]) -> list[str]:
    """The per-epoch metrics a run reported, besides loss and the learning rate."""
    names = [n for n in epochs if not n.startswith("val_") and n not in NOT_METRICS]
    for name in epochs:  # a metric only reported for validation still gets plotted
        base = name.removeprefix("val_")
        if name.startswith("val_") and base not in NOT_METRICS and base not in names:
            names.append(base)
    return names


class LivePlots(QWidget):
    """Batch loss and learning rate on top; per-epoch loss and a chosen metric below."""

    #: An export was written: (path). Failures are shown in a message box instead.
    sig_exported = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.batch_plot = _make_plot("Training loss by batch", "loss")
        self.lr_plot = _make_plot("Learning rate", "learning rate", whole_epochs=True)
        self.loss_plot = _make_plot("Loss per epoch", "loss", whole_epochs=True)
        self.accuracy_plot = _make_plot(
            "Accuracy per epoch", "accuracy", legend_at_bottom=True, whole_epochs=True
        )
        self.metric_plot = self.accuracy_plot
        self.batch_curve = self.batch_plot.plot(pen=_pen(_BATCH_COLOR), name="each batch")
        self.batch_mean_curve = self.batch_plot.plot(
            pen=_pen(_TRAIN_COLOR), name="mean over the epoch so far"
        )
        self.loss_curve = _epoch_curve(self.loss_plot, _TRAIN_COLOR, "train")
        self.val_loss_curve = _epoch_curve(self.loss_plot, _VAL_COLOR, "validation")
        self.accuracy_curve = _epoch_curve(self.accuracy_plot, _TRAIN_COLOR, "train")
        self.val_accuracy_curve = _epoch_curve(self.accuracy_plot, _VAL_COLOR, "validation")
        self.lr_curve = _epoch_curve(self.lr_plot, _LR_COLOR, "learning rate")
        # The epoch plots' titles carry the legend, so no legend box hides a curve.
        for plot in (self.lr_plot, self.loss_plot, self.accuracy_plot):
            plot.getPlotItem().legend.hide()
        self.loss_plot.getPlotItem().setTitle(_keyed_title("Loss per epoch"), size="10pt")
        self.accuracy_plot.getPlotItem().setTitle(_keyed_title("Accuracy per epoch"), size="10pt")
        self.lr_plot.getPlotItem().setLabel("left", "")
        # Every plot's range is held still while the curves grow (see steady_range).
        self.batch_range = SteadyRange(self.batch_plot)
        self.loss_range = SteadyRange(self.loss_plot, x_from=0.5)
        self.metric_range = SteadyRange(self.accuracy_plot, x_from=0.5)
        self.lr_range = SteadyRange(self.lr_plot, x_from=0.5)
        self.second_metric = "accuracy"
        self._drawn_at = float("-inf")
        self._version = -1
        self._epochs_drawn: tuple[int, dict[str, int]] | None = None  # planned, points
        self._snapshot: ProgressSnapshot | None = None
        self._metrics_listed: list[str] = []
        self._pending: list[Callable[[], None]] = []  # epoch plots still to redraw

        self.metric_combo = QComboBox()
        self.metric_combo.setMinimumContentsLength(10)
        self.metric_combo.setToolTip("Which per-epoch metric the lower right plot shows.")
        self.metric_combo.addItem(metric_title("accuracy"), "accuracy")
        self.metric_combo.currentIndexChanged.connect(self._on_metric_chosen)
        self.train_check = _toggle("train", "Show the training curves.")
        self.val_check = _toggle("validation", "Show the validation curves.")
        self.batch_check = _toggle("each batch", "Show each batch's own loss (light blue).")
        self.log_check = QCheckBox("log scale")
        self.log_check.setToolTip(
            "Loss and learning rate on a logarithmic axis: small late improvements show."
        )
        for check in (self.train_check, self.val_check, self.batch_check):
            check.toggled.connect(self._apply_visibility)
        self.log_check.toggled.connect(self.set_log_scale)
        # One Export button with a menu: the toolbar fits the tab at 1024 pixels wide.
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_button.setToolTip("Save the plots as a PNG image, or every curve as CSV.")
        export_menu = QMenu(self.export_button)
        self.png_action = export_menu.addAction("Plots as PNG…", self._ask_png)
        self.csv_action = export_menu.addAction(
            "Curves as CSV (series, epoch, value)…", self._ask_csv
        )
        self.export_button.setMenu(export_menu)

        tools = QHBoxLayout()
        tools.setContentsMargins(0, 0, 0, 0)
        tools.setSpacing(6)
        metric_label = QLabel("Metric:")
        metric_label.setBuddy(self.metric_combo)
        tools.addWidget(metric_label)
        tools.addWidget(self.metric_combo)
        tools.addSpacing(8)
        tools.addWidget(QLabel("Show:"))
        for check in (self.train_check, self.val_check, self.batch_check, self.log_check):
            tools.addWidget(check)
        tools.addStretch(1)
        tools.addWidget(self.export_button)

        top = QHBoxLayout()
        top.setSpacing(4)
        top.addWidget(self.batch_plot, 3)
        top.addWidget(self.lr_plot, 2)
        bottom = QHBoxLayout()
        bottom.setSpacing(4)
        bottom.addWidget(self.loss_plot, 1)
        bottom.addWidget(self.accuracy_plot, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(tools)
        layout.addLayout(top, 1)
        layout.addLayout(bottom, 1)

    # -- what is shown -------------------------------------------------------------------

    def set_metric(self, metric: str) -> None:
        """The lower right plot's metric ('accuracy', 'mae', 'auc', …), chosen in the combo."""
        index = self.metric_combo.findData(metric)
        if index < 0:
            self.metric_combo.addItem(metric_title(metric), metric)
            index = self.metric_combo.count() - 1
        self.metric_combo.setCurrentIndex(index)
        self._show_metric(metric)

    def _show_metric(self, metric: str) -> None:
        if metric == self.second_metric:
            return
        self.second_metric = metric
        item = self.accuracy_plot.getPlotItem()
        item.setTitle(_keyed_title(f"{metric_title(metric)} per epoch"), size="10pt")
        item.setLabel("left", metric)
        self.metric_range.refit()  # another metric: fit the range to it
        self._draw_metric()

    @Slot(int)
    def _on_metric_chosen(self, index: int) -> None:
        metric = self.metric_combo.itemData(index)
        if metric:
            self._show_metric(metric)

    @Slot(bool)
    def set_log_scale(self, on: bool) -> None:
        """Loss and learning rate on a log10 y axis (metrics stay linear)."""
        if self.log_check.isChecked() != on:
            self.log_check.setChecked(on)  # comes back here through toggled
            return
        for plot in (self.batch_plot, self.loss_plot, self.lr_plot):
            plot.getPlotItem().setLogMode(x=False, y=on)
        for steady in (self.batch_range, self.loss_range, self.lr_range):
            steady.set_log(on)
        if self._snapshot is not None:  # linear again: fit the ranges to the values now
            self._fit_batch_range(self._snapshot)
            self._draw_loss()
        self._draw_lr()

    @Slot()
    def _apply_visibility(self) -> None:
        train, val = self.train_check.isChecked(), self.val_check.isChecked()
        self.batch_curve.setVisible(self.batch_check.isChecked())
        for curve in (self.batch_mean_curve, self.loss_curve, self.accuracy_curve):
            curve.setVisible(train)
        for curve in (self.val_loss_curve, self.val_accuracy_curve):
            curve.setVisible(val)

    def clear(self) -> None:
        """Empty every curve (a new run starts)."""
        empty = np.empty(0, dtype=np.float64)
        for curve in self._curves():
            curve.setData(empty, empty)
        self._version = -1
        self._drawn_at = float("-inf")
        self._epochs_drawn = None
        self._snapshot = None
        self._pending = []
        for steady in (self.batch_range, self.loss_range, self.metric_range, self.lr_range):
            steady.reset()

    def _curves(self) -> list[pg.PlotDataItem]:
        return [
            self.batch_curve,
            self.batch_mean_curve,
            self.loss_curve,
            self.val_loss_curve,
            self.accuracy_curve,
            self.val_accuracy_curve,
            self.lr_curve,
        ]

    # -- redraw --------------------------------------------------------------------------

    def update_from(self, snapshot: ProgressSnapshot, force: bool = False) -> bool:
        """Redraw from a snapshot if it has news; returns whether anything was redrawn.

        The curves redraw at most every CURVE_INTERVAL_S (unless ``force``): painting
        plots costs tens of milliseconds of CPU in software rendering, and on a 2-core
        machine every repaint is taken from training (at 25 Hz the run went half as fast).
        When an epoch ends, its three plots are redrawn on the next three calls, one each,
        so no single timer tick paints them all (that stalled the event loop ~40 ms).
        """
        if force:  # draw what a timer tick left pending: the snapshot may have no news
            while self._pending:
                self._pending.pop(0)()
        elif self._pending:
            self._pending.pop(0)()
            return True
        if snapshot.version == self._version:
            return False
        now = time.monotonic()
        if not force and now - self._drawn_at < CURVE_INTERVAL_S:
            return False
        self._drawn_at = now
        self._version = snapshot.version
        self._snapshot = snapshot
        self.batch_curve.setData(snapshot.batch_x, snapshot.batch_y)
        self.batch_mean_curve.setData(snapshot.batch_x, snapshot.batch_mean_y)
        self._fit_batch_range(snapshot)
        # Epoch curves change once an epoch, and their x range with the plan (a continued
        # run brings its earlier epochs before its plan): redraw on either, else leave them.
        epochs = {name: len(x) for name, (x, _) in snapshot.epochs.items()}
        planned = shown_epochs(snapshot)
        if (planned, epochs) == self._epochs_drawn:
            return True
        self._epochs_drawn = (planned, epochs)
        if not epochs:  # no epoch finished yet: the epoch plots are empty already
            return True
        self._list_metrics(metric_names(snapshot.epochs), snapshot.accuracy_key)
        self._pending = [self._draw_loss, self._draw_metric, self._draw_lr]
        if force:
            while self._pending:
                self._pending.pop(0)()
        return True

    def _fit_batch_range(self, snapshot: ProgressSnapshot) -> None:
        """x over all planned epochs; y from 0 to above the batches' losses, in steps."""
        if snapshot.plan is not None:
            self.batch_range.fit(float(shown_epochs(snapshot)), [snapshot.batch_y])

    def _epochs_to(self, x: np.ndarray) -> float:
        """The right end of a per-epoch plot: the planned epochs, or the last one drawn."""
        shown = shown_epochs(self._snapshot) if self._snapshot is not None else 0
        last = float(x[-1]) if len(x) else 1.0
        return max(float(shown) or 1.0, last) + 0.5

    def _draw_loss(self) -> None:
        series = [self._series("loss"), self._series("val_loss")]
        self.loss_range.fit(self._epochs_to(series[0][0]), [y for _, y in series])
        for curve, (x, y) in zip((self.loss_curve, self.val_loss_curve), series, strict=True):
            curve.setData(x, y)

    def _draw_lr(self) -> None:
        epochs = self._snapshot.epochs if self._snapshot is not None else {}
        x, y = self._series(next((k for k in LR_KEYS if k in epochs), ""))
        finite = y[np.isfinite(y)]
        fixed = None
        if len(finite) and np.ptp(finite) == 0:
            # A constant rate: around it, from 0 (autorange would label it "0 ± 0.4").
            top = 2.0 * float(finite[0]) or 1.0
            fixed = (-0.05 * top, 1.05 * top)
        self.lr_range.fit(self._epochs_to(x), [y], fixed_y=fixed)
        self.lr_curve.setData(x, y)

    def _series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        empty = np.empty(0, dtype=np.float64)
        if self._snapshot is None:
            return empty, empty
        return self._snapshot.epochs.get(name, (empty, empty))

    def _draw_metric(self) -> None:
        metric = self.second_metric
        series = [self._series(metric), self._series(f"val_{metric}")]
        bounded = any(part in metric for part in BOUNDED)
        self.metric_range.fit(
            self._epochs_to(series[0][0]),
            [y for _, y in series],
            fixed_y=(-0.02, 1.02) if bounded else None,
        )
        for curve, (x, y) in zip(
            (self.accuracy_curve, self.val_accuracy_curve), series, strict=True
        ):
            curve.setData(x, y)

    def _list_metrics(self, names: list[str], accuracy_key: str) -> None:
        """Offer every reported metric; keep the choice, or take the usual one."""
        if not names or names == self._metrics_listed:
            return
        self._metrics_listed = names
        wanted = self.second_metric
        if wanted not in names:
            if wanted.endswith("accuracy") and accuracy_key in names:
                wanted = accuracy_key  # 'binary_accuracy' for 'accuracy'
            else:
                wanted = names[0]
        self.metric_combo.blockSignals(True)
        self.metric_combo.clear()
        for name in names:
            self.metric_combo.addItem(metric_title(name), name)
        self.metric_combo.setCurrentIndex(self.metric_combo.findData(wanted))
        self.metric_combo.blockSignals(False)
        self._show_metric(wanted)

    def point_counts(self) -> dict[str, int]:
        """Points per curve (for tests and the status line)."""
        names = (
            "batch",
            "batch_mean",
            "loss",
            "val_loss",
            "accuracy",
            "val_accuracy",
            "learning_rate",
        )
        return {
            name: 0 if curve.xData is None else len(curve.xData)
            for name, curve in zip(names, self._curves(), strict=True)
        }

    # -- export --------------------------------------------------------------------------

    def export_png(self, path: str | Path) -> Path:
        """Save the plots as they look now as a PNG image; raises OSError if it cannot."""
        target = Path(path)
        if target.suffix.lower() != ".png":
            target = target.with_name(target.name + ".png")
        if not self.grab().save(str(target), "PNG"):
            raise OSError(f"Could not write {target}: check the folder exists and is writable.")
        return target

    def export_csv(self, path: str | Path) -> Path:
        """Save every series of the run as rows (series, epoch, value); raises OSError."""
        target = Path(path)
        if target.suffix.lower() != ".csv":
            target = target.with_name(target.name + ".csv")
        snap = self._snapshot
        rows: list[tuple[str, np.ndarray, np.ndarray]] = []
        if snap is not None:
            rows.append(("batch_loss", snap.batch_x, snap.batch_y))
            rows.append(("batch_loss_epoch_mean", snap.batch_x, snap.batch_mean_y))
            rows.extend((name, x, y) for name, (x, y) in snap.epochs.items())
        try:
            with target.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["series", "epoch", "value"])
                for name, xs, ys in rows:
                    writer.writerows(
                        (name, repr(float(x)), repr(float(y))) for x, y in zip(xs, ys, strict=True)
                    )
        except OSError as exc:
            raise OSError(
                f"Could not write {target} ({exc.strerror or exc}): check the folder exists "
                "and is writable."
            ) from exc
        return target

    @Slot()
    def _ask_png(self) -> None:
        self._ask("Save the plots as PNG", "training.png", "PNG image (*.png)", self.export_png)

    @Slot()
    def _ask_csv(self) -> None:
        self._ask("Save the curves as CSV", "training.csv", "CSV (*.csv)", self.export_csv)

    def _ask(self, title: str, name: str, filter_: str, export: Callable[[str], Path]) -> None:
        path = save_file(self, title, name, filter_)
        if not path:
            return
        try:
            written = export(path)
        except OSError as exc:
            QMessageBox.warning(self, title, f"{exc}")
            return
        self.sig_exported.emit(str(written))


def _toggle(text: str, tip: str) -> QCheckBox:
    check = QCheckBox(text)
    check.setChecked(True)
    check.setToolTip(tip + " Clicking a legend entry hides one curve.")
    return check
