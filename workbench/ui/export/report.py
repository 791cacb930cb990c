"""The export dialog's report: the verdict, the parity numbers, notes and the files written.

It reads an :class:`~workbench.ui.export.task.ExportOutcome` and nothing else, so what a
person reads here is what parity.json and the model card say.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from workbench.core.exports import FORMATS
from workbench.ui.export.task import ExportOutcome

MODEL_CARD = "MODEL_CARD.md"
INSIDE = "inside the model"
_PASSED_STYLE = "color: #1b5e20; font-weight: bold;"
_FAILED_STYLE = "color: #b00020; font-weight: bold;"
_SPLIT_STYLE = (
    "background: #fff4e5; border: 1px solid #f0b060; border-radius: 4px; padding: 6px;"
    " color: #5d3a00;"
)


def _ms(value: float) -> str:
    return f"{value:.3g} ms"


def parity_rows(outcome: ExportOutcome) -> list[tuple[str, str]]:
    """(measure, value) pairs of the parity table, in the order a person reads them."""
    report = outcome.report
    runtime = report.runtime or FORMATS[outcome.fmt][2]
    agreement = (
        "— (regression: values are compared)"
        if report.label_agreement is None
        else f"{report.label_agreement:.2%}"
    )
    return [
        ("Rows checked", f"{report.rows:,}"),
        ("Label agreement", agreement),
        ("Largest difference", f"{report.max_abs_diff:.3g}"),
        ("Keras, per row", _ms(report.keras_ms_per_row)),
        (f"{runtime}, per row", _ms(report.runtime_ms_per_row)),
        ("Preprocessing", report.preprocessing),
    ]


class ModelCardDialog(QDialog):
    """MODEL_CARD.md of an export, read-only."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Model card — {path.parent.name}")
        self.resize(760, 640)
        self.view = QTextBrowser()
        self.view.setOpenExternalLinks(True)
        try:
            self.view.setMarkdown(path.read_text(encoding="utf-8"))
        except OSError as exc:
            self.view.setPlainText(f"{path} could not be read: {exc.strerror or exc}")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(buttons)

    def text(self) -> str:
        """The card as plain text (for tests)."""
        return self.view.toPlainText()


class ReportPanel(QWidget):
    """What the last export wrote and whether it answers as the Keras model does."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.outcome: ExportOutcome | None = None
        self.card_dialog: ModelCardDialog | None = None

        self.placeholder = QLabel(
            "The report appears here after an export: whether the exported model answers as "
            "the Keras model does, how fast it runs, and the files written."
        )
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: #5f6368;")
        self.verdict_label = QLabel()
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.split_label = QLabel()
        self.split_label.setWordWrap(True)
        self.split_label.setStyleSheet(_SPLIT_STYLE)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Parity check", "Value"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.files_title = QLabel()
        self.files_list = QListWidget()
        self.files_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.open_folder_button = QPushButton("Open folder")
        self.open_folder_button.setToolTip("Show the export folder in the file manager")
        self.open_folder_button.clicked.connect(self.open_folder)
        self.card_button = QPushButton("Show model card")
        self.card_button.setToolTip(f"Read {MODEL_CARD}: what the model is, how it was checked")
        self.card_button.clicked.connect(self.show_model_card)

        buttons = QHBoxLayout()
        buttons.addWidget(self.open_folder_button)
        buttons.addWidget(self.card_button)
        buttons.addStretch(1)
        self.details = QWidget()
        inner = QVBoxLayout(self.details)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.verdict_label)
        inner.addWidget(self.split_label)
        inner.addWidget(self.table)
        inner.addWidget(self.notes_label)
        inner.addWidget(self.files_title)
        inner.addWidget(self.files_list, 1)
        inner.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.details, 1)
        self.clear()

    # -- what the tests and the dialog read ------------------------------------------------

    def verdict(self) -> str:
        """The verdict line shown ('' before a report)."""
        return self.verdict_label.text() if self.outcome is not None else ""

    def file_names(self) -> list[str]:
        """The files written, relative to the export folder, as listed."""
        return [self.files_list.item(i).text() for i in range(self.files_list.count())]

    def values(self) -> dict[str, str]:
        """The parity table as measure -> value."""
        return {
            self.table.item(r, 0).text(): self.table.item(r, 1).text()
            for r in range(self.table.rowCount())
        }

    # -- showing ---------------------------------------------------------------------------

    def clear(self) -> None:
        """No report (before the first export, or after one that wrote nothing)."""
        self.outcome = None
        self.details.hide()
        self.placeholder.show()

    def show_outcome(self, outcome: ExportOutcome) -> None:
        """Fill the panel from one export's outcome."""
        self.outcome = outcome
        report = outcome.report
        mark = "✓" if outcome.passed else "✗"
        self.verdict_label.setText(f"{mark} {FORMATS[outcome.fmt][0]}: {report.summary()}")
        self.verdict_label.setStyleSheet(_PASSED_STYLE if outcome.passed else _FAILED_STYLE)
        split = report.preprocessing != INSIDE
        self.split_label.setVisible(split)
        if split:
            self.split_label.setText(
                "The string preprocessing is not inside this export: it was split off into "
                "preprocessing.json and runs in Python before the exported model. Ship "
                "preprocessing.json with the model and apply it to the raw inputs."
            )
        rows = parity_rows(outcome)
        self.table.setRowCount(len(rows))
        for r, (name, value) in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(name))
            self.table.setItem(r, 1, QTableWidgetItem(value))
        self.table.resizeRowsToContents()
        height = self.table.horizontalHeader().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(r) for r in range(len(rows)))
        self.table.setFixedHeight(height)
        notes = list(dict.fromkeys([*outcome.notes, *report.notes]))
        self.notes_label.setVisible(bool(notes))
        items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
        self.notes_label.setText(f"<b>Notes</b><ul>{items}</ul>")
        self.notes_label.setTextFormat(Qt.TextFormat.RichText)
        self.files_title.setText(f"<b>Files written</b> in {html.escape(str(outcome.folder))}")
        self.files_list.clear()
        for path in outcome.files:
            try:
                name = path.relative_to(outcome.folder).as_posix()
            except ValueError:
                name = str(path)
            self.files_list.addItem(name)
        self.card_button.setEnabled((outcome.folder / MODEL_CARD).is_file())
        self.placeholder.hide()
        self.details.show()

    @Slot()
    def open_folder(self) -> None:
        """Show the export folder in the desktop's file manager."""
        if self.outcome is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.outcome.folder)))

    @Slot()
    def show_model_card(self) -> None:
        """MODEL_CARD.md in a read-only view."""
        if self.outcome is None:
            return
        self.card_dialog = ModelCardDialog(self.outcome.folder / MODEL_CARD, self)
        self.card_dialog.show()
