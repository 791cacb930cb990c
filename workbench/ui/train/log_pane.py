"""The training log: what the trainer decided or noticed, one timestamped line each."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from workbench.ui.train.progress import LOG_LINES_KEPT, ProgressSnapshot


class LogPane(QPlainTextEdit):
    """A read-only, capped log fed from progress snapshots (only new lines are appended)."""

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

    def reset(self) -> None:
        """A new run: forget the lines shown so far."""
        self.clear()
        self._seen = 0

    def update_from(self, snapshot: ProgressSnapshot) -> int:
        """Append the lines the snapshot has that are not shown yet; returns how many."""
        lines = snapshot.log_since(self._seen)
        self._seen = max(self._seen, snapshot.log_total)
        if lines:
            self.appendPlainText("\n".join(lines))
        return len(lines)

    def lines(self) -> list[str]:
        """The lines shown (for tests and copying)."""
        text = self.toPlainText()
        return text.split("\n") if text else []
