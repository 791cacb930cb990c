"""Qt item models over plain data: a DataFrame, class counts, the layer stack, probabilities.

Views show thousands of rows through these models without a widget per cell; every value is
fetched lazily in ``data()`` for the cells Qt actually paints.
"""

from __future__ import annotations

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

from workbench.core.layers import LayerSpec
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
