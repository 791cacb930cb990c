"""Overriding what the loader guessed, and bad inputs of every kind, in the Data tab.

The person changes the kind, a column's role, the task, the arrays; bad data is explained in
the Data tab and the previous data and model are kept; a long read can be cancelled.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from tests.ui.conftest import LONG, load
from workbench.core.samples import SAMPLES
from workbench.ui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton
PENGUINS = SAMPLES["penguins"].path
DIGITS = SAMPLES["digits"].path


def wait_for_error(qtbot, window: MainWindow) -> str:
    banner = window.data_view.banner
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=LONG)
    assert banner.level == "error"
    return banner.text()


def choose(combo, text: str) -> None:
    """Pick an item the way a person does (activated is what the views listen to)."""
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_kind_override_reloads_and_rejects_bad_kinds(qtbot, window, tmp_path):
    load(qtbot, window, PENGUINS)
    assert window.dataset.kind == "tabular"
    data = window.data_view
    layers = [layer.kind for layer in window.project.layers]
    assert layers[0] == "Dense"

    # Images from a CSV file: explained inline, the table and model stay.
    before = window.dataset
    choose(data.kind_combo, "Image folder")
    message = wait_for_error(qtbot, window)
    assert "penguins.csv" in message
    assert window.dataset is before
    assert data.kind_combo.currentData() == "tabular"  # put back
    assert [layer.kind for layer in window.project.layers] == layers

    # A text CSV opened as a feature table.
    text_csv = tmp_path / "reviews.csv"
    rows = ["review,stars,sentiment"]
    for i in range(60):
        words = "good fine great" if i % 2 else "bad awful poor"
        rows.append(f"{words} film number {i},{i % 5},{'pos' if i % 2 else 'neg'}")
    text_csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    load(qtbot, window, text_csv)
    assert window.dataset.kind == "text"
    assert window.project.layers[0].kind == "TextVectorization"
    assert data.histogram_box.isVisible()
    assert data.histogram_line.value() == window.dataset.suggested_sequence_length()
    before = window.dataset
    choose(data.kind_combo, "Table of features")
    qtbot.waitUntil(lambda: window.dataset is not before, timeout=LONG)
    assert window.dataset.kind == "tabular"
    assert window.project.layers[0].kind == "Dense"  # the default model for tables
    assert data.tabular_box.isVisible()


def test_roles_and_task_overrides_recheck_the_table(qtbot, window):
    load(qtbot, window, PENGUINS)
    data = window.data_view
    table = window.dataset
    assert table.label_column == "species"
    assert "island" in table.features

    before = window.dataset
    choose(data.role_combos["island"], "ignore")
    qtbot.waitUntil(lambda: window.dataset is not before, timeout=LONG)
    assert "island" not in window.dataset.features
    assert "island" in window.dataset.ignored
    assert data.role_combos["island"].currentText() == "ignore"

    # Numeric for a column of words: explained inline, the table stays.
    before = window.dataset
    choose(data.role_combos["sex"], "numeric")
    assert "'sex' cannot be numeric" in wait_for_error(qtbot, window)
    assert window.dataset is before
    assert data.role_combos["sex"].currentText() == "categorical"
    data.banner.clear()

    # Another target: regression on body mass, the head follows.
    before = window.dataset
    choose(data.target_combo, "body_mass_g")
    qtbot.waitUntil(lambda: window.dataset is not before, timeout=LONG)
    assert window.dataset.task == "regression"
    assert data.task_combo.currentText() == "regression"
    assert window.project.layers[-1].describe() == "Dense(1, linear)"
    assert window.project.dataset.task == "regression"

    # Task override: a target of numbers treated as classes is refused (too many values)
    # or accepted; either way the view matches the data.
    before = window.dataset
    choose(data.target_combo, "island")
    qtbot.waitUntil(lambda: window.dataset is not before, timeout=LONG)
    assert window.dataset.task == "classification"
    before = window.dataset
    choose(data.task_combo, "regression")
    assert "regression needs numbers" in wait_for_error(qtbot, window)
    assert window.dataset is before
    assert data.task_combo.currentText() == "classification"


def test_ignoring_a_column_shrinks_the_input(qtbot, make_window):
    window = make_window(backend=True)
    load(qtbot, window, PENGUINS)
    label = window.model_view.input_label
    qtbot.waitUntil(lambda: label.text().startswith("Input after encoding: (None, "), timeout=LONG)

    def width() -> int:
        return int(label.text().rsplit(",", 1)[1].strip(" )"))

    wide = width()
    before = window.dataset
    choose(window.data_view.role_combos["island"], "ignore")  # 3 islands, one-hot
    qtbot.waitUntil(lambda: window.dataset is not before, timeout=LONG)
    qtbot.waitUntil(lambda: label.text().startswith("Input after encoding: (None, "), timeout=LONG)
    qtbot.waitUntil(lambda: width() < wide, timeout=LONG)


def test_edited_model_is_replaced_only_after_asking(qtbot, window, monkeypatch):
    load(qtbot, window, PENGUINS)
    window.model_view.select_row(0)
    window.model_view.param_form.editor("units").setValue(8)  # the person's own edit
    assert window.model.stack_edited
    asked: list[str] = []

    def say_no(parent, title, *args, **kwargs):
        asked.append(title)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", say_no)
    before = window.dataset
    choose(window.data_view.target_combo, "body_mass_g")  # task changes
    qtbot.waitUntil(lambda: window.dataset is not before, timeout=LONG)
    assert asked == ["Replace the model?"]
    assert window.project.layers[0].params["units"] == 8  # kept
    assert window.project.layers[-1].describe() == "Dense(1, linear)"  # head adapted


def test_npz_array_choice_and_missing_arrays(qtbot, window, tmp_path):
    path = tmp_path / "data.npz"
    rng = np.random.default_rng(0)
    np.savez(
        path,
        features=rng.normal(size=(60, 4)).astype("float32"),
        target=np.arange(60) % 3,
        other=rng.normal(size=(60, 2)),
    )
    window.data.open_path(path)
    assert "no array named 'x'" in wait_for_error(qtbot, window)
    assert window.dataset is None
    window.data.open_path(path, x_name="features", y_name="target")
    qtbot.waitUntil(lambda: window.dataset is not None, timeout=LONG)
    data = window.data_view
    assert data.arrays_table.rowCount() == 3
    shapes = {data.arrays_table.item(r, 1).text() for r in range(3)}
    assert "(60, 2)" in shapes and "(60, 4)" in shapes
    before = window.dataset
    choose(data.x_combo, "other")
    qtbot.waitUntil(lambda: window.dataset is not before, timeout=LONG)
    assert window.dataset.x.shape == (60, 2)
    before = window.dataset
    choose(data.y_combo, "other")  # two columns per sample: refused, arrays kept
    assert "must be one value per sample" in wait_for_error(qtbot, window)
    assert window.dataset is before
    assert data.y_combo.currentText() == "target"


def make_folder(root: Path, classes: int, per_class: int = 6) -> Path:
    for c in range(classes):
        for i in range(per_class):
            source = DIGITS / str(c)
            picked = sorted(source.iterdir())[i]
            target = root / f"class{c}"
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(picked, target / picked.name)
    return root


def test_folder_with_one_class_is_refused_and_bad_images_are_skipped(qtbot, window, tmp_path):
    one = make_folder(tmp_path / "one", classes=1)
    window.data.open_path(one)
    assert "a classifier needs at least two" in wait_for_error(qtbot, window)
    assert window.dataset is None

    good = make_folder(tmp_path / "good", classes=2)
    (good / "class0" / "empty.png").write_bytes(b"")
    (good / "class1" / "fake.png").write_bytes(b"this is not a png at all")
    window.data.open_path(good)
    qtbot.waitUntil(lambda: window.dataset is not None, timeout=LONG)
    data = window.data_view
    assert len(window.dataset.files) == 12
    assert data.skipped_box.isVisibleTo(data)
    assert data.skipped_list.count() == 2
    reasons = " ".join(data.skipped_list.item(i).text() for i in range(2))
    assert "empty.png — empty file (0 bytes)" in reasons
    assert "fake.png — not a PNG image" in reasons


def test_dropping_a_folder_opens_it(qtbot, window, tmp_path):
    folder = make_folder(tmp_path / "drop", classes=2)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    drop = QDropEvent(
        QPointF(window.rect().center()),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(drop)
    qtbot.waitUntil(lambda: window.dataset is not None, timeout=LONG)
    assert window.dataset.kind == "images"


def test_split_settings_follow_between_tabs_and_count_per_class(qtbot, window):
    load(qtbot, window, PENGUINS)
    data = window.data_view
    data.validation_spin.setValue(0.3)
    assert window.train_view.validation_spin.value() == pytest.approx(0.3)
    assert window.project.training.validation_fraction == pytest.approx(0.3)
    window.train_view.seed_spin.setValue(7)
    assert data.split_seed_spin.value() == 7
    data.test_spin.setValue(0.2)
    counts = data.split_counts
    total = sum(counts[p]["rows"] for p in ("train", "val", "test"))
    assert total == len(window.dataset.frame)
    assert counts["test"]["rows"] == pytest.approx(0.2 * total, abs=3)
    assert data.split_table.item(data.split_table.rowCount() - 1, 0).text() == "All"


def test_duplicates_and_leakage_are_warnings(qtbot, window, tmp_path):
    path = tmp_path / "dupes.csv"
    rows = ["a,b,label"] + [f"{i % 10},{i % 7},{'x' if i % 2 else 'y'}" for i in range(80)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    load(qtbot, window, path)
    warnings = window.data_view.warnings_label
    assert warnings.isVisibleTo(window.data_view)
    assert "duplicate rows" in warnings.text()
    assert "Leakage:" in warnings.text()
    assert not window.data_view.banner.isVisible()  # warnings, not an error


def big_csv(path: Path, rows: int = 400_000) -> Path:
    rng = np.random.default_rng(1)
    values = rng.normal(size=(rows, 3)).round(4)
    labels = np.where(values[:, 0] > 0, "up", "down")
    with path.open("w", encoding="utf-8") as handle:
        handle.write("f1,f2,f3,label\n")
        for (a, b, c), label in zip(values.tolist(), labels.tolist(), strict=True):
            handle.write(f"{a},{b},{c},{label}\n")
    return path


def test_big_file_previews_at_once_and_cancel_keeps_the_previous_data(
    qtbot, window, tmp_path, monkeypatch
):
    load(qtbot, window, PENGUINS)
    previous = window.dataset
    path = big_csv(tmp_path / "big.csv")
    assert path.stat().st_size > 5_000_000

    import workbench.core.tables as tables

    real = tables.read_table

    def slow_read(path, *, progress=None, cancel=None):
        for step in range(200):  # a slow disk: progress and a chance to cancel
            if cancel():
                raise tables.LoadCancelled("cancelled")
            progress(step / 400)
            time.sleep(0.02)
        return real(path, progress=progress, cancel=cancel)

    monkeypatch.setattr(tables, "read_table", slow_read)
    data = window.data_view
    window.data.open_path(path)
    qtbot.waitUntil(lambda: "preview" in data.file_label.text(), timeout=5000)
    assert data.frame_model.rowCount() == 200
    assert data.load_row.isVisible() and data.cancel_button.isVisible()
    qtbot.waitUntil(lambda: data.load_progress.value() > 0, timeout=5000)
    qtbot.mouseClick(data.cancel_button, LEFT)
    qtbot.waitUntil(lambda: not data.load_row.isVisible(), timeout=LONG)
    assert window.dataset is previous
    assert data.file_label.text() == "penguins.csv"
    assert data.frame_model.rowCount() == len(previous.frame)
    assert "cancelled" in window.statusBar().currentMessage()

    # Not cancelled, the whole file arrives.
    monkeypatch.setattr(tables, "read_table", real)
    window.data.open_path(path)
    qtbot.waitUntil(lambda: window.dataset is not previous, timeout=LONG)
    assert len(window.dataset.frame) == 400_000
    assert not data.load_row.isVisible()
    # The checks of a big table run off the GUI thread and arrive a little later.
    qtbot.waitUntil(
        lambda: sum(part["rows"] for part in data.split_counts.values()) == 400_000,
        timeout=LONG,
    )
    assert "No rows shared between training and validation." in data.facts_label.text()


def test_big_text_file_previews_and_cancels_at_once(qtbot, window, tmp_path, monkeypatch):
    load(qtbot, window, PENGUINS)
    previous = window.dataset
    path = tmp_path / "texts.csv"
    line = "a fairly long review of a film that goes on about the plot and the actors"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("text,label\n")
        for i in range(40_000):
            handle.write(f"{line} {i},{'pos' if i % 2 else 'neg'}\n")
    assert path.stat().st_size > 2 * 1024 * 1024

    import workbench.core.datasets as datasets

    real = datasets.load_text_table

    def slow(*args, **kwargs):  # a slow disk, and a reader that cannot stop midway
        time.sleep(1.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(datasets, "load_text_table", slow)
    data = window.data_view
    window.data.open_path(path)
    qtbot.waitUntil(lambda: "preview" in data.file_label.text(), timeout=5000)
    assert data.frame_model.rowCount() == 200
    qtbot.mouseClick(data.cancel_button, LEFT)
    assert not data.load_row.isVisible()  # at once, not when the reader finishes
    assert window.dataset is previous
    assert data.file_label.text() == "penguins.csv"
    qtbot.waitUntil(lambda: not window.tasks.active, timeout=LONG)
    assert window.dataset is previous  # the late result was dropped


def test_text_folder_opens_as_texts(qtbot, window, tmp_path):
    root = tmp_path / "notes"
    for label, words in (("spam", "win money now"), ("ham", "see you at lunch")):
        (root / label).mkdir(parents=True)
        for i in range(8):
            (root / label / f"{i}.txt").write_text(f"{words} {i}", encoding="utf-8")
    window.data.open_path(root)
    qtbot.waitUntil(lambda: window.dataset is not None, timeout=LONG)
    data = window.data_view
    assert window.dataset.kind == "text"
    assert data.kind_combo.currentData() == "text"
    assert data.text_box.isVisible()
    assert data.counts_model.rowCount() == 2
    assert window.project.layers[0].kind == "TextVectorization"
