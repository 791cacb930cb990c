"""The mouse wheel over a plot scrolls the page, until the person clicks the plot.

A pyqtgraph plot zooms on every wheel event under the pointer, so scrolling a page that holds
one zoomed the plot whenever the pointer passed over it (the Data tab's histogram ended up at
-400…400). :func:`guard_wheel` hands such wheel events to the scroll area around the plot
instead; once the plot has the keyboard focus (the person clicked it, or tabbed to it) the
wheel zooms it as before, until the focus moves elsewhere.

Example::

    plot = pg.PlotWidget()
    guard_wheel(plot)
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget

__all__ = ["WheelGuard", "guard_wheel"]


class WheelGuard(QObject):
    """An event filter on one widget (and its viewport) that passes unfocused wheel events on
    to the nearest scroll area around the widget. Made by :func:`guard_wheel`."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.widget = widget
        self.passed_on = 0  # wheel events handed to the page (for tests and diagnostics)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Let a focused widget have the wheel; hand it to the page otherwise."""
        if event.type() != QEvent.Type.Wheel or self.focused():
            return False
        assert isinstance(event, QWheelEvent)
        self.passed_on += 1
        area = scroll_area_around(self.widget)
        if area is None:
            # No page to scroll here: Qt offers an ignored wheel event to the parent widgets.
            event.ignore()
            return True
        viewport = area.viewport()
        forwarded = QWheelEvent(
            viewport.mapFromGlobal(event.globalPosition()),
            event.globalPosition(),
            event.pixelDelta(),
            event.angleDelta(),
            event.buttons(),
            event.modifiers(),
            event.phase(),
            event.inverted(),
            event.source(),
            event.pointingDevice(),
        )
        QApplication.sendEvent(viewport, forwarded)
        event.accept()
        return True

    def focused(self) -> bool:
        """True while the widget (or its viewport) has the keyboard focus."""
        if self.widget.hasFocus():
            return True
        viewport = self.widget.viewport() if isinstance(self.widget, QAbstractScrollArea) else None
        return viewport is not None and viewport.hasFocus()


def scroll_area_around(widget: QWidget) -> QAbstractScrollArea | None:
    """The nearest scroll area that holds ``widget`` (not the widget itself), or None."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def guard_wheel(widget: QWidget) -> WheelGuard:
    """Make the wheel over ``widget`` scroll the page around it unless ``widget`` has the
    focus (a click gives it); returns the filter, which lives as long as the widget.

    Meant for pyqtgraph plots (``pg.PlotWidget``, any ``QGraphicsView``) inside a scroll
    area; with no scroll area around, unfocused wheel events go to the parent widgets, as if
    the plot did not take them. Calling it twice on one widget keeps the first guard.
    """
    for child in widget.children():
        if isinstance(child, WheelGuard):
            return child
    guard = WheelGuard(widget)
    widget.installEventFilter(guard)
    if isinstance(widget, QAbstractScrollArea):
        # Wheel events reach the viewport first; filters installed later run first, so this
        # one runs before the view's own handling.
        widget.viewport().installEventFilter(guard)
    return guard
