"""The Runs tab: every training kept in the run store, to sort, compare, export and reuse.

The table lists the runs (the best of each data set marked by the chosen metric, at each
run's kept epoch, the figure the Train tab reports); selecting runs overlays
their curves of that metric, and selecting exactly two shows their settings side by side
with the differences highlighted. The view reads run.json files only (no TensorFlow); what
needs a model (predicting, using a stack) goes to the window through signals.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QItemSelectionModel, QSortFilterProxyModel, Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.core import run_compare
from workbench.core.errors import WorkbenchError
from workbench.core.runs import RunRecord, RunStore, is_interrupted
from workbench.ui.file_dialogs import save_file
from workbench.ui.runs.models import RunIdRole, RunsTableModel, SettingsDiffModel, SortRole

#: The widest the run-name column grows to fit names (pixels); longer names are elided.
MAX_NAME_WIDTH = 340
CURVE_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2")


class RunsView(QWidget):
    """Lists a :class:`RunStore`'s runs; the window refreshes it when a run starts or ends."""

    #: Open the run's saved model in the Predict tab: (run id).
    sig_open_model = Signal(str)
    #: Put the run's layers (and settings) into the editor: (run id).
    sig_use_stack = Signal(str)
    #: Resume an interrupted run from its last checkpoint: (run id).
    sig_resume = Signal(str)
    #: Sweep… was clicked.
    sig_sweep_requested = Signal()
    #: Cancel sweep was clicked.
    sig_cancel_sweep = Signal()
    #: Use best as model was clicked after a sweep: (the best run's id).
    sig_use_best = Signal(str)

    def __init__(self, store: RunStore | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._busy_ids: set[str] = set()  # runs this process is training right now
        self._stale = False  # the store changed while the tab was hidden
        self._live_sweep = ""  # the sweep whose trials a child process trains right now
        self._best_run = ""  # the sweep's best run offered by Use best as model

        self.model = RunsTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(RunsTableModel.STARTED, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The stack in words is the one long column: it takes the room that is left.
        header.setSectionResizeMode(RunsTableModel.MODEL, QHeaderView.ResizeMode.Stretch)
        # A sweep's trial names carry their values ("trial 2/6: learning_rate 0.00521,
        # batch_size 20, optimizer rmsprop"): the name column fits them up to a width, then
        # elides in the middle (the tooltip has the whole name).
        header.setSectionResizeMode(RunsTableModel.NAME, QHeaderView.ResizeMode.Interactive)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setAlternatingRowColors(True)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.doubleClicked.connect(self._on_double_clicked)

        self.metric_combo = QComboBox()
        self.metric_combo.setToolTip(
            "The metric plotted for the selected runs. The best run of each data set by its "
            "value at the kept epoch (the epoch whose weights the model keeps) is starred."
        )
        self.metric_combo.addItem(run_compare.DEFAULT_METRIC)
        self.metric_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.metric_combo.currentTextChanged.connect(self._on_metric_changed)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.sweep_button = QPushButton("Sweep…")
        self.sweep_button.setToolTip(
            "Search settings (learning rate, units, dropout, any Train setting or layer "
            "parameter): grid, random or Bayesian, trials in parallel on Ray."
        )
        self.sweep_button.clicked.connect(self.sig_sweep_requested)
        self.predict_button = QPushButton("Open for prediction")
        self.predict_button.setToolTip("Load the run's saved model into the Predict tab.")
        self.predict_button.clicked.connect(self._emit_for_selected(self.sig_open_model))
        self.use_button = QPushButton("Use as model")
        self.use_button.setToolTip("Put the run's layers and training settings in the editor.")
        self.use_button.clicked.connect(self._emit_for_selected(self.sig_use_stack))
        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip("Continue an interrupted run from its last finished epoch.")
        self.resume_button.clicked.connect(self._emit_for_selected(self.sig_resume))
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(self.delete_selected)
        self.export_button = QPushButton("Export history CSV…")
        self.export_button.setToolTip("Every epoch of every run as one CSV file.")
        self.export_button.clicked.connect(self.export_dialog)

        top = QHBoxLayout()
        top.addWidget(QLabel("Metric:"))
        top.addWidget(self.metric_combo)
        top.addWidget(self.refresh_button)
        top.addWidget(self.sweep_button)
        top.addStretch(1)
        for button in (
            self.predict_button,
            self.use_button,
            self.resume_button,
            self.delete_button,
            self.export_button,
        ):
            top.addWidget(button)

        self.sweep_label = QLabel()
        self.sweep_label.setWordWrap(True)
        self.cancel_sweep_button = QPushButton("Cancel sweep")
        self.cancel_sweep_button.clicked.connect(self.sig_cancel_sweep)
        self.use_best_button = QPushButton("Use best as model")
        self.use_best_button.setToolTip(
            "Open the sweep's best run for prediction and put its layers and settings in "
            "the editor."
        )
        self.use_best_button.clicked.connect(self._on_use_best)
        self.close_sweep_button = QPushButton("Dismiss")
        self.close_sweep_button.setToolTip("Hide this line; the runs stay in the table.")
        self.close_sweep_button.clicked.connect(self._on_dismiss_sweep)
        sweep_row = QHBoxLayout()
        sweep_row.addWidget(self.sweep_label, 1)
        self.sweep_label.hide()
        for button in (self.cancel_sweep_button, self.use_best_button, self.close_sweep_button):
            sweep_row.addWidget(button)
            button.hide()

        self.plot = pg.PlotWidget()
        item = self.plot.getPlotItem()
        item.setTitle("Selected runs", size="10pt")
        item.setLabel("bottom", "epoch")
        for axis in ("bottom", "left"):
            item.getAxis(axis).enableAutoSIPrefix(False)  # no "val_loss (x0.001)"
        item.showGrid(x=True, y=True, alpha=0.25)
        item.addLegend(offset=(-10, 10), labelTextSize="9pt")
        self.plot.setMinimumHeight(160)
        self.curves: dict[str, pg.PlotDataItem] = {}

        self.diff_model = SettingsDiffModel(self)
        self.diff_table = QTableView()
        self.diff_table.setModel(self.diff_model)
        self.diff_table.verticalHeader().hide()
        self.diff_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.diff_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.only_diff_check = QCheckBox("Only differences")
        self.only_diff_check.toggled.connect(self.diff_model.set_only_differences)
        self.diff_hint = QLabel("Select two runs to compare their settings.")
        self.diff_hint.setWordWrap(True)
        diff_box = QWidget()
        diff_layout = QVBoxLayout(diff_box)
        diff_layout.setContentsMargins(0, 0, 0, 0)
        diff_header = QHBoxLayout()
        diff_header.addWidget(self.diff_hint, 1)
        diff_header.addWidget(self.only_diff_check)
        diff_layout.addLayout(diff_header)
        diff_layout.addWidget(self.diff_table, 1)

        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.plot)
        bottom.addWidget(diff_box)
        bottom.setStretchFactor(0, 3)
        bottom.setStretchFactor(1, 2)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)

        self.empty_label = QLabel("No runs yet: every training is kept here.")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(sweep_row)
        layout.addWidget(self.empty_label)
        layout.addWidget(splitter, 1)
        self._update_buttons()

    # -- contents ------------------------------------------------------------------------

    def set_store(self, store: RunStore) -> None:
        """Show another store's runs."""
        self.store = store
        self.refresh()

    def request_refresh(self) -> None:
        """Refresh now if the tab is showing, else when it is next shown or read.

        Reading every run and refilling the table takes tens of milliseconds on the GUI
        thread (55 ms for 200 runs of 50 epochs, ``tests/benchmarks/runs_refresh.py``);
        done while training starts or ends behind another tab, it froze the window and took
        the time from training.
        """
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        """Catch up with runs recorded while the tab was hidden."""
        super().showEvent(event)
        self._catch_up()

    def _catch_up(self) -> None:
        if self._stale:
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Re-read the store, keeping the selection and the sort order."""
        self._stale = False
        selected = self.selected_ids()
        records = self.store.list() if self.store is not None else []
        # Runs this process (or its sweep's child) trains right now cannot be deleted,
        # reused or resumed; a live sweep's trials may run on other machines, whose process
        # ids mean nothing here, so they are never taken for interrupted.
        live = {r.id for r in records if self._live_sweep and r.sweep == self._live_sweep}
        mine = {r.id for r in records if r.pid == os.getpid()} | live
        self._busy_ids = {r.id for r in records if r.status == "running" and r.id in mine}
        self._fill_metrics(records)
        interrupted = {r.id for r in records if r.id not in live and is_interrupted(r)}
        self.model.set_runs(records, self.metric_combo.currentText(), interrupted)
        self.table.resizeColumnToContents(RunsTableModel.NAME)
        if self.table.columnWidth(RunsTableModel.NAME) > MAX_NAME_WIDTH:
            self.table.setColumnWidth(RunsTableModel.NAME, MAX_NAME_WIDTH)
        self.empty_label.setVisible(not records)
        self.select_ids(selected)
        self._update_details()

    def _fill_metrics(self, records: list[RunRecord]) -> None:
        names = run_compare.metric_names(records) or [run_compare.DEFAULT_METRIC]
        current = self.metric_combo.currentText()
        if [self.metric_combo.itemText(i) for i in range(self.metric_combo.count())] == names:
            return
        self.metric_combo.blockSignals(True)
        self.metric_combo.clear()
        self.metric_combo.addItems(names)
        pick = current if current in names else run_compare.DEFAULT_METRIC
        if pick in names:
            self.metric_combo.setCurrentText(pick)
        self.metric_combo.blockSignals(False)

    @property
    def best_id(self) -> str | None:
        """The starred run on the newest run's data (best by the chosen metric at its kept
        epoch); every data set's best is in ``self.model.best_by_data``."""
        self._catch_up()
        return self.model.best_id

    def records(self) -> list[RunRecord]:
        """The runs listed, oldest first."""
        self._catch_up()
        return self.model.records()

    # -- selection -----------------------------------------------------------------------

    def selected_ids(self) -> list[str]:
        """Ids of the selected runs, in table order."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [str(self.proxy.index(row, 0).data(RunIdRole)) for row in rows]

    def selected_records(self) -> list[RunRecord]:
        """The selected runs."""
        by_id = {record.id: record for record in self.model.records()}
        return [by_id[run_id] for run_id in self.selected_ids() if run_id in by_id]

    def select_ids(self, run_ids: list[str]) -> None:
        """Select these runs (those still listed)."""
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for run_id in run_ids:
            row = self.model.row_of(run_id)
            if row >= 0:
                selection.select(self.proxy.mapFromSource(self.model.index(row, 0)), flags)

    @Slot()
    def _on_selection_changed(self, *_args: object) -> None:
        self._update_details()

    @Slot(str)
    def _on_metric_changed(self, metric: str) -> None:
        if metric:
            selected = self.selected_ids()
            self.model.set_metric(metric)
            self.select_ids(selected)
            self._update_details()

    def _update_details(self) -> None:
        records = self.selected_records()
        self._draw_curves(records)
        if len(records) == 2:
            self.diff_model.set_runs(records[0], records[1])
            count = len(self.diff_model.differing())
            self.diff_hint.setText(
                f"{count} setting{'s' if count != 1 else ''} differ (highlighted)."
                if count
                else "The two runs used the same settings."
            )
        else:
            self.diff_model.set_runs(None, None)
            self.diff_hint.setText("Select two runs to compare their settings.")
        self._update_buttons()

    def _draw_curves(self, records: list[RunRecord]) -> None:
        metric = self.metric_combo.currentText()
        item = self.plot.getPlotItem()
        for curve in self.curves.values():
            item.removeItem(curve)
        self.curves = {}
        item.setLabel("left", metric)
        item.setTitle(
            f"{metric} of the selected runs"
            if records
            else "Select runs in the table to overlay their curves",
            size="10pt",
        )
        for number, record in enumerate(records):
            xs, ys = run_compare.curve(record, metric)
            color = CURVE_COLORS[number % len(CURVE_COLORS)]
            self.curves[record.id] = item.plot(
                xs,
                ys,
                pen=pg.mkPen(color=color, width=1),
                symbol="o",
                symbolSize=5,
                symbolBrush=color,
                name=record.name,
            )

    def _update_buttons(self) -> None:
        records = self.selected_records()
        one = records[0] if len(records) == 1 else None
        free = one is not None and one.id not in self._busy_ids
        self.predict_button.setEnabled(free and one.model_path.is_file())
        self.use_button.setEnabled(free and bool(one.project))
        self.resume_button.setEnabled(self._resumable(one))
        self.delete_button.setEnabled(
            bool(records) and not any(r.id in self._busy_ids for r in records)
        )
        self.export_button.setEnabled(bool(self.model.records()))

    def _resumable(self, record: RunRecord | None) -> bool:
        if record is None or record.id in self._busy_ids or self.store is None:
            return False
        if not record.checkpoint_path.exists():
            return False
        if record.status == "interrupted":
            return True
        return record.status == "running" and record.id in {r.id for r in self.store.interrupted()}

    def _emit_for_selected(self, signal: Signal) -> object:
        def emit() -> None:
            ids = self.selected_ids()
            if len(ids) == 1:
                signal.emit(ids[0])

        return emit

    @Slot()
    def _on_double_clicked(self, *_args: object) -> None:
        if self.predict_button.isEnabled():
            self.predict_button.click()

    # -- actions -------------------------------------------------------------------------

    @Slot()
    def delete_selected(self) -> None:
        """Delete the selected runs after asking; a run that cannot go says why."""
        records = self.selected_records()
        if not records or self.store is None:
            return
        names = ", ".join(r.name for r in records[:5]) + ("…" if len(records) > 5 else "")
        answer = QMessageBox.question(
            self,
            "Delete runs",
            f"Delete {len(records)} run{'s' if len(records) != 1 else ''} ({names}) with "
            "their models and checkpoints? This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        problems = []
        for record in records:
            if record.id in self._busy_ids:
                problems.append(f"{record.name} is training; stop it first.")
                continue
            try:
                self.store.delete(record.id)
            except (WorkbenchError, OSError) as exc:
                problems.append(str(exc))
        self.refresh()
        if problems:
            QMessageBox.warning(self, "Delete runs", "\n".join(problems))

    @Slot()
    def export_dialog(self) -> None:
        """Export history CSV…: ask where, then write every run's history."""
        path = save_file(self, "Export the history of all runs", "runs.csv", "CSV (*.csv)")
        if path:
            self.export_csv(path)

    def export_csv(self, path: str | Path) -> Path | None:
        """Write every run's history to ``path``; a failure is shown, not raised."""
        try:
            written = run_compare.write_history_csv(self.model.records(), path)
        except WorkbenchError as exc:
            QMessageBox.warning(self, "Export history", str(exc))
            return None
        return written

    # -- sweeps --------------------------------------------------------------------------

    def show_sweep(self, text: str | None) -> None:
        """'Sweep run 3/8: lr 0.01' while a sweep runs (with Cancel sweep); None hides the
        line."""
        self.sweep_label.setText(text or "")
        self.sweep_label.setVisible(bool(text))
        self.cancel_sweep_button.setVisible(bool(text))
        self.use_best_button.hide()
        self.close_sweep_button.hide()
        self.sweep_button.setEnabled(not text)
        if not text:
            self._best_run = ""

    def show_sweep_result(self, text: str, best_run: str | None) -> None:
        """The sweep has ended: what it found, Use best as model (when a run is best) and
        Dismiss; Sweep… can start the next."""
        self.show_sweep(text)
        self.cancel_sweep_button.hide()
        self.sweep_button.setEnabled(True)
        self._best_run = best_run or ""
        self.use_best_button.setVisible(bool(best_run))
        self.close_sweep_button.show()

    def set_live_sweep(self, sweep_id: str | None) -> None:
        """The sweep a child process runs now (None when none): its running trials are
        busy, never interrupted."""
        self._live_sweep = sweep_id or ""

    def pin_best(self, run_id: str | None, metric: str = "") -> None:
        """Star ``run_id`` as the best on its data by ``metric`` (the search's own pick),
        showing that metric; None goes back to the table's own ranking."""
        self.model.pin_best(run_id, metric)
        self._catch_up()
        combo = self.metric_combo
        if run_id and combo.findText(metric) >= 0 and combo.currentText() != metric:
            combo.setCurrentText(metric)  # _on_metric_changed re-ranks, with the pin
        else:
            self._on_metric_changed(combo.currentText())

    @Slot()
    def _on_dismiss_sweep(self) -> None:
        self.show_sweep(None)

    @Slot()
    def _on_use_best(self) -> None:
        if self._best_run:
            self.sig_use_best.emit(self._best_run)
