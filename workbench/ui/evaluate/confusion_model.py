"""The confusion matrix and the per-class table of the Evaluate tab, as Qt item models.

Both read a core ``ClassificationEval`` (duck-typed: nothing here imports scikit-learn, so the
window starts without it). The matrix has the true classes down and the predicted ones
across; each cell is shaded by its share of the true class's row, so a bad row shows at a
glance whatever the class sizes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from workbench.ui.item_models import FractionRole, Index, TitledColumnsModel

if TYPE_CHECKING:
    from workbench.core.evaluation.metrics import ClassificationEval

COUNTS, ROW_SHARE = "counts", "row"
#: Role under which the matrix gives a cell's raw number (count, or share 0..1).
ValueRole = Qt.ItemDataRole.UserRole + 3
_RIGHT = QColor(46, 125, 50)  # the diagonal: right answers
_WRONG = QColor(198, 40, 40)  # off the diagonal: mistakes


def _shade(base: QColor, share: float) -> QColor:
    """White blended towards ``base`` by ``share`` (0..1)."""
    share = min(max(share, 0.0), 1.0) * 0.85
    return QColor(
        round(255 + (base.red() - 255) * share),
        round(255 + (base.green() - 255) * share),
        round(255 + (base.blue() - 255) * share),
    )


class ConfusionModel(QAbstractTableModel):
    """Rows: true class; columns: predicted class; cells: counts or row shares."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._names: list[str] = []
        self._counts = np.zeros((0, 0), dtype=np.int64)
        self._shares = np.zeros((0, 0))
        self.mode = COUNTS

    def set_evaluation(self, evaluation: ClassificationEval | None) -> None:
        """Show ``evaluation``'s matrix (None: empty). Same classes: cells update in place."""
        names = list(evaluation.class_names) if evaluation is not None else []
        counts = (
            np.asarray(evaluation.confusion) if evaluation is not None else np.zeros((0, 0), int)
        )
        shares = evaluation.normalised_confusion() if evaluation is not None else np.zeros((0, 0))
        if names == self._names and counts.shape == self._counts.shape and names:
            self._counts, self._shares = counts, shares
            last = self.index(len(names) - 1, len(names) - 1)
            self.dataChanged.emit(self.index(0, 0), last)
            return
        self.beginResetModel()
        self._names, self._counts, self._shares = names, counts, shares
        self.endResetModel()

    def set_mode(self, mode: str) -> None:
        """COUNTS or ROW_SHARE."""
        if mode == self.mode:
            return
        self.mode = mode
        if self._names:
            n = len(self._names)
            self.dataChanged.emit(self.index(0, 0), self.index(n - 1, n - 1))

    def values(self) -> np.ndarray:
        """What the cells show, as numbers (counts, or shares 0..1)."""
        return (self._counts if self.mode == COUNTS else self._shares).copy()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """One row per true class."""
        return 0 if parent.isValid() else len(self._names)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """One column per predicted class."""
        return 0 if parent.isValid() else len(self._names)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Count or share; a background shaded by the row share; a tooltip in words."""
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        count, share = int(self._counts[r, c]), float(self._shares[r, c])
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{count:,}" if self.mode == COUNTS else f"{share:.1%}"
        if role == ValueRole:
            return count if self.mode == COUNTS else share
        if role == Qt.ItemDataRole.BackgroundRole:
            return _shade(_RIGHT if r == c else _WRONG, share)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("white") if share > 0.55 else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                f"True {self._names[r]}, predicted {self._names[c]}: {count:,} rows "
                f"({share:.1%} of {self._names[r]}). Click to list them."
            )
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Class names: true down the side, predicted across the top."""
        if not 0 <= section < len(self._names):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._names[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            side = "Predicted" if orientation == Qt.Orientation.Horizontal else "True"
            return f"{side}: {self._names[section]}"
        return None


class ClassScoresModel(TitledColumnsModel):
    """Precision, recall, F1 and support per class, then the macro and weighted averages."""

    HEADERS = ("Class", "Precision", "Recall", "F1", "Support")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, float, float, float, int]] = []
        self._averages = 0  # how many rows at the end are averages (bold)

    def set_evaluation(self, evaluation: ClassificationEval | None) -> None:
        """Scores of ``evaluation`` (None: empty)."""
        rows: list[tuple[str, float, float, float, int]] = []
        if evaluation is not None:
            for name, s in evaluation.per_class().items():
                rows.append((name, s.precision, s.recall, s.f1, s.support))
            avg = evaluation.averages()
            total = int(evaluation.size)
            for kind in ("macro", "weighted"):
                rows.append(
                    (
                        f"{kind} avg",
                        avg[f"{kind}_precision"],
                        avg[f"{kind}_recall"],
                        avg[f"{kind}_f1"],
                        total,
                    )
                )
        if len(rows) == len(self._rows) and rows:
            self._rows = rows
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, 4))
            return
        self.beginResetModel()
        self._rows = rows
        self._averages = 2 if rows else 0
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Scores as percentages; a fraction for the bar delegate; averages in bold."""
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return row[0]
            if column == 4:
                return f"{row[4]:,}"
            return f"{row[column]:.1%}"
        if role == FractionRole and 1 <= column <= 3:
            return float(row[column])
        if role == Qt.ItemDataRole.FontRole and index.row() >= len(self._rows) - self._averages:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def scores(self) -> dict[str, tuple[float, float, float, int]]:
        """What is shown: {class or 'macro avg': (precision, recall, f1, support)}."""
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in self._rows}
