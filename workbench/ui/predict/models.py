"""Item models of the Predict tab."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont

from workbench.ui.item_models import (
    FractionRole,
    Index,
    TitledColumnsModel,
)


class ProbabilityModel(TitledColumnsModel):
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

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
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


#: Role giving a cell's value to sort by: numbers as numbers, text as text.
SortRole = Qt.ItemDataRole.UserRole + 4
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class PredictionTableModel(QAbstractTableModel):
    """A file's predictions (a :class:`~workbench.ui.predict.batch.PredictionResults`): row
    number, the input columns, the predicted label (or value), its confidence and one column
    per class probability. Cells are read from the arrays when Qt paints them.

    :meth:`sort` orders a permutation with numpy, so sorting 100,000 rows takes milliseconds
    (a proxy comparing cells through ``data()`` would take seconds); :class:`PredictionProxy`
    hands its sort here.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._results: Any = None
        self._order: Any = None  # display row -> result row
        self._headers: list[str] = []
        self._inputs = 0

    @property
    def results(self) -> Any:
        """The PredictionResults shown (None when empty)."""
        return self._results

    def set_results(self, results: Any) -> None:
        """Show other predictions (None: none)."""
        import numpy as np

        self.beginResetModel()
        self._results = results
        self._order = np.arange(len(results)) if results is not None else None
        self._inputs = len(results.input_columns) if results is not None else 0
        self._headers = []
        if results is not None:
            self._headers = ["#", *results.input_columns, "Predicted"]
            if not results.regression:
                self._headers += ["Confidence", *(f"P({c})" for c in results.class_names)]
        self.endResetModel()

    def result_row(self, row: int) -> int:
        """The results' row index shown at display row ``row``."""
        return int(self._order[row])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        """One row per prediction."""
        return 0 if parent.isValid() or self._results is None else len(self._results)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """#, inputs, predicted, confidence, one per class."""
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles across; nothing down (the # column numbers the rows)."""
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if role == Qt.ItemDataRole.ToolTipRole and section > self._inputs + 2:
            return f"Probability of class {self._results.class_names[section - self._inputs - 3]}"
        return None

    def _value(self, i: int, column: int) -> Any:
        """Cell (result row ``i``, ``column``) as a sortable Python value."""
        results, inputs = self._results, self._inputs
        if column == 0:
            return int(results.rows[i])
        if column <= inputs:
            return str(results.inputs[column - 1][i])
        if column == inputs + 1:
            return float(results.values[i]) if results.regression else results.label_text(i)
        if column == inputs + 2:
            return results.confidence(i)
        return float(results.probabilities[i, column - inputs - 3])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Text of a cell; numbers for SortRole; a fraction for the confidence bar."""
        if not index.isValid() or self._results is None:
            return None
        i, column = int(self._order[index.row()]), index.column()
        numeric = column == 0 or column > self._inputs + 1 or self._results.regression
        if role == Qt.ItemDataRole.DisplayRole:
            value = self._value(i, column)
            if column == 0:
                return str(value)
            if column <= self._inputs:
                return _file_name(value) if self._results.what in ("images", "audio") else value
            if column == self._inputs + 1:
                return f"{value:.4g}" if self._results.regression else value
            if column == self._inputs + 2:
                return f"{value:.1%}"
            return f"{value:.3f}"
        if role == SortRole:
            return self._value(i, column)
        if role == Qt.ItemDataRole.ToolTipRole and 0 < column <= self._inputs:
            return str(self._value(i, column))  # the whole path, or the clipped text
        if role == FractionRole and column == self._inputs + 2 and not self._results.regression:
            return self._results.confidence(i)
        if role == Qt.ItemDataRole.TextAlignmentRole and numeric and column != self._inputs + 1:
            return _RIGHT
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order the rows by ``column`` (stable; numbers as numbers), keeping selections."""
        import numpy as np

        if self._results is None or not 0 <= column < len(self._headers):
            return
        results, inputs, n = self._results, self._inputs, len(self._results)
        if column == 0:
            keys = results.rows
        elif column <= inputs:
            keys = np.asarray(results.inputs[column - 1], dtype=str)
        elif column == inputs + 1:
            keys = results.values if results.regression else results.labels
            if not results.regression:  # by the label's text, not its class index
                rank = np.argsort(np.argsort(np.asarray(results.class_names, dtype=str)))
                keys = rank[results.labels]
        elif column == inputs + 2:
            keys = results.probabilities[np.arange(n), results.labels]
        else:
            keys = results.probabilities[:, column - inputs - 3]
        order_ = np.argsort(keys, kind="stable")
        if order == Qt.SortOrder.DescendingOrder:
            order_ = order_[::-1]
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        where = np.empty(n, dtype=np.intp)
        where[order_] = np.arange(n)
        moved = [
            self.index(int(where[self._order[p.row()]]), p.column()) if p.isValid() else p
            for p in persistent
        ]
        self._order = order_
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()


class PredictionProxy(QSortFilterProxyModel):
    """The sortable view of a :class:`PredictionTableModel`: clicking a header sorts the
    source with numpy (see its ``sort``) instead of comparing cells one by one."""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Let the source order its arrays; this proxy keeps the source's order."""
        source = self.sourceModel()
        if isinstance(source, PredictionTableModel):
            source.sort(column, order)
        else:
            super().sort(column, order)


def _file_name(path: Any) -> str:
    """The last part of a path, for either separator."""
    return str(path).replace("\\", "/").rsplit("/", 1)[-1]
