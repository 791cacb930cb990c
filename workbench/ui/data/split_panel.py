"""The Data tab's split: validation and test fractions, the seed, the rows per class in
each part, and the checks worth a warning (duplicates, rows shared between the parts).

Small data is checked at once; for big data the panel asks (``sig_checks_requested``) and
the Data controller runs the check on the window's task runner.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.checks import row_count, split_report
from workbench.core.project import TrainingConfig
from workbench.core.splits import AUTO_TEST_HELP, describe_auto_test
from workbench.ui.item_models import format_count
from workbench.ui.widgets import HeldOutSpin

WARNING_COLOR = "#7a5a00"
#: Up to this many rows the checks run at once; bigger data is checked on a worker thread.
CHECK_AT_ONCE_ROWS = 20_000


class SplitPanel(QWidget):
    """The Checks and Split boxes of the Data tab."""

    #: Split settings edited: (validation fraction, test fraction or None for auto, seed).
    sig_split_changed = Signal(float, object, int)
    #: Big data needs its split checked on a worker: (dataset, training config).
    sig_checks_requested = Signal(object, object)
    #: The widgets the Data tab shows under its own names.
    PARTS = (
        "warnings_label",
        "facts_label",
        "validation_spin",
        "test_spin",
        "split_seed_spin",
        "split_table",
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dataset: Any = None
        self._config = TrainingConfig()
        self.split_counts: dict[str, dict] = {}
        self.warnings_label = QLabel()
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setObjectName("dataWarnings")
        self.warnings_label.setStyleSheet(
            f"color: {WARNING_COLOR}; background: #fff4d6; border: 1px solid #f0d78c;"
            " border-radius: 4px; padding: 4px;"
        )
        self.facts_label = QLabel()
        self.facts_label.setWordWrap(True)
        self.facts_label.setStyleSheet("color: #555555;")
        checks_box = QGroupBox("Checks")
        checks_layout = QVBoxLayout(checks_box)
        checks_layout.addWidget(self.warnings_label)
        checks_layout.addWidget(self.facts_label)

        self.validation_spin = QDoubleSpinBox()
        self.validation_spin.setDecimals(2)
        self.validation_spin.setRange(0.0, 0.9)
        self.validation_spin.setSingleStep(0.05)
        self.test_spin = HeldOutSpin(0.9)  # its lowest step is "Auto"
        for spin, tip in (
            (self.validation_spin, "Share held out to measure the model after each epoch."),
            (
                self.test_spin,
                f"Share held out until the end and scored once (0: none). {AUTO_TEST_HELP}",
            ),
        ):
            spin.setToolTip(tip)
            spin.valueChanged.connect(self._emit_split)
        self.split_seed_spin = QSpinBox()
        self.split_seed_spin.setRange(0, 2**31 - 1)
        self.split_seed_spin.setToolTip("Same seed, same split.")
        self.split_seed_spin.valueChanged.connect(self._emit_split)
        self.split_table = QTableWidget(0, 4)
        self.split_table.setHorizontalHeaderLabels(["Class", "Train", "Validation", "Test"])
        self.split_table.verticalHeader().hide()
        self.split_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.split_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        split_header = self.split_table.horizontalHeader()
        split_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        split_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        split_box = QGroupBox("Split")
        split_layout = QVBoxLayout(split_box)
        split_form = QFormLayout()
        split_form.addRow("Validation fraction:", self.validation_spin)
        split_form.addRow("Test fraction:", self.test_spin)
        split_form.addRow("Seed:", self.split_seed_spin)
        split_layout.addLayout(split_form)
        split_layout.addWidget(self.split_table)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(checks_box)
        layout.addWidget(split_box)
        self.set_split(self._config)

    def set_dataset(self, dataset: Any) -> None:
        """Check the split of this data set (None: nothing to check)."""
        self.dataset = dataset
        self.refresh_checks()

    def set_split(self, config: TrainingConfig) -> None:
        """Show the project's split settings (and re-count the parts when they changed)."""
        before = (
            self._config.validation_fraction,
            self._config.test_fraction,
            self._config.seed,
        )
        changed = before != (config.validation_fraction, config.test_fraction, config.seed)
        self._config = config
        for spin in (self.validation_spin, self.test_spin, self.split_seed_spin):
            spin.blockSignals(True)
        self.validation_spin.setValue(config.validation_fraction)
        self.test_spin.set_fraction(config.test_fraction)
        self.split_seed_spin.setValue(config.seed)
        for spin in (self.validation_spin, self.test_spin, self.split_seed_spin):
            spin.blockSignals(False)
        if changed:
            self.refresh_checks()

    def refresh_checks(self) -> None:
        """Recount the split per class and redo the checks for the current settings.

        Small data is checked at once; big data on a worker thread (hashing every row of a
        large table takes about a second), and only the newest answer is shown.
        """
        dataset = self.dataset
        if dataset is None:
            self.split_table.setRowCount(0)
            self.warnings_label.hide()
            self.facts_label.clear()
            self.test_spin.show_auto(describe_auto_test())
            return
        config = copy.copy(self._config)
        if row_count(dataset) <= CHECK_AT_ONCE_ROWS:
            self.show_checks(split_report(dataset, config))
            return
        self.warnings_label.hide()
        self.test_spin.show_auto(describe_auto_test())  # until the answer counts the parts
        self.facts_label.setText("Checking for duplicates and leakage…")
        self.facts_label.show()
        self.sig_checks_requested.emit(dataset, config)

    def show_checks(self, report: tuple[list[str], list[str], dict | None]) -> None:
        """Show the checks of the split: warnings, facts and the count per class and part."""
        warnings, facts, counts = report
        self.warnings_label.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.warnings_label.setVisible(bool(warnings))
        self.facts_label.setText("\n".join(facts))
        self.facts_label.setVisible(bool(facts))
        self.split_table.setRowCount(0)
        if counts is None:
            self.test_spin.show_auto(describe_auto_test())
            return
        self.test_spin.show_auto(describe_auto_test(int(counts["test"]["rows"])))
        names = list(counts["train"].get("classes", {}))
        rows = [
            (name, [counts[p]["classes"][name] for p in ("train", "val", "test")]) for name in names
        ]
        rows.append(("All", [counts[p]["rows"] for p in ("train", "val", "test")]))
        self.split_table.setRowCount(len(rows))
        for row, (name, values) in enumerate(rows):
            self.split_table.setItem(row, 0, QTableWidgetItem(name))
            for column, value in enumerate(values, start=1):
                item = QTableWidgetItem(format_count(int(value)))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.split_table.setItem(row, column, item)
        self.split_counts = counts
        fit_height(self.split_table, len(rows))

    @Slot()
    def _emit_split(self, *_args: object) -> None:
        self.sig_split_changed.emit(
            round(self.validation_spin.value(), 4),
            self.test_spin.fraction(),
            self.split_seed_spin.value(),
        )


def fit_height(view: QTableView, rows: int, most: int = 12) -> None:
    """Tall enough for ``rows`` rows (up to ``most``, then it scrolls), no empty space."""
    shown = max(1, min(rows, most))
    model = view.model()
    if model is not None and model.rowCount() >= shown:
        body = sum(view.rowHeight(r) for r in range(shown))
    else:
        body = view.verticalHeader().defaultSectionSize() * shown
    header = view.horizontalHeader().sizeHint().height()
    view.setFixedHeight(header + body + 2 * view.frameWidth() + 2)
