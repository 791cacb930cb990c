"""The window with a damaged run store or an unwritable workspace: it opens, says what is
wrong in words, and keeps offering what is healthy. No TensorFlow here."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QMessageBox

from tests.ui.test_runs import killed_run
from workbench.core.runs import RunStore
from workbench.ui.main_window import RUNS_TAB, MainWindow
from workbench.ui.train import controller as train_controller


def test_start_with_damaged_runs_offers_the_healthy_interrupted_one(qtbot, tmp_path, monkeypatch):
    store = RunStore(tmp_path / "runs")
    healthy = killed_run(store, "healthy")
    broken = killed_run(store, "broken")
    (broken.path / "run.json").write_text("[1, 2, 3]")  # a list, not a run
    typed = killed_run(store, "typed")
    data = json.loads((typed.path / "run.json").read_text())
    (typed.path / "run.json").write_text(json.dumps({**data, "pid": "1234"}))
    asked = []
    monkeypatch.setattr(train_controller, "ask_resume", lambda p, r: asked.append(r.id) or "later")

    window = MainWindow(store=store)
    qtbot.addWidget(window)
    window.show()
    window.training.offer_resume()  # what the window does once the backend is ready
    assert asked == [healthy.id]
    window.tabs.setCurrentIndex(RUNS_TAB)
    assert window.runs_view.model.rowCount() == 1
    assert window.runs_view.model.row_of(healthy.id) is not None


def test_resuming_a_run_with_damaged_settings_is_a_message(qtbot, tmp_path, monkeypatch):
    store = RunStore(tmp_path / "runs")
    run = killed_run(store)
    data = json.loads((run.path / "run.json").read_text())
    data["project"]["training"]["batch_size"] = "big"
    (run.path / "run.json").write_text(json.dumps(data))
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: shown.append(a[2])))
    window = MainWindow(store=store)
    qtbot.addWidget(window)
    window.backend.ready = True  # as if TensorFlow had loaded; nothing trains here
    window.training.resume_run(run.id)
    (message,) = shown
    assert "batch_size" in message and "\n" not in message
    assert window.training.thread is None


def test_an_unwritable_workspace_opens_and_says_to_set_workbench_home(qtbot, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("runs cannot go under a file")
    window = MainWindow(store=RunStore(blocker / "runs"))
    qtbot.addWidget(window)
    window.show()
    label = window.store_label.text()
    assert window.store_label.isVisible() and "WORKBENCH_HOME" in label and str(blocker) in label
    assert window.store_problem == window.store_label.toolTip()


def test_a_writable_workspace_says_nothing(qtbot, tmp_path):
    window = MainWindow(store=RunStore(tmp_path / "runs"))
    qtbot.addWidget(window)
    assert window.store_problem is None and "WORKBENCH_HOME" not in (
        window.statusBar().currentMessage()
    )
