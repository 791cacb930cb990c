"""The training log: what the trainer decided or noticed, one timestamped line each."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtGui import QFontDatabase, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from workbench.ui.train.progress import LOG_LINES_KEPT, ProgressSnapshot

#: The pane is never shorter than this many lines (with the newest one whole).
MIN_LINES = 2


class LogPane(QPlainTextEdit):
    """A read-only, capped log fed from progress snapshots (only new lines are appended).

    It follows new lines while the person is at the bottom, its newest line shown whole,
    and stays put when they have scrolled up to read; scrolling back to the bottom follows
    again. Being hidden (another tab) or resized does not lose the bottom either.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setMaximumBlockCount(LOG_LINES_KEPT)  # old lines drop off the top
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        self.setFont(font)
        self.setPlaceholderText("The trainer's messages appear here while a model trains.")
        self.setToolTip("What the trainer decided or noticed, with the time of day.")
        self._seen = 0
        self._follow = True  # at the bottom: new lines scroll into view
        self._moving = False  # the pane itself moves the scroll bar (not the person)
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        margins = self.contentsMargins()
        frame = 2 * self.frameWidth() + margins.top() + margins.bottom()
        document = 2 * self.document().documentMargin()
        self.setMinimumHeight(
            int(MIN_LINES * self.fontMetrics().lineSpacing() + document + frame + 1)
        )

    @property
    def following(self) -> bool:
        """True while new lines scroll into view (the person is at the bottom)."""
        return self._follow

    def reset(self) -> None:
        """A new run: forget the lines shown so far, and follow the new ones."""
        self.clear()
        self._seen = 0
        self._follow = True

    def update_from(self, snapshot: ProgressSnapshot) -> int:
        """Append the lines the snapshot has that are not shown yet; returns how many."""
        lines = snapshot.log_since(self._seen)
        self._seen = max(self._seen, snapshot.log_total)
        if lines:
            self.append_lines(lines)
        return len(lines)

    def append_lines(self, lines: list[str]) -> None:
        """Add lines at the end; scroll to them if the person was at the bottom."""
        follow = self._follow
        self._moving = True  # dropping old lines off the top moves the bar too
        try:
            self.appendPlainText("\n".join(lines))
        finally:
            self._moving = False
        if follow:
            self.scroll_to_bottom()

    def scroll_to_bottom(self) -> None:
        """Show the newest line, whole, at the bottom, and follow new lines from now on."""
        self._follow = True
        bar = self.verticalScrollBar()
        self._moving = True
        try:
            bar.setValue(bar.maximum())
        finally:
            self._moving = False

    def lines(self) -> list[str]:
        """The lines shown (for tests and copying)."""
        text = self.toPlainText()
        return text.split("\n") if text else []

    def newest_line_visible(self) -> bool:
        """True when the last line is shown whole (for tests)."""
        block = self.document().lastBlock()
        bottom = self.blockBoundingGeometry(block).translated(self.contentOffset()).bottom()
        return bottom <= self.viewport().height() + 0.5

    @Slot(int)
    def _on_scrolled(self, value: int) -> None:
        if not self._moving:  # the person scrolled: follow only from the bottom
            self._follow = value >= self.verticalScrollBar().maximum()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A shorter pane (a splitter dragged, the window resized) keeps the bottom in view."""
        follow = self._follow
        self._moving = True
        try:
            super().resizeEvent(event)
        finally:
            self._moving = False
        if follow:
            self.scroll_to_bottom()

    def showEvent(self, event: QShowEvent) -> None:
        """Lines appended while hidden (another tab) are scrolled to when shown."""
        super().showEvent(event)
        if self._follow:
            self.scroll_to_bottom()
