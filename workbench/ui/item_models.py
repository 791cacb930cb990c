"""Qt item models shared by several tabs: a DataFrame, a list of images, and the
titled-columns base the feature models build on.

Views show thousands of rows through these models without a widget per cell; every value is
fetched lazily in ``data()`` for the cells Qt actually paints.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QImageReader, QPixmap

if TYPE_CHECKING:  # the window shows before pandas is imported
    import pandas as pd


Index = QModelIndex | QPersistentModelIndex
#: Role under which numeric models expose a 0..1 fraction for :class:`BarDelegate`.
FractionRole = Qt.ItemDataRole.UserRole + 1


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

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        """Rows of the frame (a table model has no children)."""
        return 0 if parent.isValid() or self._frame is None else len(self._frame)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Columns of the frame."""
        return 0 if parent.isValid() or self._frame is None else len(self._frame.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The cell as text, read from the frame only when Qt asks for it."""
        if not index.isValid() or self._frame is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self._frame.iat[index.row(), index.column()]
            text = "" if _is_missing(value) else cell_text(value)
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


def cell_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class TitledColumnsModel(QAbstractTableModel):
    """A table with fixed column titles (HEADERS) over a list of rows (``_rows``)."""

    HEADERS: tuple[str, ...] = ()
    _rows: list[Any]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """One row per item."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """One column per title."""
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
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

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
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

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
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
