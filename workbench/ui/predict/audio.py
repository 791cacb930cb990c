"""The Predict tab's audio parts: choosing files or a folder, and the chosen file drawn.

:class:`AudioInputs` is the tab's input page for an audio model (files or a folder, read and
answered by the controller's ``predict-file`` task like many images). :class:`AudioResult`
sits beside the class probabilities: the selected file's waveform and spectrogram as the
model hears it, Play, and every file that could not be read with the reason.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from workbench.core.audio import AUDIO_SUFFIXES
from workbench.ui.clip_view import ClipPicture, ClipView, SkippedModel, rate_text, skipped_table
from workbench.ui.file_dialogs import open_files, open_folder

AUDIO_FILTER = f"Audio ({' '.join(f'*{s}' for s in sorted(AUDIO_SUFFIXES))});;All files (*)"


def model_line(meta: dict[str, Any]) -> str:
    """What an audio model hears: 'The model hears 0.65 s of mono audio at 16 kHz: …'."""
    rate, samples = meta.get("sample_rate"), meta.get("clip_samples")
    if not rate or not samples:
        return ""
    return (
        f"The model hears {int(samples) / int(rate):.2f} s of mono audio at "
        f"{rate_text(int(rate))}: each file is resampled, and padded with silence or cropped "
        "to its loudest stretch."
    )


class AudioInputs(QWidget):
    """Choose audio files or a folder of them to predict."""

    #: Predict these audio files: (list of paths).
    sig_files = Signal(object)
    #: Predict every audio file in this folder and its subfolders: (path).
    sig_folder = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.files_button = QPushButton("Choose audio file(s)…")
        self.files_button.setToolTip(
            f"One or many files ({', '.join(sorted(AUDIO_SUFFIXES))}); any sample rate and "
            "channel count."
        )
        self.files_button.clicked.connect(self._on_choose_files)
        self.folder_button = QPushButton("Predict a folder…")
        self.folder_button.setToolTip("Every audio file in a folder and its subfolders.")
        self.folder_button.clicked.connect(self._on_choose_folder)
        self.model_label = QLabel()
        self.model_label.setWordWrap(True)
        self.model_label.setStyleSheet("color: #555555;")
        row = QHBoxLayout()
        row.addWidget(self.files_button)
        row.addWidget(self.folder_button)
        row.addWidget(QLabel("Click a file in the table to see, hear and check its answer."), 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.model_label)

    def set_model(self, meta: dict[str, Any] | None) -> None:
        """Say what the model hears (nothing without an audio model)."""
        self.model_label.setText(model_line(meta or {}))
        self.model_label.setVisible(bool(self.model_label.text()))

    def set_available(self, available: bool) -> None:
        """Buttons on only when a model can answer."""
        self.files_button.setEnabled(available)
        self.folder_button.setEnabled(available)

    @Slot()
    def _on_choose_files(self) -> None:
        paths = open_files(self, "Choose audio files", AUDIO_FILTER)
        if paths:
            self.sig_files.emit(list(paths))

    @Slot()
    def _on_choose_folder(self) -> None:
        path = open_folder(self, "Predict every audio file in a folder")
        if path:
            self.sig_folder.emit(path)


class AudioResult(QWidget):
    """The selected file drawn and playable; the files left out, each with its reason."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clip_view = ClipView()
        self.skipped_model = SkippedModel(self)
        self.skipped_box = QGroupBox("Files left out")
        self.skipped_table = skipped_table(self.skipped_model)
        box_layout = QVBoxLayout(self.skipped_box)
        box_layout.addWidget(self.skipped_table)
        self.skipped_box.hide()
        self.path = ""  # the file drawn (or being decoded)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.clip_view, 1)
        layout.addWidget(self.skipped_box)

    def clear(self) -> None:
        """No file chosen, none left out."""
        self.path = ""
        self.clip_view.clear("Predict audio files, then click one to see and hear it.")
        self.show_skipped([])

    def show_skipped(self, skipped: list[tuple[str, str]]) -> None:
        """List the files that could not be read, each with the reason."""
        rows = list(skipped)
        self.skipped_model.set_skipped(rows)
        self.skipped_box.setTitle(f"Files left out ({len(rows):,}): they could not be read")
        self.skipped_box.setVisible(bool(rows))

    def show_loading(self, path: str) -> None:
        """``path`` is being decoded."""
        self.path = path
        self.clip_view.show_loading(path)

    def show_picture(self, picture: ClipPicture) -> None:
        """Draw a decoded file, if it is still the one chosen."""
        if picture.path == self.path:
            self.clip_view.show_picture(picture)

    def show_error(self, path: str, message: str) -> None:
        """The chosen file could not be decoded for the picture."""
        if path == self.path:
            self.clip_view.show_error(path, message)
