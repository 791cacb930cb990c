"""The Data tab for a folder of audio clips: the clips, one clip heard and seen, the settings.

:class:`AudioPage` is the tab's left page: every clip in a sortable table (an item model over
the folder's arrays), the selected clip's waveform and spectrogram with Play, and the files
that were skipped with the reason. Its :attr:`AudioPage.settings` box sits with the other
kinds' settings on the right: the model's sample rate, the clip length (chosen from the data
unless the person picks one) and augmentation.

A clip is decoded on a worker (the Data controller runs :func:`workbench.ui.clip_view.
read_picture` when :attr:`AudioPage.sig_clip_requested` asks); a settings change asks for a
new dataset (:attr:`AudioSettingsBox.sig_settings_changed`), which the controller makes with
``AudioFolder.with_settings`` on a worker too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.core.audio import (
    CLIP_PERCENTILE,
    DEFAULT_RATE,
    MAX_CLIP_SECONDS,
    MIN_CLIP_SECONDS,
)
from workbench.ui.clip_view import (
    ClipPicture,
    ClipView,
    SkippedModel,
    channels_text,
    rate_text,
    short_path,
    skipped_table,
)
from workbench.ui.item_models import Index, format_count

#: Sample rates offered for the model (any rate a project names is added to the list).
RATES = (8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000)
NOTE_COLOR = "#7a5a00"
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class ClipTableModel(QAbstractTableModel):
    """Every clip of an AudioFolder: file, class, duration, rate, channels. Cells are read
    from the folder's arrays when painted; :meth:`sort` orders a permutation with numpy."""

    HEADERS = ("File", "Class", "Duration", "Rate", "Channels")
    #: The clip's full path (for the controller and tests).
    PathRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.folder: Any = None
        self._order = np.zeros(0, dtype=np.intp)

    def set_folder(self, folder: Any) -> None:
        """Show another folder's clips, in the folder's order."""
        self.beginResetModel()
        self.folder = folder
        self._order = np.arange(len(folder.files) if folder is not None else 0)
        self.endResetModel()

    def clip(self, row: int) -> int:
        """The folder's index of the clip shown at ``row``."""
        return int(self._order[row])

    def row_of(self, path: str) -> int:
        """The row showing ``path`` (-1 when it is not in the folder)."""
        if self.folder is None:
            return -1
        try:
            index = self.folder.files.index(path)
        except ValueError:
            return -1
        return int(np.flatnonzero(self._order == index)[0])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        """One row per clip."""
        return 0 if parent.isValid() else len(self._order)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """File, class, duration, rate, channels."""
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """A cell's text, the path as tooltip, numbers right-aligned."""
        if not index.isValid() or self.folder is None:
            return None
        folder, i, column = self.folder, self.clip(index.row()), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return short_path(folder.files[i], folder.path)
            if column == 1:
                return folder.class_names[int(folder.labels[i])]
            if column == 2:
                return f"{float(folder.durations[i]):.2f} s"
            if column == 3:
                return f"{int(folder.rates[i]):,} Hz"
            return channels_text(int(folder.channels[i]))
        if role in (Qt.ItemDataRole.ToolTipRole, self.PathRole):
            return folder.files[i]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (2, 3):
            return _RIGHT
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order the clips by ``column`` (stable; numbers as numbers)."""
        folder = self.folder
        if folder is None or not 0 <= column < len(self.HEADERS):
            return
        keys: Any
        if column == 0:
            keys = np.asarray(folder.files, dtype=str)
        elif column == 1:
            keys = folder.labels
        else:
            keys = (folder.durations, folder.rates, folder.channels)[column - 2]
        new = np.argsort(keys, kind="stable")
        if order == Qt.SortOrder.DescendingOrder:
            new = new[::-1]
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        where = np.empty(len(new), dtype=np.intp)
        where[new] = np.arange(len(new))
        moved = [
            self.index(int(where[self._order[p.row()]]), p.column()) if p.isValid() else p
            for p in persistent
        ]
        self._order = new
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()


def describe(folder: Any, summary: dict[str, Any]) -> str:
    """The Summary box's line for audio: how long the clips are, and what the files are."""
    durations = summary["durations"]
    formats = ", ".join(
        f"{format_count(n)} {name.upper()}" for name, n in summary["formats"].items()
    )
    rates = ", ".join(
        f"{rate_text(int(r))} ({format_count(n)})" for r, n in summary["rates"].items()
    )
    channels = ", ".join(
        f"{channels_text(int(c))} ({format_count(n)})" for c, n in summary["channels"].items()
    )
    line = (
        f"Clips last {durations['min']:.2f}–{durations['max']:.2f} s (median "
        f"{durations['median']:.2f} s). Files: {formats}; {rates}; {channels}."
    )
    if folder.skipped:
        line += f" {len(folder.skipped):,} file(s) skipped (listed under the clips)."
    return line


def clip_length_line(summary: dict[str, Any]) -> str:
    """'Clips are cut or padded to 0.97 s, the 95th percentile of the durations.'"""
    seconds, auto = float(summary["clip_seconds"]), float(summary["clip_seconds_auto"])
    percentile = f"the {_ordinal(CLIP_PERCENTILE)} percentile of the durations"
    if abs(seconds - auto) < 1e-9:
        line = f"Clips are cut or padded to {seconds:.2f} s, {percentile}."
    else:
        line = (
            f"Clips are cut or padded to {seconds:.2f} s (chosen; the data suggests "
            f"{auto:.2f} s, {percentile})."
        )
    rows, cropped = int(summary["rows"]), int(summary.get("cropped", 0))
    if cropped:
        line += (
            f" {format_count(cropped)} of {format_count(rows)} clips are longer: the model "
            "takes their loudest stretch."
        )
    return line


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class AudioSettingsBox(QGroupBox):
    """The model's sample rate and clip length, and augmentation while training."""

    #: The person picked another rate or length: (sample rate in Hz, clip seconds; 0 means
    #: the length the data suggests).
    sig_settings_changed = Signal(int, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Audio", parent)
        self.folder: Any = None
        self.rate_combo = QComboBox()
        self.rate_combo.setObjectName("audioRate")
        self.rate_combo.setToolTip(
            "The model hears every clip at this rate; files at other rates are resampled. "
            "16 kHz suits speech; a higher rate keeps higher pitches but costs time."
        )
        self.rate_combo.activated.connect(self._emit)
        self.auto_check = QCheckBox("From the data")
        self.auto_check.setToolTip(
            f"Use the {_ordinal(CLIP_PERCENTILE)} percentile of the clips' durations: most "
            "clips fit whole, a few long ones are cropped."
        )
        self.auto_check.toggled.connect(self._on_auto_toggled)
        self.seconds_spin = QDoubleSpinBox()
        self.seconds_spin.setObjectName("audioSeconds")
        self.seconds_spin.setRange(MIN_CLIP_SECONDS, MAX_CLIP_SECONDS)
        self.seconds_spin.setDecimals(2)
        self.seconds_spin.setSingleStep(0.05)
        self.seconds_spin.setSuffix(" s")
        self.seconds_spin.setKeyboardTracking(False)
        self.seconds_spin.setToolTip(
            "Every clip is padded with silence or cropped to this length (a crop keeps the "
            "loudest stretch)."
        )
        self.seconds_spin.editingFinished.connect(self._emit)
        self.length_label = QLabel()
        self.length_label.setObjectName("clipLengthLine")
        self.length_label.setWordWrap(True)
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet(f"color: {NOTE_COLOR};")
        self.augment_check = QCheckBox("Augment while training (time shift, gain, noise)")
        self.augment_check.setToolTip(
            "Every epoch, each training clip is shifted a little in time, made louder or "
            "softer and given a little noise. Validation and prediction never are."
        )
        length_row = QWidget()
        length_layout = QVBoxLayout(length_row)
        length_layout.setContentsMargins(0, 0, 0, 0)
        length_layout.setSpacing(2)
        length_layout.addWidget(self.seconds_spin)
        length_layout.addWidget(self.auto_check)
        form = QFormLayout(self)
        form.addRow("Sample rate:", self.rate_combo)
        form.addRow("Clip length:", length_row)
        form.addRow(self.length_label)
        form.addRow(self.note_label)
        form.addRow(self.augment_check)

    def fill(self, folder: Any, summary: dict[str, Any]) -> None:
        """Show a folder's settings (no signal is emitted)."""
        self.folder = folder
        rate = int(folder.sample_rate)
        self.rate_combo.blockSignals(True)
        self.rate_combo.clear()
        for value in sorted({*RATES, rate}):
            default = " (default)" if value == DEFAULT_RATE else ""
            self.rate_combo.addItem(f"{value:,} Hz{default}", value)
        self.rate_combo.setCurrentIndex(self.rate_combo.findData(rate))
        self.rate_combo.blockSignals(False)
        auto = abs(float(folder.clip_seconds) - float(folder.auto_seconds)) < 1e-9
        for widget in (self.auto_check, self.seconds_spin):
            widget.blockSignals(True)
        self.auto_check.setChecked(auto)
        self.seconds_spin.setValue(float(folder.clip_seconds))
        self.seconds_spin.setEnabled(not auto and self.auto_check.isEnabled())
        for widget in (self.auto_check, self.seconds_spin):
            widget.blockSignals(False)
        self.length_label.setText(clip_length_line(summary))
        self.note_label.setText(self._rate_note(folder))
        self.note_label.setVisible(bool(self.note_label.text()))

    @staticmethod
    def _rate_note(folder: Any) -> str:
        highest = int(np.max(folder.rates)) if len(folder.rates) else 0
        rate = int(folder.sample_rate)
        if highest and rate > highest:
            return (
                f"The files are at most {rate_text(highest)}: at {rate_text(rate)} the model "
                "hears no more detail, only more samples."
            )
        return ""

    def set_locked(self, locked: bool) -> None:
        """No changes while a model trains on this data."""
        for widget in (self.rate_combo, self.auto_check, self.augment_check):
            widget.setEnabled(not locked)
        self.seconds_spin.setEnabled(not locked and not self.auto_check.isChecked())

    @Slot(bool)
    def _on_auto_toggled(self, auto: bool) -> None:
        """Back to the data's length at once; unticked, the length is the person's to type."""
        self.seconds_spin.setEnabled(not auto)
        if not auto:
            self.seconds_spin.setFocus()
            self.seconds_spin.selectAll()
            return
        if self.folder is not None:
            self.seconds_spin.blockSignals(True)
            self.seconds_spin.setValue(float(self.folder.auto_seconds))
            self.seconds_spin.blockSignals(False)
        self._emit()

    @Slot()
    def _emit(self) -> None:
        folder = self.folder
        if folder is None:
            return
        rate = int(self.rate_combo.currentData() or DEFAULT_RATE)
        seconds = 0.0 if self.auto_check.isChecked() else round(self.seconds_spin.value(), 3)
        now = 0.0 if abs(folder.clip_seconds - folder.auto_seconds) < 1e-9 else folder.clip_seconds
        if (rate, seconds) != (int(folder.sample_rate), float(now)):
            self.sig_settings_changed.emit(rate, seconds)


class AudioPage(QWidget):
    """The clips of a folder, the selected one drawn and playable, and the skipped files."""

    #: Decode this clip for the picture: (path). The answer comes back through
    #: :meth:`show_picture` or :meth:`show_clip_error`.
    sig_clip_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder: Any = None
        self.settings = AudioSettingsBox()
        self.clip_model = ClipTableModel(self)
        self.clip_table = QTableView()
        self.clip_table.setObjectName("audioClips")
        self.clip_table.setModel(self.clip_model)
        self.clip_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.clip_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.clip_table.setAlternatingRowColors(True)
        self.clip_table.setWordWrap(False)
        self.clip_table.verticalHeader().hide()
        self.clip_table.verticalHeader().setDefaultSectionSize(22)
        self.clip_table.setSortingEnabled(True)
        self.clip_table.setMinimumHeight(150)
        header = self.clip_table.horizontalHeader()
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 90), (2, 80), (3, 90), (4, 80)):
            header.resizeSection(column, width)
        self.clip_table.selectionModel().currentRowChanged.connect(self._on_current_changed)

        self.clip_view = ClipView()
        self.skipped_model = SkippedModel(self)
        self.skipped_box = QGroupBox("Skipped files")
        skipped_layout = QVBoxLayout(self.skipped_box)
        skipped_layout.addWidget(skipped_table(self.skipped_model))
        self.skipped_box.hide()

        hint = QLabel("Select a clip to see and hear it; a title sorts the clips.")
        hint.setStyleSheet("color: #555555;")
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(hint)
        top_layout.addWidget(self.clip_table, 1)
        top_layout.addWidget(self.skipped_box)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.clip_view)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([420, 480])  # in proportion: the list about as tall as the clip
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def fill(self, folder: Any, summary: dict[str, Any]) -> None:
        """Show a folder: its clips, its skipped files and its settings. The clip selected
        before stays selected (drawn again at the new rate); else the first is."""
        chosen = self.selected_path()
        self.folder = folder
        self.clip_table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.clip_model.set_folder(folder)
        self.skipped_model.set_skipped(list(folder.skipped), folder.path)
        self.skipped_box.setTitle(f"Skipped files ({len(folder.skipped):,})")
        self.skipped_box.setVisible(bool(folder.skipped))
        self.settings.fill(folder, summary)
        row = self.clip_model.row_of(chosen) if chosen else -1
        self.clip_view.clear()
        if self.clip_model.rowCount():
            self.select_row(max(row, 0))

    def select_row(self, row: int) -> None:
        """Select the clip shown at ``row`` (which asks for its picture)."""
        index = self.clip_model.index(row, 0)
        self.clip_table.setCurrentIndex(index)
        self.clip_table.scrollTo(index)

    def selected_path(self) -> str:
        """The selected clip's path ('' when none)."""
        index = self.clip_table.currentIndex()
        if not index.isValid() or self.folder is None:
            return ""
        return str(self.clip_model.data(index, ClipTableModel.PathRole))

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and self.folder is not None:
            path = str(self.clip_model.data(current, ClipTableModel.PathRole))
            self.clip_view.show_loading(path)
            self.sig_clip_requested.emit(path)

    def show_picture(self, picture: ClipPicture) -> None:
        """A decoded clip is in: draw it, if it is still the selected one."""
        if picture.path == self.selected_path():
            row = self.clip_model.row_of(picture.path)
            label = self.clip_model.data(self.clip_model.index(row, 1)) if row >= 0 else ""
            self.clip_view.show_picture(picture, title=f"class {label}" if label else "")

    def show_clip_error(self, path: str, message: str) -> None:
        """The selected clip could not be decoded: say why in place of the picture."""
        if path == self.selected_path():
            self.clip_view.show_error(path, message)
