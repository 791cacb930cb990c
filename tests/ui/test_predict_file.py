"""The Predict tab answers a whole file in the window: texts, feature rows or many images.

A tiny Keras model (built here, untrained: its answers need not be right, only the same as
the Predictor's own) is set as the session's predictor, then the real window reads a file
through the Predict controller (the method the buttons' slots call, past the file dialog):
one results table, sortable, with per-class probabilities; saved as a CSV; cancelled
mid-way; and every bad input said in a message, never a traceback.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt, QTimer

from tests.textfixtures import make_texts
from tests.ui.conftest import LONG
from workbench.core.session import ModelSource
from workbench.ui.main_window import MainWindow
from workbench.ui.predict.controller import PREDICT_FILE, SAVE_PREDICTIONS
from workbench.ui.predict.models import SortRole

DIGITS = Path(__file__).resolve().parents[2] / "resources" / "samples" / "digits"
CLASSES = ["neg", "neutral", "pos"]


# -- tiny models -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def text_predictor():
    """Texts -> TextVectorization -> Embedding -> average -> Dense(3, softmax)."""
    import keras

    from workbench.backend.predictor import Predictor

    keras.utils.set_random_seed(1)
    texts = [t for t, _ in make_texts(300, tuple(CLASSES))]
    vectorize = keras.layers.TextVectorization(max_tokens=60, output_sequence_length=8)
    vectorize.adapt(texts)
    inputs = keras.Input(shape=(), dtype="string")
    x = keras.layers.Embedding(60, 4)(vectorize(inputs))
    x = keras.layers.GlobalAveragePooling1D()(x)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x))
    meta = {"kind": "text", "task": "classification", "class_names": CLASSES}
    meta["text_column"] = "review"
    return Predictor(model, meta)


@pytest.fixture(scope="module")
def table_predictor():
    """Two numeric features (width, height) -> Dense(2, softmax)."""
    import keras

    from workbench.backend.predictor import Predictor

    width, height = keras.Input(shape=(1,), name="width"), keras.Input(shape=(1,), name="height")
    joined = keras.layers.Concatenate()([width, height])
    model = keras.Model([width, height], keras.layers.Dense(2, activation="softmax")(joined))
    meta = {"kind": "tabular", "task": "classification", "class_names": ["small", "big"]}
    meta.update(features={"width": "numeric", "height": "numeric"})
    meta.update(inputs={"width": "width", "height": "height"}, fill={})
    return Predictor(model, meta)


@pytest.fixture(scope="module")
def image_predictor():
    """8x8 RGB images -> Dense(10, softmax)."""
    import keras

    from workbench.backend.predictor import Predictor

    inputs = keras.Input(shape=(8, 8, 3))
    x = keras.layers.Flatten()(keras.layers.Rescaling(1 / 255)(inputs))
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x))
    meta = {"kind": "images", "task": "classification", "image_size": [8, 8]}
    meta["class_names"] = [str(d) for d in range(10)]
    return Predictor(model, meta)


def use(window: MainWindow, predictor) -> None:
    window.session.set_predictor(predictor, ModelSource("run 1", "r1", ""))
    window.tabs.setCurrentWidget(window.predict_view)


def reviews(
    path: Path, n: int, text_column: str = "review", labels: bool = True
) -> tuple[Path, list[str]]:
    rows = make_texts(n, tuple(CLASSES), seed=7)
    texts = [f"{t} number {i}" for i, (t, _) in enumerate(rows)]
    frame = pd.DataFrame({"id": range(n), text_column: texts})
    if labels:
        frame["sentiment"] = [s for _, s in rows]
    frame.to_csv(path, index=False)
    return path, texts


def wait_done(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.predict.predicting_file, timeout=LONG)


def predict(qtbot, window: MainWindow, path: Path | str, **kw) -> None:
    window.predict.predict_file(str(path), **kw)
    wait_done(qtbot, window)


def cell(window: MainWindow, row: int, column: int, role=Qt.ItemDataRole.DisplayRole):
    proxy = window.predict_view.results_panel.proxy
    return proxy.data(proxy.index(row, column), role)


# -- texts -----------------------------------------------------------------------------------


def test_a_csv_of_200_texts_fills_one_table_that_matches_the_predictor(
    qtbot, window, tmp_path, text_predictor
) -> None:
    use(window, text_predictor)
    view = window.predict_view
    assert view.text_file_button.isVisible() and view.text_file_button.isEnabled()
    path, texts = reviews(tmp_path / "reviews.csv", 200)

    predict(qtbot, window, path)
    results = view.results()
    assert results is not None, view.banner.text()
    model, proxy = view.results_model, view.results_panel.proxy
    assert model.rowCount() == proxy.rowCount() == 200
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert titles == ["#", "review", "Predicted", "Confidence", "P(neg)", "P(neutral)", "P(pos)"]
    assert view.results_view.isVisible() and not view.batch_progress.isVisible()

    # Every row's probabilities sum to 1 and are the Predictor's own, label included.
    expected = text_predictor.predict(texts)
    table = np.array([[cell(window, r, c, SortRole) for c in range(4, 7)] for r in range(200)])
    np.testing.assert_allclose(table.sum(axis=1), 1.0, atol=1e-5)
    want = np.array([[p.probabilities[c] for c in CLASSES] for p in expected])
    np.testing.assert_allclose(table, want, atol=1e-6)
    assert [cell(window, r, 2) for r in range(200)] == [p.label for p in expected]
    assert cell(window, 0, 0) == "1" and cell(window, 0, 1) == texts[0]
    # The first answer is shown big above the table.
    assert view.label_value.text() == expected[0].label
    assert "row 1 of reviews.csv" in view.text_echo.text()
    assert "200 texts of reviews.csv predicted" in view.results_panel.summary_label.text()

    # Sorting by a header: most confident first, numbers compared as numbers.
    view.results_view.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    confidences = [cell(window, r, 3, SortRole) for r in range(200)]
    assert confidences == sorted(confidences, reverse=True)
    view.results_view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert cell(window, 0, 0) == "200"
    # A row clicked shows its own answer big.
    index = proxy.index(0, 1)
    view.results_view.clicked.emit(index)
    assert "row 200 of reviews.csv" in view.text_echo.text()
    assert view.label_value.text() == expected[199].label

    # Save predictions: the inputs, the label and every probability, read back whole.
    out = tmp_path / "answers.csv"
    window.predict.save_predictions(out)
    qtbot.waitUntil(lambda: not window.tasks.running(SAVE_PREDICTIONS), timeout=LONG)
    assert "Saved 200 predictions" in view.banner.text()
    saved = pd.read_csv(out)
    assert list(saved.columns) == ["row", "review", "prediction", "p_neg", "p_neutral", "p_pos"]
    assert saved["row"].tolist() == list(range(1, 201))  # the file's order, not the sort's
    assert saved["review"].tolist() == texts
    assert saved["prediction"].tolist() == [p.label for p in expected]
    np.testing.assert_allclose(saved[["p_neg", "p_neutral", "p_pos"]].to_numpy(), want, atol=1e-6)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


def test_a_failed_save_says_so_and_keeps_the_table(qtbot, window, tmp_path, text_predictor):
    use(window, text_predictor)
    path, _ = reviews(tmp_path / "reviews.csv", 30)
    predict(qtbot, window, path)
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    window.predict.save_predictions(blocker / "answers.csv")
    qtbot.waitUntil(lambda: not window.tasks.running(SAVE_PREDICTIONS), timeout=LONG)
    view = window.predict_view
    assert view.banner.level == "error"
    assert "answers.csv" in view.banner.text() or "a file" in view.banner.text()
    assert "still shown" in view.banner.text()
    assert view.results_model.rowCount() == 30 and view.results_view.isVisible()


def test_the_text_column_is_the_models_the_only_one_or_the_one_picked(
    qtbot, window, tmp_path, text_predictor, monkeypatch
) -> None:
    use(window, text_predictor)
    view = window.predict_view
    # No 'review' column: the only column of text is used.
    path, texts = reviews(tmp_path / "messages.csv", 12, text_column="message", labels=False)
    predict(qtbot, window, path)
    assert view.results_model.rowCount() == 12
    assert view.results_model.headerData(1, Qt.Orientation.Horizontal) == "message"

    # Two columns of text: the person picks one.
    frame = pd.DataFrame({"title": [f"t{i}" for i in range(5)], "body": texts[:5]})
    frame.to_csv(tmp_path / "two.csv", index=False)
    asked = []

    def pick(name, candidates):
        asked.append((name, candidates))
        return "body"

    monkeypatch.setattr(window.predict, "ask_text_column", pick)
    predict(qtbot, window, tmp_path / "two.csv")
    assert asked == [("two.csv", ["title", "body"])]
    assert view.results_model.rowCount() == 5
    assert cell(window, 0, 1) == texts[0]

    # Picking nothing predicts nothing and keeps the table.
    monkeypatch.setattr(window.predict, "ask_text_column", lambda name, candidates: "")
    predict(qtbot, window, tmp_path / "two.csv")
    assert view.results_model.rowCount() == 5

    # A .txt file: one text per line (empty lines skipped).
    (tmp_path / "notes.txt").write_text("a lovely day\n\nboring and sad\nthe river\n")
    predict(qtbot, window, tmp_path / "notes.txt")
    assert view.results_model.rowCount() == 3
    assert [cell(window, r, 1) for r in range(3)] == ["a lovely day", "boring and sad", "the river"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", "empty"),
        ("header.csv", b"id,review\n", "no data rows"),
        ("numbers.csv", b"width,height\n1,2\n3,4\n", "Columns are: width, height"),
        ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "csv"),
        ("blank.txt", b"\n  \n", "no text to predict"),
    ],
)
def test_a_file_of_texts_that_cannot_be_predicted_is_explained(
    qtbot, window, tmp_path, text_predictor, name, content, expected
) -> None:
    use(window, text_predictor)
    view = window.predict_view
    path = tmp_path / name
    path.write_bytes(content)
    predict(qtbot, window, path)
    assert view.banner.level == "error"
    assert expected.lower() in view.banner.text().lower(), view.banner.text()
    assert "Traceback" not in view.banner.text() and "Unexpected" not in view.banner.text()
    assert view.results() is None and view.text_file_button.isEnabled()


# -- rows and images -------------------------------------------------------------------------


def test_a_table_file_is_predicted_and_missing_columns_are_named(
    qtbot, window, tmp_path, table_predictor
) -> None:
    use(window, table_predictor)
    view = window.predict_view
    frame = pd.DataFrame({"name": ["a", "b", "c"], "width": [1.0, 5.0, 2.0], "height": [2, 3, 4]})
    frame.to_csv(tmp_path / "boxes.csv", index=False)
    predict(qtbot, window, tmp_path / "boxes.csv")
    assert view.results_model.rowCount() == 3, view.banner.text()
    titles = [view.results_model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)]
    assert titles == ["#", "name", "Predicted", "Confidence", "P(small)", "P(big)"]
    expected = table_predictor.predict_table(frame)
    assert [cell(window, r, 2) for r in range(3)] == [p.label for p in expected]

    pd.DataFrame({"name": ["a"], "width": [1.0]}).to_csv(tmp_path / "short.csv", index=False)
    predict(qtbot, window, tmp_path / "short.csv")
    message = view.banner.text()
    assert view.banner.level == "error" and "'height'" in message and "kept" in message
    assert view.results_model.rowCount() == 3  # the previous answers stay


def test_many_images_fill_the_table_and_unreadable_ones_are_counted(
    qtbot, window, tmp_path, image_predictor
) -> None:
    use(window, image_predictor)
    view = window.predict_view
    files = sorted(str(p) for p in DIGITS.glob("*/*.png"))[:70]  # more than one batch
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    window.predict.predict_images([files[0], str(broken), *files[1:], str(tmp_path / "gone.png")])
    wait_done(qtbot, window)
    assert view.results_model.rowCount() == 70, view.banner.text()
    assert "2 of the chosen files could not be read" in view.banner.text()
    assert cell(window, 0, 1) == Path(files[0]).name
    assert cell(window, 1, 0) == "3"  # its place among the chosen files
    assert view.image_model.rowCount() == 70
    expected, _ = image_predictor.predict_images(files[:3])
    assert [cell(window, r, 2) for r in range(3)] == [p.label for p in expected]

    window.predict.predict_images([str(broken)])
    wait_done(qtbot, window)
    assert "broken.png" in view.banner.text() and view.banner.level == "error"


# -- big files: progress, cancel, a window that keeps answering -----------------------------


class SlowPredictor:
    """The text model, a little slower per batch (so Cancel lands mid-way every time)."""

    def __init__(self, predictor, delay: float) -> None:
        self._predictor, self._delay = predictor, delay
        self.meta, self.kind, self.task = predictor.meta, predictor.kind, predictor.task
        self.class_names = predictor.class_names
        self.batches = 0

    def predict(self, texts):
        time.sleep(self._delay)
        self.batches += 1
        return self._predictor.predict(texts)


def big_file(path: Path, n: int) -> Path:
    texts = [t for t, _ in make_texts(n, tuple(CLASSES), seed=3)]
    pd.DataFrame({"review": texts}).to_csv(path, index=False)
    return path


def test_cancel_mid_way_keeps_the_previous_results_and_says_so(
    qtbot, window, tmp_path, text_predictor
) -> None:
    slow = SlowPredictor(text_predictor, delay=0.05)
    use(window, slow)
    view = window.predict_view
    path, _ = reviews(tmp_path / "reviews.csv", 200)
    predict(qtbot, window, path)
    before = view.results()
    assert before is not None and len(before) == 200

    window.predict.predict_file(str(big_file(tmp_path / "big.csv", 100_000)))
    assert view.batch_progress.isVisible() and not view.text_file_button.isEnabled()
    qtbot.waitUntil(lambda: slow.batches >= 4, timeout=LONG)
    assert 0.2 < view.batch_progress.bar.value() / 1000 < 1.0  # predicting, part done
    qtbot.mouseClick(view.batch_progress.cancel_button, Qt.MouseButton.LeftButton)
    assert not window.predict.predicting_file and not view.batch_progress.isVisible()
    assert "cancelled" in view.banner.text() and "kept" in view.banner.text()
    assert view.results() is before and view.results_model.rowCount() == 200
    assert view.text_file_button.isEnabled()
    qtbot.waitUntil(lambda: window.tasks.active == 0, timeout=LONG)  # the thread stopped
    assert slow.batches < 98  # it stopped mid-way, not after the last batch
    assert view.results() is before


def test_100000_texts_keep_the_window_answering(qtbot, window, tmp_path, text_predictor) -> None:
    use(window, text_predictor)
    view = window.predict_view
    path = big_file(tmp_path / "big.csv", 100_000)
    gaps, last = [], [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(tick)
    timer.start()
    try:
        window.predict.predict_file(str(path))
        assert window.tasks.running(PREDICT_FILE)
        wait_done(qtbot, window)
    finally:
        timer.stop()
    results = view.results()
    assert results is not None and len(results) == 100_000, view.banner.text()
    assert max(gaps) < 0.5, f"the window stalled {max(gaps):.2f} s"
    # Only the results are kept: clipped inputs and float32 probabilities, no object per row.
    assert results.probabilities.dtype == np.float32 and results.probabilities.shape == (
        100_000,
        3,
    )
    # Sorting 100,000 rows is quick (numpy, not a comparison per cell in Python).
    started = time.perf_counter()
    view.results_view.sortByColumn(4, Qt.SortOrder.DescendingOrder)
    assert time.perf_counter() - started < 1.0
    assert cell(window, 0, 4, SortRole) == pytest.approx(float(results.probabilities[:, 0].max()))
