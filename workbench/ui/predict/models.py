"""Item models of the Predict tab."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
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
