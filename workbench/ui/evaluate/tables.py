"""Small tables of the Evaluate tab: a regressor's worst errors and feature importance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt

from workbench.ui.evaluate.samples import SampleInputs
from workbench.ui.item_models import FractionRole, Index, TitledColumnsModel

if TYPE_CHECKING:
    from workbench.core.evaluation.metrics import RegressionEval

WORST_ROWS = 200


class WorstErrorsModel(TitledColumnsModel):
    """The rows a regressor got most wrong: row, input, actual, predicted, error."""

    HEADERS = ("Row", "Input", "Actual", "Predicted", "Error")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[int, str, float, float, float]] = []

    def set_evaluation(
        self, evaluation: RegressionEval | None, inputs: SampleInputs | None = None
    ) -> None:
        """The ``WORST_ROWS`` largest absolute errors of ``evaluation``, largest first."""
        rows: list[tuple[int, str, float, float, float]] = []
        if evaluation is not None:
            residuals = evaluation.residuals
            for position in evaluation.worst(WORST_ROWS):
                data_row = int(evaluation.rows[position])
                text = inputs.text(data_row) if inputs is not None else ""
                rows.append(
                    (
                        data_row,
                        text,
                        float(evaluation.y_true[position]),
                        float(evaluation.predicted[position]),
                        float(residuals[position]),
                    )
                )
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def data_rows(self) -> list[int]:
        """The data's row numbers listed, worst first."""
        return [r[0] for r in self._rows]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Row numbers 1-based; numbers to four significant digits."""
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return str(row[0] + 1)
            if column == 1:
                return row[1]
            return f"{row[column]:.4g}"
        if role == Qt.ItemDataRole.ToolTipRole and column == 1 and len(row[1]) > 40:
            return row[1]
        if role == Qt.ItemDataRole.TextAlignmentRole and column != 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class FeatureImportanceModel(TitledColumnsModel):
    """Each feature column and how much the score drops when it is shuffled."""

    HEADERS = ("Feature", "Importance")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, float]] = []
        self._top = 0.0

    def set_importance(self, importance: dict[str, float]) -> None:
        """Show ``{column: importance}``, most important first."""
        self.beginResetModel()
        self._rows = sorted(
            ((str(k), float(v)) for k, v in importance.items()), key=lambda r: -r[1]
        )
        self._top = max((abs(v) for _, v in self._rows), default=0.0)
        self.endResetModel()

    def importance(self) -> dict[str, float]:
        """What is shown."""
        return dict(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Name and importance; a bar as long as the importance relative to the largest."""
        if not index.isValid():
            return None
        name, value = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return name if index.column() == 0 else f"{value:.4g}"
        if role == FractionRole and index.column() == 1:
            return max(value, 0.0) / self._top if self._top > 0 else 0.0
        return None
