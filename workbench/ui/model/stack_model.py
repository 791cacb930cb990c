"""The layer stack as a Qt table model: kind, output shape, parameters, problems."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QMimeData,
    QModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QApplication, QStyle

from workbench.core.layers import LayerSpec
from workbench.core.summary import StackSummary
from workbench.ui.item_models import Index, TitledColumnsModel, format_count

ERROR_BACKGROUND = QColor(255, 226, 226)
NOTE_BACKGROUND = QColor(255, 246, 214)
PENDING = "…"
#: MIME type of a row dragged within the layer stack (the row number as text).
LAYER_ROW_MIME = "application/x-workbench-layer-row"


class LayerStackModel(TitledColumnsModel):
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

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """One row per layer."""
        return 0 if parent.isValid() else len(self._layers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
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

    def flags(self, index: Index) -> Qt.ItemFlag:
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
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        """A row of this stack, moved."""
        return action == Qt.DropAction.MoveAction and data.hasFormat(LAYER_ROW_MIME)

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
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
