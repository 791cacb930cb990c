"""One row of the Sweep dialog's table: a setting to vary, how to draw it, and its values.

Each setting offers only the kinds of search space that fit it (a text choice such as the
optimizer is only ever a choice; a whole number a choice or an int range), and a sensible
first guess around the project's current value, so a person can start a search with a click
and change what they care about. The row turns into a :class:`~workbench.core.search.Param`
through :func:`~workbench.core.search.parse_spec`, whose messages name what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QComboBox, QLineEdit, QSizePolicy, QToolButton

from workbench.core.errors import WorkbenchError
from workbench.core.project import Project
from workbench.core.search import (
    DROPOUT,
    TRAIN_SETTINGS,
    Param,
    layer_target,
    parse_spec,
    settable_names,
)
from workbench.core.sweeps import dropout_targets

#: The kinds of search space, in the order the kind combo lists them, with their labels.
KIND_LABELS = {
    "choice": "choice of values",
    "uniform": "uniform range",
    "loguniform": "log-uniform range",
    "int": "whole-number range",
}
#: What the values field expects for each kind.
KIND_HINTS = {
    "choice": "values separated by commas, e.g. a, b, c",
    "uniform": "lo, hi: any number in between, evenly",
    "loguniform": "lo, hi (above 0): evenly on a log scale, for rates",
    "int": "lo, hi: any whole number in between, both included",
}


@dataclass(frozen=True)
class SettingInfo:
    """What a search may do with one setting of a project."""

    name: str
    kind: str  # "float" | "int" | "choice" | "bool"
    current: Any
    label: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    def kinds(self, ranges: bool = True) -> list[str]:
        """The search-space kinds that fit this setting (only 'choice' without ranges)."""
        if not ranges or self.kind in ("choice", "bool"):
            return ["choice"]
        if self.kind == "int":
            return ["choice", "int"]
        return ["choice", "uniform", "loguniform"]

    @property
    def default_kind(self) -> str:
        """The kind a new row starts with: log-uniform for rates of learning, else a range."""
        if self.kind == "float":
            return "loguniform" if self.name == "learning_rate" else "uniform"
        return "int" if self.kind == "int" else "choice"

    def suggest(self, kind: str) -> str:
        """A first guess for the values field around the current value, within bounds."""
        current = self.current
        if self.kind == "bool":
            return "true, false"
        if self.kind == "choice":
            choices = list(self.choices)
            first = [current] if current in choices else choices[:1]
            return ", ".join(first + [c for c in choices if c not in first][:1])
        rate = self.kind == "float" and self.maximum is not None and self.maximum <= 1
        if self.kind == "int":
            n = int(current) if isinstance(current, int | float) and current else 8
            values = [max(1, n // 2), n, n * 2]
        elif rate:
            values = [0.1, 0.3, 0.5] if kind == "choice" else [0.0, 0.5]
        else:
            x = float(current) if isinstance(current, int | float) and current > 0 else 1.0
            values = [x / 10, x, x * 10] if kind in ("choice", "loguniform") else [x / 2, x * 2]
        values = sorted(dict.fromkeys(self._clamp(v) for v in values))
        if kind != "choice":
            values = [values[0], values[-1]]
        return ", ".join(_fmt(v) for v in values)

    def _clamp(self, value: float) -> float:
        if self.minimum is not None and value < self.minimum:
            value = self.minimum
        if self.maximum is not None and value > self.maximum:
            value = self.maximum
        return int(value) if self.kind == "int" else value


def setting_info(project: Project, name: str) -> SettingInfo:
    """How ``name`` (a Train setting, 'dropout' or ``N.param``) can vary on ``project``."""
    if name in TRAIN_SETTINGS:
        setting = TRAIN_SETTINGS[name]
        label = f"{name} — {setting.help}" if setting.help else name
        current = getattr(project.training, name, None)
        return SettingInfo(
            name, setting.kind, current, label, setting.minimum, setting.maximum, setting.choices
        )
    if name == DROPOUT:
        targets = dropout_targets(project)
        current = project.layers[targets[0][0]].params[targets[0][1]] if targets else 0.0
        where = len(targets)
        label = f"dropout — every dropout in the model ({where} layer{'s' if where != 1 else ''})"
        return SettingInfo(name, "float", current, label, 0.0, 0.95)
    index, key = layer_target(project, name)
    layer = project.layers[index]
    spec = layer.type.param(key)
    return SettingInfo(
        name,
        spec.kind,
        layer.params.get(key),
        f"{name} — {layer.describe()}",
        spec.minimum,
        spec.maximum,
        tuple(spec.choices),
    )


def available_names(project: Project) -> dict[str, str]:
    """{name: label} of every setting a search may vary on ``project``, in the order the
    Train tab and the Model tab show them."""
    found = {}
    for name in settable_names(project):
        try:
            found[name] = setting_info(project, name).label
        except (WorkbenchError, KeyError):
            continue
    return found


class ParamRow(QObject):
    """The widgets of one table row: setting, kind, values, remove."""

    #: Anything in the row changed.
    sig_changed = Signal()
    #: Remove was clicked: (this row).
    sig_remove = Signal(object)

    def __init__(
        self, project: Project, name: str = "", ranges: bool = True, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.ranges = ranges
        self._suggested = ""  # the values field's text as last filled in by a suggestion
        self.name_combo = QComboBox()
        # Layer labels can be long ("1.output_sequence_length — TextVectorization(…)"): the
        # field keeps a readable width and its list opens as wide as they need.
        self.name_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.name_combo.setMinimumContentsLength(34)
        self.name_combo.setMaxVisibleItems(20)
        self.name_combo.view().setMinimumWidth(440)
        for setting, label in available_names(project).items():
            self.name_combo.addItem(label, setting)
        self.kind_combo = QComboBox()
        self.kind_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kind_combo.setMinimumContentsLength(max(len(label) for label in KIND_LABELS.values()))
        self.values_edit = QLineEdit()
        self.values_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.remove_button = QToolButton()
        self.remove_button.setText("Remove")
        self.remove_button.setToolTip("Stop varying this setting")
        index = self.name_combo.findData(name) if name else 0
        self.name_combo.setCurrentIndex(max(index, 0))
        self._fill_kinds()
        self._suggest()
        self.name_combo.currentIndexChanged.connect(self._on_name_changed)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        self.values_edit.textChanged.connect(self.sig_changed)
        self.remove_button.clicked.connect(self._on_remove)

    @property
    def name(self) -> str:
        """The setting's name ('learning_rate', '3.units')."""
        return str(self.name_combo.currentData() or "")

    @property
    def kind(self) -> str:
        """The search-space kind ('choice', 'uniform', 'loguniform', 'int')."""
        return str(self.kind_combo.currentData() or "choice")

    @property
    def info(self) -> SettingInfo:
        """What the chosen setting allows."""
        return setting_info(self.project, self.name)

    def set(self, name: str, kind: str, values: str) -> None:
        """Fill the row as a person would (tests and presets)."""
        self.name_combo.setCurrentIndex(self.name_combo.findData(name))
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))
        self.values_edit.setText(values)

    def param(self) -> Param:
        """The row as a search-space parameter; WorkbenchError naming what is wrong."""
        if not self.name:
            raise WorkbenchError("Choose a setting to vary in every row.")
        text = self.values_edit.text().strip()
        if not text:
            raise WorkbenchError(f"{self.name}: give {KIND_HINTS[self.kind]}.")
        return parse_spec(self.name, f"{self.kind}({text})")

    def _fill_kinds(self) -> None:
        kinds = self.info.kinds(self.ranges) if self.name else ["choice"]
        default = self.info.default_kind if self.name else "choice"
        self.kind_combo.blockSignals(True)
        self.kind_combo.clear()
        for kind in kinds:
            self.kind_combo.addItem(KIND_LABELS[kind], kind)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(default)))
        self.kind_combo.setEnabled(len(kinds) > 1)
        self.kind_combo.blockSignals(False)

    def _suggest(self, force: bool = True) -> None:
        """Put a first guess in the values field unless the person typed their own."""
        current = self.values_edit.text().strip()
        if self.name and (force or not current or current == self._suggested):
            self._suggested = self.info.suggest(self.kind)
            self.values_edit.setText(self._suggested)
        self.values_edit.setPlaceholderText(KIND_HINTS[self.kind])
        self.values_edit.setToolTip(KIND_HINTS[self.kind])

    @Slot()
    def _on_name_changed(self, *_args: object) -> None:
        self._fill_kinds()
        self._suggest(force=True)
        self.sig_changed.emit()

    @Slot()
    def _on_remove(self) -> None:
        self.sig_remove.emit(self)

    @Slot()
    def _on_kind_changed(self, *_args: object) -> None:
        self._suggest(force=False)
        self.sig_changed.emit()


def _fmt(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
