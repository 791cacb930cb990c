"""File ▸ Export model… in the real window: a trained model exported, checked and reported.

A model is trained on the bundled text sample for one epoch, then exported from the File
menu's dialog as Keras and as SavedModel (LiteRT and ONNX are covered by the backend tests);
an output folder that already exists is refused in the dialog, which stays open.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from tests.ui.conftest import LONG
from workbench.core.parity import ParityReport
from workbench.core.samples import DEFAULT_SAMPLE
from workbench.ui.export.dialog import ExportDialog
from workbench.ui.export.task import ExportOutcome, suggest_output
from workbench.ui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton
EXPORT_WAIT = 120_000  # ms: TensorFlow writes and checks the export on busy cores


def file_menu_action(window: MainWindow, text: str) -> QAction:
    """The File menu's action called ``text`` (as a person finds it)."""
    (file_menu,) = [a.menu() for a in window.menuBar().actions() if a.text() == "&File"]
    (action,) = [a for a in file_menu.actions() if a.text().replace("&", "") == text]
    return action


def train_sample(qtbot, window: MainWindow) -> None:
    window.sample_actions[DEFAULT_SAMPLE.name].trigger()  # File > Open sample > …
    qtbot.waitUntil(lambda: window.table is not None, timeout=LONG)
    qtbot.waitUntil(lambda: window.backend_ready, timeout=LONG)
    view = window.train_view
    window.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.train_button.isEnabled(), timeout=LONG)
    view.epochs_spin.setValue(1)
    qtbot.mouseClick(view.train_button, LEFT)
    qtbot.waitUntil(lambda: window.is_training, timeout=LONG)
    qtbot.waitUntil(lambda: not window.is_training, timeout=LONG * 3)
    assert window.predictor is not None, view.banner.text()


def open_export_dialog(qtbot, window: MainWindow) -> ExportDialog:
    action = file_menu_action(window, "Export model…")
    assert action.isEnabled()
    action.trigger()
    dialog = window.exporter.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def export(qtbot, dialog: ExportDialog, fmt: str, output: Path) -> None:
    dialog.set_format(fmt)
    dialog.set_output(output)
    dialog.rows_spin.setValue(100)
    qtbot.mouseClick(dialog.export_button, LEFT)
    assert dialog.running and not dialog.close_button.isVisible()
    qtbot.waitUntil(lambda: not dialog.running, timeout=EXPORT_WAIT)


def test_export_needs_a_model(window):
    action = file_menu_action(window, "Export model…")
    assert not action.isEnabled()
    assert action.toolTip() == "Train or open a model first"


def test_keras_and_savedmodel_exports_are_checked_and_reported(qtbot, make_window, tmp_path):
    window = make_window(backend=True)
    train_sample(qtbot, window)
    run_model = window.exporter.model_path()
    assert run_model is not None and run_model.name == "model.keras"
    dialog = open_export_dialog(qtbot, window)
    assert dialog.model_path == run_model
    assert dialog.output_edit.text() == str(run_model.parent / "export-savedmodel")
    dialog.set_format("keras")  # the suggestion follows the format
    assert dialog.output_edit.text() == str(run_model.parent / "export-keras")

    keras_out = tmp_path / "as-keras"
    export(qtbot, dialog, "keras", keras_out)
    panel = dialog.report_panel
    assert dialog.banner.text() == ""
    assert dialog.progress_bar.value() == 1000  # the backend's progress reached the dialog
    assert "Parity passed on 100 rows" in panel.verdict(), panel.verdict()
    names = panel.file_names()
    assert "parity.json" in names and "MODEL_CARD.md" in names
    assert keras_out.is_dir() and (keras_out / "parity.json").is_file()
    assert panel.values()["Rows checked"] == "100"
    assert panel.values()["Preprocessing"] == "inside the model"
    assert not panel.split_label.isVisibleTo(panel)
    qtbot.mouseClick(panel.card_button, LEFT)
    assert panel.card_dialog is not None and "Parity" in panel.card_dialog.text()
    panel.card_dialog.close()

    saved_out = tmp_path / "as-savedmodel"
    export(qtbot, dialog, "savedmodel", saved_out)
    assert "Parity passed" in panel.verdict(), dialog.banner.text()
    assert (saved_out / "1").is_dir()
    assert "parity.json" in panel.file_names()
    assert any(name.startswith("1/") for name in panel.file_names())
    assert dialog.isVisible()
    assert "Exported to" in window.statusBar().currentMessage()


def test_an_existing_folder_is_refused_in_the_dialog(qtbot, make_window, tmp_path):
    window = make_window(backend=True)
    train_sample(qtbot, window)
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    dialog = open_export_dialog(qtbot, window)
    export(qtbot, dialog, "keras", taken)
    message = dialog.banner.text()
    assert str(taken) in message and "already exists" in message, message
    assert "Traceback" not in message
    assert dialog.isVisible() and dialog.export_button.isEnabled()
    assert dialog.report_panel.verdict() == ""
    assert sorted(p.name for p in taken.iterdir()) == ["keep.txt"]
    assert (taken / "keep.txt").read_text() == "mine"

    # The person picks a new folder and tries again in the same dialog.
    export(qtbot, dialog, "keras", tmp_path / "fresh")
    assert "Parity passed" in dialog.report_panel.verdict(), dialog.banner.text()


def test_the_suggested_folder_is_new(tmp_path):
    model = tmp_path / "model.keras"
    assert suggest_output(model, "onnx") == tmp_path / "export-onnx"
    (tmp_path / "export-onnx").mkdir()
    (tmp_path / "export-onnx-2").mkdir()
    assert suggest_output(model, "onnx") == tmp_path / "export-onnx-3"


def test_a_failed_check_with_split_preprocessing_is_said_plainly(qtbot, tmp_path):
    report = ParityReport(
        format="onnx",
        path=str(tmp_path / "out" / "model.onnx"),
        rows=200,
        label_agreement=0.9,
        max_abs_diff=0.2,
        keras_ms_per_row=0.5,
        runtime_ms_per_row=0.1,
        runtime="onnxruntime",
        task="classification",
        check_data="200 rows of the validation split of texts.csv",
        preprocessing="preprocessing.json, run in Python",
        worst_rows=[{"row": 7, "keras": "1 p=0.9", "runtime": "0 p=0.6", "diff": 0.2}],
        notes=["The text standardisation runs in Python from preprocessing.json."],
    )
    (tmp_path / "out").mkdir()
    files = [tmp_path / "out" / "model.onnx", tmp_path / "out" / "preprocessing.json"]
    dialog = ExportDialog(tmp_path / "model.keras", "run 1")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_running(True)
    dialog.show_outcome(ExportOutcome("onnx", tmp_path / "out", report, files, [], "bad"))
    panel = dialog.report_panel
    assert panel.verdict().startswith("✗ ONNX: Parity FAILED on 200 rows")
    assert panel.split_label.isVisible() and "preprocessing.json" in panel.split_label.text()
    assert "runs in Python" in panel.split_label.text()
    assert panel.values()["Label agreement"] == "90.00%"
    assert panel.values()["onnxruntime, per row"] == "0.1 ms"
    assert "text standardisation" in panel.notes_label.text()
    assert panel.file_names() == ["model.onnx", "preprocessing.json"]
    assert "parity.json is marked FAILED" in dialog.banner.text()
    assert not dialog.running and dialog.close_button.isVisible()


def test_closing_the_window_mid_export_waits_for_it(qtbot, make_window, tmp_path):
    window = make_window(backend=True)
    train_sample(qtbot, window)
    dialog = open_export_dialog(qtbot, window)
    dialog.set_format("keras")
    dialog.set_output(tmp_path / "late")
    qtbot.mouseClick(dialog.export_button, LEFT)
    assert window.exporter.running
    dialog.reject()  # Close/Esc: refused while the export runs
    assert dialog.isVisible()
    assert window.close()  # the one way out waits for the export's thread
    assert window.tasks.active == 0 and not dialog.isVisible()
