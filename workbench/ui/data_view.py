"""The Data tab: the loaded table, its columns, class counts and what the loader understood."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.qt_models import ClassCountsModel, DataFrameModel, format_count
from workbench.ui.widgets import BarDelegate, MessageBanner

if TYPE_CHECKING:  # pandas loads with the first file, not with the window
    from workbench.core.textdata import TextTable


class DataView(QWidget):
    """Shows one :class:`TextTable`; asks the window to open files or change columns."""

    #: The person picked other columns: (text column, label column).
    sig_columns_changed = Signal(str, str)
    #: The "Open dataset…" button of the empty state was clicked.
    sig_open_requested = Signal()
    #: The "Open sample" button of the empty state was clicked.
    sig_open_sample_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table: TextTable | None = None
        self.banner = MessageBanner()

        self.frame_model = DataFrameModel(self)
        self.table_view = QTableView()
        self.table_view.setModel(self.frame_model)
        self.table_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table_view.setWordWrap(False)
        self.table_view.setAlternatingRowColors(True)
        self.table_view.verticalHeader().setDefaultSectionSize(22)
        self.table_view.horizontalHeader().setStretchLastSection(False)

        self.counts_model = ClassCountsModel(self)
        self.counts_view = QTableView()
        self.counts_view.setModel(self.counts_model)
        self.counts_view.setItemDelegateForColumn(2, BarDelegate(self.counts_view))
        self.counts_view.verticalHeader().hide()
        self.counts_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.counts_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(2, 110)

        self.file_label = QLabel()
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.file_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.file_label.setFont(font)

        self.text_combo = QComboBox()
        self.text_combo.setToolTip("The column holding the texts to classify.")
        self.label_combo = QComboBox()
        self.label_combo.setToolTip("The column holding the class of each text.")
        self.text_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.label_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.text_combo.activated.connect(self._on_combo_activated)
        self.label_combo.activated.connect(self._on_combo_activated)

        self.rows_label = QLabel()
        self.classes_label = QLabel()
        self.words_label = QLabel()
        self.sequence_label = QLabel()
        self.sequence_label.setToolTip(
            "Texts are cut or padded to this many words: it keeps 95% of the texts whole."
        )
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setStyleSheet("color: #7a5a00;")

        columns_box = QGroupBox("Columns")
        columns_form = QFormLayout(columns_box)
        columns_form.addRow("Text:", self.text_combo)
        columns_form.addRow("Label:", self.label_combo)

        stats_box = QGroupBox("Summary")
        stats_form = QFormLayout(stats_box)
        stats_form.addRow("Rows:", self.rows_label)
        stats_form.addRow("Classes:", self.classes_label)
        stats_form.addRow("Words per text:", self.words_label)
        stats_form.addRow("Sequence length:", self.sequence_label)
        stats_form.addRow(self.notes_label)

        counts_box = QGroupBox("Class counts")
        counts_layout = QVBoxLayout(counts_box)
        counts_layout.addWidget(self.counts_view)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(columns_box)
        side_layout.addWidget(stats_box)
        side_layout.addWidget(counts_box, 1)
        side.setMinimumWidth(300)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table_view)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        loaded = QWidget()
        loaded_layout = QVBoxLayout(loaded)
        loaded_layout.setContentsMargins(0, 0, 0, 0)
        loaded_layout.addWidget(self.file_label)
        loaded_layout.addWidget(splitter, 1)

        self.stack = QStackedWidget()
        self.stack.addWidget(self._empty_state())
        self.stack.addWidget(loaded)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)

    def _empty_state(self) -> QWidget:
        page = QWidget()
        title = QLabel("No data loaded yet")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        hint = QLabel(
            "Open a CSV or TSV file with a text column and a label column "
            "(File ▸ Open dataset…, Ctrl+O), drop a file onto this window, "
            "or start with the bundled sample."
        )
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setFixedWidth(520)
        open_button = QPushButton("Open dataset…")
        open_button.clicked.connect(self.sig_open_requested)
        sample_button = QPushButton("Open sample")
        sample_button.clicked.connect(self.sig_open_sample_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(open_button)
        buttons.addWidget(sample_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(title, 0, Qt.AlignmentFlag.AlignHCenter)
        hint_row = QHBoxLayout()  # no alignment flag: it would ignore the wrapped height
        hint_row.addStretch(1)
        hint_row.addWidget(hint)
        hint_row.addStretch(1)
        layout.addLayout(hint_row)
        layout.addSpacing(12)
        layout.addLayout(buttons)
        layout.addStretch(2)
        return page

    def set_table(self, table: TextTable, summary: dict[str, Any]) -> None:
        """Show a loaded table and the loader's summary of it (``TextTable.summary()``)."""
        same_frame = self.table is not None and self.table.frame is table.frame
        self.table = table
        if same_frame:
            self.frame_model.set_roles(table.text_column, table.label_column)
        else:
            self.frame_model.set_frame(table.frame, table.text_column, table.label_column)
        self._size_columns()
        self._fill_combos(table)
        self.file_label.setText(table.path.name)
        self.file_label.setToolTip(str(table.path))
        self.rows_label.setText(format_count(summary["rows"]))
        classes = summary["classes"]
        self.classes_label.setText(str(len(classes)))
        words = summary["words_per_text"]
        self.words_label.setText(
            f"median {words['median']:g} · 95% ≤ {words['p95']:g} · max {words['max']:,}"
        )
        self.sequence_label.setText(f"{summary['suggested_sequence_length']} words (suggested)")
        self.notes_label.setText("\n".join(summary.get("notes", [])))
        self.notes_label.setVisible(bool(summary.get("notes")))
        self.counts_model.set_counts(classes)
        self.stack.setCurrentIndex(1)

    def restore_columns(self) -> None:
        """Put the combos back to the table's columns (after a rejected choice)."""
        if self.table is not None:
            self._fill_combos(self.table)

    def set_locked(self, locked: bool) -> None:
        """No column changes while training uses the table."""
        self.text_combo.setEnabled(not locked)
        self.label_combo.setEnabled(not locked)

    def _fill_combos(self, table: TextTable) -> None:
        for combo, current in (
            (self.text_combo, table.text_column),
            (self.label_combo, table.label_column),
        ):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(table.columns)
            combo.setCurrentText(current)
            combo.blockSignals(False)

    def _size_columns(self) -> None:
        """Short columns fit their contents; the text column takes the remaining width."""
        header = self.table_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table_view.resizeColumnsToContents()  # samples rows, not the whole file
        for column in range(self.frame_model.columnCount()):
            header.resizeSection(column, min(max(header.sectionSize(column), 80), 320))
        if self.table is not None and self.table.text_column in self.table.columns:
            text_index = self.table.columns.index(self.table.text_column)
            header.setSectionResizeMode(text_index, QHeaderView.ResizeMode.Stretch)

    @Slot()
    def _on_combo_activated(self) -> None:
        text, label = self.text_combo.currentText(), self.label_combo.currentText()
        if self.table is None:
            return
        if (text, label) != (self.table.text_column, self.table.label_column):
            self.sig_columns_changed.emit(text, label)
