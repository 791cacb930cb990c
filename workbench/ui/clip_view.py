"""One audio clip as a person checks it: its waveform, its log-mel spectrogram, Play; and
the list of files that could not be read. Shared by the Data and Predict tabs.

The Data tab shows the clip selected in the folder's list; the Predict tab the file selected
among its answers. :func:`read_picture` decodes the file (plain numpy and libsndfile, no Qt:
it runs on a worker thread, since a long file takes a while), at the model's sample rate, so
what is drawn and played is what the model hears before its clip is cut or padded; the
shaded stretch of the waveform is the part the model takes. :class:`ClipView` draws it on
the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.core.audio import ClipHeader, crop_start, decode, log_mel, read_header
from workbench.core.errors import DataError
from workbench.ui import playback
from workbench.ui.item_models import Index, TitledColumnsModel
from workbench.ui.wheel import guard_wheel

#: Mel bands of the picture (the model computes its own spectrogram with a Keras layer).
BANDS = 64
#: The spectrogram's colours span this many dB below the clip's loudest cell.
DB_RANGE = 80.0
HOP_SECONDS, WINDOW_SECONDS = 0.01, 0.025  # core.audio.log_mel: 25 ms frames, 10 ms apart
WAVE_COLOR = "#1f77b4"
KEPT_BRUSH = (255, 200, 60, 50)


@dataclass(frozen=True)
class ClipPicture:
    """A decoded clip and what is drawn of it."""

    path: str
    wave: np.ndarray  # float32 mono at ``rate``
    rate: int
    mel: np.ndarray  # (frames, BANDS) in dB, 10 ms apart
    header: ClipHeader  # the file's own length, rate and channels
    kept: tuple[int, int] | None  # samples [start, stop) the model takes; stop may pass the end

    @property
    def seconds(self) -> float:
        """Length of the decoded clip."""
        return len(self.wave) / self.rate if self.rate else 0.0


def read_picture(path: str, rate: int, samples: int = 0) -> ClipPicture:
    """Decode ``path`` at ``rate`` and compute its spectrogram (worker thread; no Qt).

    ``samples``: the model's clip length, to mark which part it takes. Raises DataError
    (naming the file) when the file cannot be decoded.
    """
    playback.output()  # the first probe imports PortAudio: here, not on the GUI thread
    header = read_header(path)
    if isinstance(header, str):
        raise DataError(f"{Path(path).name}: {header}.")
    wave = decode(path, rate)
    mel = log_mel(wave, rate, BANDS, WINDOW_SECONDS)
    return ClipPicture(str(path), wave, int(rate), mel, header, kept_part(wave, samples))


def kept_part(wave: np.ndarray, samples: int) -> tuple[int, int] | None:
    """Where :func:`~workbench.core.audio.fit_length` takes the model's clip from: the
    loudest stretch of a longer wave, the start of a shorter one (padded past its end).
    None without a clip length."""
    if samples <= 0:
        return None
    start = crop_start(wave, samples)
    return start, start + samples


def mel_ticks(rate: int, bands: int = BANDS) -> list[tuple[float, str]]:
    """Ticks in Hz for the spectrogram's band axis (bands spaced on the HTK mel scale from
    20 Hz to half the rate, as core.audio.log_mel spaces them)."""

    def mel(hz: float) -> float:
        return 2595.0 * np.log10(1.0 + hz / 700.0)

    low, high = mel(20.0), mel(rate / 2)
    step = (high - low) / (bands + 1)
    ticks = []
    for hz in (500, 1000, 2000, 4000, 8000, 16000):  # 1 k apart from 4 k: readable when small
        if hz < rate / 2:
            label = f"{hz // 1000}k" if hz >= 1000 else str(hz)
            ticks.append(((mel(hz) - low) / step - 0.5, label))
    return ticks


def channels_text(channels: int) -> str:
    """'mono', 'stereo' or '6 channels'."""
    return {1: "mono", 2: "stereo"}.get(int(channels), f"{int(channels)} channels")


def rate_text(rate: float) -> str:
    """'16 kHz', '22.05 kHz', '8 kHz'."""
    return f"{rate / 1000:g} kHz"


class ClipView(QWidget):
    """Waveform over spectrogram (time in seconds, linked), a line about the file, Play."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picture: ClipPicture | None = None
        self.title_label = QLabel()
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.info_label.setStyleSheet("color: #555555;")
        self.play_button = QPushButton("▶ Play")
        self.play_button.setObjectName("playClip")
        self.play_button.clicked.connect(self.play)
        self.stop_button = QPushButton("■ Stop")
        self.stop_button.clicked.connect(self.stop)
        self.sound_label = QLabel()  # why there is no sound, when there is none
        self.sound_label.setWordWrap(True)
        self.sound_label.setStyleSheet("color: #7a5a00;")
        self.sound_label.hide()

        self.wave_plot = pg.PlotWidget()
        self.wave_plot.setObjectName("clipWaveform")
        wave_item = self.wave_plot.getPlotItem()
        wave_item.setMenuEnabled(False)
        wave_item.setLabel("left", "amplitude")
        wave_item.setClipToView(True)
        wave_item.setDownsampling(auto=True, mode="peak")
        self.kept_region = pg.LinearRegionItem(
            movable=False, brush=pg.mkBrush(*KEPT_BRUSH), pen=pg.mkPen(None)
        )
        self.kept_region.setZValue(-10)
        self.kept_region.hide()
        wave_item.addItem(self.kept_region)
        self.waveform = wave_item.plot(pen=pg.mkPen(WAVE_COLOR, width=1))
        wave_item.hideAxis("bottom")  # the spectrogram's time axis serves both
        self.wave_plot.setMinimumHeight(90)

        self.spec_plot = pg.PlotWidget()
        self.spec_plot.setObjectName("clipSpectrogram")
        spec_item = self.spec_plot.getPlotItem()
        spec_item.setMenuEnabled(False)
        spec_item.setLabel("bottom", "time (s)")
        spec_item.setLabel("left", "Hz (mel)")
        self.spectrogram = pg.ImageItem(axisOrder="col-major")  # image[x = frame, y = band]
        self.spectrogram.setColorMap(pg.colormap.get("magma"))
        spec_item.addItem(self.spectrogram)
        self.spec_plot.setXLink(self.wave_plot)
        self.spec_plot.setMinimumHeight(130)
        for plot in (self.wave_plot, self.spec_plot):
            item = plot.getPlotItem()
            item.getAxis("left").setWidth(58)  # the two time axes line up
            for side in ("left", "bottom"):  # seconds and amplitudes, never "(x0.001)"
                item.getAxis(side).setSIPrefixEnableRanges(())
                item.getAxis(side).enableAutoSIPrefix(False)
            guard_wheel(plot)  # the wheel scrolls the page until the plot is clicked

        top = QHBoxLayout()
        top.addWidget(self.title_label, 1)
        top.addWidget(self.play_button)
        top.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.info_label)
        layout.addWidget(self.sound_label)
        layout.addWidget(self.wave_plot, 2)
        layout.addWidget(self.spec_plot, 3)
        self.clear()

    # -- showing ---------------------------------------------------------------------------

    def clear(self, message: str = "") -> None:
        """No clip (``message`` says why, e.g. 'Decoding…' or what went wrong)."""
        self.picture = None
        self.waveform.setData([], [])
        self.spectrogram.clear()
        self.kept_region.hide()
        self.title_label.setText("")
        self.info_label.setText(message)
        self._enable_sound(False)

    def show_loading(self, path: str) -> None:
        """A clip is being decoded: name it, keep the old picture until the new one is in."""
        self.title_label.setText(Path(path).name)
        self.info_label.setText("Decoding…")

    def show_error(self, path: str, message: str) -> None:
        """The clip could not be decoded: say why in place of the picture."""
        self.clear(message)
        self.title_label.setText(Path(path).name)

    def show_picture(self, picture: ClipPicture, note: str = "", title: str = "") -> None:
        """Draw a decoded clip; ``title`` follows its name (its class), ``note`` ends the
        line about the file."""
        self.picture = picture
        wave, rate = picture.wave, picture.rate
        times = np.arange(len(wave), dtype=np.float64) / rate
        self.waveform.setData(times, wave.astype(np.float64))
        peak = float(np.max(np.abs(wave))) if len(wave) else 0.0
        top = max(peak, 1e-3) * 1.05
        self.wave_plot.getPlotItem().setYRange(-top, top, padding=0)
        mel = picture.mel
        self.spectrogram.setImage(mel, autoLevels=False)
        loudest = float(mel.max()) if mel.size else 0.0
        self.spectrogram.setLevels((loudest - DB_RANGE, loudest))
        # frame k covers [k hop, k hop + window): draw it as the hop-wide cell at its centre
        start = (WINDOW_SECONDS - HOP_SECONDS) / 2
        self.spectrogram.setRect(QRectF(start, 0.0, mel.shape[0] * HOP_SECONDS, float(BANDS)))
        spec_item = self.spec_plot.getPlotItem()
        spec_item.getAxis("left").setTicks([mel_ticks(rate), []])
        spec_item.setYRange(0, BANDS, padding=0)
        end = max(picture.seconds, 0.01)
        if picture.kept is not None:
            start, stop = picture.kept
            self.kept_region.setRegion((start / rate, stop / rate))
            self.kept_region.show()
            end = max(end, stop / rate)
        else:
            self.kept_region.hide()
        self.wave_plot.getPlotItem().setXRange(0.0, end, padding=0.01)
        name = Path(picture.path).name
        self.title_label.setText(f"{name} — {title}" if title else name)
        header = picture.header
        line = (
            f"{header.seconds:.2f} s · {header.rate:,} Hz · {channels_text(header.channels)}"
            f" · {header.format}"
        )
        if header.rate != rate or header.channels != 1:
            line += f". Drawn and played as the model hears it: mono at {rate_text(rate)}"
        if picture.kept is not None:
            start, stop = picture.kept
            if stop > len(wave):
                line += f". The model takes {(stop - start) / rate:.2f} s (shaded; silence after)"
            else:
                line += f". The model takes the shaded {(stop - start) / rate:.2f} s"
        self.info_label.setText(line + (f". {note}" if note else "."))
        self._enable_sound(True)

    # -- sound -----------------------------------------------------------------------------

    def _enable_sound(self, have_clip: bool) -> None:
        reason = playback.unavailable() if have_clip else ""
        self.play_button.setEnabled(have_clip and not reason)
        self.stop_button.setEnabled(have_clip and not reason)
        tip = reason or "Play the clip (as the model hears it: mono, at its sample rate)."
        self.play_button.setToolTip(tip)
        self.sound_label.setText(reason)
        self.sound_label.setVisible(bool(reason))

    @Slot()
    def play(self) -> None:
        """Play the clip shown (returns at once; the sound card plays it)."""
        if self.picture is None:
            return
        reason = playback.play(self.picture.wave, self.picture.rate)
        if reason:
            self.sound_label.setText(reason)
            self.sound_label.show()

    @Slot()
    def stop(self) -> None:
        """Stop playing."""
        playback.stop()


# -- files left out ---------------------------------------------------------------------------


def short_path(path: str, root: Any) -> str:
    """``path`` relative to the folder (``yes/a.wav``), or as it is when outside it."""
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return str(path)


class SkippedModel(TitledColumnsModel):
    """Files that were left out and why."""

    HEADERS = ("File", "Why it was skipped")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, str]] = []
        self._root: Any = None

    def set_skipped(self, skipped: list[tuple[str, str]], root: Any = None) -> None:
        """Show (file, reason) pairs; names are shown relative to ``root`` (without one,
        by their name; the tooltip has the whole path)."""
        self.beginResetModel()
        self._rows = list(skipped)
        self._root = root
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Name and reason; the full path and reason as tooltip."""
        if not index.isValid():
            return None
        file, reason = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return short_path(file, self._root) if self._root is not None else Path(file).name
            return reason
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{file}\n{reason}"
        return None


def skipped_table(model: SkippedModel) -> QTableView:
    """A read-only table for a SkippedModel: short names, the reason takes the rest."""
    table = QTableView()
    table.setModel(model)
    table.verticalHeader().hide()
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setWordWrap(False)
    table.verticalHeader().setDefaultSectionSize(22)
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
    header.resizeSection(0, 200)
    header.setStretchLastSection(True)
    fit_rows(table)
    model.modelReset.connect(lambda: fit_rows(table))
    return table


def fit_rows(table: QTableView, most: int = 5) -> None:
    """As tall as its rows (up to ``most``; more scroll): a short list takes little room."""
    rows = max(1, min(table.model().rowCount(), most))
    height = table.horizontalHeader().sizeHint().height() + 22 * rows
    table.setFixedHeight(height + 2 * table.frameWidth() + 2)
