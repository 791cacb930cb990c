"""The Data tab: any kind of dataset, what the loader understood, and the person's overrides.

One page per kind on the left (a virtual table for text and feature tables, a lazily decoded
thumbnail grid for image folders, the list of arrays for an .npz, the clips of an audio
folder from audio_panel), and on the right the settings of that kind (columns, target,
roles, task, image size, arrays, sample rate and clip length), the class balance, checks
worth a warning (missing values, duplicates, rows shared between training and validation)
and the split. Every change is a signal; the window reloads on a worker thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QListWidget,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.kinds import KINDS, TASKS
from workbench.core.project import TrainingConfig
from workbench.ui.data.audio_panel import AudioPage, describe
from workbench.ui.data.models import ClassCountsModel
from workbench.ui.data.split_panel import SplitPanel, fit_height
from workbench.ui.item_models import DataFrameModel, ImageListModel, format_count
from workbench.ui.wheel import guard_wheel
from workbench.ui.widgets import BarDelegate, MessageBanner

if TYPE_CHECKING:  # pandas loads with the first file, not with the window
    import pandas as pd

KIND_TITLES = {
    "text": "Text (texts and labels)",
    "tabular": "Table of features",
    "images": "Image folder",
    "npz": "NumPy arrays (.npz)",
    "audio": "Audio folder",
}
ROLES = ("numeric", "categorical", "ignore")
TABLE_PAGE, IMAGES_PAGE, ARRAYS_PAGE, AUDIO_PAGE = range(4)
WARNING_COLOR = "#7a5a00"


class DataView(QWidget):
    """Shows one dataset of any kind; asks the window to open, reload or re-split it."""

    #: The person picked other text/label columns: (text column, label column).
    sig_columns_changed = Signal(str, str)
    #: The "Open dataset…" button of the empty state was clicked.
    sig_open_requested = Signal()
    #: The "Open sample" button of the empty state was clicked.
    sig_open_sample_requested = Signal()
    #: The "Open folder…" button of the empty state was clicked.
    sig_open_folder_requested = Signal()
    #: Reload the data as another kind: (kind).
    sig_kind_changed = Signal(str)
    #: Feature table settings: (target column, task, {column: role}).
    sig_tabular_changed = Signal(str, str, object)
    #: Image input size: (height, width).
    sig_image_size_changed = Signal(int, int)
    #: Augmentation while training switched: (on).
    sig_augment_changed = Signal(bool)
    #: Arrays of an .npz: (x name, y name, task).
    sig_arrays_changed = Signal(str, str, str)
    #: Split settings edited: (validation fraction, test fraction or None for auto, seed).
    sig_split_changed = Signal(float, object, int)
    #: Cancel was clicked while a file loads.
    sig_cancel_load = Signal()
    #: Big data needs its split checked on a worker: (dataset, training config). The answer
    #: comes back through :meth:`show_checks`.
    sig_checks_requested = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dataset: Any = None
        self.summary: dict[str, Any] = {}
        self.banner = MessageBanner()
        self.role_combos: dict[str, QComboBox] = {}

        # Header: file name, kind, load progress
        self.file_label = QLabel()
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.file_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.file_label.setFont(font)
        self.kind_combo = QComboBox()
        for kind in KINDS:
            self.kind_combo.addItem(KIND_TITLES[kind], kind)
        self.kind_combo.setToolTip(
            "What kind of data this is. It is guessed from the file; pick another to reload "
            "the data as that kind."
        )
        self.kind_combo.activated.connect(self._on_kind_activated)
        self.load_label = QLabel()
        self.load_progress = QProgressBar()
        self.load_progress.setRange(0, 100)
        self.load_progress.setMaximumWidth(240)
        self.load_progress.setMaximumHeight(16)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop reading the file; the data shown before is kept.")
        self.cancel_button.clicked.connect(self.sig_cancel_load)
        self.load_row = QWidget()
        load_layout = QHBoxLayout(self.load_row)
        load_layout.setContentsMargins(0, 0, 0, 0)
        load_layout.addWidget(self.load_label)
        load_layout.addWidget(self.load_progress)
        load_layout.addWidget(self.cancel_button)
        load_layout.addStretch(1)
        self.load_row.hide()
        header = QHBoxLayout()
        header.addWidget(self.file_label, 1)
        header.addWidget(QLabel("Kind:"))
        header.addWidget(self.kind_combo)

        # Left pages
        self.frame_model = DataFrameModel(self)
        self.table_view = QTableView()
        self.table_view.setModel(self.frame_model)
        self.table_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table_view.setWordWrap(False)
        self.table_view.setAlternatingRowColors(True)
        self.table_view.verticalHeader().setDefaultSectionSize(22)
        self.table_view.horizontalHeader().setStretchLastSection(False)

        self.image_model = ImageListModel(self)
        self.image_view = QListView()
        self.image_view.setModel(self.image_model)
        self.image_view.setViewMode(QListView.ViewMode.IconMode)
        self.image_view.setIconSize(QSize(ImageListModel.THUMB, ImageListModel.THUMB))
        self.image_view.setGridSize(QSize(ImageListModel.THUMB + 28, ImageListModel.THUMB + 30))
        self.image_view.setUniformItemSizes(True)  # no size query per image
        self.image_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.image_view.setMovement(QListView.Movement.Static)
        self.image_view.setLayoutMode(QListView.LayoutMode.Batched)
        self.image_view.setBatchSize(200)
        self.skipped_list = QListWidget()
        self.skipped_list.setMaximumHeight(120)
        self.skipped_box = QGroupBox("Skipped files")
        skipped_layout = QVBoxLayout(self.skipped_box)
        skipped_layout.addWidget(self.skipped_list)
        images_page = QWidget()
        images_layout = QVBoxLayout(images_page)
        images_layout.setContentsMargins(0, 0, 0, 0)
        images_layout.addWidget(self.image_view, 1)
        images_layout.addWidget(self.skipped_box)

        self.arrays_table = QTableWidget(0, 3)
        self.arrays_table.setHorizontalHeaderLabels(["Array", "Shape", "Type"])
        self.arrays_table.verticalHeader().hide()
        self.arrays_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.arrays_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.arrays_table.horizontalHeader().setStretchLastSection(True)

        self.pages = QStackedWidget()
        self.pages.addWidget(self.table_view)
        self.pages.addWidget(images_page)
        self.pages.addWidget(self.arrays_table)
        self.audio = AudioPage()  # clips and one clip drawn; its settings box goes right
        self.audio.settings.augment_check.toggled.connect(self.sig_augment_changed)
        self.pages.addWidget(self.audio)

        # Right: settings per kind
        self.text_combo = QComboBox()
        self.text_combo.setToolTip("The column holding the texts to classify.")
        self.label_combo = QComboBox()
        self.label_combo.setToolTip("The column holding the class of each text.")
        for combo in (self.text_combo, self.label_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.activated.connect(self._on_combo_activated)
        self.text_box = QGroupBox("Columns")
        text_form = QFormLayout(self.text_box)
        text_form.addRow("Text:", self.text_combo)
        text_form.addRow("Label:", self.label_combo)

        self.target_combo = QComboBox()
        self.target_combo.setToolTip("The column the model learns to predict.")
        self.target_combo.activated.connect(self._emit_tabular)
        self.task_combo = QComboBox()
        self.task_combo.addItems(list(TASKS))
        self.task_combo.setToolTip(
            "Classification predicts one of a few classes; regression predicts a number."
        )
        self.task_combo.activated.connect(self._emit_tabular)
        self.roles_table = QTableWidget(0, 4)
        self.roles_table.setHorizontalHeaderLabels(["Column", "Read as", "Missing", "Role"])
        self.roles_table.verticalHeader().hide()
        self.roles_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.roles_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        roles_header = self.roles_table.horizontalHeader()
        roles_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        roles_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tabular_box = QGroupBox("Target and columns")
        tabular_layout = QVBoxLayout(self.tabular_box)
        tabular_form = QFormLayout()
        tabular_form.addRow("Target:", self.target_combo)
        tabular_form.addRow("Task:", self.task_combo)
        tabular_layout.addLayout(tabular_form)
        tabular_layout.addWidget(self.roles_table)

        self.height_spin = QSpinBox()
        self.width_spin = QSpinBox()
        for spin in (self.height_spin, self.width_spin):
            spin.setRange(8, 1024)
            spin.setSuffix(" px")
            spin.editingFinished.connect(self._emit_image_size)
        self.augment_check = QCheckBox("Augment while training (flip, rotate, zoom)")
        self.augment_check.setToolTip(
            "Random flips, small rotations and zooms of the training images, every epoch."
        )
        self.augment_check.toggled.connect(self.sig_augment_changed)
        self.images_box = QGroupBox("Images")
        images_form = QFormLayout(self.images_box)
        images_form.addRow("Height:", self.height_spin)
        images_form.addRow("Width:", self.width_spin)
        images_form.addRow(self.augment_check)

        self.x_combo = QComboBox()
        self.x_combo.setToolTip("The array of inputs: one sample per first-axis entry.")
        self.y_combo = QComboBox()
        self.y_combo.setToolTip("The array of targets: one value per sample.")
        self.array_task_combo = QComboBox()
        self.array_task_combo.addItems(list(TASKS))
        for combo in (self.x_combo, self.y_combo, self.array_task_combo):
            combo.activated.connect(self._emit_arrays)
        self.npz_box = QGroupBox("Arrays")
        npz_form = QFormLayout(self.npz_box)
        npz_form.addRow("Inputs (x):", self.x_combo)
        npz_form.addRow("Targets (y):", self.y_combo)
        npz_form.addRow("Task:", self.array_task_combo)

        # Summary
        self.rows_label = QLabel()
        self.classes_label = QLabel()
        self.words_label = QLabel()
        self.sequence_label = QLabel()
        self.sequence_label.setToolTip(
            "Texts are cut or padded to this many words: it keeps 95% of the texts whole."
        )
        self.detail_label = QLabel()
        self.detail_label.setWordWrap(True)
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setStyleSheet(f"color: {WARNING_COLOR};")
        stats_box = QGroupBox("Summary")
        self.stats_form = QFormLayout(stats_box)
        self.stats_form.addRow("Rows:", self.rows_label)
        self.stats_form.addRow("Classes:", self.classes_label)
        self.stats_form.addRow("Words per text:", self.words_label)
        self.stats_form.addRow("Sequence length:", self.sequence_label)
        self.stats_form.addRow(self.detail_label)
        self.stats_form.addRow(self.notes_label)

        self.histogram = None  # pyqtgraph plot, made on first text data
        self.histogram_box = QGroupBox("Words per text")
        self.histogram_layout = QVBoxLayout(self.histogram_box)

        self.counts_model = ClassCountsModel(self)
        self.counts_view = QTableView()
        self.counts_view.setModel(self.counts_model)
        self.counts_view.setItemDelegateForColumn(2, BarDelegate(self.counts_view))
        self.counts_view.verticalHeader().hide()
        self.counts_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        counts_header = self.counts_view.horizontalHeader()
        counts_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        counts_header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        counts_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        counts_header.resizeSection(2, 110)
        self.counts_box = QGroupBox("Class balance")
        counts_layout = QVBoxLayout(self.counts_box)
        counts_layout.addWidget(self.counts_view)

        self.split_panel = SplitPanel()
        self.split_panel.sig_split_changed.connect(self.sig_split_changed)
        self.split_panel.sig_checks_requested.connect(self.sig_checks_requested)
        # The panel's parts, under the names callers and tests use.
        for name in SplitPanel.PARTS:
            setattr(self, name, getattr(self.split_panel, name))

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 6, 0)
        for box in (
            self.text_box,
            self.tabular_box,
            self.images_box,
            self.npz_box,
            self.audio.settings,
            stats_box,
            self.histogram_box,
            self.counts_box,
            self.split_panel,
        ):
            side_layout.addWidget(box)
        side_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(side)
        scroll.setMinimumWidth(400)

        self.side_panel = scroll
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.pages)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        loaded = QWidget()
        loaded_layout = QVBoxLayout(loaded)
        loaded_layout.setContentsMargins(0, 0, 0, 0)
        loaded_layout.addLayout(header)
        loaded_layout.addWidget(splitter, 1)

        self.stack = QStackedWidget()
        self.stack.addWidget(self._empty_state())
        self.stack.addWidget(loaded)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.load_row)
        layout.addWidget(self.stack, 1)

    @property
    def table(self) -> Any:
        """The dataset shown (older name, kept for callers that read it)."""
        return self.dataset

    def _empty_state(self) -> QWidget:
        page = QWidget()
        title = QLabel("No data loaded yet")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        hint = QLabel(
            "Open a table (CSV, TSV, JSON Lines) of texts or features, a folder of images or "
            "audio clips with one subfolder per class, or an .npz of arrays (File ▸ Open "
            "dataset…, Ctrl+O; File ▸ Open folder…), drop a file or folder onto this window, "
            "or start with a bundled sample (File ▸ Open sample)."
        )
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setFixedWidth(560)
        open_button = QPushButton("Open dataset…")
        open_button.clicked.connect(self.sig_open_requested)
        folder_button = QPushButton("Open folder…")
        folder_button.clicked.connect(self.sig_open_folder_requested)
        sample_button = QPushButton("Open sample")
        sample_button.clicked.connect(self.sig_open_sample_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(open_button)
        buttons.addWidget(folder_button)
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

    # -- showing a dataset ---------------------------------------------------------------

    def set_table(self, table: Any, summary: dict[str, Any]) -> None:
        """Show a loaded dataset (older name of :meth:`set_dataset`)."""
        self.set_dataset(table, summary)

    def set_dataset(self, dataset: Any, summary: dict[str, Any]) -> None:
        """Show a loaded dataset of any kind and the loader's summary of it."""
        same_frame = (
            self.dataset is not None
            and getattr(self.dataset, "frame", None) is not None
            and getattr(self.dataset, "frame", None) is getattr(dataset, "frame", None)
            and self.frame_model.frame is getattr(dataset, "frame", None)
        )
        if self.dataset is None or Path(self.dataset.path) != Path(dataset.path):
            self.side_panel.verticalScrollBar().setValue(0)  # new data: read from the top
        self.dataset = dataset
        self.summary = summary
        kind = dataset.kind
        self.kind_combo.setCurrentIndex(KINDS.index(kind))
        self.file_label.setText(Path(dataset.path).name)
        self.file_label.setToolTip(str(dataset.path))
        for box, box_kind in (
            (self.text_box, "text"),
            (self.tabular_box, "tabular"),
            (self.images_box, "images"),
            (self.npz_box, "npz"),
            (self.audio.settings, "audio"),
        ):
            box.setVisible(kind == box_kind)
        if kind in ("text", "tabular"):
            label = dataset.label_column
            text = dataset.text_column if kind == "text" else ""
            if same_frame:
                self.frame_model.set_roles(text, label)
            else:
                self.frame_model.set_frame(dataset.frame, text, label)
            self._size_columns(text)
            self.pages.setCurrentIndex(TABLE_PAGE)
        if kind == "text":
            self._fill_combos(dataset)
        elif kind == "tabular":
            self._fill_tabular(dataset)
        elif kind == "images":
            self._fill_images(dataset)
        elif kind == "audio":
            self.audio.fill(dataset, summary)
            self.pages.setCurrentIndex(AUDIO_PAGE)
        else:
            self._fill_arrays(dataset, summary)

        classes = summary.get("classes", {}) if dataset.task == "classification" else {}
        self.rows_label.setText(format_count(int(summary["rows"])))
        self.classes_label.setText(str(len(classes)) if classes else "— (regression)")
        is_text = kind == "text"
        for row_widget in (self.words_label, self.sequence_label):
            self.stats_form.setRowVisible(row_widget, is_text)
        if is_text:
            words = summary["words_per_text"]
            self.words_label.setText(
                f"median {words['median']:g} · 95% ≤ {words['p95']:g} · max {words['max']:,}"
            )
            self.sequence_label.setText(f"{summary['suggested_sequence_length']} words (suggested)")
            self._draw_histogram(dataset, int(summary["suggested_sequence_length"]))
        self.histogram_box.setVisible(is_text)
        self.detail_label.setText(self._details(dataset, summary))
        self.detail_label.setVisible(bool(self.detail_label.text()))
        notes = list(summary.get("notes", []))
        self.notes_label.setText("\n".join(notes))
        self.notes_label.setVisible(bool(notes))
        self.counts_model.set_counts(classes)
        fit_height(self.counts_view, len(classes))
        self.counts_box.setVisible(bool(classes))
        self.refresh_checks()
        self.side_panel.show()
        self.kind_combo.setEnabled(True)
        self.stack.setCurrentIndex(1)

    @staticmethod
    def _details(dataset: Any, summary: dict[str, Any]) -> str:
        kind = dataset.kind
        if kind == "tabular":
            features = summary["features"]
            numeric = sum(1 for t in features.values() if t == "numeric")
            line = (
                f"Task: {dataset.task}. {len(features)} feature columns ({numeric} numeric, "
                f"{len(features) - numeric} categorical); target {dataset.label_column!r}."
            )
            if "target" in summary:
                t = summary["target"]
                line += f" Target from {t['min']:g} to {t['max']:g} (mean {t['mean']:.4g})."
            return line
        if kind == "images":
            h, w = dataset.image_size
            skipped = len(dataset.skipped)
            extra = f" {skipped} file(s) skipped (listed under the images)." if skipped else ""
            return f"Images are resized to {h}×{w} for the model.{extra}"
        if kind == "audio":
            return describe(dataset, summary)
        if kind == "npz":
            return (
                f"Task: {dataset.task}. x = {dataset.x_name!r} {tuple(dataset.x.shape)} "
                f"{dataset.x.dtype}; y = {dataset.y_name!r}."
            )
        return ""

    def _draw_histogram(self, dataset: Any, suggested: int) -> None:
        import pyqtgraph as pg

        if self.histogram is None:
            self.histogram = pg.PlotWidget()
            item = self.histogram.getPlotItem()
            item.setLabel("bottom", "words per text")
            item.setLabel("left", "texts")
            item.setMenuEnabled(False)
            self.histogram.setMinimumHeight(150)
            self.histogram.setMaximumHeight(190)
            self.histogram_layout.addWidget(self.histogram)
            guard_wheel(self.histogram)  # the wheel scrolls the panel until the plot is clicked
        item = self.histogram.getPlotItem()
        item.clear()
        lengths = np.asarray(dataset.token_lengths(), dtype=np.float64)
        if lengths.size == 0:
            return
        top = max(float(np.percentile(lengths, 99.5)), suggested + 1.0)
        counts, edges = np.histogram(np.clip(lengths, 0, top), bins=40, range=(0, top))
        bars = pg.BarGraphItem(
            x0=edges[:-1],
            x1=edges[1:],
            height=counts.astype(np.float64),
            brush="#7cb4e8",
            pen=pg.mkPen("#5a8fc0", width=1),
        )
        item.addItem(bars)
        line = pg.InfiniteLine(
            pos=float(suggested),
            angle=90,
            pen=pg.mkPen("#d62728", width=1),
            label=f"sequence length {suggested}",
            labelOpts={"position": 0.85, "color": "#d62728"},
        )
        item.addItem(line)
        self.histogram_line = line

    def _fill_combos(self, table: Any) -> None:
        for combo, current in (
            (self.text_combo, table.text_column),
            (self.label_combo, table.label_column),
        ):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(table.columns)
            combo.setCurrentText(current)
            combo.blockSignals(False)

    def _fill_tabular(self, table: Any) -> None:
        frame: pd.DataFrame = table.frame
        self.target_combo.blockSignals(True)
        self.target_combo.clear()
        self.target_combo.addItems(table.columns)
        self.target_combo.setCurrentText(table.label_column)
        self.target_combo.blockSignals(False)
        self.task_combo.setCurrentText(table.task)
        columns = [c for c in table.columns if c != table.label_column]
        self.roles_table.setRowCount(len(columns))
        self.role_combos = {}
        missing = frame.isna().sum()
        for row, column in enumerate(columns):
            series = frame[column]
            read_as = "numbers" if series.dtype.kind in "iuf" else "text"
            self.roles_table.setItem(row, 0, QTableWidgetItem(column))
            self.roles_table.setItem(row, 1, QTableWidgetItem(read_as))
            count = int(missing[column])
            missing_item = QTableWidgetItem(format_count(count) if count else "")
            missing_item.setTextAlignment(
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            )
            if count:
                missing_item.setForeground(Qt.GlobalColor.darkYellow)
            self.roles_table.setItem(row, 2, missing_item)
            combo = QComboBox()
            combo.addItems(list(ROLES))
            combo.setCurrentText(table.feature_types.get(column, "ignore"))
            combo.setObjectName(f"role_{column}")
            combo.activated.connect(self._emit_tabular)
            self.roles_table.setCellWidget(row, 3, combo)
            self.role_combos[column] = combo
        self.roles_table.resizeRowsToContents()
        fit_height(self.roles_table, len(columns), most=14)

    def _fill_images(self, folder: Any) -> None:
        names = list(folder.class_names)
        captions = [names[int(i)] for i in folder.labels]
        self.image_model.set_images(list(folder.files), captions)
        self.skipped_list.clear()
        for file, reason in folder.skipped:
            self.skipped_list.addItem(f"{Path(file).name} — {reason}  ({file})")
        self.skipped_box.setTitle(f"Skipped files ({len(folder.skipped)})")
        self.skipped_box.setVisible(bool(folder.skipped))
        height, width = folder.image_size
        for spin, value in ((self.height_spin, height), (self.width_spin, width)):
            spin.blockSignals(True)
            spin.setValue(int(value))
            spin.blockSignals(False)
        self.pages.setCurrentIndex(IMAGES_PAGE)

    def set_augment(self, on: bool) -> None:
        """Show the project's augmentation setting."""
        for check in (self.augment_check, self.audio.settings.augment_check):
            check.blockSignals(True)
            check.setChecked(on)
            check.blockSignals(False)

    def _fill_arrays(self, data: Any, summary: dict[str, Any]) -> None:
        info = summary.get("array_info", {})
        names = list(data.array_names)
        self.arrays_table.setRowCount(len(names))
        for row, name in enumerate(names):
            shape, dtype = info.get(name, ("", ""))
            if name == data.x_name:
                shape, dtype = tuple(data.x.shape), data.x.dtype
            elif name == data.y_name:
                shape, dtype = tuple(data.y.shape), data.y.dtype
            role = " (x)" if name == data.x_name else " (y)" if name == data.y_name else ""
            self.arrays_table.setItem(row, 0, QTableWidgetItem(name + role))
            self.arrays_table.setItem(row, 1, QTableWidgetItem(str(shape)))
            self.arrays_table.setItem(row, 2, QTableWidgetItem(str(dtype)))
        for combo, current in ((self.x_combo, data.x_name), (self.y_combo, data.y_name)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            combo.setCurrentText(current)
            combo.blockSignals(False)
        self.array_task_combo.setCurrentText(data.task)
        self.pages.setCurrentIndex(ARRAYS_PAGE)

    def show_preview(self, frame: pd.DataFrame, path: str | Path) -> None:
        """The first rows of a file still being read (shown at once, whatever its size)."""
        self.frame_model.set_frame(frame)
        self._size_columns("")
        self.pages.setCurrentIndex(TABLE_PAGE)
        self.file_label.setText(f"{Path(path).name} — first {len(frame):,} rows (preview)")
        self.side_panel.hide()  # what it would say belongs to the whole file, not yet read
        self.kind_combo.setEnabled(False)
        self.stack.setCurrentIndex(1)

    def restore(self) -> None:
        """Show the current dataset again (after a cancelled or failed load)."""
        if self.dataset is None:
            self.frame_model.set_frame(_empty_frame())
            self.kind_combo.setEnabled(True)
            self.stack.setCurrentIndex(0)
        else:
            self.dataset, dataset = None, self.dataset
            self.set_dataset(dataset, self.summary)

    def restore_columns(self) -> None:
        """Put the settings back to the dataset's (after a rejected choice)."""
        if self.dataset is None:
            return
        kind = self.dataset.kind
        self.kind_combo.setCurrentIndex(KINDS.index(kind))
        if kind == "text":
            self._fill_combos(self.dataset)
        elif kind == "tabular":
            self._fill_tabular(self.dataset)
        elif kind == "images":
            self._fill_images(self.dataset)
        elif kind == "audio":
            self.audio.fill(self.dataset, self.summary)
        else:
            self._fill_arrays(self.dataset, self.summary)

    def set_locked(self, locked: bool) -> None:
        """No data changes while training uses the data."""
        for widget in (
            self.kind_combo,
            self.text_combo,
            self.label_combo,
            self.target_combo,
            self.task_combo,
            self.roles_table,
            self.height_spin,
            self.width_spin,
            self.augment_check,
            self.x_combo,
            self.y_combo,
            self.array_task_combo,
            self.validation_spin,
            self.test_spin,
            self.split_seed_spin,
        ):
            widget.setEnabled(not locked)
        self.audio.settings.set_locked(locked)

    # -- loading progress ----------------------------------------------------------------

    def show_loading(self, text: str, cancellable: bool) -> None:
        """A file is being read: say so, with a progress bar and Cancel when possible."""
        self.load_label.setText(text)
        self.load_progress.setRange(0, 0)  # busy until the reader reports a share
        self.load_progress.setValue(0)
        self.cancel_button.setVisible(cancellable)
        self.load_row.show()

    def set_load_progress(self, fraction: float) -> None:
        """0..1 of the file read."""
        if fraction <= 0:
            return
        if self.load_progress.maximum() == 0:
            self.load_progress.setRange(0, 100)
        self.load_progress.setValue(round(100 * min(max(fraction, 0.0), 1.0)))

    def hide_loading(self) -> None:
        """The read ended (done, failed or cancelled)."""
        self.load_row.hide()

    # -- split and checks ----------------------------------------------------------------

    def set_split(self, config: TrainingConfig) -> None:
        """Show the project's split settings (and re-count the parts when they changed)."""
        self.split_panel.set_split(config)

    def refresh_checks(self) -> None:
        """Recount the split per class and redo the checks for the current settings."""
        self.split_panel.set_dataset(self.dataset)

    def show_checks(self, report: tuple[list[str], list[str], dict | None]) -> None:
        """Show the checks of the split: warnings, facts and the count per class and part."""
        self.split_panel.show_checks(report)

    @property
    def split_counts(self) -> dict[str, dict]:
        """Rows per part and class, as last shown."""
        return self.split_panel.split_counts

    # -- person's edits ------------------------------------------------------------------

    def _size_columns(self, text_column: str) -> None:
        """Short columns fit their contents; the text column takes the remaining width."""
        header = self.table_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table_view.resizeColumnsToContents()  # samples rows, not the whole file
        for column in range(self.frame_model.columnCount()):
            header.resizeSection(column, min(max(header.sectionSize(column), 80), 320))
        frame = self.frame_model.frame
        if frame is not None and text_column in [str(c) for c in frame.columns]:
            text_index = [str(c) for c in frame.columns].index(text_column)
            header.setSectionResizeMode(text_index, QHeaderView.ResizeMode.Stretch)

    @Slot()
    def _on_combo_activated(self) -> None:
        text, label = self.text_combo.currentText(), self.label_combo.currentText()
        if self.dataset is None or self.dataset.kind != "text":
            return
        if (text, label) != (self.dataset.text_column, self.dataset.label_column):
            self.sig_columns_changed.emit(text, label)

    @Slot()
    def _on_kind_activated(self) -> None:
        kind = self.kind_combo.currentData()
        if self.dataset is not None and kind != self.dataset.kind:
            self.sig_kind_changed.emit(kind)

    def roles(self) -> dict[str, str]:
        """The role chosen for each non-target column."""
        return {column: combo.currentText() for column, combo in self.role_combos.items()}

    @Slot()
    def _emit_tabular(self) -> None:
        if self.dataset is None or self.dataset.kind != "tabular":
            return
        target = self.target_combo.currentText()
        roles = {c: r for c, r in self.roles().items() if c != target}
        # a new target gets its task inferred; the same target keeps the chosen task
        task = self.task_combo.currentText() if target == self.dataset.label_column else ""
        self.sig_tabular_changed.emit(target, task, roles)

    @Slot()
    def _emit_image_size(self) -> None:
        if self.dataset is None or self.dataset.kind != "images":
            return
        size = (self.height_spin.value(), self.width_spin.value())
        if size != tuple(self.dataset.image_size):
            self.sig_image_size_changed.emit(*size)

    @Slot()
    def _emit_arrays(self) -> None:
        if self.dataset is None or self.dataset.kind != "npz":
            return
        chosen = (
            self.x_combo.currentText(),
            self.y_combo.currentText(),
            self.array_task_combo.currentText(),
        )
        if chosen != (self.dataset.x_name, self.dataset.y_name, self.dataset.task):
            self.sig_arrays_changed.emit(*chosen)


def _empty_frame() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame()
