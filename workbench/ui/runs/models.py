"""Item models of the Runs tab: the runs table and the settings that differ."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont

from workbench.core import run_compare
from workbench.core.runs import RunRecord
from workbench.ui.item_models import Index, TitledColumnsModel

#: Role under which the runs model gives a value that sorts right (numbers, times).
SortRole = Qt.ItemDataRole.UserRole + 2
#: Role under which the runs model gives a row's run id.
RunIdRole = Qt.ItemDataRole.UserRole + 3
BEST_BACKGROUND = QColor(221, 242, 221)
DIFF_BACKGROUND = QColor(255, 236, 179)
#: After a metric column's name: its values are the kept epoch's, not the best over epochs.
KEPT = "(kept epoch)"
KEPT_TIP = (
    "The value at the epoch whose weights the run's model keeps: the best epoch when "
    "'restore best weights' is on (as the Train tab reports it), else the last epoch. "
    "The best run of each data set is starred."
)
AUTO_EPOCHS_TIP = (
    "Epochs finished. The run's epochs were auto: it trained until the validation loss "
    "stopped improving, within a cap taken from the data size."
)
TEST_TIP = (
    "Scored once at the end on the rows held out from training and validation (the test "
    "part): accuracy, else MAE, else loss. Shown when a run held a test part out."
)


class RunsTableModel(TitledColumnsModel):
    """Every run of a store: name, data, status, date, key settings, metrics, speed.

    The metric columns show each run's value at its kept epoch (the epoch whose weights its
    model keeps, :func:`~workbench.core.run_compare.kept_epoch`), the figure the Train tab
    reports. The best run by :attr:`metric` of each data set is marked (a star, bold, a green
    background): runs on different data are never ranked against each other. Sort it
    through a QSortFilterProxyModel with ``sortRole`` :data:`SortRole`.
    """

    BASE_HEADERS = (
        "Run",
        "Data",
        "Status",
        "Started",
        "Optimizer",
        "LR",
        "Batch",
        "Epochs",
        "Model",
        f"val_loss {KEPT}",
    )
    (
        NAME,
        DATA,
        STATUS,
        STARTED,
        OPTIMIZER,
        LR,
        BATCH,
        EPOCHS,
        MODEL,
        VAL_LOSS,
        METRIC,
        SPEED,
        TEST,  # only when a run has test metrics (run_compare.held_out_score)
    ) = range(13)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[RunRecord, list[Any]]] = []
        self.metric = "val_loss"
        #: The best run of each data set by :attr:`metric`: {data key: run id}.
        self.best_by_data: dict[str, str] = {}
        self._best_ids: set[str] = set()
        self._newest_key = ""
        self._interrupted: set[str] = set()
        self._pinned: tuple[str, str] | None = None  # (run id, metric) a search picked
        self._second = "val_accuracy"
        self.HEADERS = (*self.BASE_HEADERS, f"val_accuracy {KEPT}", "Samples/s")

    @property
    def best_id(self) -> str | None:
        """The starred run on the data of the newest run (the data being worked on now)."""
        return self.best_by_data.get(self._newest_key)

    @property
    def best_ids(self) -> set[str]:
        """Every starred run: the best of each data set."""
        return set(self._best_ids)

    def set_runs(
        self,
        records: list[RunRecord],
        metric: str | None = None,
        interrupted: set[str] | None = None,
    ) -> None:
        """Show these runs; the best of each data set is picked by ``metric`` (kept if None).

        ``interrupted``: ids of runs marked running whose process is gone (shown so).
        """
        self.beginResetModel()
        if metric:
            self.metric = metric
        if interrupted is not None:
            self._interrupted = set(interrupted)
        names = run_compare.metric_names(records)
        self._second = self.metric if self.metric != "val_loss" else _default_second(names)
        self.HEADERS = (*self.BASE_HEADERS, f"{self._second} {KEPT}", "Samples/s")
        self._rows = [(record, self._values(record)) for record in records]
        if any(values[self.TEST] is not None for _, values in self._rows):
            self.HEADERS = (*self.HEADERS, "Test")
        self.best_by_data = run_compare.best_runs(records, self.metric)
        self._apply_pin(records)
        self._best_ids = set(self.best_by_data.values())
        newest = max(records, key=lambda r: r.created, default=None)
        self._newest_key = run_compare.data_key(newest) if newest is not None else ""
        self.endResetModel()

    def pin_best(self, run_id: str | None, metric: str = "") -> None:
        """Star ``run_id`` on its data set while the table ranks by ``metric`` (a search's
        best, picked by the search's own rule); None unpins. Call :meth:`set_runs` after."""
        self._pinned = (run_id, metric) if run_id and metric else None

    @property
    def pinned(self) -> str | None:
        """The run a search picked as its best, when the table ranks by its metric."""
        if self._pinned is None or self._pinned[1] != self.metric:
            return None
        return self._pinned[0]

    def _apply_pin(self, records: list[RunRecord]) -> None:
        pinned = self.pinned
        record = next((r for r in records if r.id == pinned), None)
        key = run_compare.data_key(record) if record is not None else ""
        if key:
            self.best_by_data[key] = record.id

    def set_metric(self, metric: str) -> None:
        """Mark the best run by another metric."""
        self.set_runs([record for record, _ in self._rows], metric)

    def record(self, row: int) -> RunRecord:
        """The run shown in a (source) row."""
        return self._rows[row][0]

    def records(self) -> list[RunRecord]:
        """Every run shown, in store order."""
        return [record for record, _ in self._rows]

    def row_of(self, run_id: str) -> int:
        """The source row of a run id, or -1."""
        for row, (record, _) in enumerate(self._rows):
            if record.id == run_id:
                return row
        return -1

    def _values(self, record: RunRecord) -> list[Any]:
        project = run_compare.project_of(record)
        training = project.training if project is not None else None
        done = len(record.history)
        # (done, planned); planned None: the run's epochs were "auto"
        epochs = done if training is None else (done, training.epochs)
        status = "interrupted" if record.id in self._interrupted else record.status
        return [
            record.name,
            run_compare.data_name(record) or None,
            status,
            record.created,
            training.optimizer if training else None,
            training.learning_rate if training else None,
            training.batch_size if training else None,
            epochs,
            run_compare.stack_text(record),
            run_compare.kept_value(record, "val_loss"),
            run_compare.kept_value(record, self._second),
            record.samples_per_second,
            run_compare.held_out_score(record),
        ]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles; the metric columns say which epoch their values are from."""
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.ToolTipRole
            and section in (self.VAL_LOSS, self.METRIC, self.TEST)
        ):
            return TEST_TIP if section == self.TEST else KEPT_TIP
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Text per column, a sortable value, the run id; the best runs stand out."""
        if not index.isValid():
            return None
        record, values = self._rows[index.row()]
        column = index.column()
        value = values[column]
        best = record.id in self._best_ids
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(column, value, best)
        if role == SortRole:
            if column in (self.EPOCHS, self.TEST) and isinstance(value, tuple):
                return value[0] if column == self.EPOCHS else value[1]
            if value is None:  # missing values sort below every number
                return float("-inf") if column >= self.LR else ""
            return value
        if role == RunIdRole:
            return record.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(record, values, column, best)
        if role == Qt.ItemDataRole.BackgroundRole and best:
            return QBrush(BEST_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole and best:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= self.LR and column != self.MODEL:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _tooltip(self, record: RunRecord, values: list[Any], column: int, best: bool) -> str | None:
        if column == self.NAME:  # the whole name (the column elides long ones), why it ended
            lines = [record.name, self._best_tip(record) if best else "", record.message]
            return "\n".join(line for line in lines if line)
        if column == self.MODEL:
            return values[self.MODEL] or None
        if column == self.DATA:
            return run_compare.data_path(record) or "The data this run trained on is not known."
        if column == self.TEST:
            return f"{values[column][0]} on the held-out test part" if values[column] else None
        if column == self.EPOCHS and values[column] == (len(record.history), None):
            return AUTO_EPOCHS_TIP  # (done, None): the run's epochs were auto
        if column in (self.VAL_LOSS, self.METRIC):
            kept = run_compare.kept_epoch(record)
            if kept.number is None:
                return "No epoch finished."
            tip = f"At epoch {kept.number}, the epoch whose weights the model keeps."
            return f"{tip}\n{kept.note[0].upper()}{kept.note[1:]}." if kept.inferred else tip
        return self._best_tip(record) if best else None

    def _best_tip(self, record: RunRecord) -> str:
        if record.id == self.pinned:
            return f"The best trial of its sweep by {self.metric}: the search's pick"
        data = run_compare.data_name(record)
        return f"Best run on {data} by {self.metric} (at its kept epoch)"

    def _display(self, column: int, value: Any, best: bool) -> str:
        if column == self.NAME:
            return f"★ {value}" if best else str(value)
        if column == self.STARTED:
            return time.strftime("%Y-%m-%d %H:%M", time.localtime(value))
        if value is None:
            return ""
        if column == self.EPOCHS and isinstance(value, tuple):
            done, planned = value
            return f"{done} (auto)" if planned is None else f"{done}/{planned}"
        if column == self.SPEED:
            return f"{value:,.0f}"
        if column == self.TEST:  # (name, value): "accuracy 0.871"
            return f"{value[0].removeprefix('test_')} {value[1]:.4g}"
        if isinstance(value, float):
            return f"{value:.4g}"
        return str(value)


def _default_second(names: list[str]) -> str:
    """The validation metric to show next to val_loss: accuracy, else MAE, else any."""
    for preferred in ("val_accuracy", "val_mae"):
        if preferred in names:
            return preferred
    others = [n for n in names if n.startswith("val_") and n != "val_loss"]
    return others[0] if others else "val_accuracy"


class SettingsDiffModel(TitledColumnsModel):
    """Two runs' settings side by side; the rows that differ are highlighted."""

    HEADERS = ("Setting", "A", "B")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[run_compare.DiffRow] = []
        self.only_differences = False
        self._all: list[run_compare.DiffRow] = []

    def set_runs(self, left: RunRecord | None, right: RunRecord | None) -> None:
        """Compare two runs (None clears the table)."""
        self.beginResetModel()
        self.HEADERS = ("Setting", left.name if left else "A", right.name if right else "B")
        self._all = run_compare.settings_diff(left, right) if left and right else []
        self._filter()
        self.endResetModel()

    def set_only_differences(self, only: bool) -> None:
        """Hide the settings both runs share."""
        self.beginResetModel()
        self.only_differences = only
        self._filter()
        self.endResetModel()

    def _filter(self) -> None:
        self._rows = [r for r in self._all if r.differs or not self.only_differences]

    def differing(self) -> list[str]:
        """Names of the settings that differ (what is highlighted)."""
        return [row.name for row in self._all if row.differs]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Name and both values; differing rows get a background and bold values."""
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.name, row.left, row.right)[index.column()]
        if role == Qt.ItemDataRole.BackgroundRole and row.differs:
            return QBrush(DIFF_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole and row.differs and index.column() > 0:
            font = QFont()
            font.setBold(True)
            return font
        return None
