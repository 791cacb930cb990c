"""An audio folder in the Data tab of the real window (no TensorFlow): the clips, one clip
drawn and played, the class balance, the skipped files, and the model's rate and length.

Clips are tiny synthetic tones written with soundfile; sound output is a fake sounddevice
module (the working path) or none at all (the missing-PortAudio path), never a real device.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt

from tests.ui.audiofixtures import audio_folder
from tests.ui.conftest import LONG, load
from workbench.core.audio import decode, log_mel
from workbench.core.samples import SAMPLES
from workbench.ui import playback
from workbench.ui.clip_view import BANDS, SkippedModel
from workbench.ui.data.audio_panel import ClipTableModel
from workbench.ui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(autouse=True)
def _fresh_playback():
    """Every test probes the sound output anew, and leaves no fake behind for others."""
    playback.reset()
    yield
    playback.reset()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return audio_folder(tmp_path / "tones")


class FakeSoundDevice(types.ModuleType):
    """What the Play button needs of sounddevice: one output device, play and stop."""

    def __init__(self, device: bool = True) -> None:
        super().__init__("sounddevice")
        self.device = device
        self.played: list[tuple[np.ndarray, int]] = []
        self.stopped = 0

    def query_devices(self, kind: str | None = None):
        if not self.device:
            raise RuntimeError("Error querying device -1")
        return {"name": "fake speakers", "max_output_channels": 2}

    def play(self, data, samplerate) -> None:
        self.played.append((np.array(data), int(samplerate)))

    def stop(self) -> None:
        self.stopped += 1


class NoPortAudio:
    """An import hook that fails as sounddevice does on a machine without PortAudio."""

    def find_spec(self, name, path=None, target=None):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return None


def picture_of(qtbot, window: MainWindow, path: str):
    view = window.data_view.audio.clip_view
    qtbot.waitUntil(lambda: view.picture is not None and view.picture.path == path, timeout=LONG)
    return view.picture


def tick(qtbot, check) -> None:
    """Click a check box on its box (a click right of its words does not toggle it)."""
    qtbot.mouseClick(check, LEFT, pos=QPoint(8, check.height() // 2))


def click_row(qtbot, table, row: int) -> None:
    index = table.model().index(row, 0)
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), LEFT, pos=table.visualRect(index).center())


def test_an_audio_folder_lists_its_clips_and_draws_the_selected_one(qtbot, window, folder):
    load(qtbot, window, folder)
    data, dataset = window.data_view, window.dataset
    assert dataset.kind == "audio"
    assert data.kind_combo.currentData() == "audio" and data.kind_combo.currentText()
    assert data.pages.currentWidget() is data.audio and data.audio.isVisible()
    assert data.audio.settings.isVisible() and not data.images_box.isVisible()

    # One row per readable clip: file, class, duration, rate, channels.
    model, table = data.audio.clip_model, data.audio.clip_table
    assert model.rowCount() == len(dataset.files) == 9
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)]
    assert titles == ["File", "Class", "Duration", "Rate", "Channels"]
    stereo = dataset.files.index(str(folder / "low" / "low_stereo.wav"))
    row = model.row_of(dataset.files[stereo])
    cells = [model.data(model.index(row, c)) for c in range(5)]
    assert cells == ["low/low_stereo.wav", "low", "0.50 s", "16,000 Hz", "stereo"]

    # The first clip is selected and drawn: its samples at the model's rate, its log-mel.
    first = dataset.files[0]
    picture = picture_of(qtbot, window, first)
    clip = data.audio.clip_view
    times, samples = clip.waveform.getOriginalDataset()
    expected = decode(first, dataset.sample_rate)
    np.testing.assert_allclose(samples, expected, atol=1e-6)
    assert times[-1] == pytest.approx((len(expected) - 1) / dataset.sample_rate)
    image = clip.spectrogram.image
    assert image.shape == log_mel(expected, dataset.sample_rate).shape
    assert image.shape[1] == BANDS and image.shape[0] == 1 + (len(expected) - 400) // 160
    assert picture.kept == (0, dataset.clip_samples)  # a short clip: padded after its end
    assert clip.kept_region.isVisible()
    assert clip.title_label.text() == "high_0.wav — class high"
    assert "0.20 s · 8,000 Hz · mono" in clip.info_label.text()

    # Another clip clicked: drawn in its place (decoded off the GUI thread).
    click_row(qtbot, table, row)
    picture = picture_of(qtbot, window, dataset.files[stereo])
    assert picture.header.channels == 2 and picture.header.rate == 16000
    assert "stereo" in clip.info_label.text() and "mono at 16 kHz" in clip.info_label.text()
    assert len(clip.waveform.getOriginalDataset()[1]) == 8000  # 0.5 s at 16 kHz

    # Sorting by duration: shortest first, numbers compared as numbers.
    table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    durations = [float(model.data(model.index(r, 2)).split()[0]) for r in range(9)]
    assert durations == sorted(durations)
    assert data.audio.selected_path() == dataset.files[stereo]  # the selection moved along

    # Class balance, the summary and the clip length chosen from the data.
    assert data.counts_box.isVisible()
    counts = {
        data.counts_model.data(data.counts_model.index(r, 0)): data.counts_model.data(
            data.counts_model.index(r, 1)
        )
        for r in range(data.counts_model.rowCount())
    }
    assert counts == {"high": "4", "low": "5"}
    assert data.classes_label.text() == "2"
    assert "Clips last 0.20–0.50 s" in data.detail_label.text()
    line = data.audio.settings.length_label.text()
    assert line.startswith(
        f"Clips are cut or padded to {dataset.auto_seconds:.2f} s, the 95th percentile "
        "of the durations."
    )


def test_skipped_files_are_listed_with_the_reason(qtbot, window, folder):
    load(qtbot, window, folder)
    audio = window.data_view.audio
    assert audio.skipped_box.isVisible() and audio.skipped_box.title() == "Skipped files (2)"
    model = audio.skipped_model
    rows = {
        model.data(model.index(r, 0)): model.data(model.index(r, 1))
        for r in range(model.rowCount())
    }
    assert rows["high/empty.wav"] == "empty file (0 bytes)"
    assert rows["low/notes.wav"].startswith("not audio that libsndfile can read")
    assert "2 file(s) skipped" in window.data_view.detail_label.text()


def test_a_clip_that_cannot_be_decoded_says_why_in_place(qtbot, window, folder):
    load(qtbot, window, folder)
    audio = window.data_view.audio
    picture_of(qtbot, window, window.dataset.files[0])
    gone = window.dataset.files[1]
    Path(gone).unlink()  # removed after the folder was listed
    click_row(qtbot, audio.clip_table, audio.clip_model.row_of(gone))
    clip = audio.clip_view
    qtbot.waitUntil(lambda: "cannot be read" in clip.info_label.text(), timeout=LONG)
    assert clip.picture is None and not clip.play_button.isEnabled()
    assert clip.title_label.text() == Path(gone).name
    assert "Traceback" not in clip.info_label.text()


def test_the_sample_rate_and_clip_length_make_a_new_dataset(qtbot, window, folder):
    load(qtbot, window, folder)
    data, settings = window.data_view, window.data_view.audio.settings
    auto = window.dataset.auto_seconds
    assert window.dataset.sample_rate == 16000 and settings.rate_combo.currentData() == 16000
    assert settings.auto_check.isChecked() and not settings.seconds_spin.isEnabled()
    assert settings.seconds_spin.value() == pytest.approx(auto)
    assert not settings.note_label.text()  # one file is at 16 kHz: the rate adds detail
    selected = data.audio.selected_path()

    # 8 kHz: the dataset is made again with the new rate; the clip is drawn at it.
    before = window.dataset
    index = settings.rate_combo.findData(8000)
    settings.rate_combo.setCurrentIndex(index)
    settings.rate_combo.activated.emit(index)
    qtbot.waitUntil(lambda: window.dataset is not before, timeout=LONG)
    dataset = window.dataset
    assert dataset.sample_rate == 8000
    assert dataset.clip_samples == round(8000 * auto)
    assert window.project.dataset.sample_rate == 8000
    assert not settings.note_label.isVisible()
    assert data.audio.selected_path() == selected  # the same clip, drawn again
    qtbot.waitUntil(
        lambda: (
            data.audio.clip_view.picture is not None and data.audio.clip_view.picture.rate == 8000
        ),
        timeout=LONG,
    )
    assert len(data.audio.clip_view.waveform.getOriginalDataset()[1]) == len(decode(selected, 8000))

    # A clip length of the person's own: 0.25 s.
    tick(qtbot, settings.auto_check)
    assert settings.seconds_spin.isEnabled()
    settings.seconds_spin.setValue(0.25)
    settings.seconds_spin.editingFinished.emit()
    qtbot.waitUntil(lambda: window.dataset.clip_seconds == pytest.approx(0.25), timeout=LONG)
    assert window.dataset.clip_samples == 2000
    assert window.project.dataset.clip_seconds == pytest.approx(0.25)
    assert not settings.auto_check.isChecked()
    line = settings.length_label.text()
    assert line.startswith(
        f"Clips are cut or padded to 0.25 s (chosen; the data suggests {auto:.2f} s"
    )
    assert "are longer: the model takes their loudest stretch" in line

    # Back to the data's length.
    tick(qtbot, settings.auto_check)
    qtbot.waitUntil(lambda: window.dataset.clip_seconds == pytest.approx(auto), timeout=LONG)
    assert window.project.dataset.clip_seconds == 0.0  # the project follows the data
    assert not settings.seconds_spin.isEnabled()


def test_augment_is_worded_for_audio_and_kept_in_the_project(qtbot, window, folder):
    load(qtbot, window, folder)
    check = window.data_view.audio.settings.augment_check
    assert check.text() == "Augment while training (time shift, gain, noise)"
    assert check.isVisible() and not window.data_view.augment_check.isVisible()
    assert check.isChecked() and window.project.dataset.augment  # on for audio by default
    tick(qtbot, check)
    assert not window.project.dataset.augment
    window.data_view.set_locked(True)  # while a model trains
    assert not check.isEnabled() and not window.data_view.audio.settings.rate_combo.isEnabled()
    window.data_view.set_locked(False)
    assert check.isEnabled()


def test_the_spoken_digits_sample_opens(qtbot, window):
    assert SAMPLES["spoken-digits"].path.is_dir()
    window.sample_actions["spoken-digits"].trigger()
    qtbot.waitUntil(lambda: window.dataset is not None, timeout=LONG)
    data = window.data_view
    assert window.dataset.kind == "audio" and data.counts_model.rowCount() == 10
    assert data.audio.clip_model.rowCount() == len(window.dataset.files)
    # 8 kHz recordings for a 16 kHz model: more samples, no more detail, said so.
    assert "The files are at most 8 kHz" in data.audio.settings.note_label.text()
    picture_of(qtbot, window, window.dataset.files[0])


# -- playback -----------------------------------------------------------------------------------


def test_play_sends_the_decoded_clip_and_its_rate_to_the_sound_card(
    qtbot, window, folder, monkeypatch
):
    fake = FakeSoundDevice()
    monkeypatch.setitem(sys.modules, "sounddevice", fake)
    load(qtbot, window, folder)
    picture = picture_of(qtbot, window, window.dataset.files[0])
    clip = window.data_view.audio.clip_view
    assert clip.play_button.isEnabled() and not clip.sound_label.isVisible()
    qtbot.mouseClick(clip.play_button, LEFT)
    assert len(fake.played) == 1
    wave, rate = fake.played[0]
    assert rate == window.dataset.sample_rate == picture.rate
    np.testing.assert_allclose(wave, decode(window.dataset.files[0], rate), atol=1e-6)
    qtbot.mouseClick(clip.stop_button, LEFT)
    assert fake.stopped >= 1


def test_without_portaudio_play_is_disabled_and_says_why(qtbot, window, folder, monkeypatch):
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [NoPortAudio(), *sys.meta_path])
    load(qtbot, window, folder)
    picture_of(qtbot, window, window.dataset.files[0])
    clip = window.data_view.audio.clip_view
    assert not clip.play_button.isEnabled()
    assert "PortAudio library is not installed" in clip.play_button.toolTip()
    assert "apt install libportaudio2" in clip.sound_label.text()
    assert clip.sound_label.isVisible()
    clip.play()  # nothing plays, nothing raises
    assert playback.play(np.zeros(10, np.float32), 8000) == playback.NO_PORTAUDIO


def test_this_machine_without_portaudio_gives_the_missing_path():
    try:
        import sounddevice  # noqa: F401
    except OSError:
        assert playback.unavailable() == playback.NO_PORTAUDIO
    else:
        assert playback.unavailable() in ("", playback.NO_DEVICE)


def test_no_output_device_is_said_in_words(monkeypatch):
    monkeypatch.setitem(sys.modules, "sounddevice", FakeSoundDevice(device=False))
    assert playback.unavailable() == playback.NO_DEVICE
    assert playback.play(np.zeros(10, np.float32), 8000) == playback.NO_DEVICE
    playback.stop()  # a no-op without a device


# -- the item models keep Qt's contract ---------------------------------------------------------


def test_clip_and_skipped_models_keep_the_qt_contract(qtmodeltester, folder):
    from workbench.core.audio import load_audio_folder

    audio = load_audio_folder(folder)
    clips = ClipTableModel()
    clips.set_folder(audio)
    qtmodeltester.check(clips, force_py=True)
    clips.sort(2, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(clips, force_py=True)
    assert clips.data(clips.index(0, 2)) == "0.50 s"
    assert clips.data(QModelIndex()) is None
    skipped = SkippedModel()
    skipped.set_skipped(audio.skipped, audio.path)
    qtmodeltester.check(skipped, force_py=True)
    skipped.set_skipped([])
    assert skipped.rowCount() == 0
