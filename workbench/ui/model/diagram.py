"""A diagram of the layer stack: one box per layer, the shape that flows between them written
on the arrows, a layer with a problem drawn in red. Read-only; clicking a box selects it."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from workbench.core.layers import LayerSpec
from workbench.core.summary import StackSummary

BOX_W, BOX_H, GAP = 270.0, 40.0, 34.0
FILL = {"ok": QColor("#e8f0fb"), "error": QColor("#fde7e5"), "input": QColor("#eeeeee")}
EDGE = {"ok": QColor("#3d6fb6"), "error": QColor("#b3261e"), "input": QColor("#777777")}


class _Box(QGraphicsRectItem):
    """A layer's box; remembers its row so a click can select the layer."""

    def __init__(self, row: int, rect: QRectF) -> None:
        super().__init__(rect)
        self.row = row
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, row >= 0)


class StackDiagram(QGraphicsView):
    """Boxes and arrows for the stack; redrawn whenever the stack or its summary changes."""

    #: A box was clicked: (row of the layer).
    sig_row_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setMinimumWidth(int(BOX_W) + 40)
        self.scene().selectionChanged.connect(self._on_selection)

    def show_stack(
        self,
        layers: list[LayerSpec],
        summary: StackSummary | None,
        errors: dict[int, str] | None = None,
        selected: int = -1,
    ) -> None:
        """Draw the stack; ``summary`` may be None or stale (shapes then show as '…')."""
        scene = self.scene()
        scene.blockSignals(True)
        scene.clear()
        errors = dict(errors or {})
        rows = summary.layers if summary is not None else []
        input_shape = summary.input_shape if summary is not None and summary.input_shape else ""
        y = 0.0
        self._box(-1, "Input", "the data, after its encodings", y, "input")
        shapes = [r.output_shape for r in rows] + ["…"] * (len(layers) - len(rows))
        for row, layer in enumerate(layers):
            self._arrow(y + BOX_H, input_shape if row == 0 else shapes[row - 1])
            y += BOX_H + GAP
            state = "error" if row in errors or (row < len(rows) and rows[row].error) else "ok"
            params = f"{rows[row].params:,} params" if row < len(rows) else ""
            box = self._box(row, layer.describe(), params, y, state)
            if row == selected:
                box.setSelected(True)
        if layers:
            self._arrow(y + BOX_H, shapes[len(layers) - 1])
            y += BOX_H + GAP
            self._box(-1, "Output", "", y, "input")
        scene.blockSignals(False)
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-20, -10, 20, 10))

    def _box(self, row: int, title: str, detail: str, y: float, state: str) -> _Box:
        box = _Box(row, QRectF(-BOX_W / 2, y, BOX_W, BOX_H))
        box.setBrush(QBrush(FILL[state]))
        box.setPen(QPen(EDGE[state], 1))
        self.scene().addItem(box)
        label = QGraphicsSimpleTextItem(title, box)
        font = QFont(label.font())
        font.setBold(True)
        label.setFont(font)
        label.setPos(-label.boundingRect().width() / 2, y + 4)
        if detail:
            sub = QGraphicsSimpleTextItem(detail, box)
            sub.setBrush(QBrush(QColor("#444444")))
            sub.setPos(-sub.boundingRect().width() / 2, y + BOX_H / 2 + 1)
        return box

    def _arrow(self, top: float, shape: str) -> None:
        pen = QPen(QColor("#666666"), 1)
        bottom = top + GAP
        self.scene().addLine(0, top, 0, bottom - 6, pen)
        head = QPolygonF([QPointF(-5, bottom - 7), QPointF(5, bottom - 7), QPointF(0, bottom)])
        self.scene().addPolygon(head, pen, QBrush(QColor("#666666")))
        if shape:
            text = QGraphicsSimpleTextItem(shape)
            text.setBrush(QBrush(QColor("#555555")))
            text.setPos(8, top + GAP / 2 - text.boundingRect().height() / 2)
            self.scene().addItem(text)

    def box_titles(self) -> list[str]:
        """Titles of the boxes, top to bottom (what a person reads; used by tests)."""
        boxes = sorted(
            (i for i in self.scene().items() if isinstance(i, _Box)), key=lambda b: b.rect().y()
        )
        return [
            next(c.text() for c in b.childItems() if isinstance(c, QGraphicsSimpleTextItem))
            for b in boxes
        ]

    def error_rows(self) -> list[int]:
        """Rows drawn as having a problem."""
        return sorted(
            i.row
            for i in self.scene().items()
            if isinstance(i, _Box) and i.brush().color() == FILL["error"]
        )

    def _on_selection(self) -> None:
        chosen = [i for i in self.scene().selectedItems() if isinstance(i, _Box)]
        if chosen and chosen[0].row >= 0:
            self.sig_row_clicked.emit(chosen[0].row)
