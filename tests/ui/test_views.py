"""The window and its views without TensorFlow: data loading, bad files, model editing.

None of these tests starts the backend, so none imports TensorFlow.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QSpinBox,
)

from tests.ui.conftest import LONG, load
from workbench.core.layers import CATALOG, LayerSpec
from workbench.ui.main_window import DATA_TAB

ROOT = Path(__file__).resolve().parents[2]


def test_window_shows_and_reads_data_without_importing_tensorflow(tmp_path):
    """The window and the data path never import the backend (checked in a fresh process)."""
    code = textwrap.dedent(
        f"""
        import os, sys, time
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        start = time.perf_counter()
        from PySide6.QtWidgets import QApplication
        from workbench.ui.main_window import MainWindow
        app = QApplication([])
        window = MainWindow(); window.show(); app.processEvents()
        shown = time.perf_counter() - start
        early = [m for m in ("pandas", "pyarrow", "sklearn", "scipy") if m in sys.modules]
        assert not early, f"the window imported {{early}} before any data (start-up time)"
        window.data.open_path({str(ROOT / "resources/samples/wordnet_topics.csv")!r})
        while window.table is None and time.perf_counter() - start < 60:
            app.processEvents(); time.sleep(0.01)
        window.close()
        bad = [m for m in ("tensorflow", "keras", "workbench.backend") if m in sys.modules]
        assert window.table is not None, "sample did not load"
        assert not bad, bad
        print(f"shown after {{shown:.2f}} s")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "shown after" in result.stdout


def test_open_file_shows_rows_columns_and_class_counts(qtbot, window, csv_path):
    assert window.windowTitle() == "Training Workbench"
    assert window.training.block_reason().startswith("Load a dataset first")
    load(qtbot, window, csv_path)
    view = window.data_view
    assert view.frame_model.rowCount() == 120
    assert view.text_combo.currentText() == "review"
    assert view.label_combo.currentText() == "sentiment"
    assert view.rows_label.text() == "120"
    assert view.classes_label.text() == "2"
    assert view.counts_model.rowCount() == 2
    assert "words (suggested)" in view.sequence_label.text()
    assert view.stack.currentIndex() == 1
    # The default model for these few short texts, and the person is told which and why.
    assert window.project.layers[0].params["output_mode"] == "multi_hot"
    message = window.statusBar().currentMessage()
    assert "Loaded reviews.csv: 120 rows, 2 classes" in message
    assert "the bow template (120 texts of" in message and "word counts beat word order" in message
    # A sequence model keeps its length fitted to the data.
    window.model.use_template("seed-lstm")
    suggested = window.table.suggested_sequence_length()
    assert window.project.layers[0].params["output_sequence_length"] == suggested
    window.model_view.select_row(0)
    assert window.model_view.param_form.editor("output_sequence_length").value() == suggested
    # No TensorFlow in this test, so Train says why it is off.
    assert window.training.block_reason() == "Waiting for TensorFlow to load…"
    assert not window.train_view.train_button.isEnabled()
    assert window.train_view.reason_label.text() == "Waiting for TensorFlow to load…"


def test_three_classes_adapt_the_output_layer(qtbot, window, three_class_csv):
    load(qtbot, window, three_class_csv)
    assert window.project.layers[-1].describe() == "Dense(3, softmax)"
    assert "output layer → Dense(3, softmax) for 3 classes" in window.statusBar().currentMessage()
    assert window.model_view.stack_model.index(3, 1).data() == "Dense(3, softmax)"


def test_train_tab_offers_the_losses_and_metrics_of_the_loaded_data(
    qtbot, window, csv_path, three_class_csv
):
    view = window.train_view
    load(qtbot, window, csv_path)
    assert view.loss_combo.itemText(0) == "auto (binary cross-entropy)"
    assert view.metric_checks["auc"].isVisibleTo(view)
    assert not view.metric_checks["mae"].isVisibleTo(view)
    load(qtbot, window, three_class_csv)
    assert view.loss_combo.itemText(0) == "auto (sparse categorical cross-entropy)"
    view.loss_combo.setCurrentIndex(view.loss_combo.findData("binary_crossentropy"))
    assert "needs 2 classes" in view.problems_label.text()
    assert "needs 2 classes" in view.config_problems()[0]  # what the window blocks on


def test_bad_files_show_the_problem_and_keep_the_data(
    qtbot, window, csv_path, tmp_path, monkeypatch
):
    load(qtbot, window, csv_path)
    good = window.table
    window.model_view.layers[2].params["units"] = 48  # something the person built
    banner = window.data_view.banner

    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(binary), ""))
    window.tabs.setCurrentIndex(2)
    window.open_action.trigger()  # File > Open dataset… with the dialog answered
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=LONG)
    assert "binary file" in banner.text()
    assert "image.csv" in banner.text()
    assert banner.level == "error"
    assert window.tabs.currentIndex() == DATA_TAB
    assert window.table is good
    assert window.data_view.frame_model.rowCount() == 120
    assert window.model_view.layers[2].params["units"] == 48
    assert "previous data is kept" in window.statusBar().currentMessage()

    banner.clear()
    single = tmp_path / "single.csv"
    single.write_text("text,label\nhello there,a\ngood morning,a\n", encoding="utf-8")
    window.data.open_path(single)
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=LONG)
    assert "single class" in banner.text()
    assert window.table is good

    banner.clear()
    window.data.open_path(tmp_path / "missing.csv")
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=LONG)
    assert "file not found" in banner.text()
    assert window.table is good

    # A good file afterwards clears the message.
    load(qtbot, window, csv_path)
    assert not banner.isVisible()


def test_choosing_columns_rechecks_and_rejects_bad_choices(qtbot, window, tmp_path):
    path = tmp_path / "multi.csv"
    rows = ["id,review,sentiment,topic"]
    for i in range(40):
        rows.append(f"{i},text number {i} about things,{'pos' if i % 2 else 'neg'},t{i % 3}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    load(qtbot, window, path)
    view = window.data_view
    assert (view.text_combo.currentText(), view.label_combo.currentText()) == (
        "review",
        "sentiment",
    )

    def choose_label(name: str) -> None:
        view.label_combo.setCurrentText(name)
        view.label_combo.activated.emit(view.label_combo.currentIndex())

    before = window.table
    choose_label("topic")
    qtbot.waitUntil(lambda: window.table is not before, timeout=LONG)
    assert window.table.label_column == "topic"
    assert view.counts_model.rowCount() == 3
    assert window.project.layers[-1].describe() == "Dense(3, softmax)"
    assert window.project.dataset.label_column == "topic"

    choose_label("review")  # the text column: rejected with the loader's message
    qtbot.waitUntil(lambda: view.banner.isVisible(), timeout=LONG)
    assert "must differ" in view.banner.text()
    assert view.label_combo.currentText() == "topic"  # put back
    assert window.table.label_column == "topic"


def test_dropping_a_file_opens_it(qtbot, window, csv_path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(csv_path))])
    enter = QDragEnterEvent(
        window.rect().center(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(window.rect().center()),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(drop)
    qtbot.waitUntil(lambda: window.table is not None, timeout=LONG)
    assert window.table.path == csv_path


def test_palette_add_remove_and_move_layers(qtbot, window):
    view = window.model_view
    layers = view.layers
    assert [layer.kind for layer in layers] == ["TextVectorization", "Embedding", "LSTM", "Dense"]
    kinds = {
        view.palette_tree.topLevelItem(i).child(j).text(0)
        for i in range(view.palette_tree.topLevelItemCount())
        for j in range(view.palette_tree.topLevelItem(i).childCount())
    }
    assert "GlobalMaxPooling1D" in kinds and "Bidirectional" in kinds and len(kinds) == len(CATALOG)

    changes: list[int] = []
    view.sig_changed.connect(lambda: changes.append(1))
    view.select_row(2)  # LSTM
    items = view.palette_tree.findItems(
        "Dropout", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive
    )
    view.palette_tree.setCurrentItem(items[0])
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    assert [layer.kind for layer in layers][2:4] == ["LSTM", "Dropout"]
    assert view.current_row() == 3
    assert view.stack_model.index(3, 1).data() == "Dropout(0.5)"

    qtbot.mouseClick(view.up_button, Qt.MouseButton.LeftButton)
    assert [layer.kind for layer in layers][1:4] == ["Embedding", "Dropout", "LSTM"]
    qtbot.mouseClick(view.down_button, Qt.MouseButton.LeftButton)
    assert [layer.kind for layer in layers][2:4] == ["LSTM", "Dropout"]
    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
    assert [layer.kind for layer in layers] == ["TextVectorization", "Embedding", "LSTM", "Dense"]
    assert len(changes) == 4
    assert window.project.layers is layers  # the view edits the project's own list


def test_parameter_form_is_generated_from_the_catalog(qtbot, window):
    view = window.model_view
    form = view.param_form
    view.select_row(2)  # LSTM
    units = form.editor("units")
    assert isinstance(units, QSpinBox)
    hint = units.parentWidget().findChild(QLabel, "field_help")
    assert hint.text() == "Size of the output." and units.toolTip() == ""
    assert isinstance(form.editor("return_sequences"), QCheckBox)
    assert isinstance(form.editor("dropout"), QDoubleSpinBox)
    units.setValue(32)
    assert view.layers[2].params["units"] == 32
    assert view.stack_model.index(2, 1).data() == "LSTM(32)"
    form.editor("return_sequences").setChecked(True)
    assert view.layers[2].params["return_sequences"] is True

    view.select_row(0)
    standardize = form.editor("standardize")
    assert isinstance(standardize, QComboBox)
    assert standardize.count() == 6  # Keras's four, and the two that split punctuation off
    editor = form.editor("max_tokens")
    hint = editor.parentWidget().findChild(QLabel, "field_help")
    assert "[UNK]" in hint.text()  # the help is said once, under the field
    assert editor.toolTip() == ""  # not repeated on hover


def test_local_problems_mark_the_row_and_block_training(qtbot, window, csv_path):
    load(qtbot, window, csv_path)
    view = window.model_view
    view.layers[1].params["units"] = 0  # e.g. from a hand-edited project file
    view.refresh()
    assert view.row_errors() == {1: "Units must be at least 1 (got 0)."}
    assert "Layer 2: Units must be at least 1" in view.error_label.text()
    assert window.training.block_reason() == "Layer 2: Units must be at least 1 (got 0)."

    view.layers.clear()
    view.refresh()
    assert "stack is empty" in view.error_label.text()


def test_training_settings_show_their_problems(qtbot, window):
    view = window.train_view
    window.tabs.setCurrentWidget(view)
    assert view.config().optimizer == "adam"
    view.validation_spin.setValue(0.0)
    assert view.problems_label.isVisible()
    assert "Validation fraction" in view.problems_label.text()
    view.validation_spin.setValue(0.2)
    assert not view.problems_label.isVisible()
    view.optimizer_combo.setCurrentText("sgd")
    view.epochs_spin.setValue(3)
    config = view.config()
    assert (config.optimizer, config.epochs, config.batch_size) == ("sgd", 3, 32)


def test_predict_tab_waits_for_a_trained_model(qtbot, window):
    view = window.predict_view
    window.tabs.setCurrentWidget(view)
    assert not view.text_edit.isEnabled()
    assert not view.predict_button.isEnabled()
    assert "Train a model first" in view.availability_label.text()
    assert not window.export_action.isEnabled()


def test_closing_while_a_file_loads_waits_for_the_reader(qtbot, window):
    window.data.open_path(
        Path(__file__).resolve().parents[2] / "resources/samples/wordnet_topics.csv"
    )
    window.close()  # must join the loader thread; the leak check would fail otherwise
    assert not window.tasks.active


def test_layer_added_with_defaults(qtbot, window):
    view = window.model_view
    view.select_row(3)
    view.add_layer("Bidirectional")
    added = view.layers[4]
    assert added == LayerSpec("Bidirectional")
    assert isinstance(view.param_form.editor("layer"), QComboBox)


def test_app_run_shows_the_window_and_opens_a_file_given_on_the_command_line(tmp_path):
    """workbench.ui.app.run in a fresh process, as `workbench gui FILE` calls it; the backend
    start is replaced so TensorFlow never loads, and the window closes once the file is in."""
    data = tmp_path / "given.csv"
    data.write_text("text,label\nfine day,a\nbad day,b\n", encoding="utf-8")
    code = textwrap.dedent(
        """
        import os, sys
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtCore import QTimer
        import workbench.ui.app as app_module

        def start_backend(window):
            print("shown:", window.isVisible(), window.windowTitle(), flush=True)

            def wait_for_data():
                if window.table is None:
                    QTimer.singleShot(20, wait_for_data)
                    return
                print("loaded:", window.table.path.name, len(window.table.frame), flush=True)
                window.close()

            QTimer.singleShot(20, wait_for_data)

        app_module.MainWindow.start_backend = start_backend
        status = app_module.run([sys.argv[1]])
        print("tensorflow loaded:", "tensorflow" in sys.modules)
        sys.exit(status)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(data)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "shown: True Training Workbench" in result.stdout
    assert "loaded: given.csv 2" in result.stdout
    assert "tensorflow loaded: False" in result.stdout


def test_help_about_names_the_app(qtbot, window, monkeypatch):
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "about", lambda parent, title, text: shown.append((title, text))
    )
    window.about_action.trigger()
    assert shown and shown[0][0] == "About Training Workbench"
    assert "TensorFlow not loaded yet" in shown[0][1]


def test_menus_and_shortcuts(qtbot, window):
    assert window.open_action.shortcut().toString() == "Ctrl+O"
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    assert window.sample_menu.actions()[0].text().startswith("Text: WordNet definitions")
    assert window.size().width() >= 1200 and window.size().height() >= 760
