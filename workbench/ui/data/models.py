"""Item models of the Data tab."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    Qt,
)

from workbench.ui.item_models import (
    FractionRole,
    Index,
    TitledColumnsModel,
    format_count,
)


class ClassCountsModel(TitledColumnsModel):
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

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
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
