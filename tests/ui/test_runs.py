"""The Runs tab over a store of recorded runs: sorting, best run, overlay, diff, CSV, delete.

No TensorFlow here: the runs are written the way the trainer records them (run.json files);
tests that train for real are in test_close.py and test_sweeps.py.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from tests.ui.conftest import LONG, load
from workbench.core.project import Project
from workbench.core.runs import RunStore
from workbench.ui.main_window import RUNS_TAB, TRAIN_TAB, MainWindow
from workbench.ui.runs.models import RunsTableModel
from workbench.ui.runs.view import RunsView
from workbench.ui.train import controller as train_controller

LEFT = Qt.MouseButton.LeftButton
TOOLTIP = Qt.ItemDataRole.ToolTipRole


def record(
    store: RunStore,
    name: str,
    lr: float,
    units: int,
    val_losses,
    accuracies,
    created,
    data: str = "/data/imdb.csv",
):
    project = Project()
    project.dataset.path = data
    project.training.learning_rate = lr
    project.training.epochs = 5  # a fixed number (auto's "2 (auto)": test_epochs_auto.py)
    project.layers[2].params["units"] = units
    run = store.create(project.to_dict(), name=name)
    run.history = [
        {"loss": v + 0.1, "val_loss": v, "accuracy": a - 0.05, "val_accuracy": a}
        for v, a in zip(val_losses, accuracies, strict=True)
    ]
    run.status = "finished"
    run.samples_per_second = 1000.0 * units
    run.created = created
    run.pid = None
    run.save()
    return run


@pytest.fixture
def store(tmp_path) -> RunStore:
    store = RunStore(tmp_path / "runs")
    record(store, "alpha", 0.001, 64, [0.6, 0.5], [0.70, 0.75], 1_700_000_000)
    record(store, "beta", 0.01, 16, [0.55, 0.45], [0.72, 0.74], 1_700_000_100)  # best loss
    record(store, "gamma", 0.1, 9, [0.9, 0.8], [0.60, 0.80], 1_700_000_200)  # best accuracy
    return store


@pytest.fixture
def runs_window(qtbot, store) -> MainWindow:
    window = MainWindow(store=store)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentIndex(RUNS_TAB)
    return window


def column(view, col: int) -> list[str]:
    proxy = view.proxy
    return [proxy.index(row, col).data() for row in range(proxy.rowCount())]


def select_names(qtbot, view, *names: str) -> None:
    view.table.clearSelection()
    for row, shown in enumerate(column(view, RunsTableModel.NAME)):
        if shown.removeprefix("★ ") in names:
            rect = view.table.visualRect(view.proxy.index(row, RunsTableModel.NAME))
            qtbot.mouseClick(
                view.table.viewport(), LEFT, Qt.KeyboardModifier.ControlModifier, rect.center()
            )


def test_table_lists_runs_sorts_and_stars_the_best(qtbot, runs_window) -> None:
    view = runs_window.runs_view
    assert runs_window.tabs.tabText(RUNS_TAB) == "Runs"
    # Newest first by default; the best val_loss (beta) is starred.
    assert column(view, RunsTableModel.NAME) == ["gamma", "★ beta", "alpha"]
    assert column(view, RunsTableModel.LR) == ["0.1", "0.01", "0.001"]
    assert column(view, RunsTableModel.EPOCHS) == ["2/5", "2/5", "2/5"]
    assert column(view, RunsTableModel.VAL_LOSS) == ["0.8", "0.45", "0.5"]
    assert column(view, RunsTableModel.DATA) == ["imdb.csv"] * 3
    assert "LSTM(16)" in column(view, RunsTableModel.MODEL)[1]
    # Clicking a header sorts by number, not by text (9,000 < 16,000 < 64,000).
    header = view.table.horizontalHeader()
    x = header.sectionViewportPosition(RunsTableModel.SPEED) + 5
    qtbot.mouseClick(header.viewport(), LEFT, pos=QPoint(x, 5))
    speeds = column(view, RunsTableModel.SPEED)
    assert speeds in (["9,000", "16,000", "64,000"], ["64,000", "16,000", "9,000"])
    qtbot.mouseClick(header.viewport(), LEFT, pos=QPoint(x, 5))
    assert column(view, RunsTableModel.SPEED) == speeds[::-1]
    # Choosing another metric moves the star: gamma reached the highest val_accuracy.
    view.metric_combo.setCurrentText("val_accuracy")
    assert view.best_id == view.store.list()[2].id
    names = column(view, RunsTableModel.NAME)
    assert "★ gamma" in names and "beta" in names


def test_best_is_the_kept_epoch_and_starred_per_data_set(qtbot, tmp_path, qtmodeltester) -> None:
    """Issue 13: the Runs tab showed 0.8072 (epoch 3, the max over epochs) where the Train
    tab said 80.6% (epoch 2, whose weights are kept), and starred a run on other data."""
    store = RunStore(tmp_path / "runs")
    walk = record(store, "walk", 0.001, 8, [0.52, 0.43, 0.47], [0.76, 0.806, 0.8072], 1_700_000_000)
    walk.best_epoch = 2  # the lowest val_loss: the trainer keeps these weights
    walk.save()
    # Higher accuracy at every kept epoch, but on another data set: never compared with walk.
    spam = record(store, "spam", 0.01, 8, [0.1], [0.99], 1_700_000_100, data="/data/spam.csv")
    # On imdb again, an older run.json without best_epoch: its lowest val_loss epoch counts.
    old = record(store, "old", 0.1, 8, [0.6, 0.5], [0.7, 0.805], 1_700_000_200)
    view = RunsView(store)
    qtbot.addWidget(view)
    view.refresh()
    model = view.model
    qtmodeltester.check(model)
    view.metric_combo.setCurrentText("val_accuracy")
    qtmodeltester.check(model)

    def cell(run, col: int, role=Qt.ItemDataRole.DisplayRole):
        return model.index(model.row_of(run.id), col).data(role)

    header = model.headerData(RunsTableModel.METRIC, Qt.Orientation.Horizontal)
    assert header == "val_accuracy (kept epoch)"
    assert model.headerData(RunsTableModel.VAL_LOSS, Qt.Orientation.Horizontal) == (
        "val_loss (kept epoch)"
    )
    tip = model.headerData(RunsTableModel.METRIC, Qt.Orientation.Horizontal, TOOLTIP)
    assert "weights" in tip
    assert cell(walk, RunsTableModel.METRIC) == "0.806"  # not 0.8072
    assert cell(walk, RunsTableModel.VAL_LOSS) == "0.43"
    assert "epoch 2" in cell(walk, RunsTableModel.METRIC, TOOLTIP)
    assert "older run" not in cell(walk, RunsTableModel.METRIC, TOOLTIP)
    assert cell(old, RunsTableModel.METRIC) == "0.805"
    assert "older run" in cell(old, RunsTableModel.METRIC, TOOLTIP)
    # One star per data set: walk (0.806 > 0.805) on imdb.csv, spam on spam.csv.
    assert model.best_ids == {walk.id, spam.id}
    assert model.best_by_data == {"/data/imdb.csv": walk.id, "/data/spam.csv": spam.id}
    assert view.best_id == walk.id  # the newest run's data (imdb.csv)
    assert cell(walk, RunsTableModel.NAME) == "★ walk"
    assert cell(old, RunsTableModel.NAME) == "old"
    assert cell(spam, RunsTableModel.NAME) == "★ spam"
    assert "imdb.csv" in cell(walk, RunsTableModel.OPTIMIZER, TOOLTIP)
    assert cell(old, RunsTableModel.NAME, Qt.ItemDataRole.BackgroundRole) is None
    # The Data column: the file's name, its full path in the tooltip.
    assert cell(spam, RunsTableModel.DATA) == "spam.csv"
    assert cell(spam, RunsTableModel.DATA, TOOLTIP) == "/data/spam.csv"
    assert model.headerData(RunsTableModel.DATA, Qt.Orientation.Horizontal) == "Data"
    # By val_loss the older run (0.5) still loses to walk's kept 0.43 on imdb.csv.
    view.metric_combo.setCurrentText("val_loss")
    assert model.best_ids == {walk.id, spam.id}
    qtmodeltester.check(model)
    # An empty store is a valid model too.
    model.set_runs([])
    qtmodeltester.check(model)
    assert model.best_id is None and model.best_ids == set()


def test_test_column_shows_each_runs_held_out_score(qtbot, tmp_path, qtmodeltester) -> None:
    store = RunStore(tmp_path / "runs")
    held = record(store, "held", 0.001, 8, [0.5], [0.8], 1_700_000_000)
    held.metrics = {"val_loss": 0.5, "test_accuracy": 0.871, "test_loss": 0.342}
    held.save()
    numbers = record(store, "mass", 0.01, 8, [9.0], [0.0], 1_700_000_100, data="/data/m.csv")
    numbers.metrics = {"test_loss": 91.5, "test_mae": 7.25}  # regression: MAE, not loss
    numbers.save()
    plain = record(store, "none held out", 0.1, 8, [0.6], [0.7], 1_700_000_200)
    view = RunsView(store)
    qtbot.addWidget(view)
    view.refresh()
    model = view.model
    qtmodeltester.check(model)
    assert model.columnCount() == RunsTableModel.TEST + 1
    assert model.headerData(RunsTableModel.TEST, Qt.Orientation.Horizontal) == "Test"
    assert "held out" in model.headerData(RunsTableModel.TEST, Qt.Orientation.Horizontal, TOOLTIP)

    def cell(run, role=Qt.ItemDataRole.DisplayRole):
        return model.index(model.row_of(run.id), RunsTableModel.TEST).data(role)

    assert cell(held) == "accuracy 0.871" and cell(numbers) == "mae 7.25" and cell(plain) == ""
    assert "test_accuracy" in cell(held, TOOLTIP) and cell(plain, TOOLTIP) is None
    # Sorted by the header, by number: runs without a test part go below the others.
    header = view.table.horizontalHeader()
    x = header.sectionViewportPosition(RunsTableModel.TEST) + 5
    qtbot.mouseClick(header.viewport(), LEFT, pos=QPoint(x, 5))
    shown = column(view, RunsTableModel.TEST)
    assert shown in (["", "accuracy 0.871", "mae 7.25"], ["mae 7.25", "accuracy 0.871", ""])
    # Without any run that held a test part out, there is no Test column.
    model.set_runs([plain])
    qtmodeltester.check(model)
    assert model.columnCount() == RunsTableModel.TEST


def test_selected_runs_overlay_and_two_runs_diff(qtbot, runs_window) -> None:
    view = runs_window.runs_view
    select_names(qtbot, view, "alpha", "beta")
    assert sorted(r.name for r in view.selected_records()) == ["alpha", "beta"]
    assert len(view.curves) == 2
    xs, ys = next(iter(view.curves.values())).getData()
    assert list(xs) == [1.0, 2.0] and len(ys) == 2
    differing = view.diff_model.differing()
    assert differing == ["learning rate", "layer 3 units"]
    assert view.diff_hint.text() == "2 settings differ (highlighted)."
    view.only_diff_check.setChecked(True)
    assert view.diff_model.rowCount() == 2
    index = view.diff_model.index(0, 1)
    assert index.data(Qt.ItemDataRole.BackgroundRole) is not None
    view.only_diff_check.setChecked(False)
    shared = next(
        row
        for row in range(view.diff_model.rowCount())
        if view.diff_model.index(row, 0).data() == "batch size"
    )
    assert view.diff_model.index(shared, 1).data(Qt.ItemDataRole.BackgroundRole) is None
    # The plot follows the chosen metric.
    view.metric_combo.setCurrentText("loss")
    _, ys = view.curves[view.selected_ids()[0]].getData()
    assert min(ys) >= 0.55
    select_names(qtbot, view, "alpha")
    assert view.diff_model.rowCount() == 0 and len(view.curves) == 1


def test_export_history_csv_and_delete(qtbot, runs_window, tmp_path, monkeypatch) -> None:
    view = runs_window.runs_view
    target = tmp_path / "all-runs.csv"
    monkeypatch.setattr(
        "workbench.ui.file_dialogs.QFileDialog.getSaveFileName",
        staticmethod(lambda *a, **k: (str(target), "")),
    )
    qtbot.mouseClick(view.export_button, LEFT)
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["run_name"] for r in rows] == ["alpha", "alpha", "beta", "beta", "gamma", "gamma"]
    assert float(rows[3]["val_loss"]) == 0.45

    select_names(qtbot, view, "beta")
    assert view.delete_button.isEnabled()
    qtbot.mouseClick(view.delete_button, LEFT)  # the question is answered Yes (conftest)
    assert [r.name for r in view.store.list()] == ["alpha", "gamma"]
    assert column(view, RunsTableModel.NAME) == ["gamma", "★ alpha"]


def test_export_failure_is_a_message_not_a_traceback(qtbot, runs_window, tmp_path, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: shown.append(a[2])))
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    assert runs_window.runs_view.export_csv(blocker / "runs.csv") is None
    assert shown and "could not write the runs' history" in shown[0]


def test_use_a_runs_model_in_the_editor(qtbot, runs_window) -> None:
    view = runs_window.runs_view
    select_names(qtbot, view, "beta")
    assert view.use_button.isEnabled()
    assert not view.predict_button.isEnabled()  # no model.keras was saved for these runs
    qtbot.mouseClick(view.use_button, LEFT)
    assert runs_window.project.layers[2].params["units"] == 16
    assert runs_window.train_view.config().learning_rate == 0.01
    assert runs_window.tabs.currentWidget() is runs_window.model_view
    runs_window.model_view.undo_action.trigger()  # one undo step
    assert runs_window.project.layers[2].params["units"] == 64


def test_empty_store_says_so(qtbot, tmp_path) -> None:
    window = MainWindow(store=RunStore(tmp_path / "none"))
    qtbot.addWidget(window)
    window.show()
    view = window.runs_view
    assert view.empty_label.isVisible() is False  # tab not shown yet
    window.tabs.setCurrentIndex(RUNS_TAB)
    assert view.empty_label.isVisible()
    assert not view.export_button.isEnabled() and not view.delete_button.isEnabled()


# -- resume offer (no TensorFlow: the answers only change the record) --------------------


def killed_run(store: RunStore, name: str = "killed") -> object:
    """A run that looks like its process died mid-training: running, dead pid, checkpoint."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    run = store.create(Project().to_dict(), name=name)
    run.history = [{"epoch": 1, "loss": 0.7, "val_loss": 0.6}]
    run.pid = int(child.stdout)
    run.save()
    (run.checkpoint_path / "epoch-00001").mkdir(parents=True)
    return run


def test_resume_offer_later_keeps_and_discard_marks_the_run(qtbot, store, monkeypatch):
    run = killed_run(store)
    asked = []
    answers = ["later", "discard"]

    def ask(parent, record):
        asked.append(record.name)
        return answers[len(asked) - 1]

    # Before any answer, the Runs tab already shows the dead run as interrupted.
    window = MainWindow(store=store)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentIndex(RUNS_TAB)
    row = window.runs_view.model.row_of(run.id)
    assert window.runs_view.model.index(row, RunsTableModel.STATUS).data() == "interrupted"

    monkeypatch.setattr(train_controller, "ask_resume", ask)
    for _ in answers:
        window = MainWindow(store=store)
        qtbot.addWidget(window)
        window.training.offer_resume()  # what the window does once the backend is ready
        window.training.offer_resume()  # asked once per start only
    assert asked == ["killed", "killed"]
    record = store.get(run.id)
    assert record.status == "interrupted" and "not resumed" in record.message
    assert store.interrupted() == []
    # The Runs tab still offers Resume for it, one click away.
    window.runs_view.refresh()
    select_names(qtbot, window.runs_view, "killed")
    assert window.runs_view.resume_button.isEnabled()


def test_no_offer_without_a_checkpoint(qtbot, store, monkeypatch):
    run = killed_run(store)
    shutil.rmtree(run.checkpoint_path)
    monkeypatch.setattr(train_controller, "ask_resume", lambda *a: pytest.fail("asked"))
    window = MainWindow(store=store)
    qtbot.addWidget(window)
    window.training.offer_resume()


# -- project files -------------------------------------------------------------------------


def test_save_and_open_project(qtbot, tmp_path, csv_path, monkeypatch):
    window = MainWindow(store=RunStore(tmp_path / "runs"))
    qtbot.addWidget(window)
    window.show()
    load(qtbot, window, csv_path)
    window.model_view.select_row(1)
    window.model_view.param_form.editor("units").setValue(24)
    window.train_view.batch_spin.setValue(8)
    path = tmp_path / "my project"
    monkeypatch.setattr(
        "workbench.ui.file_dialogs.QFileDialog.getSaveFileName",
        staticmethod(lambda *a, **k: (str(path), "")),
    )
    window.save_project_action.trigger()
    saved = path.with_suffix(".json")
    assert saved.is_file() and window.projects.path == saved
    assert Project.load(saved).layers[1].params["units"] == 24

    other = MainWindow(store=RunStore(tmp_path / "runs"))
    qtbot.addWidget(other)
    other.show()
    assert other.projects.open_project(saved)
    qtbot.waitUntil(lambda: other.table is not None, timeout=LONG)
    assert Path(other.table.path) == csv_path
    assert other.project.layers[1].params["units"] == 24
    assert other.train_view.config().batch_size == 8
    assert other.project.dataset.label_column == "sentiment"


def test_bad_project_file_is_explained_and_work_is_kept(qtbot, window, tmp_path, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: shown.append(a[2])))
    window.train_view.batch_spin.setValue(12)
    before = [layer.describe() for layer in window.project.layers]
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json", encoding="utf-8")
    assert not window.projects.open_project(bad)
    assert shown and str(bad) in shown[0] and "not valid JSON" in shown[0]
    assert "Your current work is unchanged." in shown[0]
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({"schema_version": 99}), encoding="utf-8")
    assert not window.projects.open_project(newer)
    assert "newer Training Workbench" in shown[1]
    assert [layer.describe() for layer in window.project.layers] == before
    assert window.train_view.config().batch_size == 12
    assert window.projects.path is None


def test_project_whose_data_moved_opens_its_layers_and_says_so(qtbot, window, tmp_path):
    project = Project()
    project.dataset.path = str(tmp_path / "gone.csv")
    project.layers[2].params["units"] = 12
    project.training.learning_rate = 0.02
    path = tmp_path / "p.json"
    project.save(path)
    assert window.projects.open_project(path)
    assert window.project.layers[2].params["units"] == 12
    assert window.train_view.config().learning_rate == 0.02
    assert "gone.csv was not found" in window.statusBar().currentMessage()


# -- resume and continue for real (TensorFlow, tiny model) --------------------------------


def test_killed_run_is_resumed_at_start_then_continued(qtbot, make_window, csv_path, monkeypatch):
    # A real short run, stopped after its first epoch…
    first = make_window(backend=True)
    load(qtbot, first, csv_path)
    qtbot.waitUntil(lambda: first.train_view.train_button.isEnabled(), timeout=LONG)
    first.train_view.epochs_spin.setValue(3)
    first.train_view.batch_spin.setValue(4)
    qtbot.mouseClick(first.train_view.train_button, LEFT)
    thread = first.training.thread
    qtbot.waitUntil(lambda: thread.recorder.snapshot().epochs_done >= 1, timeout=LONG)
    first.training.stop_training()
    qtbot.waitUntil(lambda: not first.is_training, timeout=LONG)
    (run,) = first.store.list()
    done = len(run.history)
    assert 1 <= done < 3
    # …then made to look killed: still "running", by a process that is gone.
    data = json.loads((run.path / "run.json").read_text())
    data["status"] = "running"
    data["pid"] = int(
        subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    (run.path / "run.json").write_text(json.dumps(data))
    assert [r.id for r in first.store.interrupted()] == [run.id]

    # The next start offers it once the backend is ready; Resume trains epochs done+1..3.
    asked = []
    monkeypatch.setattr(
        train_controller, "ask_resume", lambda parent, record: asked.append(record.id) or "resume"
    )
    second = make_window(backend=True)
    qtbot.waitUntil(lambda: asked == [run.id], timeout=LONG)
    # The run's data and model open in the window, then training resumes.
    qtbot.waitUntil(lambda: second.is_training, timeout=LONG)
    assert Path(second.table.path) == csv_path
    assert second.train_view.config().batch_size == 4
    qtbot.waitUntil(lambda: not second.is_training, timeout=LONG)
    resumed = second.store.get(run.id)
    assert resumed.status == "finished"
    assert [entry["epoch"] for entry in resumed.history] == [1, 2, 3]
    assert second.train_view.plots.point_counts()["val_loss"] == 3  # curves carry on
    assert second.store.interrupted() == []

    # Continue: 2 more epochs of the finished model, as a new run that carries on its curves.
    view = second.train_view
    qtbot.waitUntil(lambda: view.continue_button.isEnabled(), timeout=LONG)
    view.continue_spin.setValue(2)
    qtbot.mouseClick(view.continue_button, LEFT)
    assert second.is_training
    qtbot.waitUntil(lambda: not second.is_training, timeout=LONG)
    runs = second.store.list()
    assert len(runs) == 2
    extra = runs[1]
    assert extra.parent == run.id and extra.status == "finished"
    assert [entry["epoch"] for entry in extra.history] == [1, 2, 3, 4, 5]
    assert view.plots.point_counts()["val_loss"] == 5
    assert second.session.last_run_id == extra.id
    assert [r.id for r in second.runs_view.records()] == [run.id, extra.id]


def test_runs_recorded_behind_another_tab_are_read_when_the_tab_shows(qtbot, store) -> None:
    """Training starts and ends behind the Train tab: the store is not re-read then (that
    froze the window ~40 ms per 15 runs), but as soon as the Runs tab is shown."""
    window = MainWindow(store=store)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentIndex(TRAIN_TAB)
    view = window.runs_view
    shown_before = [r.name for r in view.model.records()]
    record(store, "delta", 0.001, 8, [0.7], [0.6], 1_700_000_300)
    view.request_refresh()  # what the window does when a run starts or ends
    assert [r.name for r in view.model.records()] == shown_before  # nothing read yet
    window.tabs.setCurrentIndex(RUNS_TAB)
    assert "delta" in [name.removeprefix("★ ") for name in column(view, RunsTableModel.NAME)]
    record(store, "epsilon", 0.001, 8, [0.7], [0.6], 1_700_000_400)
    view.request_refresh()  # showing: read at once
    assert "epsilon" in [r.name for r in view.model.records()]


def test_runs_read_through_the_view_are_never_stale(qtbot, store) -> None:
    window = MainWindow(store=store)
    qtbot.addWidget(window)
    record(store, "delta", 0.001, 8, [0.7], [0.6], 1_700_000_300)
    window.runs_view.request_refresh()
    assert [r.name for r in window.runs_view.records()][-1] == "delta"
