"""A status bar whose messages are never cut: a long one is elided, its whole text a tooltip.

QStatusBar paints a temporary message clipped at the bar's edge ("…3,483 samp"). This bar
shows the message elided in the middle of a word-boundary-free "…" at the end, keeps the
full text for :meth:`currentMessage` and the tooltip, and re-elides when the window resizes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QStatusBar, QWidget

#: Room kept for the size grip and the margins around the message.
_MARGIN = 28


class ElidingStatusBar(QStatusBar):
    """A QStatusBar for messages longer than the window is wide."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self._permanent: list[QWidget] = []
        self.messageChanged.connect(self._on_message_changed)

    def addPermanentWidget(self, widget: QWidget, stretch: int = 0) -> None:
        """As QStatusBar's; the widget's width is kept free of the message."""
        self._permanent.append(widget)
        super().addPermanentWidget(widget, stretch)

    def showMessage(self, message: str, timeout: int = 0) -> None:
        """Show ``message`` for ``timeout`` ms (0: until the next one), elided to fit."""
        self._full = message
        self.setToolTip(message if self._elide(message) != message else "")
        super().showMessage(self._elide(message), timeout)

    def currentMessage(self) -> str:
        """The whole message shown now, not its elided form."""
        return self._full if super().currentMessage() else ""

    def _room(self) -> int:
        taken = sum(w.width() for w in self._permanent if w.isVisible())
        return max(self.width() - taken - _MARGIN, 40)

    def _elide(self, message: str) -> str:
        return self.fontMetrics().elidedText(message, Qt.TextElideMode.ElideRight, self._room())

    def _on_message_changed(self, shown: str) -> None:
        if not shown:  # timed out or cleared
            self._full = ""
            self.setToolTip("")

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Re-elide the message for the new width."""
        super().resizeEvent(event)
        if self._full and super().currentMessage():
            elided = self._elide(self._full)
            if elided != super().currentMessage():
                self.blockSignals(True)
                super().showMessage(elided)  # the timeout restarts; acceptable on a resize
                self.blockSignals(False)
                self.setToolTip(self._full if elided != self._full else "")
