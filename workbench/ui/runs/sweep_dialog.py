"""The Sweep dialog: values to try for a few settings; the window then runs the grid.

Each field takes numbers separated by commas; an empty field keeps the project's value.
The dialog shows how many runs the grid makes and what is wrong with it, and only lets a
sweep start that :func:`workbench.core.sweeps.expand` accepts.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import WorkbenchError
from workbench.core.project import Project
from workbench.core.sweeps import (
    SweepGrid,
    SweepPoint,
    check,
    dropout_targets,
    expand,
    parse_values,
    units_layers,
)


class SweepDialog(QDialog):
    """Asks for a sweep grid over ``project`` (which it does not change)."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sweep")
        self.project = project
        training = project.training

        self.learning_rate_edit = QLineEdit()
        self.learning_rate_edit.setPlaceholderText(
            f"now {training.learning_rate:g}, e.g. 0.0003, 0.001, 0.003"
        )
        self.units_edit = QLineEdit()
        self.units_layer_combo = QComboBox()
        for index in units_layers(project):
            layer = project.layers[index]
            self.units_layer_combo.addItem(f"{index + 1}: {layer.describe()}", index)
        if self.units_layer_combo.count():
            first = project.layers[units_layers(project)[0]]
            self.units_edit.setPlaceholderText(f"now {first.params['units']}, e.g. 16, 64")
        else:
            self.units_edit.setPlaceholderText("no layer with units (besides the output)")
            self.units_edit.setEnabled(False)
            self.units_layer_combo.setEnabled(False)
        self.units_layer_combo.currentIndexChanged.connect(self._on_layer_changed)
        self.dropout_edit = QLineEdit()
        targets = dropout_targets(project)
        if targets:
            self.dropout_edit.setPlaceholderText("e.g. 0, 0.2, 0.5")
            where = ", ".join(f"{i + 1}: {project.layers[i].kind}" for i, _ in targets)
            self.dropout_edit.setToolTip(f"Applied to layer {where}.")
        else:
            self.dropout_edit.setPlaceholderText("no Dropout layer in the model")
            self.dropout_edit.setEnabled(False)
        self.batch_edit = QLineEdit()
        self.batch_edit.setPlaceholderText(f"now {training.batch_size}, e.g. 16, 32, 64")
        for edit in (self.learning_rate_edit, self.units_edit, self.dropout_edit, self.batch_edit):
            edit.textChanged.connect(self._update)

        form = QFormLayout()
        form.addRow("Learning rates:", self.learning_rate_edit)
        form.addRow("Units of layer:", self.units_layer_combo)
        form.addRow("Units:", self.units_edit)
        form.addRow("Dropout rates:", self.dropout_edit)
        form.addRow("Batch sizes:", self.batch_edit)
        self.count_label = QLabel()
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #b3261e;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.start_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.start_button.setText("Start sweep")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        intro = QLabel(
            "Numbers separated by commas; every combination is trained, one run after "
            "another, with the other settings as they are now. Empty fields keep the "
            "current value."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.count_label)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        self._update()

    def grid(self) -> SweepGrid:
        """The grid as typed; raises WorkbenchError naming a field that is not numbers."""
        layer = self.units_layer_combo.currentData()
        return SweepGrid(
            learning_rates=parse_values(self.learning_rate_edit.text(), float, "Learning rates"),
            units=parse_values(self.units_edit.text(), int, "Units"),
            units_layer=int(layer) if layer is not None else None,
            dropouts=parse_values(self.dropout_edit.text(), float, "Dropout rates"),
            batch_sizes=parse_values(self.batch_edit.text(), int, "Batch sizes"),
        )

    def problems(self) -> list[str]:
        """What keeps the sweep from starting (empty when it can)."""
        try:
            grid = self.grid()
        except WorkbenchError as exc:
            return [str(exc)]
        return check(self.project, grid)

    def points(self) -> list[SweepPoint]:
        """The runs of the sweep (call after the dialog was accepted)."""
        return expand(self.project, self.grid())

    @Slot()
    def _on_layer_changed(self, *_args: object) -> None:
        index = self.units_layer_combo.currentData()
        if index is not None:
            units = self.project.layers[int(index)].params["units"]
            self.units_edit.setPlaceholderText(f"now {units}, e.g. 16, 64")
        self._update()

    @Slot()
    def _update(self, *_args: object) -> None:
        problems = self.problems()
        try:
            size = self.grid().size
        except WorkbenchError:
            size = 0
        self.count_label.setText(f"{size} run{'s' if size != 1 else ''}" if size else "")
        self.problem_label.setText(problems[0] if problems else "")
        self.problem_label.setVisible(bool(problems))
        self.start_button.setEnabled(not problems)
