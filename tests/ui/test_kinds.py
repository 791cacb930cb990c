"""Every kind of data through the real window and backend: open, check, train, predict.

Penguins (feature table, classification and regression), the digits image folder and the
digits .npz: each opened from File > Open sample, summarised by the backend, trained for an
epoch with small settings, and asked for a prediction in the Predict tab.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import LONG
from workbench.ui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def live_window(make_window) -> MainWindow:
    """A window with the backend loading TensorFlow behind it."""
    return make_window(backend=True)


def open_sample(qtbot, window: MainWindow, name: str) -> None:
    before = window.dataset
    window.sample_actions[name].trigger()  # File > Open sample > …
    qtbot.waitUntil(
        lambda: window.dataset is not None and window.dataset is not before, timeout=LONG
    )
    qtbot.waitUntil(lambda: window.train_view.train_button.isEnabled(), timeout=LONG)


def train_briefly(qtbot, window: MainWindow, epochs: int = 1, batch: int = 64) -> None:
    view = window.train_view
    window.tabs.setCurrentWidget(view)
    view.epochs_spin.setValue(epochs)
    view.batch_spin.setValue(batch)
    qtbot.waitUntil(lambda: view.train_button.isEnabled(), timeout=LONG)
    qtbot.mouseClick(view.train_button, LEFT)
    qtbot.waitUntil(lambda: not window.is_training, timeout=LONG)
    assert window.predictor is not None, view.banner.text()
    window.tabs.setCurrentWidget(window.predict_view)


def test_penguins_table_trains_and_predicts_from_the_form(qtbot, live_window):
    window = live_window
    open_sample(qtbot, window, "penguins")
    data = window.data_view
    assert window.dataset.kind == "tabular"
    assert data.kind_combo.currentData() == "tabular"
    assert data.target_combo.currentText() == "species"
    assert data.tabular_box.isVisible() and not data.text_box.isVisible()
    assert data.counts_model.rowCount() == 3
    assert "bill_length_mm" in data.role_combos
    assert window.project.layers[0].kind == "Dense"
    assert window.project.layers[-1].describe() == "Dense(3, softmax)"
    assert window.model_view.input_label.text().startswith("Input after encoding: (None, ")
    # split counts per class for the parts
    assert data.split_table.rowCount() == 4  # 3 species + All
    assert data.split_counts["val"]["rows"] > 0

    train_briefly(qtbot, window, epochs=2, batch=32)
    predict = window.predict_view
    assert predict.pages.currentIndex() == 1
    edit = predict.feature_edits["bill_length_mm"]
    assert edit.text() != ""  # prefilled from the first row
    qtbot.mouseClick(predict.row_button, LEFT)
    classes = set(window.dataset.class_names())
    qtbot.waitUntil(lambda: predict.label_value.text() in classes, timeout=LONG)
    assert set(predict.probability_model.probabilities()) == classes

    # A bad number in the form is explained in place, nothing is sent.
    edit.setText("long")
    qtbot.mouseClick(predict.row_button, LEFT)
    assert "'bill_length_mm' needs a number" in predict.banner.text()

    # Other columns make the trained model useless for the data: Predict waits for a new one.
    data = window.data_view
    index = data.role_combos["island"].findText("ignore")
    data.role_combos["island"].setCurrentIndex(index)
    data.role_combos["island"].activated.emit(index)
    qtbot.waitUntil(lambda: "island" not in window.dataset.features, timeout=LONG)
    assert window.predictor is None
    assert not predict.row_button.isEnabled()
    assert "island" not in predict.feature_edits


def test_penguins_mass_regression_shows_mae_and_a_number(qtbot, live_window, tmp_path):
    window = live_window
    open_sample(qtbot, window, "penguins-mass")
    assert window.dataset.task == "regression"
    assert window.data_view.classes_label.text() == "— (regression)"
    assert not window.data_view.counts_box.isVisible()
    assert window.project.layers[-1].describe() == "Dense(1, linear)"
    window.train_view.test_spin.setValue(0.1)
    assert window.project.training.test_fraction == pytest.approx(0.1)
    assert window.data_view.test_spin.value() == pytest.approx(0.1)
    train_briefly(qtbot, window, epochs=2, batch=32)
    plots = window.train_view.plots
    assert plots.second_metric == "mae"
    assert plots.point_counts()["val_accuracy"] == 2  # the MAE curve
    result = window.train_view.result_label.text()
    assert "Test part:" in result and "mae" in result

    predict = window.predict_view
    assert predict.label_title.text() == "Predicted value"
    qtbot.mouseClick(predict.row_button, LEFT)
    qtbot.waitUntil(lambda: predict.label_value.text() != "—", timeout=LONG)
    float(predict.label_value.text())  # a number
    assert not predict.probability_view.isVisible()

    # A whole CSV file of rows to predict.
    csv = tmp_path / "new.csv"
    window.dataset.frame.head(5).to_csv(csv, index=False)
    window.predict.predict_file(str(csv))
    qtbot.waitUntil(lambda: predict.results_view.isVisible(), timeout=LONG)
    assert predict.results_model.rowCount() == 5


def test_digits_folder_shows_thumbnails_trains_and_predicts_images(qtbot, live_window, tmp_path):
    window = live_window
    open_sample(qtbot, window, "digits")
    data = window.data_view
    folder = window.dataset
    assert folder.kind == "images"
    assert data.image_model.rowCount() == len(folder.files)
    assert data.image_view.isVisible()
    qtbot.waitUntil(lambda: data.image_model.decoded > 0, timeout=5000)
    assert data.image_model.decoded < len(folder.files) // 2  # lazily: only what is painted
    assert window.project.layers[0].kind == "Conv2D"
    data.augment_check.setChecked(True)
    assert window.project.dataset.augment

    # Smaller images for speed: the input shape follows.
    data.height_spin.setValue(16)
    data.width_spin.setValue(16)
    data.width_spin.editingFinished.emit()
    qtbot.waitUntil(lambda: tuple(window.dataset.image_size) == (16, 16), timeout=LONG)
    qtbot.waitUntil(lambda: "16, 16" in window.model_view.input_label.text(), timeout=LONG)
    assert window.project.dataset.augment  # kept across the resize

    train_briefly(qtbot, window, epochs=1, batch=64)
    predict = window.predict_view
    assert predict.pages.currentIndex() == 2
    bad = tmp_path / "empty.png"
    bad.write_bytes(b"")
    paths = [folder.files[0], folder.files[-1], str(bad)]
    window.predict.predict_images(paths)
    qtbot.waitUntil(lambda: predict.image_model.rowCount() == 2, timeout=LONG)
    assert predict.label_value.text() in set(folder.class_names)
    assert "1 of the chosen files could not be read" in predict.banner.text()


def test_digits_npz_picks_a_row_and_predicts(qtbot, live_window):
    window = live_window
    open_sample(qtbot, window, "digits-npz")
    data = window.data_view
    arrays = window.dataset
    assert arrays.kind == "npz"
    assert data.arrays_table.rowCount() == len(arrays.array_names)
    assert data.x_combo.currentText() == arrays.x_name
    train_briefly(qtbot, window, epochs=1, batch=64)
    predict = window.predict_view
    assert predict.pages.currentIndex() == 3
    predict.index_spin.setValue(5)
    qtbot.mouseClick(predict.index_button, LEFT)
    classes = set(arrays.class_names())
    qtbot.waitUntil(lambda: predict.label_value.text() in classes, timeout=LONG)
    assert "in the file" in predict.index_truth.text()


def test_bad_images_are_skipped_and_training_still_works(qtbot, live_window, tmp_path):
    import shutil

    from workbench.core.samples import SAMPLES

    root = tmp_path / "pics"
    for digit in ("3", "7"):
        target = root / f"digit{digit}"
        target.mkdir(parents=True)
        for source in sorted((SAMPLES["digits"].path / digit).iterdir())[:20]:
            shutil.copy(source, target / source.name)
    (root / "digit3" / "zero.png").write_bytes(b"")
    (root / "digit7" / "broken.jpg").write_bytes(b"\xff\xd8 truncated jpeg")
    (root / "digit7" / "text.png").write_text("not an image", encoding="utf-8")
    window = live_window
    window.data.open_path(root)
    qtbot.waitUntil(lambda: window.dataset is not None, timeout=LONG)
    qtbot.waitUntil(lambda: window.train_view.train_button.isEnabled(), timeout=LONG)
    skipped = window.data_view.skipped_list
    assert skipped.count() == 3
    names = " ".join(skipped.item(i).text() for i in range(skipped.count()))
    assert "zero.png" in names and "text.png" in names
    assert "broken.jpg" in names  # a JPEG start with no end: a partial file
    assert "skipped" in window.data_view.warnings_label.text()
    train_briefly(qtbot, window, epochs=1, batch=16)
    assert "Finished 1 epoch" in window.train_view.result_label.text()
