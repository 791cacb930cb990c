"""Model menu and File menu additions: templates, diagram, Keras import, script export."""

from __future__ import annotations

import py_compile

from PySide6.QtCore import Qt

from tests.ui.conftest import LONG, load
from workbench.core.templates import text_cnn


def test_template_replaces_the_stack_and_can_be_undone(qtbot, window):
    before = [layer.describe() for layer in window.project.layers]
    window.model.fill_template_menu(window.template_menu)
    titles = [a.text() for a in window.template_menu.actions()]
    assert titles[0].startswith("Text: bag of n-grams") and len(titles) == 5
    assert titles[1].startswith("Seed LSTM (masked)")
    assert titles[-1].startswith("Text: Transformer")
    window.model.use_template("text-cnn")
    assert [x.describe() for x in window.project.layers] == [x.describe() for x in text_cnn()]
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [layer.describe() for layer in window.project.layers] == before


def test_diagram_follows_the_stack(qtbot, window):
    view = window.model_view
    view.stack_tabs.setCurrentWidget(view.diagram)
    view.select_row(2)
    view.add_layer("Dropout")
    titles = view.diagram.box_titles()
    assert titles[0] == "Input" and titles[-1] == "Output"
    assert titles[1:-1] == [layer.describe() for layer in window.project.layers]
    view.diagram.sig_row_clicked.emit(1)
    assert view.current_row() == 1


def test_import_a_plain_keras_model(qtbot, tmp_path, make_window, monkeypatch):
    import keras
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: shown.append(a[2]))
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(12, activation="relu"),
            keras.layers.GaussianNoise(0.1),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.save(tmp_path / "plain.keras")
    window = make_window(backend=True)
    window.model.import_model(tmp_path / "plain.keras")
    qtbot.waitUntil(lambda: window.project.layers[0].describe() == "Dense(12, relu)", timeout=LONG)
    assert [x.describe() for x in window.project.layers] == ["Dense(12, relu)", "Dense(2, softmax)"]
    assert shown and "gaussian_noise (GaussianNoise)" in shown[0]
    assert window.model.initial_weights is not None and len(window.model.initial_weights) == 2


def test_export_keras_script_for_the_loaded_data(qtbot, tmp_path, make_window, csv_path):
    window = make_window(backend=True)
    load(qtbot, window, csv_path)
    script = tmp_path / "train.py"
    window.projects.export_script(script)
    qtbot.waitUntil(script.exists, timeout=LONG)
    qtbot.waitUntil(lambda: "Wrote" in window.statusBar().currentMessage(), timeout=LONG)
    py_compile.compile(str(script), doraise=True)
    text = script.read_text()  # the default for these short texts: the bag of n-grams
    assert "output_mode='multi_hot'" in text and "standardize=lower_with_markers," in text
