"""The samples behind a confusion-matrix cell (or the most confident mistakes), as a Qt model.

Each row is one evaluated sample: its row number in the data, the input (a text with the
words that drove the answer highlighted once explained, an image's thumbnail, a table row's
first values, or an array's index), the true and predicted labels and the probability the
model gave its answer. Cells are read lazily from the data set for the rows Qt paints.
"""

from __future__ import annotations

import csv
import io
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSize, Qt
from PySide6.QtGui import QImageReader, QPixmap

from workbench.ui.highlight import WordWeights, highlighted_html
from workbench.ui.item_models import Index

if TYPE_CHECKING:
    from workbench.core.evaluation.metrics import ClassificationEval

#: Role under which the Input column gives highlighted HTML (text data, once explained).
HtmlRole = Qt.ItemDataRole.UserRole + 4
#: Role under which any cell gives its row's position in the evaluation.
PositionRole = Qt.ItemDataRole.UserRole + 5
TABLE_COLUMNS = 4  # a table row shows its first few feature values


class SampleInputs:
    """Reads one data set's inputs by row number: text, image path, or a short summary."""

    def __init__(self, dataset: Any) -> None:
        self.dataset = dataset
        self.kind = getattr(dataset, "kind", "")

    def text(self, row: int) -> str:
        """The input in words: the text, the image or audio file's name, 'a=1, b=x', 'x[12]'."""
        data = self.dataset
        if data is None:
            return ""
        if self.kind == "text":  # one cell, not the whole column (100,000 strings)
            value = data.frame[data.text_column].iat[row]
            return "" if value is None or value != value else str(value)
        if self.kind in ("images", "audio"):
            return Path(data.files[row]).name
        if self.kind == "tabular":
            values = data.frame.iloc[row]
            columns = list(getattr(data, "features", data.frame.columns))[:TABLE_COLUMNS]
            shown = ", ".join(f"{c}={_plain(values[c])}" for c in columns)
            more = len(getattr(data, "features", ())) > TABLE_COLUMNS
            return shown + (", …" if more else "")
        return f"{getattr(data, 'x_name', 'x')}[{row}]"

    def image_path(self, row: int) -> str | None:
        """The image file of an image data set's row (None for other kinds)."""
        if self.kind != "images" or self.dataset is None:
            return None
        return str(self.dataset.files[row])


def _plain(value: Any) -> str:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class SamplesModel(QAbstractTableModel):
    """Samples of one cell: row, input, true label, predicted label, probability."""

    HEADERS = ("Row", "Input", "True", "Predicted", "Probability")
    ROW, INPUT, TRUE, PREDICTED, PROBABILITY = range(5)
    THUMB = 48
    CACHE_SIZE = 400

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._evaluation: ClassificationEval | None = None
        self._positions = np.zeros(0, dtype=np.int64)
        self._inputs = SampleInputs(None)
        self._weights: dict[int, WordWeights] = {}
        self._html: dict[int, str] = {}
        self._thumbs: OrderedDict[str, QPixmap] = OrderedDict()
        self.title = ""

    def set_samples(
        self,
        evaluation: ClassificationEval | None,
        positions: np.ndarray,
        inputs: SampleInputs,
        title: str = "",
    ) -> None:
        """List ``positions`` (into ``evaluation``) in this order; explanations are dropped."""
        self.beginResetModel()
        self._evaluation = evaluation
        self._positions = np.asarray(positions, dtype=np.int64)
        if inputs is not self._inputs:
            self._thumbs.clear()
        self._inputs = inputs
        self._weights, self._html = {}, {}
        self.title = title
        self.endResetModel()

    def clear(self) -> None:
        """No samples."""
        self.set_samples(None, np.zeros(0, dtype=np.int64), SampleInputs(None))

    def relabel(self, evaluation: ClassificationEval) -> None:
        """The same samples decided at another threshold: predicted labels follow."""
        self._evaluation = evaluation
        if len(self._positions):
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._positions) - 1, 4))

    def positions(self) -> np.ndarray:
        """Positions (into the evaluation) listed, top to bottom."""
        return self._positions.copy()

    def rows(self) -> list[int]:
        """The data's row numbers listed, top to bottom."""
        if self._evaluation is None:
            return []
        return [int(r) for r in np.asarray(self._evaluation.rows)[self._positions]]

    def set_weights(self, weights: dict[int, WordWeights]) -> None:
        """Word weights per position (text data): the Input column highlights them."""
        self._weights = dict(weights)
        self._html = {}
        if len(self._positions):
            last = len(self._positions) - 1
            self.dataChanged.emit(self.index(0, self.INPUT), self.index(last, self.INPUT))

    def weights(self, position: int) -> WordWeights | None:
        """The word weights of a position, when explained."""
        return self._weights.get(position)

    def html(self, row: int) -> str | None:
        """The highlighted text of a listed row (None until explained)."""
        position = int(self._positions[row])
        if position not in self._weights or self._evaluation is None:
            return None
        if position not in self._html:
            data_row = int(self._evaluation.rows[position])
            predicted = self._evaluation.class_names[int(self._evaluation.predicted[position])]
            text = self._inputs.text(data_row)
            self._html[position] = highlighted_html(text, self._weights[position], predicted)
        return self._html[position]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """One row per sample."""
        return 0 if parent.isValid() else len(self._positions)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Row, input, true, predicted, probability."""
        return 0 if parent.isValid() else len(self.HEADERS)

    def cells(self, row: int) -> tuple[int, str, str, str, float]:
        """One listed sample: (data row, input, true label, predicted label, probability)."""
        ev = self._evaluation
        assert ev is not None
        position = int(self._positions[row])
        data_row = int(ev.rows[position])
        names = ev.class_names
        return (
            data_row,
            self._inputs.text(data_row),
            names[int(ev.y_true[position])],
            names[int(ev.predicted[position])],
            float(ev.confidence[position]),
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cells read on demand; a thumbnail for images; highlighted HTML once explained."""
        if not index.isValid() or self._evaluation is None:
            return None
        row, column = index.row(), index.column()
        if role == PositionRole:
            return int(self._positions[row])
        if role == HtmlRole:
            return self.html(row) if column == self.INPUT else None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            cells = self.cells(row)
            if column == self.ROW:
                return str(cells[0] + 1) if role == Qt.ItemDataRole.DisplayRole else None
            if column == self.PROBABILITY:
                return f"{cells[4]:.1%}" if role == Qt.ItemDataRole.DisplayRole else None
            text = str(cells[column])
            if role == Qt.ItemDataRole.ToolTipRole:
                return text if column == self.INPUT and len(text) > 40 else None
            return text
        if role == Qt.ItemDataRole.DecorationRole and column == self.INPUT:
            ev = self._evaluation
            path = self._inputs.image_path(int(ev.rows[int(self._positions[row])]))
            return self.thumbnail(path) if path else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.ROW, self.PROBABILITY):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None

    def thumbnail(self, path: str) -> QPixmap:
        """A small pixmap of an image file, decoded scaled and cached."""
        cached = self._thumbs.get(path)
        if cached is not None:
            self._thumbs.move_to_end(path)
            return cached
        reader = QImageReader(path)
        size = reader.size()
        if size.isValid() and size.width() > 0 and size.height() > 0:
            box = QSize(self.THUMB, self.THUMB)
            reader.setScaledSize(size.scaled(box, Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        pixmap = QPixmap.fromImage(image) if not image.isNull() else QPixmap()
        self._thumbs[path] = pixmap
        if len(self._thumbs) > self.CACHE_SIZE:
            self._thumbs.popitem(last=False)
        return pixmap

    def to_csv(self) -> str:
        """The listed samples as CSV: row, input, true, predicted, probability."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["row", "input", "true", "predicted", "probability"])
        for row in range(len(self._positions)):
            data_row, text, true, predicted, probability = self.cells(row)
            writer.writerow([data_row + 1, text, true, predicted, f"{probability:.6f}"])
        return out.getvalue()
