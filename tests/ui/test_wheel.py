"""The wheel over a plot scrolls the page around it until the person clicks the plot."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QVBoxLayout, QWidget

from workbench.ui.train.plots import LivePlots
from workbench.ui.wheel import WheelGuard, guard_wheel


def wheel(widget: QWidget, steps: int = -1) -> QWheelEvent:
    """One notch of the wheel (down for negative steps) over the middle of ``widget``."""
    target = widget.viewport() if hasattr(widget, "viewport") else widget
    local = QPointF(target.rect().center())
    event = QWheelEvent(
        local,
        QPointF(target.mapToGlobal(local)),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(target, event)
    return event


def page_with(qtbot, plot: QWidget) -> QScrollArea:
    """A page taller than its scroll area, the plot in the middle, scrolled a little down."""
    page = QWidget()
    layout = QVBoxLayout(page)
    above, below = QLabel("above"), QLabel("below")
    above.setMinimumHeight(500)
    below.setMinimumHeight(500)
    layout.addWidget(above)
    layout.addWidget(plot)
    layout.addWidget(below)
    area = QScrollArea()
    area.setWidget(page)
    area.setWidgetResizable(True)
    area.resize(500, 400)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    area.verticalScrollBar().setValue(450)
    return area


@pytest.fixture
def histogram(qtbot):
    """A plot like the Data tab's words-per-text histogram, guarded."""
    plot = pg.PlotWidget()
    plot.setMinimumHeight(180)
    plot.getPlotItem().addItem(
        pg.BarGraphItem(x0=[0, 10, 20], x1=[10, 20, 30], height=[3.0, 5.0, 1.0])
    )
    plot.getPlotItem().setRange(xRange=(0, 30), yRange=(0, 5), padding=0)
    guard = guard_wheel(plot)
    return plot, guard


def test_wheel_over_an_unfocused_plot_scrolls_the_page(qtbot, histogram) -> None:
    plot, guard = histogram
    area = page_with(qtbot, plot)
    bar = area.verticalScrollBar()
    before_range = plot.getPlotItem().viewRange()
    before = bar.value()
    assert not plot.hasFocus()
    event = wheel(plot, -1)  # down
    assert event.isAccepted()
    assert plot.getPlotItem().viewRange() == before_range  # not zoomed
    assert bar.value() > before  # the page moved down
    down = bar.value()
    wheel(plot, +1)
    assert bar.value() < down
    assert plot.getPlotItem().viewRange() == before_range
    assert guard.passed_on == 2


# pyqtgraph leaves a click on an empty plot unaccepted, and QTest says so.
@pytest.mark.qt_log_ignore(r'Mouse event "Mouse(Press|Release)" not accepted')
def test_a_clicked_plot_zooms_and_the_page_stays(qtbot, histogram) -> None:
    plot, _ = histogram
    area = page_with(qtbot, plot)
    bar = area.verticalScrollBar()
    area.activateWindow()
    qtbot.waitUntil(lambda: area.isActiveWindow())
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(60, 60))
    assert plot.hasFocus()
    before_range = plot.getPlotItem().viewRange()
    before = bar.value()
    wheel(plot, +1)
    assert plot.getPlotItem().viewRange() != before_range  # zoomed in
    assert bar.value() == before
    # Focus elsewhere: the wheel scrolls the page again.
    area.widget().setFocus()
    assert not plot.hasFocus()
    zoomed = plot.getPlotItem().viewRange()
    wheel(plot, -1)
    assert plot.getPlotItem().viewRange() == zoomed and bar.value() > before


def test_guarding_twice_keeps_one_guard_and_no_scroll_area_passes_it_on(qtbot) -> None:
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    first = guard_wheel(plot)
    assert guard_wheel(plot) is first
    assert sum(isinstance(c, WheelGuard) for c in plot.children()) == 1
    plot.getPlotItem().setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
    plot.show()
    qtbot.waitExposed(plot)
    before = plot.getPlotItem().viewRange()
    event = wheel(plot, -1)
    assert not event.isAccepted()  # offered to the parents, as if the plot did not take it
    assert plot.getPlotItem().viewRange() == before


def test_the_live_plots_let_the_wheel_scroll_the_page(qtbot) -> None:
    plots = LivePlots()
    plots.setMinimumHeight(700)
    area = page_with(qtbot, plots)
    bar = area.verticalScrollBar()
    for plot in (plots.batch_plot, plots.lr_plot, plots.loss_plot, plots.accuracy_plot):
        before_range = plot.getPlotItem().viewRange()
        bar.setValue(450)
        wheel(plot, -1)
        assert plot.getPlotItem().viewRange() == before_range
        assert bar.value() > 450
