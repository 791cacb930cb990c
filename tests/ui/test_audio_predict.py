"""An audio model in the Predict tab of the real window: files or a folder answered in one
table, the chosen file drawn beside its probabilities, a CSV written, and unreadable files
listed with the reason, never a traceback.

A tiny Keras model (untrained: its answers need not be right, only the Predictor's own) is
set as the session's predictor. The last test trains a real one for an epoch on a tiny
folder through the window, from the Data tab to a prediction.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from tests.ui.audiofixtures import audio_folder, tone, write_clip
from tests.ui.conftest import LONG
from workbench.core.audio import decode
from workbench.core.session import ModelSource
from workbench.ui import playback
from workbench.ui.main_window import MainWindow
from workbench.ui.predict.controller import SAVE_PREDICTIONS
from workbench.ui.predict.models import SortRole

LEFT = Qt.MouseButton.LeftButton
RATE, SAMPLES = 8000, 2400  # the model hears 0.3 s at 8 kHz
CLASSES = ["high", "low"]


@pytest.fixture(scope="module")
def audio_predictor():
    """0.3 s of 8 kHz audio -> a few statistics of the wave -> Dense(2, softmax)."""
    import keras

    from workbench.backend.predictor import Predictor

    keras.utils.set_random_seed(3)
    inputs = keras.Input(shape=(SAMPLES,))
    x = keras.layers.Reshape((SAMPLES // 100, 100))(inputs)
    x = keras.layers.GlobalAveragePooling1D()(keras.layers.Dense(4, activation="tanh")(x))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(x))
    meta = {"kind": "audio", "task": "classification", "class_names": CLASSES}
    meta.update(sample_rate=RATE, clip_samples=SAMPLES)
    return Predictor(model, meta)


@pytest.fixture(autouse=True)
def _fresh_playback():
    playback.reset()
    yield
    playback.reset()


def use(window: MainWindow, predictor) -> None:
    window.session.set_predictor(predictor, ModelSource("run 1", "r1", ""))
    window.tabs.setCurrentWidget(window.predict_view)


def wait_done(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.predict.predicting_file, timeout=LONG)


def cell(window: MainWindow, row: int, column: int, role=Qt.ItemDataRole.DisplayRole):
    proxy = window.predict_view.results_panel.proxy
    return proxy.data(proxy.index(row, column), role)


def drawn(qtbot, window: MainWindow, path: str):
    clip = window.predict_view.audio_result.clip_view
    qtbot.waitUntil(lambda: clip.picture is not None and clip.picture.path == path, timeout=LONG)
    return clip.picture


def test_audio_files_are_answered_in_one_table_and_drawn_when_chosen(
    qtbot, window, tmp_path, audio_predictor
) -> None:
    use(window, audio_predictor)
    view = window.predict_view
    assert view.pages.currentWidget() is view.audio_page and view.audio_page.isVisible()
    assert view.audio_page.files_button.isEnabled() and view.audio_page.folder_button.isEnabled()
    assert "0.30 s of mono audio at 8 kHz" in view.audio_page.model_label.text()
    assert view.audio_result.isVisible()

    folder = audio_folder(tmp_path / "tones")
    good = [
        str(folder / "high" / "high_0.wav"),
        str(folder / "low" / "low_stereo.wav"),  # 16 kHz stereo: resampled and downmixed
        str(folder / "low" / "low_3.wav"),
    ]
    bad = [str(folder / "high" / "empty.wav"), str(tmp_path / "gone.wav")]
    window.predict.predict_audio([good[0], bad[0], good[1], bad[1], good[2]])
    wait_done(qtbot, window)

    # One row per readable file, in the order given; the Predictor's own answers.
    model = view.results_model
    assert model.rowCount() == 3, view.banner.text()
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert titles == ["#", "file", "Predicted", "Confidence", "P(high)", "P(low)"]
    assert [cell(window, r, 1) for r in range(3)] == [Path(p).name for p in good]
    assert [cell(window, r, 0) for r in range(3)] == ["1", "3", "5"]
    expected, used, _ = audio_predictor.predict_audio(good)
    assert used == good
    table = np.array([[cell(window, r, c, SortRole) for c in (4, 5)] for r in range(3)])
    np.testing.assert_allclose(table.sum(axis=1), 1.0, atol=1e-5)
    want = np.array([[p.probabilities[c] for c in CLASSES] for p in expected])
    np.testing.assert_allclose(table, want, atol=1e-6)
    assert [cell(window, r, 2) for r in range(3)] == [p.label for p in expected]
    assert view.results_panel.summary_label.text().startswith(
        "3 of 5 audio files predicted. 2 could not be read and are left out."
    )

    # The unreadable files are listed with the reason (no path in it, no traceback).
    assert view.banner.level == "warning"
    assert "2 of the chosen files could not be read as audio" in view.banner.text()
    skipped = view.audio_result.skipped_model
    assert view.audio_result.skipped_box.isVisible() and skipped.rowCount() == 2
    rows = {skipped.data(skipped.index(r, 0)): skipped.data(skipped.index(r, 1)) for r in range(2)}
    assert rows == {  # the words the Data tab uses for a skipped file
        "empty.wav": "empty file (0 bytes)",
        "gone.wav": "cannot be read (No such file or directory)",
    }
    assert "Traceback" not in view.banner.text()

    # The first file is shown big and drawn as the model hears it.
    assert view.label_value.text() == expected[0].label
    picture = drawn(qtbot, window, good[0])
    _, samples = view.audio_result.clip_view.waveform.getOriginalDataset()
    np.testing.assert_allclose(samples, decode(good[0], RATE), atol=1e-6)
    assert picture.rate == RATE and picture.kept == (0, SAMPLES)

    # A row clicked: its answer big, its probabilities, its waveform.
    proxy = view.results_panel.proxy
    index = proxy.index(1, 1)
    qtbot.mouseClick(
        view.results_view.viewport(), LEFT, pos=view.results_view.visualRect(index).center()
    )
    assert view.label_value.text() == expected[1].label
    shown = view.probability_model.probabilities()
    assert shown == pytest.approx(expected[1].probabilities, abs=1e-6)
    assert sum(shown.values()) == pytest.approx(1.0, abs=1e-5)
    picture = drawn(qtbot, window, good[1])
    assert picture.header.channels == 2 and picture.header.rate == 16000
    assert len(view.audio_result.clip_view.waveform.getOriginalDataset()[1]) == 4000  # 0.5 s

    # Save predictions: the file, the label and every probability.
    out = tmp_path / "answers.csv"
    window.predict.save_predictions(out)
    qtbot.waitUntil(lambda: not window.tasks.running(SAVE_PREDICTIONS), timeout=LONG)
    saved = pd.read_csv(out)
    assert list(saved.columns) == ["row", "file", "prediction", "p_high", "p_low"]
    assert saved["file"].tolist() == good
    assert saved["prediction"].tolist() == [p.label for p in expected]
    np.testing.assert_allclose(saved[["p_high", "p_low"]].to_numpy(), want, atol=1e-6)


def test_a_folder_is_predicted_file_by_file(qtbot, window, tmp_path, audio_predictor) -> None:
    use(window, audio_predictor)
    view = window.predict_view
    folder = audio_folder(tmp_path / "tones", per_class=20)  # 41 clips: two batches
    window.predict.predict_audio_folder(str(folder))
    wait_done(qtbot, window)
    assert view.results_model.rowCount() == 41, view.banner.text()
    assert view.audio_result.skipped_model.rowCount() == 2
    assert "41 audio files of tones predicted" in view.results_panel.summary_label.text()
    probabilities = view.results().probabilities
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda root: [str(write_bad(root / "one.wav"))], "one.wav"),
        (
            lambda root: [str(write_bad(root / f"{i}.wav")) for i in range(7)],
            "None of the 7 files could be read as audio",
        ),
        (lambda root: str(empty_folder(root / "nothing")), "no audio files"),
    ],
)
def test_nothing_readable_is_explained(
    qtbot, window, tmp_path, audio_predictor, make, expected
) -> None:
    use(window, audio_predictor)
    view = window.predict_view
    good = write_clip(tmp_path / "ok.wav", tone(0.3, RATE, 300.0), RATE)
    window.predict.predict_audio([str(good)])
    wait_done(qtbot, window)
    assert view.results_model.rowCount() == 1
    source = make(tmp_path)
    if isinstance(source, str):
        window.predict.predict_audio_folder(source)
    else:
        window.predict.predict_audio(source)
    wait_done(qtbot, window)
    message = view.banner.text()
    assert view.banner.level == "error" and expected in message, message
    assert "Traceback" not in message and "Unexpected" not in message
    assert "kept" in message and view.results_model.rowCount() == 1  # the last answers stay
    assert view.audio_page.files_button.isEnabled()


def write_bad(path: Path) -> Path:
    path.write_bytes(b"RIFF but not really a wave file")
    return path


def empty_folder(path: Path) -> Path:
    path.mkdir()
    (path / "readme.txt").write_text("no audio here", encoding="utf-8")
    return path


def test_a_file_of_rows_for_an_audio_model_is_refused_in_words(
    qtbot, window, tmp_path, audio_predictor
) -> None:
    use(window, audio_predictor)
    (tmp_path / "rows.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    window.predict.predict_file(str(tmp_path / "rows.csv"))
    assert "choose audio files or a folder" in window.predict_view.banner.text()


# -- the whole way: a folder opened, a model trained, files predicted ---------------------------


def test_a_tiny_folder_trains_for_an_epoch_and_predicts(qtbot, make_window, tmp_path) -> None:
    window = make_window(backend=True)
    folder = audio_folder(tmp_path / "tones", per_class=8, bad=False)
    window.data.open_path(folder)
    qtbot.waitUntil(lambda: window.dataset is not None, timeout=LONG)
    settings = window.data_view.audio.settings
    index = settings.rate_combo.findData(8000)  # the files' own rate: a smaller model input
    settings.rate_combo.setCurrentIndex(index)
    settings.rate_combo.activated.emit(index)
    qtbot.waitUntil(lambda: window.dataset.sample_rate == 8000, timeout=LONG)

    view = window.train_view
    window.tabs.setCurrentWidget(view)
    view.epochs_spin.setValue(1)
    view.batch_spin.setValue(8)
    qtbot.waitUntil(lambda: view.train_button.isEnabled(), timeout=LONG)
    qtbot.mouseClick(view.train_button, LEFT)
    qtbot.waitUntil(lambda: not window.is_training, timeout=3 * LONG)
    predictor = window.predictor
    assert predictor is not None and predictor.kind == "audio", view.banner.text()
    assert predictor.meta["sample_rate"] == 8000
    assert predictor.meta["clip_samples"] == window.dataset.clip_samples

    window.tabs.setCurrentWidget(window.predict_view)
    predict = window.predict_view
    assert predict.pages.currentWidget() is predict.audio_page
    files = [window.dataset.files[0], window.dataset.files[-1]]
    window.predict.predict_audio(files)
    wait_done(qtbot, window)
    assert predict.results_model.rowCount() == 2, predict.banner.text()
    np.testing.assert_allclose(predict.results().probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert predict.label_value.text() in {"high", "low"}
    drawn(qtbot, window, files[0])


def test_the_buttons_ask_for_audio_files_or_a_folder(
    qtbot, window, tmp_path, audio_predictor, monkeypatch
) -> None:
    from workbench.ui.predict import audio as audio_inputs

    use(window, audio_predictor)
    page = window.predict_view.audio_page
    folder = audio_folder(tmp_path / "tones", bad=False)
    asked = []

    def pick_files(parent, title, filters):
        asked.append(filters)
        return [str(folder / "high" / "high_1.wav")]

    monkeypatch.setattr(audio_inputs, "open_files", pick_files)
    monkeypatch.setattr(audio_inputs, "open_folder", lambda parent, title: str(folder))
    qtbot.mouseClick(page.files_button, LEFT)
    wait_done(qtbot, window)
    assert window.predict_view.results_model.rowCount() == 1
    assert all(f"*{suffix}" in asked[0] for suffix in (".wav", ".flac", ".ogg", ".mp3"))
    qtbot.mouseClick(page.folder_button, LEFT)
    wait_done(qtbot, window)
    assert window.predict_view.results_model.rowCount() == 9  # every clip of both classes
