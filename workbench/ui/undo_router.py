"""Ctrl+Z and Ctrl+Shift+Z undo the person's last edit from anywhere in the window.

A text field takes the undo shortcut for its own typing first (Qt's ShortcutOverride), so
after adding a layer from the palette's search field, Ctrl+Z cleared the search text and a
second Ctrl+Z did nothing. This filter lets a field keep the shortcut only while it has
typing of its own to undo and it is not part of the Model tab, whose edits are undone as
stack changes; otherwise the window's Undo and Redo actions get it.

The filter sits on the focused text field only (it follows the focus), not on the whole
application: a Python filter on every event of the app slowed the first paint by 20-30 ms.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QWidget


class UndoRouter(QObject):
    """An application event filter for the undo and redo shortcuts of one window."""

    def __init__(self, window: QWidget, document_area: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._area = document_area
        self._installed = False

    def install(self) -> None:
        """Start routing (until :meth:`remove`)."""
        app = QApplication.instance()
        if isinstance(app, QApplication) and not self._installed:
            self._installed = True
            app.focusChanged.connect(self._on_focus_changed)
            self._on_focus_changed(None, app.focusWidget())

    def remove(self) -> None:
        """Stop routing."""
        app = QApplication.instance()
        if isinstance(app, QApplication) and self._installed:
            self._installed = False
            app.focusChanged.disconnect(self._on_focus_changed)
            self._on_focus_changed(app.focusWidget(), None)

    @Slot(QWidget, QWidget)
    def _on_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        """Filter the focused widget's events only."""
        if old is not None:
            old.removeEventFilter(self)
        if new is not None and _text_field(new) is not None:
            new.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Refuse a field's claim on Ctrl+Z when the window's Undo should have it."""
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(event, QKeyEvent):
            return False
        if not (
            event.matches(QKeySequence.StandardKey.Undo)
            or event.matches(QKeySequence.StandardKey.Redo)
        ):
            return False
        if not isinstance(watched, QWidget) or watched.window() is not self._window:
            return False
        field = _text_field(watched)
        if field is None:
            return False
        if self._area.isAncestorOf(field) or not _has_own_undo(field, event):
            event.ignore()  # not an override: the shortcut goes to the window's action
            return True
        return False


def _text_field(widget: QWidget) -> QLineEdit | None:
    if isinstance(widget, QLineEdit):
        return widget
    if isinstance(widget, QAbstractSpinBox):
        return widget.findChild(QLineEdit)
    return None


def _has_own_undo(field: QLineEdit, event: QKeyEvent) -> bool:
    if event.matches(QKeySequence.StandardKey.Undo):
        return field.isUndoAvailable()
    return field.isRedoAvailable()
