"""Qt item models over plain data: a DataFrame, class counts, the layer stack, probabilities.

Views show thousands of rows through these models without a widget per cell; every value is
fetched lazily in ``data()`` for the cells Qt actually paints.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QImageReader, QPixmap
from PySide6.QtWidgets import QApplication, QStyle

from workbench.core import run_compare
from workbench.core.layers import LayerSpec
from workbench.core.runs import RunRecord
from workbench.core.summary import StackSummary

if TYPE_CHECKING:  # the window shows before pandas is imported
    import pandas as pd

_Index = QModelIndex | QPersistentModelIndex
#: Role under which numeric models expose a 0..1 fraction for :class:`BarDelegate`.
FractionRole = Qt.ItemDataRole.UserRole + 1
ERROR_BACKGROUND = QColor(255, 226, 226)
NOTE_BACKGROUND = QColor(255, 246, 214)
PENDING = "…"
#: MIME type of a row dragged within the layer stack (the row number as text).
LAYER_ROW_MIME = "application/x-workbench-layer-row"


def format_count(value: int) -> str:
    """Thousands separators, as people read parameter and row counts."""
    return f"{value:,}"


class DataFrameModel(QAbstractTableModel):
    """A read-only table over a DataFrame; cells are read on demand, never copied up front."""

    TOOLTIP_MIN_CHARS = 60

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._frame: pd.DataFrame | None = None
        self._roles: dict[str, str] = {}

    def set_frame(self, frame: pd.DataFrame, text_column: str = "", label_column: str = "") -> None:
        """Show another frame; the chosen text and label columns get a marked header."""
        self.beginResetModel()
        self._frame = frame
        self._roles = {text_column: "text", label_column: "label"}
        self.endResetModel()

    def set_roles(self, text_column: str, label_column: str) -> None:
        """Re-mark the text and label columns without resetting the rows."""
        self._roles = {text_column: "text", label_column: "label"}
        if self.columnCount():
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)

    @property
    def frame(self) -> pd.DataFrame | None:
        """The frame shown (None before the first file)."""
        return self._frame

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        """Rows of the frame (a table model has no children)."""
        return 0 if parent.isValid() or self._frame is None else len(self._frame)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Columns of the frame."""
        return 0 if parent.isValid() or self._frame is None else len(self._frame.columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The cell as text, read from the frame only when Qt asks for it."""
        if not index.isValid() or self._frame is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self._frame.iat[index.row(), index.column()]
            text = "" if _is_missing(value) else _cell_text(value)
            if role == Qt.ItemDataRole.ToolTipRole:
                return text if len(text) >= self.TOOLTIP_MIN_CHARS else None
            return text
        if role == Qt.ItemDataRole.ForegroundRole:
            value = self._frame.iat[index.row(), index.column()]
            return QBrush(QColor(150, 150, 150)) if _is_missing(value) else None
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column names (with their role) across, 1-based row numbers down."""
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        if self._frame is None or section >= len(self._frame.columns):
            return None
        name = str(self._frame.columns[section])
        role_name = self._roles.get(name)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{name}  [{role_name}]" if role_name else name
        if role == Qt.ItemDataRole.FontRole and role_name:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and role_name:
            return f"Used as the {role_name} column"
        return None


def _is_missing(value: Any) -> bool:
    """None, NaN, NaT or pandas.NA, without importing pandas."""
    if value is None:
        return True
    try:
        return bool(value != value)  # only NaN and NaT differ from themselves
    except TypeError:  # pandas.NA: its comparisons are NA, whose truth is ambiguous
        return True


def _cell_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class _TitledColumnsModel(QAbstractTableModel):
    """A table with fixed column titles (HEADERS) over a list of rows (``_rows``)."""

    HEADERS: tuple[str, ...] = ()
    _rows: list[Any]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """One row per item."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """One column per title."""
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None


class ClassCountsModel(_TitledColumnsModel):
    """Label, number of rows and share of the data, most frequent first."""

    HEADERS = ("Class", "Rows", "Share")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, int]] = []
        self._total = 0

    def set_counts(self, counts: dict[str, int]) -> None:
        """Show new counts (already ordered by the caller)."""
        self.beginResetModel()
        self._rows = list(counts.items())
        self._total = sum(counts.values())
        self.endResetModel()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Text per column; the share column also gives a fraction for a bar."""
        if not index.isValid():
            return None
        label, count = self._rows[index.row()]
        share = count / self._total if self._total else 0.0
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (label, format_count(count), f"{share:.1%}")[column]
        if role == FractionRole and column == 2:
            return share
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class LayerStackModel(_TitledColumnsModel):
    """The layer stack as ``model.summary()`` shows it: #, layer, output shape, params.

    Shapes and parameter counts come from the backend's last :class:`StackSummary`; rows are
    matched to it by layer uid, so a parameter edit keeps the old numbers on screen until the
    new summary arrives instead of flickering. Rows with a problem get a red mark and tooltip.
    """

    HEADERS = ("#", "Layer", "Output shape", "Params")

    #: A row was dragged to a new place: (source row, destination row in the final order).
    #: The model does not move it itself, so the view can make the move one undoable command.
    sig_move_requested = Signal(int, int)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._layers: list[LayerSpec] = []
        self._summary: StackSummary | None = None
        self._summary_uids: list[int] = []
        self._errors: dict[int, str] = {}

    def set_layers(self, layers: list[LayerSpec]) -> None:
        """Show this list (the model keeps a reference; call :meth:`refresh` after edits)."""
        self.beginResetModel()
        self._layers = layers
        self.endResetModel()

    def refresh(self) -> None:
        """Re-read the list after an edit that changed rows."""
        self.beginResetModel()
        self.endResetModel()

    def refresh_row(self, row: int) -> None:
        """Repaint one row after a parameter edit."""
        if 0 <= row < len(self._layers):
            last = self.columnCount() - 1
            self.dataChanged.emit(self.index(row, 0), self.index(row, last))

    def set_summary(self, summary: StackSummary | None, uids: list[int]) -> None:
        """Take the backend's summary of the stack whose layer uids were ``uids``."""
        self._summary = summary
        self._summary_uids = list(uids)
        self._emit_all_changed()

    def set_errors(self, errors: dict[int, str]) -> None:
        """Row index -> message for rows to mark."""
        self._errors = dict(errors)
        self._emit_all_changed()

    def row_error(self, row: int) -> str | None:
        """The message marking ``row``, if any."""
        return self._errors.get(row)

    def row_note(self, row: int) -> str | None:
        """The backend's advice on ``row`` (does not block training), if any."""
        info = self._summary_row(row)
        return getattr(info, "note", None) if info is not None else None

    def _emit_all_changed(self) -> None:
        if self._layers:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._layers) - 1, self.columnCount() - 1)
            )

    def _summary_row(self, row: int) -> Any:
        if self._summary is None or row >= len(self._layers):
            return None
        uid = self._layers[row].uid
        try:
            position = self._summary_uids.index(uid)
        except ValueError:
            return None
        if position < len(self._summary.layers):
            return self._summary.layers[position]
        return None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """One row per layer."""
        return 0 if parent.isValid() else len(self._layers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text plus the error mark (icon, background, tooltip) on bad rows."""
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        error = self._errors.get(row)
        note = None if error else self.row_note(row)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return str(row + 1)
            if column == 1:
                return self._layers[row].describe()
            info = self._summary_row(row)
            if info is None:
                return PENDING if not error else ""
            if column == 2:
                return info.output_shape or ("" if error else PENDING)
            if error or info.output_shape in ("", "?"):
                return "" if error else info.output_shape
            return format_count(info.params)
        if role == Qt.ItemDataRole.ToolTipRole:
            return error or note or self._layers[row].type.description
        if role == Qt.ItemDataRole.BackgroundRole and (error or note):
            return QBrush(ERROR_BACKGROUND if error else NOTE_BACKGROUND)
        if role == Qt.ItemDataRole.DecorationRole and column == 0 and (error or note):
            icon = (
                QStyle.StandardPixmap.SP_MessageBoxCritical
                if error
                else QStyle.StandardPixmap.SP_MessageBoxWarning
            )
            return QApplication.style().standardIcon(icon)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and column == 2:
            font = QFont("monospace")
            font.setStyleHint(QFont.StyleHint.Monospace)
            return font
        return None

    # -- drag to reorder ------------------------------------------------------------------

    def flags(self, index: _Index) -> Qt.ItemFlag:
        """Rows can be dragged; drops land between rows (or on one: before it)."""
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return super().flags(index) | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled

    def supportedDropActions(self) -> Qt.DropAction:
        """Only moves within the stack."""
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        """Only moves within the stack."""
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        """The private row type: nothing else can be dropped here."""
        return [LAYER_ROW_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        """The dragged row's number."""
        data = QMimeData()
        rows = sorted({index.row() for index in indexes if index.isValid()})
        if rows:
            data.setData(LAYER_ROW_MIME, str(rows[0]).encode())
        return data

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        """A row of this stack, moved."""
        return action == Qt.DropAction.MoveAction and data.hasFormat(LAYER_ROW_MIME)

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        """Ask for the move through :attr:`sig_move_requested` instead of moving here.

        ``row`` is where Qt would insert (before that row; -1 without a valid ``parent`` means
        below the last row); -1 with a valid ``parent`` means dropped onto that row, whose
        place the dragged row takes. No rows are removed
        afterwards: the base class's removeRows does nothing.
        """
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            source = int(bytes(data.data(LAYER_ROW_MIME).data()).decode())
        except ValueError:
            return False
        if not 0 <= source < len(self._layers):
            return False
        if row < 0 and parent.isValid():
            destination = parent.row()  # onto a row: take its place
        else:
            row = len(self._layers) if row < 0 else row
            destination = row - 1 if row > source else row
        destination = min(max(destination, 0), len(self._layers) - 1)
        if destination != source:
            self.sig_move_requested.emit(source, destination)
        return True


class ProbabilityModel(_TitledColumnsModel):
    """Every class and its probability for one prediction, most likely first."""

    HEADERS = ("Class", "Probability")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, float]] = []
        self._top = ""

    def set_probabilities(self, probabilities: dict[str, float], top: str = "") -> None:
        """Show a prediction's class probabilities."""
        self.beginResetModel()
        self._rows = sorted(probabilities.items(), key=lambda kv: -kv[1])
        self._top = top
        self.endResetModel()

    def probabilities(self) -> dict[str, float]:
        """What is shown, as a dict (tests and copy/paste read this)."""
        return dict(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Label and percentage; the probability column also gives a fraction for a bar."""
        if not index.isValid():
            return None
        label, probability = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return label if index.column() == 0 else f"{probability:.1%}"
        if role == FractionRole and index.column() == 1:
            return probability
        if role == Qt.ItemDataRole.FontRole and label == self._top:
            font = QFont()
            font.setBold(True)
            return font
        return None


class ImageListModel(QAbstractListModel):
    """Image files with their class under each; thumbnails decoded lazily, only when painted.

    A QListView asks ``DecorationRole`` only for the items it paints, so at most a screenful
    of images is decoded at a time, each scaled while decoding (``QImageReader.setScaledSize``)
    and kept in a bounded cache. Nothing is read for images never scrolled into view.
    """

    THUMB = 72
    CACHE_SIZE = 600
    #: The file's path, for tests and the predict view.
    PathRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._files: list[str] = []
        self._captions: list[str] = []
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()
        self.decoded = 0  # thumbnails decoded so far (tests check the laziness)

    def set_images(self, files: list[str], captions: list[str]) -> None:
        """Show these files, each with a caption (its class, or a prediction)."""
        self.beginResetModel()
        self._files = list(files)
        self._captions = list(captions)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """One row per image."""
        return 0 if parent.isValid() else len(self._files)

    def thumbnail(self, path: str) -> QPixmap:
        """A scaled pixmap of the file (from the cache when already decoded)."""
        cached = self._cache.get(path)
        if cached is not None:
            self._cache.move_to_end(path)
            return cached
        reader = QImageReader(path)
        size = reader.size()
        if size.isValid() and size.width() > 0 and size.height() > 0:
            reader.setScaledSize(
                size.scaled(QSize(self.THUMB, self.THUMB), Qt.AspectRatioMode.KeepAspectRatio)
            )
        image = reader.read()
        pixmap = QPixmap.fromImage(image) if not image.isNull() else QPixmap()
        self.decoded += 1
        self._cache[path] = pixmap
        if len(self._cache) > self.CACHE_SIZE:
            self._cache.popitem(last=False)
        return pixmap

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Caption, lazily decoded thumbnail, path as tooltip."""
        if not index.isValid():
            return None
        row = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._captions[row]
        if role == Qt.ItemDataRole.DecorationRole:
            return self.thumbnail(self._files[row])
        if role in (Qt.ItemDataRole.ToolTipRole, self.PathRole):
            return self._files[row]
        return None


#: Role under which the runs model gives a value that sorts right (numbers, times).
SortRole = Qt.ItemDataRole.UserRole + 2
#: Role under which the runs model gives a row's run id.
RunIdRole = Qt.ItemDataRole.UserRole + 3
BEST_BACKGROUND = QColor(221, 242, 221)
DIFF_BACKGROUND = QColor(255, 236, 179)


class RunsTableModel(_TitledColumnsModel):
    """Every run of a store: name, status, date, key settings, best metrics, speed.

    The best run by :attr:`metric` is marked (a star, bold, a green background). Sort it
    through a QSortFilterProxyModel with ``sortRole`` :data:`SortRole`.
    """

    BASE_HEADERS = (
        "Run",
        "Status",
        "Started",
        "Optimizer",
        "LR",
        "Batch",
        "Epochs",
        "Model",
        "Best val_loss",
    )
    NAME, STATUS, STARTED, OPTIMIZER, LR, BATCH, EPOCHS, MODEL, VAL_LOSS, METRIC, SPEED = range(11)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[RunRecord, list[Any]]] = []
        self.metric = "val_loss"
        self.best_id: str | None = None
        self._interrupted: set[str] = set()
        self._second = "val_accuracy"
        self.HEADERS = (*self.BASE_HEADERS, "Best val_accuracy", "Samples/s")

    def set_runs(
        self,
        records: list[RunRecord],
        metric: str | None = None,
        interrupted: set[str] | None = None,
    ) -> None:
        """Show these runs; the best is picked by ``metric`` (kept when None).

        ``interrupted``: ids of runs marked running whose process is gone (shown so).
        """
        self.beginResetModel()
        if metric:
            self.metric = metric
        if interrupted is not None:
            self._interrupted = set(interrupted)
        names = run_compare.metric_names(records)
        self._second = self.metric if self.metric != "val_loss" else _default_second(names)
        self.HEADERS = (*self.BASE_HEADERS, f"Best {self._second}", "Samples/s")
        self._rows = [(record, self._values(record)) for record in records]
        self.best_id = run_compare.best_run(records, self.metric)
        self.endResetModel()

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
        planned = training.epochs if training is not None else None
        done = len(record.history)
        status = "interrupted" if record.id in self._interrupted else record.status
        return [
            record.name,
            status,
            record.created,
            training.optimizer if training else None,
            training.learning_rate if training else None,
            training.batch_size if training else None,
            done if planned is None else (done, planned),
            run_compare.stack_text(record),
            run_compare.best_value(record, "val_loss"),
            run_compare.best_value(record, self._second),
            record.samples_per_second,
        ]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Text per column, a sortable value, the run id; the best run stands out."""
        if not index.isValid():
            return None
        record, values = self._rows[index.row()]
        column = index.column()
        value = values[column]
        best = record.id == self.best_id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(column, value, best)
        if role == SortRole:
            if column == self.EPOCHS and isinstance(value, tuple):
                return value[0]
            if value is None:  # missing values sort below every number
                return float("-inf") if column >= self.LR else ""
            return value
        if role == RunIdRole:
            return record.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.NAME and record.message:
                return record.message
            if column == self.MODEL:
                return values[self.MODEL]
            if best:
                return f"Best run by {self.metric}"
            return None
        if role == Qt.ItemDataRole.BackgroundRole and best:
            return QBrush(BEST_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole and best:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= self.LR and column != self.MODEL:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, column: int, value: Any, best: bool) -> str:
        if column == self.NAME:
            return f"★ {value}" if best else str(value)
        if column == self.STARTED:
            return time.strftime("%Y-%m-%d %H:%M", time.localtime(value))
        if value is None:
            return ""
        if column == self.EPOCHS and isinstance(value, tuple):
            return f"{value[0]}/{value[1]}"
        if column == self.SPEED:
            return f"{value:,.0f}"
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


class SettingsDiffModel(_TitledColumnsModel):
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

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
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
