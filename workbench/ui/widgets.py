"""Small reusable widgets: an inline message banner, a bar delegate and the parameter form."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QWidget,
)

from workbench.core.layers import LayerSpec, ParamSpec
from workbench.ui.qt_models import FractionRole

_LEVEL_COLORS = {
    "error": ("#fde2e2", "#b3261e", "#f3b4b0"),
    "warning": ("#fff4d6", "#7a5a00", "#f0d78c"),
    "info": ("#e4f0fb", "#0b4f8a", "#b9d6f2"),
}
_INT_LIMIT = 2**31 - 1
#: Keys that mean undo/redo of the whole stack, even while a spin box has focus.
_UNDO_KEYS = (
    QKeySequence("Ctrl+Z"),
    QKeySequence("Ctrl+Shift+Z"),
    QKeySequence("Ctrl+Y"),
)


def _as_number(value: Any, default: Any, kind: type) -> Any:
    """The value as int/float for a spin box, or the default when it is not a number."""
    try:
        return kind(value)
    except (TypeError, ValueError):
        return kind(default)


class MessageBanner(QFrame):
    """A coloured line of text above a view: problems are shown in place, never as a traceback."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBanner")
        self._label = QLabel()
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self._label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.level = ""
        self.hide()

    def text(self) -> str:
        """The message shown ('' when hidden)."""
        return self._label.text() if self.isVisibleTo(self.parentWidget()) else ""

    def show_message(self, text: str, level: str = "error") -> None:
        """Show ``text``; level is 'error', 'warning' or 'info'."""
        background, foreground, border = _LEVEL_COLORS.get(level, _LEVEL_COLORS["info"])
        self.level = level
        self.setStyleSheet(
            f"#MessageBanner {{ background: {background}; border: 1px solid {border};"
            f" border-radius: 4px; }} #MessageBanner QLabel {{ color: {foreground}; }}"
        )
        self._label.setText(text)
        self.show()

    @Slot()
    def clear(self) -> None:
        """Hide the banner."""
        self._label.clear()
        self.level = ""
        self.hide()


class BarDelegate(QStyledItemDelegate):
    """Paints a horizontal bar behind a cell's text, as long as the model's FractionRole."""

    def __init__(self, parent: QWidget | None = None, color: str = "#7cb4e8") -> None:
        super().__init__(parent)
        self._color = QColor(color)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Bar first, then the normal text on top."""
        fraction = index.data(FractionRole)
        if isinstance(fraction, float) and not option.state & QStyle.StateFlag.State_Selected:
            fraction = min(max(fraction, 0.0), 1.0)
            rect = option.rect.adjusted(2, 3, -2, -3)
            bar = QRect(rect.left(), rect.top(), round(rect.width() * fraction), rect.height())
            painter.save()
            painter.fillRect(bar, self._color)
            painter.restore()
        super().paint(painter, option, index)


class ParamForm(QWidget):
    """An editor per parameter of one layer, generated from its type's ParamSpecs.

    int -> QSpinBox, float -> QDoubleSpinBox, bool -> QCheckBox, choice -> QComboBox; each
    spec's help text is the tooltip. Edits are written into the LayerSpec's params and
    announced with ``sig_changed`` so the stack can be re-checked.
    """

    #: Emitted after a value was written into the layer: (parameter name, new value).
    sig_changed = Signal(str, object)
    #: Emitted with it, for undo: (parameter name, old value, new value).
    sig_edited = Signal(str, object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layer: LayerSpec | None = None
        self._editors: dict[str, QWidget] = {}
        self._form = QFormLayout(self)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self._empty = QLabel("Select a layer to edit its parameters.")
        self._empty.setWordWrap(True)
        self._form.addRow(self._empty)

    @property
    def layer(self) -> LayerSpec | None:
        """The layer being edited."""
        return self._layer

    def editor(self, name: str) -> QWidget:
        """The editor widget of one parameter (for tests and keyboard focus)."""
        return self._editors[name]

    def set_layer(self, layer: LayerSpec | None) -> None:
        """Rebuild the form for ``layer`` (None clears it)."""
        self._layer = layer
        while self._form.rowCount():
            self._form.removeRow(0)
        self._editors = {}
        self._empty = QLabel(
            "Select a layer to edit its parameters."
            if layer is None
            else f"{layer.kind} has no parameters to set."
        )
        self._empty.setWordWrap(True)
        if layer is None or not layer.type.params:
            self._form.addRow(self._empty)
            return
        for spec in layer.type.params:
            value = layer.params.get(spec.name, spec.default)
            if spec.check(value) and spec.kind in ("bool", "choice"):
                value = spec.default  # e.g. a hand-edited project file; problems() says so
            editor = self._make_editor(spec, value)
            editor.setObjectName(f"param_{spec.name}")
            editor.installEventFilter(self)
            if spec.help:
                editor.setToolTip(spec.help)
            label = QLabel(spec.title + ":")
            if spec.help:
                label.setToolTip(spec.help)
            self._editors[spec.name] = editor
            self._form.addRow(label, editor)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Leave Ctrl+Z/Ctrl+Shift+Z/Ctrl+Y to the window's undo actions.

        A spin box would otherwise take them for its text's own undo, which knows nothing of
        arrow-key steps and disagrees with Edit > Undo; every value change is already one
        (merged) undo step of the stack.
        """
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            pressed = QKeySequence(event.keyCombination())
            if any(
                pressed.matches(key) == QKeySequence.SequenceMatch.ExactMatch for key in _UNDO_KEYS
            ):
                event.ignore()
                return True
        return super().eventFilter(watched, event)

    def set_value(self, name: str, value: Any) -> None:
        """Show ``value`` in one editor without writing it back (undo already did)."""
        editor = self._editors.get(name)
        if editor is None:
            return
        editor.blockSignals(True)
        try:
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QComboBox):
                editor.setCurrentText(str(value))
            elif isinstance(editor, QSpinBox):
                editor.setValue(_as_number(value, editor.value(), int))
            elif isinstance(editor, QDoubleSpinBox):
                editor.setValue(_as_number(value, editor.value(), float))
        finally:
            editor.blockSignals(False)

    def set_read_only(self, read_only: bool) -> None:
        """Lock the editors (while training)."""
        for editor in self._editors.values():
            editor.setEnabled(not read_only)

    def _make_editor(self, spec: ParamSpec, value: Any) -> QWidget:
        name = spec.name
        if spec.kind == "bool":
            box = QCheckBox()
            box.setChecked(bool(value))
            box.toggled.connect(lambda checked, n=name: self._write(n, bool(checked)))
            return box
        if spec.kind == "choice":
            combo = QComboBox()
            combo.addItems(list(spec.choices))
            if value in spec.choices:
                combo.setCurrentText(str(value))
            combo.currentTextChanged.connect(lambda text, n=name: self._write(n, text))
            return combo
        if spec.kind == "int":
            spin = QSpinBox()
            low = int(spec.minimum) if spec.minimum is not None else -_INT_LIMIT
            high = int(spec.maximum) if spec.maximum is not None else _INT_LIMIT
            spin.setRange(max(low, -_INT_LIMIT), min(high, _INT_LIMIT))
            spin.setGroupSeparatorShown(True)
            spin.setAccelerated(True)
            spin.setValue(_as_number(value, spec.default, int))
            spin.valueChanged.connect(lambda v, n=name: self._write(n, int(v)))
            return spin
        spin = QDoubleSpinBox()
        spin.setDecimals(3)
        spin.setSingleStep(0.05)
        spin.setRange(
            spec.minimum if spec.minimum is not None else -1e9,
            spec.maximum if spec.maximum is not None else 1e9,
        )
        spin.setValue(_as_number(value, spec.default, float))
        spin.valueChanged.connect(lambda v, n=name: self._write(n, float(v)))
        return spin

    def _write(self, name: str, value: Any) -> None:
        if self._layer is None:
            return
        old = self._layer.params.get(name)
        if old == value and type(old) is type(value):
            return
        self._layer.params[name] = value
        self.sig_changed.emit(name, value)
        self.sig_edited.emit(name, old, value)
