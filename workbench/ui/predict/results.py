"""The Predict tab's file results: one sortable table for every kind, its Save button, and the
progress bar with Cancel shown while a file is read and predicted."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.predict.models import PredictionProxy, PredictionTableModel, SortRole
from workbench.ui.widgets import BarDelegate

_WHAT = {"texts": "texts", "rows": "rows", "images": "images", "audio": "audio files"}


class BatchProgress(QWidget):
    """ "Predicting reviews.csv…", a bar and Cancel; hidden when no file is being predicted."""

    #: Cancel was clicked.
    sig_cancel = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop predicting; the results shown before stay.")
        self.cancel_button.clicked.connect(self.sig_cancel)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        self.hide()

    def start(self, text: str) -> None:
        """Show ``text`` and an empty bar."""
        self.label.setText(text)
        self.bar.setValue(0)
        self.show()

    def set_fraction(self, fraction: float) -> None:
        """Move the bar (0..1)."""
        self.bar.setValue(round(1000 * min(max(fraction, 0.0), 1.0)))

    def stop(self) -> None:
        """Hide (done, failed or cancelled)."""
        self.hide()


class ResultsPanel(QWidget):
    """A file's predictions in one table (a model over arrays behind a sorting proxy)."""

    #: Save predictions… was clicked.
    sig_save = Signal()
    #: A row was clicked: (Prediction, what it was for, e.g. 'row 12 of reviews.csv').
    sig_row_chosen = Signal(object, str)
    #: A row was clicked: (its index in the results, e.g. to draw that audio file).
    sig_index_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.save_button = QPushButton("Save predictions…")
        self.save_button.setToolTip("Write every row's input, predicted label and probabilities")
        self.save_button.clicked.connect(self.sig_save)
        self.model = PredictionTableModel(self)
        self.proxy = PredictionProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.table = QTableView()
        self.table.setObjectName("predictionResults")
        self.table.setModel(self.proxy)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.setSortingEnabled(True)
        self._bars = BarDelegate(self.table)
        self.table.clicked.connect(self._on_clicked)
        top = QHBoxLayout()
        top.addWidget(self.summary_label, 1)
        top.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.hide()

    @property
    def results(self) -> Any:
        """The PredictionResults shown (None when none)."""
        return self.model.results

    def set_results(self, results: Any) -> None:
        """Show a file's predictions (unsorted, as in the file)."""
        header = self.table.horizontalHeader()
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        for column in range(self.model.columnCount()):
            self.table.setItemDelegateForColumn(column, None)
        self.model.set_results(results)
        if results is None:
            self.hide()
            return
        inputs = len(results.input_columns)
        header.resizeSection(0, 64)
        for column in range(1, inputs + 1):
            header.resizeSection(column, 320 if inputs == 1 else 160)
        header.resizeSection(inputs + 1, 120)
        if not results.regression:
            self.table.setItemDelegateForColumn(inputs + 2, self._bars)
            for column in range(inputs + 2, self.model.columnCount()):
                header.resizeSection(column, 96)
        what = _WHAT.get(results.what, "inputs")
        total = len(results) + results.skipped
        if results.source == f"{total:,} {what}":  # files chosen one by one, not one file
            done = f"{len(results):,} of {total:,}" if results.skipped else f"{total:,}"
            text = f"{done} {what} predicted."
        else:
            text = f"{len(results):,} {what} of {results.source} predicted."
        if results.skipped:
            text += f" {results.skipped:,} could not be read and are left out."
        self.summary_label.setText(text + " Click a row for its probabilities; a title sorts.")
        self.show()

    def clear(self) -> None:
        """No results (other data or another model)."""
        self.set_results(None)

    @Slot(QModelIndex)
    def _on_clicked(self, index: QModelIndex) -> None:
        results = self.model.results
        if results is None or not index.isValid():
            return
        i = self.model.result_row(self.proxy.mapToSource(index).row())
        self.sig_row_chosen.emit(results.prediction(i), results.where(i))
        self.sig_index_chosen.emit(i)
