"""Autosave of the editor in the real window: written on change, restored after a crash,
cleared on a clean close, and never a traceback or a dialog loop when it cannot be written.

No TensorFlow here: the data is read by the window's normal open path.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.core.test_autosave import dead_pid
from tests.ui.conftest import LONG, load
from workbench.core import autosave
from workbench.core.project import Project
from workbench.ui import autosave as autosave_ui
from workbench.ui.main_window import MODEL_TAB, MainWindow


def autosaved(window: MainWindow) -> dict:
    return json.loads(window.autosave.session.path.read_text())["project"]


def crashed_session(csv_path: Path | None, units: int = 24, batch: int = 8) -> Path:
    """What a killed window leaves: its edited project, owned by a process that is gone."""
    project = Project()
    if csv_path is not None:
        project.dataset.path = str(csv_path)
        project.dataset.text_column, project.dataset.label_column = "review", "sentiment"
    project.layers[2].params["units"] = units
    project.training.batch_size = batch
    project.training.learning_rate = 0.02
    return autosave.write(project.to_dict(), owner_pid=dead_pid())


def test_a_layer_edit_is_autosaved_within_a_second_and_a_clean_close_removes_it(qtbot, window):
    path = window.autosave.session.path
    assert not path.exists()  # nothing changed yet: nothing written
    window.tabs.setCurrentIndex(MODEL_TAB)
    window.model_view.select_row(2)
    window.model_view.param_form.editor("units").setValue(24)
    assert window.autosave.debounce.isActive() and window.autosave.periodic.isActive()
    qtbot.waitUntil(path.exists, timeout=3000)  # the debounce fires; no 30 s wait
    assert autosaved(window)["layers"][2]["params"]["units"] == 24
    assert path.stat().st_size < 8 * 1024
    assert window.autosave.last_size == path.stat().st_size

    # Settings too, and an undo is a change like any other.
    window.train_view.batch_spin.setValue(12)
    assert window.autosave.flush()
    assert autosaved(window)["training"]["batch_size"] == 12
    window.model_view.undo_action.trigger()
    window.autosave.flush()
    assert autosaved(window)["layers"][2]["params"]["units"] != 24
    # This window is alive: not a crash, so no other window offers to restore it.
    assert autosave.crashed() == ([], [])

    window.close()
    assert not path.exists()
    assert not window.autosave.debounce.isActive() and not window.autosave.periodic.isActive()


def test_the_data_choice_is_autosaved_when_data_is_loaded(qtbot, window, csv_path):
    load(qtbot, window, csv_path)
    window.autosave.flush()
    dataset = autosaved(window)["dataset"]
    assert Path(dataset["path"]) == csv_path and dataset["label_column"] == "sentiment"


def test_after_a_crash_restore_brings_back_data_layers_and_settings(qtbot, csv_path, monkeypatch):
    crashed = crashed_session(csv_path)
    asked = []
    monkeypatch.setattr(
        autosave_ui, "ask_restore", lambda parent, saved: asked.append(saved.path) or "restore"
    )
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert window.autosave.offer_restore() == "restore"
    assert window.autosave.offer_restore() is None  # asked once per start
    assert asked == [crashed]
    # Layers and settings at once; the data as File > Open would read it.
    assert window.project.layers[2].params["units"] == 24
    assert window.train_view.config().batch_size == 8
    assert window.train_view.config().learning_rate == 0.02
    qtbot.waitUntil(lambda: window.table is not None, timeout=LONG)
    assert Path(window.table.path) == csv_path
    assert window.project.dataset.label_column == "sentiment"
    assert window.project.layers[2].params["units"] == 24  # the data kept them
    assert window.train_view.config().batch_size == 8
    # The restore is one undo step, and the work is this session's autosave now.
    assert "Restore the unsaved work" in window.model_view.undo_action.text()
    assert not crashed.exists()
    window.autosave.flush()
    assert Path(autosaved(window)["dataset"]["path"]) == csv_path
    assert autosaved(window)["layers"][2]["params"]["units"] == 24


def test_restore_without_its_data_file_says_it_is_missing(qtbot, tmp_path, monkeypatch):
    crashed_session(tmp_path / "gone.csv", units=12)
    monkeypatch.setattr(autosave_ui, "ask_restore", lambda *a: "restore")
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.autosave.offer_restore()
    assert window.project.layers[2].params["units"] == 12
    assert window.train_view.config().batch_size == 8
    message = window.statusBar().currentMessage()
    assert "gone.csv is missing" in message and "Open dataset" in message
    assert window.table is None


def test_later_keeps_it_for_the_next_start_and_discard_deletes_it(qtbot, monkeypatch):
    crashed = crashed_session(None)
    default = [layer.describe() for layer in Project().layers]
    for answer in ("later", "discard"):
        monkeypatch.setattr(autosave_ui, "ask_restore", lambda *a, answer=answer: answer)
        window = MainWindow()
        qtbot.addWidget(window)
        assert window.autosave.offer_restore() == answer
        assert [layer.describe() for layer in window.project.layers] == default
        assert crashed.exists() == (answer == "later")
        window.close()


@pytest.mark.parametrize(
    "content",
    [
        b"{ not json",
        b"[1, 2, 3]",
        json.dumps(
            {
                "format": autosave.FORMAT,
                "version": 1,
                "pid": 1,
                "saved": 1.0,
                "project": {"layers": [{"kind": "Dense", "params": {"units": "many"}}]},
            }
        ).encode(),
    ],
    ids=["invalid-json", "a-list", "wrong-types"],
)
def test_a_damaged_autosave_is_set_aside_and_the_window_starts(qtbot, monkeypatch, content):
    path = crashed_session(None)
    path.write_bytes(content)
    monkeypatch.setattr(autosave_ui, "ask_restore", lambda *a: pytest.fail("asked"))
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert window.autosave.offer_restore() is None
    assert "could not be restored" in window.statusBar().currentMessage()
    assert not path.exists()
    assert path.with_name(path.name.replace(".json", ".damaged.json")).exists()
    assert window.project.layers[-1].kind == "Dense"  # the default stack, untouched


def test_an_unwritable_autosave_folder_is_said_once_in_the_status_bar(qtbot, monkeypatch):
    shown = []
    for name in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(lambda *a, **k: shown.append(a)))
    where = autosave.folder()
    where.parent.mkdir(parents=True, exist_ok=True)
    where.write_text("a file where the folder should be")  # fails for root too, unlike chmod
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.model_view.select_row(2)
    window.model_view.param_form.editor("units").setValue(24)
    assert window.autosave.flush() is False
    message = window.statusBar().currentMessage()
    assert message.startswith("Autosave failed") and "Save project" in message
    window.statusBar().showMessage("something else")
    window.model_view.param_form.editor("units").setValue(25)
    assert window.autosave.flush() is False
    assert window.statusBar().currentMessage() == "something else"  # said once, not again
    assert shown == []
    window.close()  # clearing an autosave that could not be written is no error either


def test_the_restore_question_reads_well(qtbot, monkeypatch):
    """The real dialog: title, time, buttons; Restore is the default, closing means later."""
    crashed_session(Path("/data/reviews.csv"))
    (saved,), _ = autosave.crashed()
    window = MainWindow()
    qtbot.addWidget(window)
    seen = {}

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen["title"] = box.windowTitle()
        seen["text"] = box.text()
        seen["info"] = box.informativeText()
        seen["buttons"] = [b.text() for b in box.buttons()]
        seen["default"] = box.defaultButton().text()
        next(b for b in box.buttons() if b.text() == "Discard").click()

    QTimer.singleShot(0, answer)
    assert autosave_ui.ask_restore(window, saved) == autosave_ui.DISCARD
    assert seen["title"] == "Restore unsaved work?"
    assert seen["text"].startswith("Restore the unsaved work from today at ")
    assert "reviews.csv" in seen["info"] and "4 layers" in seen["info"]
    assert seen["buttons"] == ["Restore", "Discard"] and seen["default"] == "Restore"


def test_when_is_said_in_words() -> None:
    noon = 1_780_000_000.0
    assert autosave_ui.when(noon, noon + 60).startswith("today at ")
    assert autosave_ui.when(noon, noon + 86400).startswith("yesterday at ")
    assert " at " in autosave_ui.when(noon, noon + 10 * 86400)
