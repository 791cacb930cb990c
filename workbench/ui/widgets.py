"""Small reusable widgets: an inline message banner, a bar delegate, the test-fraction spin box
and the parameter form."""

from __future__ import annotations

import copy
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
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QPainter, QPalette, QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.layers import LayerSpec, ParamSpec
from workbench.ui.item_models import FractionRole

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


class HeldOutSpin(QDoubleSpinBox):
    """The test fraction: 0 to ``maximum`` in steps of 0.05, and one step below 0, "Auto"
    (None: the share :func:`~workbench.core.splits.resolve_test_fraction` picks for the
    data). :meth:`show_auto` puts what auto means for the loaded data in that text."""

    AUTO = -0.05

    def __init__(self, maximum: float = 0.9, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(2)
        self.setRange(self.AUTO, maximum)
        self.setSingleStep(0.05)
        self.setSpecialValueText("Auto")
        self.setValue(self.AUTO)
        self.editingFinished.connect(self._snap)

    def fraction(self) -> float | None:
        """The share set, or None for auto (any number below 0 reads as auto)."""
        value = round(self.value(), 4)
        return None if value < 0 else value

    def set_fraction(self, fraction: float | None) -> None:
        """Show a share, or "Auto" for None."""
        self.setValue(self.AUTO if fraction is None else fraction)

    def show_auto(self, text: str) -> None:
        """What "Auto" shows: 'Auto', or 'Auto (10%: 1,234 rows)' once the data is known."""
        if text != self.specialValueText():
            self.setSpecialValueText(text)
            self.updateGeometry()

    @Slot()
    def _snap(self) -> None:
        if self.AUTO < self.value() < 0:  # a typed -0.02 is auto: show it so
            self.setValue(self.AUTO)


# Set on the labels themselves: a style sheet on the form would reach its spin boxes too,
# and those then ignore the palette tint that marks a refused value.
_ERROR_STYLE = "color: #b3261e;"
_HELP_STYLE = "color: #5f6368; font-size: 8pt;"
_FLOAT_LIMIT = 1e12
_INVALID_BACKGROUND = "#fde2e2"


class _BoundedStepMixin:
    """Spin boxes that accept any typed number (so the form can say why one is refused)
    while the arrow keys and wheel still stay within the parameter's range."""

    _low: float
    _high: float

    def set_bounds(self, low: float, high: float) -> None:
        self._low, self._high = low, high

    def stepBy(self, steps: int) -> None:
        value = self.value() + steps * self.singleStep()  # type: ignore[attr-defined]
        self.setValue(min(max(value, self._low), self._high))  # type: ignore[attr-defined]

    def stepEnabled(self):
        flags = QSpinBox.StepEnabledFlag.StepNone
        value = self.value()  # type: ignore[attr-defined]
        if value > self._low:
            flags |= QSpinBox.StepEnabledFlag.StepDownEnabled
        if value < self._high:
            flags |= QSpinBox.StepEnabledFlag.StepUpEnabled
        return flags


class BoundedSpinBox(_BoundedStepMixin, QSpinBox):
    """A whole-number field; see _BoundedStepMixin."""


class BoundedDoubleSpinBox(_BoundedStepMixin, QDoubleSpinBox):
    """A number field; see _BoundedStepMixin."""


class ParamForm(QWidget):
    """An editor per parameter of one layer, generated from its type's ParamSpecs.

    int -> QSpinBox, float -> QDoubleSpinBox, bool -> QCheckBox, choice -> QComboBox,
    shape -> QLineEdit ("8, 8"); each spec's help text shows once, under its field. Edits are
    written into the LayerSpec's params and announced with ``sig_changed`` so the stack can be
    re-checked.

    A typed value the parameter cannot take (out of range, empty, not a shape) is refused
    in the field: the field is marked, the reason is shown under it, and nothing is written
    to the layer, so the stack and its undo history stay as they were.
    """

    #: Emitted after a value was written into the layer: (parameter name, new value).
    sig_changed = Signal(str, object)
    #: Emitted with it, for undo: (parameter name, old value, new value).
    sig_edited = Signal(str, object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layer: LayerSpec | None = None
        self._editors: dict[str, QWidget] = {}
        self._errors: dict[str, QLabel] = {}
        # Per field, the layer's value when the current typing began: a refused value puts
        # it back, so keystrokes that passed through valid values (7, 70, 700, 7000 on the
        # way to 70000) leave neither the stack nor the undo history changed.
        self._baseline: dict[str, Any] = {}
        self._form = QFormLayout(self)
        self._form.setVerticalSpacing(8)
        self._form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
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

    def error_text(self, name: str) -> str:
        """The reason shown under one field ('' when its value is fine)."""
        label = self._errors.get(name)
        return label.text() if label is not None and not label.isHidden() else ""

    def has_errors(self) -> bool:
        """Whether any field holds a refused value."""
        return any(self.error_text(name) for name in self._errors)

    def set_layer(self, layer: LayerSpec | None) -> None:
        """Rebuild the form for ``layer`` (None clears it)."""
        self._layer = layer
        while self._form.rowCount():
            self._form.removeRow(0)
        self._editors = {}
        self._errors = {}
        self._baseline = {}
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
            label = QLabel(spec.title + ":")
            label.setBuddy(editor)
            error = QLabel()
            error.setObjectName("field_error")
            error.setStyleSheet(_ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            field = QWidget()
            column = QVBoxLayout(field)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(editor)
            column.addWidget(error)
            if spec.help:  # said once, under the field, so nobody has to hover to learn it
                hint = QLabel(spec.help)
                hint.setObjectName("field_help")
                hint.setStyleSheet(_HELP_STYLE)
                hint.setWordWrap(True)
                column.addWidget(hint)
            self._editors[spec.name] = editor
            self._errors[spec.name] = error
            self._baseline[spec.name] = copy.deepcopy(layer.params.get(spec.name))
            self._form.addRow(label, field)
            stored = layer.params.get(spec.name)
            if spec.kind not in ("bool", "choice") and spec.check(stored):
                self._show_error(spec.name, spec.check(stored))  # e.g. a hand-edited file

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
            elif isinstance(editor, QLineEdit) and self._layer is not None:
                editor.setText(self._layer.type.param(name).format(value))
        finally:
            editor.blockSignals(False)
        self._show_error(name, None)  # the value came from the stack: it is the valid one
        self._baseline[name] = copy.deepcopy(value)

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
        if spec.kind == "shape":
            line = QLineEdit(spec.format(value))
            line.setPlaceholderText("e.g. 8, 8")
            line.textEdited.connect(lambda text, n=name: self._typed(n, text))
            line.editingFinished.connect(lambda n=name: self._settle(n))
            return line
        spin: QSpinBox | QDoubleSpinBox
        if spec.kind == "int":
            spin = BoundedSpinBox()
            spin.setRange(-_INT_LIMIT, _INT_LIMIT)
            low = int(spec.minimum) if spec.minimum is not None else -_INT_LIMIT
            high = int(spec.maximum) if spec.maximum is not None else _INT_LIMIT
            spin.set_bounds(max(low, -_INT_LIMIT), min(high, _INT_LIMIT))
            spin.setGroupSeparatorShown(True)
            spin.setAccelerated(True)
            spin.setValue(_as_number(value, spec.default, int))
        else:
            spin = BoundedDoubleSpinBox()
            spin.setDecimals(3)
            spin.setSingleStep(0.05)
            spin.setRange(-_FLOAT_LIMIT, _FLOAT_LIMIT)
            spin.set_bounds(
                spec.minimum if spec.minimum is not None else -_FLOAT_LIMIT,
                spec.maximum if spec.maximum is not None else _FLOAT_LIMIT,
            )
            spin.setValue(_as_number(value, spec.default, float))
        spin.setKeyboardTracking(True)
        spin.textChanged.connect(lambda _text, n=name, box=spin: self._typed_number(n, box))
        # The spin box itself stays quiet when its text is emptied; its line edit does not.
        spin.lineEdit().textChanged.connect(
            lambda _text, n=name, box=spin: self._typed_number(n, box)
        )
        spin.editingFinished.connect(lambda n=name: self._settle(n))
        return spin

    def _settle(self, name: str) -> None:
        """Typing in a field ended: a value it holds now is where the next typing starts."""
        if self._layer is not None and not self.error_text(name):
            self._baseline[name] = copy.deepcopy(self._layer.params.get(name))

    def _refuse(self, name: str, message: str) -> None:
        """Show why, and put back the value the layer had before this typing began."""
        self._show_error(name, message)
        if self._layer is not None and name in self._baseline:
            self._write(name, copy.deepcopy(self._baseline[name]))

    def _typed_number(self, name: str, spin: QSpinBox | QDoubleSpinBox) -> None:
        """A spin box's text changed (typed, stepped or set): write it if the parameter
        can take it, else say why in the field."""
        if self._layer is None:
            return
        spec = self._layer.type.param(name)
        text = spin.cleanText().strip()
        if not text:
            self._refuse(name, f"{spec.title} is required: type {spec.expects()}.")
            return
        state = spin.validate(spin.text(), 0)[0]
        if state != QValidator.State.Acceptable:
            self._refuse(name, f"{spec.title} must be {spec.expects()} (got {text!r}).")
            return
        value = spin.valueFromText(text)
        self._apply(name, int(value) if spec.kind == "int" else float(value))

    def _typed(self, name: str, text: str) -> None:
        """A text field was edited: parse it with the spec, then check the value."""
        if self._layer is None:
            return
        try:
            value = self._layer.type.param(name).parse(text)
        except ValueError as exc:
            self._refuse(name, str(exc))
            return
        self._apply(name, value)

    def _apply(self, name: str, value: Any) -> None:
        assert self._layer is not None
        problem = self._layer.type.param(name).check(value)
        if problem is not None:
            self._refuse(name, problem)
            return
        self._show_error(name, None)
        self._write(name, value)

    def _show_error(self, name: str, message: str | None) -> None:
        """Mark a field and show the reason under it (None clears both)."""
        label, editor = self._errors.get(name), self._editors.get(name)
        if label is None or editor is None:
            return
        label.setText(message or "")
        label.setVisible(bool(message))
        editor.setProperty("invalid", bool(message))
        # A palette tint, not a style sheet: a style sheet would redraw the spin arrows.
        palette = QPalette()  # nothing set: the widget inherits its usual colours again
        if message:
            palette.setColor(QPalette.ColorRole.Base, QColor(_INVALID_BACKGROUND))
        editor.setPalette(palette)
        # The help is said once, under the field; a tooltip only repeats a problem.
        editor.setToolTip(message)

    def _write(self, name: str, value: Any) -> None:
        if self._layer is None:
            return
        old = self._layer.params.get(name)
        if old == value and type(old) is type(value):
            return
        self._layer.params[name] = value
        self.sig_changed.emit(name, value)
        self.sig_edited.emit(name, old, value)
