"""The window's shell: every tab follows the session, undo works from anywhere, the status bar
never cuts a message, file dialogs remember the folder, and background tasks supersede."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.textfixtures import write_csv
from tests.ui.conftest import load
from workbench.core.session import ModelSource
from workbench.ui import file_dialogs
from workbench.ui.tasks import TaskRunner

CTRL = Qt.KeyboardModifier.ControlModifier


class _FakePredictor:
    kind = "text"
    task = "classification"


def test_opening_other_data_clears_every_result_of_the_old_data(qtbot, window, tmp_path):
    first = write_csv(tmp_path / "first.csv", n=60)
    second = write_csv(tmp_path / "second.csv", n=60)
    load(qtbot, window, first)
    # As after a run on the first file: a model that predicts, a headline, an answer shown.
    window.session.set_predictor(_FakePredictor(), ModelSource("run 1", "r1", str(first)))
    window.train_view.finish_run("Finished 3 epochs. Best validation accuracy 80.6%.", None, False)
    window.predict_view.text_echo.setText("for: “an old text”")
    assert window.predict_view.text_edit.isEnabled()
    assert "run 1 (trained on first.csv)" in window.predict_view.source_label.text()

    load(qtbot, window, second)

    assert window.predictor is None
    assert window.predict_view.text_echo.text() == ""
    assert not window.predict_view.text_edit.isEnabled()
    assert "open a run" in window.predict_view.availability_label.text()
    assert not window.predict_view.source_label.isVisible()
    assert window.train_view.result_label.text() == ""
    assert window.train_view.progress_label.text() == "No run on this data yet."
    assert "first.csv" in window.train_view.banner._label.text()


def test_reloading_the_same_file_keeps_the_model(qtbot, window, csv_path):
    load(qtbot, window, csv_path)
    predictor = _FakePredictor()
    window.session.set_predictor(predictor, ModelSource("run 1", "r1", str(csv_path)))
    window.data.open_path(csv_path)  # same file, same inputs
    qtbot.waitUntil(lambda: not window.tasks.active, timeout=10_000)
    assert window.predictor is predictor


def test_ctrl_z_after_adding_from_the_palette_search_undoes_the_layer(qtbot, window):
    view = window.model_view
    window.show_tab(view)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    before = [layer.kind for layer in view.layers]
    search = view.palette_search
    search.setFocus()
    qtbot.keyClicks(search, "dropout")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert len(view.layers) == len(before) + 1
    qtbot.keyClick(search, Qt.Key.Key_Z, CTRL)
    assert [layer.kind for layer in view.layers] == before
    qtbot.keyClick(search, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert len(view.layers) == len(before) + 1  # redo works from the field as well


def test_ctrl_z_on_another_tab_undoes_the_stack_and_shows_it(qtbot, window):
    view = window.model_view
    before = len(view.layers)
    view.add_layer("Dropout")
    window.show_tab(window.train_view)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    spin = window.train_view.epochs_spin
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Z, CTRL)  # the spin box has no typing of its own to undo
    assert len(view.layers) == before
    assert window.tabs.currentWidget() is view


def test_a_long_status_message_is_elided_never_cut(qtbot, window):
    window.resize(700, 500)
    bar = window.statusBar()
    message = "Loaded reviews.csv: " + "3,483 samples, " * 20 + "the end."
    bar.showMessage(message)
    assert bar.currentMessage() == message
    assert bar.toolTip() == message
    shown = super(type(bar), bar).currentMessage()
    assert shown.endswith("…") and len(shown) < len(message)
    assert bar.fontMetrics().horizontalAdvance(shown) <= bar.width()
    bar.showMessage("Short.")
    assert bar.toolTip() == "" and super(type(bar), bar).currentMessage() == "Short."


def test_file_dialogs_start_in_the_last_folder_used(qtbot, window, csv_path, monkeypatch):
    file_dialogs.forget()
    starts: list[str] = []

    def fake_open(parent, title, start, filters):
        starts.append(start)
        return (str(csv_path), "") if len(starts) == 1 else ("", "")  # then: Cancel

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake_open))
    window.data.open_dataset_dialog()
    qtbot.waitUntil(lambda: window.dataset is not None, timeout=10_000)
    assert Path(starts[0]) != Path.cwd() or Path.cwd() == Path.home()
    window.projects.open_project_dialog()  # another dialog starts where the data was
    assert Path(starts[1]) == csv_path.parent
    file_dialogs.forget()  # read back from the workspace, as after a restart
    assert file_dialogs.last_folder() == csv_path.parent


def test_a_newer_task_supersedes_an_older_one_with_the_same_key(qtbot):
    runner = TaskRunner()
    release = threading.Event()
    answers: list[str] = []

    def slow() -> str:
        release.wait(10)
        return "old"

    runner.run("load", "slow", slow, on_done=answers.append)
    runner.run("load", "fast", lambda: "new", on_done=answers.append)
    qtbot.waitUntil(lambda: answers == ["new"], timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: runner.active == 0, timeout=5000)
    assert answers == ["new"]  # the old answer arrived and was dropped
    runner.run("other", "fails", lambda: 1 / 0, on_failed=answers.append)
    qtbot.waitUntil(lambda: len(answers) == 2, timeout=5000)
    assert "division by zero" in answers[1]
    runner.shutdown()
    assert runner.run("load", "late", lambda: "late") is None  # nothing starts after shutdown


def test_shutdown_waits_for_every_task_and_calls_nothing_back(qtbot):
    runner = TaskRunner()
    started = threading.Event()
    answers: list[object] = []

    def polls(cancel, progress) -> str:
        started.set()
        while not cancel():
            threading.Event().wait(0.01)
        return "cancelled"

    runner.run("load", "polling", polls, control=True, on_done=answers.append)
    assert started.wait(5)
    runner.shutdown()
    assert runner.active == 0
    qtbot.wait(50)
    assert answers == []


def test_a_damaged_dialogs_file_starts_the_dialogs_at_home(tmp_path, monkeypatch):
    """dialogs.json is read like any file from a stranger: a broken one changes nothing."""
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setattr(Path, "home", staticmethod(lambda: home))
    for text in (
        "{not json",
        '{"last_folder": 12}',
        '{"last_folder": "/no/such/folder"}',
        "[" * 100 + "]" * 100,
        '{"last_folder": "' + "x" * 100_000 + '"}',
    ):
        (tmp_path / "dialogs.json").write_text(text)
        file_dialogs.forget()
        assert file_dialogs.last_folder() == home, text[:40]
    file_dialogs.forget()
