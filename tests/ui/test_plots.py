"""The live plots: every reported metric, learning rate, log scale, show/hide, export."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PySide6.QtGui import QImage

from workbench.core.listener import TrainingPlan
from workbench.ui.train.plots import LivePlots, metric_names
from workbench.ui.train.progress import ProgressRecorder

PLAN = TrainingPlan(3, 4, 128, 32, ["a", "b"])


def epoch_logs(epoch: int) -> dict[str, float]:
    return {
        "loss": 1.0 / epoch,
        "accuracy": 0.5 + 0.1 * epoch,
        "auc": 0.6 + 0.1 * epoch,
        "precision": 0.4 + 0.1 * epoch,
        "val_loss": 1.2 / epoch,
        "val_accuracy": 0.45 + 0.1 * epoch,
        "val_auc": 0.55 + 0.1 * epoch,
        "val_precision": 0.35 + 0.1 * epoch,
        "learning_rate": 0.01 / 10 ** (epoch - 1),
    }


@pytest.fixture
def recorder() -> ProgressRecorder:
    """Two finished epochs of synthetic progress with three metrics and the learning rate."""
    rec = ProgressRecorder()
    rec.on_plan(PLAN)
    for epoch in (1, 2):
        for step in range(1, 5):
            rec.on_batch(epoch, step, {"loss": 1.0 / (epoch + step)})
        rec.on_epoch(epoch, epoch_logs(epoch), 100.0)
    return rec


@pytest.fixture
def plots(qtbot) -> LivePlots:
    widget = LivePlots()
    qtbot.addWidget(widget)
    widget.resize(800, 500)
    widget.show()
    return widget


def test_metric_names_leave_out_loss_lr_and_validation_twins():
    epochs = {name: (np.zeros(1), np.zeros(1)) for name in epoch_logs(1)}
    epochs["val_rmse"] = (np.zeros(1), np.zeros(1))
    assert metric_names(epochs) == ["accuracy", "auc", "precision", "rmse"]


def test_every_metric_can_be_chosen_and_the_learning_rate_is_drawn(plots, recorder):
    assert plots.update_from(recorder.snapshot(), force=True)
    combo = plots.metric_combo
    assert [combo.itemData(i) for i in range(combo.count())] == ["accuracy", "auc", "precision"]
    assert combo.currentData() == "accuracy"
    np.testing.assert_allclose(plots.accuracy_curve.yData, [0.6, 0.7])
    combo.setCurrentIndex(combo.findData("auc"))
    assert plots.second_metric == "auc"
    np.testing.assert_allclose(plots.accuracy_curve.yData, [0.7, 0.8])
    np.testing.assert_allclose(plots.val_accuracy_curve.yData, [0.65, 0.75])
    assert "AUC" in plots.accuracy_plot.getPlotItem().titleLabel.text
    np.testing.assert_allclose(plots.lr_curve.xData, [1, 2])
    np.testing.assert_allclose(plots.lr_curve.yData, [0.01, 0.001])
    counts = plots.point_counts()
    assert counts["batch"] == 8 and counts["loss"] == 2 and counts["learning_rate"] == 2
    # A third epoch: the choice stays.
    recorder.on_epoch(3, epoch_logs(3), 100.0)
    plots.update_from(recorder.snapshot(), force=True)
    assert combo.currentData() == "auc" and len(plots.accuracy_curve.yData) == 3


def test_log_scale_and_show_hide(plots, recorder):
    plots.update_from(recorder.snapshot(), force=True)
    item = plots.loss_plot.getPlotItem()
    assert not item.ctrl.logYCheck.isChecked()
    plots.log_check.click()
    for plot in (plots.batch_plot, plots.loss_plot, plots.lr_plot):
        assert plot.getPlotItem().ctrl.logYCheck.isChecked()
    assert not plots.accuracy_plot.getPlotItem().ctrl.logYCheck.isChecked()
    plots.set_log_scale(False)
    assert not plots.log_check.isChecked() and not item.ctrl.logYCheck.isChecked()

    plots.val_check.click()
    assert not plots.val_loss_curve.isVisible() and not plots.val_accuracy_curve.isVisible()
    assert plots.loss_curve.isVisible()
    plots.batch_check.click()
    assert not plots.batch_curve.isVisible() and plots.batch_mean_curve.isVisible()
    plots.train_check.click()
    assert not plots.loss_curve.isVisible() and not plots.batch_mean_curve.isVisible()
    plots.val_check.click()
    assert plots.val_loss_curve.isVisible()


def test_export_csv_holds_every_series_value(plots, recorder, tmp_path):
    plots.update_from(recorder.snapshot(), force=True)
    path = plots.export_csv(tmp_path / "curves")  # the suffix is added
    assert path == tmp_path / "curves.csv"
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["series", "epoch", "value"]
    by_series: dict[str, list[tuple[float, float]]] = {}
    for name, x, y in rows[1:]:
        by_series.setdefault(name, []).append((float(x), float(y)))
    assert by_series["val_auc"] == [(1.0, pytest.approx(0.65)), (2.0, pytest.approx(0.75))]
    assert by_series["learning_rate"] == [(1.0, 0.01), (2.0, pytest.approx(0.001))]
    assert len(by_series["batch_loss"]) == 8
    assert by_series["batch_loss_epoch_mean"][0] == (0.25, 0.5)


def test_export_png_is_a_real_image(plots, recorder, tmp_path):
    plots.update_from(recorder.snapshot(), force=True)
    path = plots.export_png(tmp_path / "curves.png")
    assert path.stat().st_size > 0
    image = QImage(str(path))
    assert not image.isNull()
    assert image.width() >= 400 and image.height() >= 250


def test_export_to_a_missing_folder_says_what_is_wrong(plots, tmp_path):
    missing = tmp_path / "no" / "such" / "folder"
    with pytest.raises(OSError, match=r"Could not write .*check the folder exists"):
        plots.export_png(missing / "x.png")
    with pytest.raises(OSError, match=r"Could not write .*check the folder exists"):
        plots.export_csv(missing / "x.csv")


def test_an_epochs_plots_are_redrawn_one_per_timer_tick(plots, recorder):
    """Painting all epoch plots in one tick stalled the event loop; one per tick does not."""
    plots.update_from(recorder.snapshot())  # the batch curves; the epoch plots are queued
    assert plots.point_counts()["batch"] == 8
    assert plots.point_counts()["loss"] == 0
    seen = []
    for _ in range(3):
        assert plots.update_from(recorder.snapshot())
        counts = plots.point_counts()
        seen.append((counts["loss"], counts["accuracy"], counts["learning_rate"]))
    assert seen == [(2, 0, 0), (2, 2, 0), (2, 2, 2)]
    assert not plots.update_from(recorder.snapshot())  # nothing new


def test_batch_plot_range_holds_still_until_the_loss_leaves_it(qtbot) -> None:
    """The range moves in steps, not at every redraw, and zooming hands it to the person."""
    from workbench.core.listener import TrainingPlan
    from workbench.ui.train.plots import LivePlots
    from workbench.ui.train.progress import ProgressRecorder

    plots = LivePlots()
    qtbot.addWidget(plots)
    recorder = ProgressRecorder()
    recorder.on_plan(TrainingPlan(4, 10, 320, 80, ["a", "b"]))
    box = plots.batch_plot.getPlotItem().getViewBox()

    def feed(step: int, loss: float) -> tuple[list[float], list[float]]:
        recorder.on_batch(1, step, {"loss": loss})
        plots.update_from(recorder.snapshot(), force=True)
        return [list(r) for r in box.viewRange()]

    first = feed(1, 0.7)
    assert first[0] == [0.0, 4.0] and first[1][1] >= 0.7
    assert feed(2, 0.6) == first  # still fits: no new range, no axis relayout
    grown = feed(3, 2.0)
    assert grown[1][1] >= 2.0 and grown != first
    assert feed(4, 1.9) == grown
    box.sigRangeChangedManually.emit([True, True])  # the person zooms
    zoomed = [list(r) for r in box.viewRange()]
    assert feed(5, 9.0) == zoomed


def test_new_batches_repaint_the_curve_but_not_the_axes(qtbot, plots, monkeypatch):
    """An axis (labels and grid) took ~2 ms to repaint in software, and repainted with
    every curve update; cached, it repaints only when its ticks change."""
    import pyqtgraph as pg

    axis_paints = []
    real_paint = pg.AxisItem.paint

    def counting(self, *args):
        axis_paints.append(self)
        return real_paint(self, *args)

    monkeypatch.setattr(pg.AxisItem, "paint", counting)
    view = plots.batch_plot
    rec = ProgressRecorder()
    rec.on_plan(PLAN)
    rec.on_batch(1, 1, {"loss": 0.7})
    plots.update_from(rec.snapshot(), force=True)
    qtbot.waitUntil(lambda: view.grab() is not None)  # first paint of everything
    axes = {view.getPlotItem().getAxis(name) for name in ("left", "bottom")}
    axis_paints.clear()
    for step in range(2, 6):  # the loss stays inside the range: the axes do not change
        rec.on_batch(1, step, {"loss": 0.6})
        plots.update_from(rec.snapshot(), force=True)
        view.viewport().repaint()
    assert len(plots.batch_curve.getData()[1]) == 5  # the curve did take the new batches
    assert not axes & set(axis_paints)


def test_epoch_plots_hold_their_range_as_epochs_arrive(qtbot, plots, monkeypatch) -> None:
    """A moved range repainted the axes and laid the plot out again, three to four paints
    per plot per epoch: the epoch plots span the planned epochs and move only in steps."""
    import pyqtgraph as pg

    rec = ProgressRecorder()
    rec.on_plan(TrainingPlan(6, 2, 64, 16, ["a", "b"]))

    def epoch(n: int, loss: float) -> None:
        rec.on_batch(n, 1, {"loss": loss})
        rec.on_epoch(n, {"loss": loss, "val_loss": loss * 1.1, "accuracy": 0.7}, 100.0)
        plots.update_from(rec.snapshot(), force=True)

    def ranges(plot) -> list[list[float]]:
        return [[round(v, 6) for v in r] for r in plot.getPlotItem().getViewBox().viewRange()]

    epoch(1, 0.7)
    loss, metric = ranges(plots.loss_plot), ranges(plots.accuracy_plot)
    assert loss[0] == [0.5, 6.5] and loss[1][0] == 0.0 and loss[1][1] >= 0.77
    assert metric == [[0.5, 6.5], [-0.02, 1.02]]  # accuracy: always 0 to 1

    axis_paints = []
    real_paint = pg.AxisItem.paint
    monkeypatch.setattr(
        pg.AxisItem, "paint", lambda self, *a: (axis_paints.append(self), real_paint(self, *a))
    )
    view = plots.loss_plot
    qtbot.waitUntil(lambda: view.grab() is not None)
    axes = {view.getPlotItem().getAxis(name) for name in ("left", "bottom")}
    axis_paints.clear()
    for n, value in ((2, 0.6), (3, 0.5)):  # inside the range: the axes stay as they are
        epoch(n, value)
        view.viewport().repaint()
    assert ranges(plots.loss_plot) == loss and ranges(plots.accuracy_plot) == metric
    assert len(plots.loss_curve.getData()[0]) == 3
    assert not axes & set(axis_paints)

    epoch(4, 3.0)  # the loss leaves the range: it grows
    grown = ranges(plots.loss_plot)
    assert grown[0] == [0.5, 6.5] and grown[1][1] >= 3.3

    box = plots.loss_plot.getPlotItem().getViewBox()
    box.setRange(xRange=(1, 2), yRange=(0, 1), padding=0)
    box.sigRangeChangedManually.emit([True, True])  # the person zooms: the range is theirs
    zoomed = ranges(plots.loss_plot)
    epoch(5, 9.0)
    assert ranges(plots.loss_plot) == zoomed
    button = plots.loss_plot.getPlotItem().autoBtn
    button.clicked.emit(button)  # "A": the workbench ranges the plot again
    epoch(6, 0.4)
    assert ranges(plots.loss_plot)[0] == [0.5, 6.5]
    assert ranges(plots.loss_plot)[1][1] >= 9.0


def test_a_constant_learning_rate_is_shown_around_its_value(plots) -> None:
    rec = ProgressRecorder()
    rec.on_plan(TrainingPlan(3, 2, 64, 16, ["a", "b"]))
    for n in (1, 2):
        rec.on_batch(n, 1, {"loss": 0.5})
        rec.on_epoch(n, {"loss": 0.5, "learning_rate": 0.001}, 100.0)
    plots.update_from(rec.snapshot(), force=True)
    x_range, y_range = plots.lr_plot.getPlotItem().getViewBox().viewRange()
    assert x_range == pytest.approx([0.5, 3.5])
    assert y_range == pytest.approx([-0.0001, 0.0021])


def test_a_continued_run_spans_its_plan_once_the_plan_arrives(plots) -> None:
    """Continuing a run replays its earlier epochs before the trainer sends the plan."""
    rec = ProgressRecorder()
    for n in (1, 2, 3):
        rec.on_epoch(n, {"loss": 0.5 / n, "val_loss": 0.6 / n}, 100.0)
    plots.update_from(rec.snapshot(), force=True)
    box = plots.loss_plot.getPlotItem().getViewBox()
    assert box.viewRange()[0] == pytest.approx([0.5, 3.5])
    rec.on_plan(TrainingPlan(5, 4, 128, 32, ["a", "b"]))
    plots.update_from(rec.snapshot(), force=True)
    assert box.viewRange()[0] == pytest.approx([0.5, 5.5])


def test_log_axes_label_one_two_and_five_of_each_decade(plots) -> None:
    """pyqtgraph labelled every minor tick of a decade on a log axis, on top of each other."""
    axis = plots.loss_plot.getPlotItem().getAxis("left")
    minor = [np.log10(m) - 2 for m in range(1, 10)]  # 0.01, 0.02, …, 0.09
    labels = axis.logTickStrings(minor, 1.0, 1.0)
    assert [text for text in labels if text] == ["0.01", "0.02", "0.05"]
    assert axis.logTickStrings([-2.0, -1.0, 0.0], 1.0, 1.0) == ["0.01", "0.1", "1"]
