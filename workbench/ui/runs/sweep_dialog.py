"""The Sweep dialog: which settings a search varies, how it searches, and where it runs.

A table lists the settings to vary (a Train setting, every dropout at once, or one layer's
parameter as ``N.param``, N being the layer's number in the Model tab), each as a choice of
values or a range. Below it: grid, random or Bayesian search, how many trials, how many at
once, early termination, the metric that picks the best, and the Ray cluster. The dialog
says what keeps the search from starting, in words, and only lets one start that
:meth:`~workbench.core.search.SearchSettings.problems` accepts.

Without Ray (not installed, or the bundled app) only a grid of listed values can run, one
trial after another inside the window: :meth:`SweepDialog.points` gives those runs.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import WorkbenchError
from workbench.core.project import Project
from workbench.core.search import MAX_TRIALS, Param, SearchSettings, apply, grid_points
from workbench.core.sweeps import MAX_RUNS, SweepPoint
from workbench.ui.app_settings import LOCAL_RAY
from workbench.ui.runs import ray_sweep
from workbench.ui.runs.search_rows import ParamRow, available_names

#: (value, label) of the searches, in the order the combo lists them.
SEARCH_LABELS = {"grid": "Grid", "random": "Random", "bayesian": "Bayesian (Optuna TPE)"}
EARLY_STOP_LABELS = {"none": "None", "asha": "ASHA", "median": "Median stopping rule"}
NO_RAY = (
    "Ray is not installed: pip install 'training-workbench[cluster]'. Grid search runs "
    "here, one trial at a time."
)
FROZEN_NO_RAY = (
    "This build of the app has no Ray: searches in parallel need the workbench installed "
    "with pip ('training-workbench[cluster]'). Grid search runs here, one trial at a time."
)
DEFAULT_TRIALS = 12


class SweepDialog(QDialog):
    """Asks for a search over ``project`` (which it does not change)."""

    def __init__(
        self,
        project: Project,
        parent: QWidget | None = None,
        address: str = "",
        ray: bool | None = None,
    ) -> None:
        """``address``: the Ray cluster to start with ('' = local); ``ray``: whether Ray can
        run here (default: :func:`~workbench.ui.runs.ray_sweep.ray_available`)."""
        super().__init__(parent)
        self.setWindowTitle("Sweep")
        self.project = project
        self.ray = ray_sweep.ray_available() if ray is None else ray
        self.rows: list[ParamRow] = []
        self.cores = os.cpu_count() or 1

        intro = QLabel(
            "Each trial trains the current model on the loaded data, with the settings "
            "below drawn from their values and every other setting as it is now. Ranges "
            "(lo, hi) need random or Bayesian search; grid search tries every combination "
            "of listed values."
        )
        intro.setWordWrap(True)
        self.ray_label = QLabel(FROZEN_NO_RAY if ray_sweep.is_frozen() else NO_RAY)
        self.ray_label.setWordWrap(True)
        self.ray_label.setStyleSheet("color: #8a5a00;")
        self.ray_label.setVisible(not self.ray)

        self.param_table = QTableWidget(0, 4)
        self.param_table.setHorizontalHeaderLabels(["Setting", "Search as", "Values", ""])
        self.param_table.verticalHeader().hide()
        self.param_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.param_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(60)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.param_table.setMinimumHeight(130)
        self.add_param_button = QPushButton("Add setting")
        self.add_param_button.setToolTip("Vary one more setting")
        self.add_param_button.clicked.connect(self._on_add)

        self.search_combo = QComboBox()
        for value, label in SEARCH_LABELS.items():
            self.search_combo.addItem(label, value)
        self._disable_item(self.search_combo, "bayesian", not ray_sweep.optuna_available())
        self.trials_spin = QSpinBox()
        self.trials_spin.setRange(1, MAX_TRIALS)
        self.trials_spin.setValue(DEFAULT_TRIALS)
        self.trials_spin.setToolTip("How many trials random and Bayesian search run.")
        self._trials = DEFAULT_TRIALS  # the person's number, kept while grid shows its own
        self.parallel_spin = QSpinBox()
        self.parallel_spin.setRange(1, self.cores)
        self.parallel_spin.setValue(min(2, self.cores))
        self.parallel_spin.setToolTip(
            "Trials that train at the same time; the cores (or the cluster's) are shared "
            "among them."
        )
        self.early_stop_combo = QComboBox()
        for value, label in EARLY_STOP_LABELS.items():
            self.early_stop_combo.addItem(label, value)
        self.early_stop_combo.setToolTip(
            "Stop trials that fall behind the others early, to spend the epochs on the "
            "promising ones: ASHA (successive halving) or the median stopping rule."
        )
        self.metric_combo = QComboBox()
        default_metric = SearchSettings().metric_for(project)
        metrics = [default_metric] + [
            m for m in ("val_accuracy", "val_loss", "loss") if m != default_metric
        ]
        if project.dataset.task == "regression":
            metrics.remove("val_accuracy")
        self.metric_combo.addItems(metrics)
        self.metric_combo.setToolTip("The metric that picks the best trial.")
        self.address_edit = QLineEdit(address)
        self.address_edit.setPlaceholderText(LOCAL_RAY)
        self.address_edit.setToolTip(
            "A Ray cluster's HOST:PORT or ray://HOST:10001; empty starts a Ray on this "
            "computer for this search. The default is in Edit ▸ Settings…."
        )

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

        add_row = QHBoxLayout()
        add_row.addWidget(self.add_param_button)
        add_row.addStretch(1)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.address_edit.setMinimumWidth(340)
        for spin in (self.trials_spin, self.parallel_spin):
            spin.setMinimumWidth(90)
        form.addRow("Search:", self.search_combo)
        form.addRow("Trials:", self.trials_spin)
        form.addRow("Parallel trials:", self.parallel_spin)
        form.addRow("Early termination:", self.early_stop_combo)
        form.addRow("Best by:", self.metric_combo)
        form.addRow("Ray cluster:", self.address_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.ray_label)
        layout.addWidget(self.param_table, 1)
        layout.addLayout(add_row)
        layout.addLayout(form)
        layout.addWidget(self.count_label)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)

        if self.ray:
            self.search_combo.setCurrentIndex(self.search_combo.findData("random"))
        else:
            self.search_combo.setCurrentIndex(self.search_combo.findData("grid"))
            for widget in (self.search_combo, self.parallel_spin, self.early_stop_combo):
                widget.setEnabled(False)
            self.parallel_spin.setValue(1)
            self.address_edit.setEnabled(False)
            self.address_edit.setPlaceholderText("Ray is not available here")
        for signal in (
            self.search_combo.currentIndexChanged,
            self.trials_spin.valueChanged,
            self.parallel_spin.valueChanged,
            self.early_stop_combo.currentIndexChanged,
            self.metric_combo.currentIndexChanged,
            self.address_edit.textChanged,
        ):
            signal.connect(self._update)
        self.add_row("learning_rate")
        self.resize(900, 520)

    # -- rows ----------------------------------------------------------------------------

    def add_row(self, name: str = "") -> ParamRow:
        """A new row for ``name`` (default: the first setting no row varies yet)."""
        if not name:
            taken = {row.name for row in self.rows}
            names = list(available_names(self.project))
            name = next((n for n in names if n not in taken), names[0] if names else "")
        row = ParamRow(self.project, name, ranges=self.ray, parent=self)
        row.sig_changed.connect(self._update)
        row.sig_remove.connect(self.remove_row)
        number = self.param_table.rowCount()
        self.param_table.insertRow(number)
        for column, widget in enumerate(
            (row.name_combo, row.kind_combo, row.values_edit, row.remove_button)
        ):
            self.param_table.setCellWidget(number, column, widget)
        self.rows.append(row)
        self._update()
        return row

    @Slot(object)
    def remove_row(self, row: ParamRow) -> None:
        """Stop varying a row's setting."""
        if row not in self.rows:
            return
        number = self.rows.index(row)
        self.rows.pop(number)
        self.param_table.removeRow(number)
        row.deleteLater()
        self._update()

    @Slot()
    def _on_add(self) -> None:
        self.add_row()
        self.rows[-1].values_edit.setFocus()

    # -- what the dialog asks for ----------------------------------------------------------

    @property
    def search(self) -> str:
        """'grid', 'random' or 'bayesian'."""
        return str(self.search_combo.currentData())

    def params(self) -> list[Param]:
        """The rows as parameters; WorkbenchError naming the first row that does not parse."""
        return [row.param() for row in self.rows]

    def settings(self) -> SearchSettings:
        """The search as chosen; WorkbenchError when a row does not parse."""
        return SearchSettings(
            params=self.params(),
            search=self.search,
            trials=self.trials_spin.value() if self.search != "grid" else self._trials,
            parallel=self.parallel_spin.value(),
            early_stop=str(self.early_stop_combo.currentData()),
            metric=self.metric_combo.currentText(),
            ray_address=self.address_edit.text().strip() if self.ray else "",
            seed=self.project.training.seed,
        )

    def problems(self) -> list[str]:
        """What keeps the search from starting, in words (empty when it can)."""
        try:
            settings = self.settings()
        except WorkbenchError as exc:
            return [str(exc)]
        found = settings.problems(self.project)
        if not self.ray and not found and settings.grid_size() > MAX_RUNS:
            found.append(
                f"The grid makes {settings.grid_size()} runs; one at a time here, at most "
                f"{MAX_RUNS}. Give fewer values."
            )
        return found

    def points(self) -> list[SweepPoint]:
        """The grid's runs, for training one after another in the window (without Ray);
        WorkbenchError when the search cannot run."""
        settings = self.settings()
        settings.check(self.project)
        return [
            SweepPoint(number, values, apply(self.project, values))
            for number, values in enumerate(grid_points(settings), start=1)
        ]

    # -- keeping the form consistent -------------------------------------------------------

    @Slot()
    def _update(self, *_args: object) -> None:
        grid = self.search == "grid"
        try:
            settings: SearchSettings | None = self.settings()
        except WorkbenchError:
            settings = None
        if self.trials_spin.isEnabled() and not grid:
            self._trials = self.trials_spin.value()
        self.trials_spin.setEnabled(not grid)
        self.trials_spin.blockSignals(True)
        if grid:
            size = settings.grid_size() if settings is not None and settings.params else 1
            self.trials_spin.setValue(max(1, min(size, MAX_TRIALS)))
        else:
            self.trials_spin.setValue(self._trials)
        self.trials_spin.blockSignals(False)
        remote = bool(self.address_edit.text().strip())
        self.parallel_spin.setMaximum(256 if remote else self.cores)
        problems = self.problems()
        self.count_label.setText(self._count_text(settings) if not problems else "")
        self.count_label.setVisible(not problems)
        self.problem_label.setText(problems[0] if problems else "")
        self.problem_label.setVisible(bool(problems))
        self.start_button.setEnabled(not problems)

    def _count_text(self, settings: SearchSettings | None) -> str:
        if settings is None:
            return ""
        n = settings.planned_trials()
        trials = f"{n} trial{'s' if n != 1 else ''}"
        if settings.search == "grid":
            trials += " (every combination)"
        if not self.ray:
            return f"{trials}, one after another, here."
        parallel = min(settings.parallel, n)
        address = settings.ray_address
        where = f"the Ray cluster at {address}" if address else "a local Ray"
        return f"{trials}, {parallel} at a time, on {where}."

    @staticmethod
    def _disable_item(combo: QComboBox, value: str, disabled: bool) -> None:
        if not disabled:
            return
        item = combo.model().item(combo.findData(value))  # type: ignore[attr-defined]
        item.setEnabled(False)
        item.setToolTip("Needs Optuna: pip install 'training-workbench[cluster]'.")
