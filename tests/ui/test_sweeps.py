"""Sweeps in the window: the dialog, the search on Ray in a child process, and the grid that
runs here one run after another when Ray cannot.

The dialog tests and the child-process tests (a stand-in child, ``fake_sweep.py``) need no
TensorFlow and no Ray; one test runs a real random search on a local Ray from the window,
and the in-window grid trains the tiny text model for real.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from tests.ui.conftest import LONG, load
from workbench.core.atomic import pid_alive
from workbench.core.layers import LayerSpec
from workbench.core.project import Project
from workbench.core.search import SearchSettings, parse_param
from workbench.ui.app_settings import RAY_ADDRESS_ENV, AppSettings, SettingsDialog
from workbench.ui.runs import ray_sweep
from workbench.ui.runs.sweep_dialog import NO_RAY, SweepDialog

LEFT = Qt.MouseButton.LeftButton
FAKE = Path(__file__).with_name("fake_sweep.py")
RAY_TIMEOUT = 180_000  # ms: Ray's start and TensorFlow's import in each worker, on 2 cores


def dialog_for(qtbot, project: Project | None = None, **kwargs) -> SweepDialog:
    dialog = SweepDialog(project or Project(), ray=kwargs.pop("ray", True), **kwargs)
    qtbot.addWidget(dialog)
    return dialog


def retype(qtbot, edit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


# -- the dialog --------------------------------------------------------------------------


def test_dialog_starts_with_a_learning_rate_range_and_counts_trials(qtbot) -> None:
    dialog = dialog_for(qtbot)  # learning rate 0.001
    (row,) = dialog.rows
    assert (row.name, row.kind, row.values_edit.text()) == ("learning_rate", "loguniform",
                                                            "0.0001, 0.01")  # fmt: skip
    parallel = min(2, os.cpu_count() or 1)
    assert dialog.count_label.text() == f"12 trials, {parallel} at a time, on a local Ray."
    assert dialog.start_button.isEnabled() and not dialog.problem_label.isVisible()
    dialog.trials_spin.setValue(5)
    dialog.early_stop_combo.setCurrentIndex(dialog.early_stop_combo.findData("asha"))
    assert dialog.count_label.text().startswith("5 trials")
    assert dialog.start_button.isEnabled()  # auto epochs: ASHA gets a horizon of its own
    dialog.early_stop_combo.setCurrentIndex(0)
    retype(qtbot, dialog.address_edit, "10.0.0.5:6379")
    assert dialog.count_label.text().endswith("on the Ray cluster at 10.0.0.5:6379.")
    assert dialog.parallel_spin.maximum() == 256  # a cluster's cores, not this machine's
    settings = dialog.settings()
    assert settings == SearchSettings(
        params=[parse_param("learning_rate=loguniform(0.0001, 0.01)")],
        search="random",
        trials=5,
        parallel=parallel,
        early_stop="none",
        metric="val_accuracy",
        ray_address="10.0.0.5:6379",
        seed=42,
    )


def test_rows_offer_the_kinds_that_fit_each_setting(qtbot) -> None:
    project = Project()  # TextVectorization, Embedding, LSTM(64), Dense
    dialog = dialog_for(qtbot, project)
    row = dialog.add_row("optimizer")
    kinds = [row.kind_combo.itemData(i) for i in range(row.kind_combo.count())]
    assert kinds == ["choice"] and not row.kind_combo.isEnabled()
    assert row.values_edit.text() == "adam, adamw"
    row.name_combo.setCurrentIndex(row.name_combo.findData("3.units"))
    assert row.name_combo.currentText() == "3.units — LSTM(64)"
    kinds = [row.kind_combo.itemData(i) for i in range(row.kind_combo.count())]
    assert kinds == ["choice", "int"] and row.kind == "int"
    assert row.values_edit.text() == "32, 128"
    row.kind_combo.setCurrentIndex(row.kind_combo.findData("choice"))
    assert row.values_edit.text() == "32, 64, 128"  # an untouched suggestion follows the kind
    retype(qtbot, row.values_edit, "16, 48")
    row.kind_combo.setCurrentIndex(row.kind_combo.findData("int"))
    assert row.values_edit.text() == "16, 48"  # what the person typed stays
    assert [p.spec for p in dialog.params()] == ["loguniform(0.0001, 0.01)", "int(16, 48)"]
    lr = dialog.rows[0]
    lr_kinds = [lr.kind_combo.itemData(i) for i in range(lr.kind_combo.count())]
    assert lr_kinds == ["choice", "uniform", "loguniform"]
    # A removed row no longer varies; with none left the dialog says what to do.
    qtbot.mouseClick(row.remove_button, LEFT)
    qtbot.mouseClick(dialog.rows[0].remove_button, LEFT)
    assert dialog.rows == [] and dialog.param_table.rowCount() == 0
    assert dialog.problem_label.text() == (
        "Add at least one setting to vary: a search compares trials."
    )
    qtbot.mouseClick(dialog.add_param_button, LEFT)
    assert dialog.rows[0].name == "learning_rate" and dialog.start_button.isEnabled()
    qtbot.mouseClick(dialog.add_param_button, LEFT)
    assert dialog.rows[1].name == "batch_size"  # the next setting no row varies yet


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ("0.01", "learning_rate: loguniform(lo, hi) takes two numbers, got 1."),
        ("fast, slow", "learning_rate: loguniform(fast, slow) needs two numbers."),
        ("0, 0.1", "learning_rate: loguniform needs numbers above 0 (got 0.0)."),
        ("0.1, 0.01", "learning_rate: loguniform(lo, hi) needs lo below hi (got 0.1, 0.01)."),
        ("", "learning_rate: give lo, hi (above 0): evenly on a log scale, for rates."),
        ("0.001, 20", "learning_rate: 20 is outside 1e-12 to 10."),
    ],
)
def test_values_that_do_not_parse_are_explained(qtbot, values: str, problem: str) -> None:
    dialog = dialog_for(qtbot)
    retype(qtbot, dialog.rows[0].values_edit, values)
    assert dialog.problem_label.text() == problem
    assert not dialog.start_button.isEnabled() and not dialog.count_label.isVisible()


def test_grid_takes_listed_values_and_counts_its_combinations(qtbot) -> None:
    project = Project()
    project.layers.insert(3, LayerSpec("Dropout", {"rate": 0.5}))
    dialog = dialog_for(qtbot, project)
    dialog.search_combo.setCurrentIndex(dialog.search_combo.findData("grid"))
    assert dialog.problem_label.text() == (
        "Grid search tries listed values: give learning_rate as choice(...), or use random "
        "or bayesian search for ranges."
    )
    assert not dialog.trials_spin.isEnabled() and not dialog.start_button.isEnabled()
    dialog.rows[0].kind_combo.setCurrentIndex(dialog.rows[0].kind_combo.findData("choice"))
    assert dialog.rows[0].values_edit.text() == "0.0001, 0.001, 0.01"
    dialog.add_row("dropout").set("dropout", "choice", "0.1, 0.3")
    assert dialog.count_label.text().startswith("6 trials (every combination), ")
    assert dialog.trials_spin.value() == 6
    settings = dialog.settings()
    assert settings.search == "grid" and settings.planned_trials() == 6
    # Back to random: the person's number of trials returns.
    dialog.search_combo.setCurrentIndex(dialog.search_combo.findData("random"))
    assert dialog.trials_spin.isEnabled() and dialog.trials_spin.value() == 12


def test_without_ray_only_a_grid_runs_here_one_run_after_another(qtbot) -> None:
    project = Project()
    dialog = dialog_for(qtbot, project, ray=False)
    assert not dialog.ray_label.isHidden() and dialog.ray_label.text() == NO_RAY
    assert dialog.search == "grid" and not dialog.search_combo.isEnabled()
    assert not dialog.parallel_spin.isEnabled() and not dialog.early_stop_combo.isEnabled()
    assert not dialog.address_edit.isEnabled()
    row = dialog.rows[0]
    assert [row.kind_combo.itemData(i) for i in range(row.kind_combo.count())] == ["choice"]
    dialog.add_row("batch_size").set("batch_size", "choice", "16, 64")
    assert dialog.count_label.text() == "6 trials (every combination), one after another, here."
    points = dialog.points()
    assert [p.label for p in points] == [
        "lr 0.0001, batch 16", "lr 0.0001, batch 64", "lr 0.001, batch 16",
        "lr 0.001, batch 64", "lr 0.01, batch 16", "lr 0.01, batch 64",
    ]  # fmt: skip
    assert [p.project.training.batch_size for p in points[:2]] == [16, 64]
    assert project.training.batch_size == 32  # the window's project is left alone
    retype(qtbot, dialog.rows[1].values_edit, ", ".join(str(n) for n in range(1, 31)))
    assert dialog.problem_label.text() == (
        "The grid makes 90 runs; one at a time here, at most 64. Give fewer values."
    )


def test_ray_address_setting_defaults_the_dialog_and_the_environment_wins(
    qtbot, tmp_path, monkeypatch
) -> None:
    monkeypatch.delenv(RAY_ADDRESS_ENV, raising=False)
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings = AppSettings(store)
    assert settings.ray_address == ""
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    assert dialog.address_edit.placeholderText() == "local: a Ray started for this search"
    qtbot.keyClicks(dialog.address_edit, " head.lab:6379 ")
    dialog.accept()
    reread = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    assert reread.ray_address == "head.lab:6379"
    monkeypatch.setenv(RAY_ADDRESS_ENV, "ray://other:10001")
    assert reread.ray_address == "ray://other:10001" and reread.saved_ray_address == "head.lab:6379"
    sweep = dialog_for(qtbot, address=reread.ray_address)
    assert sweep.settings().ray_address == "ray://other:10001"
    # The window's own settings live in the (test's temporary) workspace.
    assert str(AppSettings().qsettings.fileName()).startswith(os.environ["WORKBENCH_HOME"])


def test_settings_action_is_in_the_edit_menu(window) -> None:
    menus = {action.text(): action.menu() for action in window.menuBar().actions()}
    assert window.runs.settings_action in menus["&Edit"].actions()


# -- the child process (a stand-in for `workbench sweep`: no Ray) -----------------------


@pytest.fixture
def fake_child(monkeypatch):
    """Run ``fake_sweep.py MODE`` instead of ``workbench sweep``; returns a mode setter."""
    mode = {"value": "ok"}
    monkeypatch.setattr(
        ray_sweep,
        "sweep_command",
        lambda spec: [sys.executable, str(FAKE), mode["value"], str(spec)],
    )
    return mode


def search_project(csv_path: Path) -> tuple[Project, SearchSettings]:
    project = Project()
    project.dataset.path = str(csv_path)
    settings = SearchSettings([parse_param("learning_rate=loguniform(1e-4, 1e-2)")], trials=2)
    return project, settings


def test_search_in_a_child_process_shows_trials_live_and_stars_its_pick(
    qtbot, window, csv_path, fake_child
) -> None:
    view, runs = window.runs_view, window.runs
    project, settings = search_project(csv_path)
    runs.start_search(project, settings)
    assert runs.sweep_running and window.tabs.currentWidget() is view
    assert not runs.sweep_action.isEnabled() and not view.sweep_button.isEnabled()
    assert window.training.block_reason() == "A sweep is running on Ray; cancel it or wait."
    assert view.sweep_label.text().startswith("Sweep: starting local Ray for 2 trials")

    def live() -> bool:
        running = [r for r in view.records() if r.sweep and r.status == "running" and r.history]
        return any(r.id in view.curves for r in running)

    qtbot.waitUntil(live, timeout=LONG)  # the store re-read each second; curves overlaid
    assert view.sweep_label.text() == (
        "Sweep: 0 of 2 trials ended, 2 running — random search on local Ray"
    )
    assert view.cancel_sweep_button.isVisible()
    (busy,) = [r for r in view.records() if r.sweep][:1]
    view.select_ids([busy.id])
    assert not view.delete_button.isEnabled()  # a trial in training cannot be deleted
    qtbot.waitUntil(lambda: not runs.sweep_running, timeout=LONG)
    trials = [r for r in window.store.list() if r.sweep]
    assert len(trials) == 2 and {r.status for r in trials} == {"finished"}
    first, _second = sorted(trials, key=lambda r: r.name)
    # The search named the first trial best; the star follows it, not the table's own rule.
    assert view.best_id == first.id and view.metric_combo.currentText() == "val_accuracy"
    assert view.model.data(view.model.index(view.model.row_of(first.id), 0)).startswith("★")
    assert sorted(view.selected_ids()) == sorted(r.id for r in trials)
    assert len(view.curves) == 2
    message = "Sweep finished: 2 trials (2 finished, 0 stopped early, 0 failed). Best by "
    assert window.statusBar().currentMessage() == (f"{message}val_accuracy 0.7: {first.name}.")
    assert view.sweep_label.text() == window.statusBar().currentMessage()
    assert view.use_best_button.isVisible() and not view.cancel_sweep_button.isVisible()
    assert view.sweep_button.isEnabled() and runs.sweep_action.isEnabled()
    assert window.training.block_reason() != "A sweep is running on Ray; cancel it or wait."
    assert not (window.store.root.parent / "sweeps").exists() or not any(
        (window.store.root.parent / "sweeps").iterdir()
    )  # the job file went with the search
    qtbot.mouseClick(view.close_sweep_button, LEFT)
    assert not view.sweep_label.isVisible() and not view.use_best_button.isVisible()


def test_a_child_that_cannot_run_says_why_in_words(
    qtbot, window, csv_path, fake_child, monkeypatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: shown.append(a[2])))
    fake_child["value"] = "error"
    window.runs.start_search(*search_project(csv_path))
    qtbot.waitUntil(lambda: not window.runs.sweep_running, timeout=LONG)
    reason = "Cannot reach a Ray cluster at 10.9.9.9:6379: Connection refused."
    assert len(shown) == 1 and shown[0].startswith(f"Sweep failed: {reason}")
    assert "Traceback" not in shown[0] and "workbench: error" not in shown[0]
    assert window.statusBar().currentMessage() == shown[0]
    assert window.runs_view.sweep_label.text() == shown[0]
    assert not window.runs_view.use_best_button.isVisible()


def test_cancel_asks_the_child_to_stop_its_trials(qtbot, window, csv_path, fake_child) -> None:
    fake_child["value"] = "cancel"
    view = window.runs_view
    window.runs.start_search(*search_project(csv_path))
    qtbot.waitUntil(lambda: "1 running" in view.sweep_label.text(), timeout=LONG)
    qtbot.mouseClick(view.cancel_sweep_button, LEFT)
    assert view.sweep_label.text().startswith("Cancelling the sweep")
    qtbot.waitUntil(lambda: not window.runs.sweep_running, timeout=LONG)
    assert (
        window.statusBar()
        .currentMessage()
        .startswith("Sweep cancelled: 1 trial (0 finished, 1 stopped, 0 failed). No trial finished")
    )
    assert [r.status for r in window.store.list()] == ["stopped"]


def test_closing_the_window_ends_a_child_that_will_not_stop(
    qtbot, make_window, csv_path, fake_child, monkeypatch
) -> None:
    monkeypatch.setattr(ray_sweep, "SHUTDOWN_GRACE_MS", 300)
    fake_child["value"] = "stubborn"
    window = make_window()
    window.runs.start_search(*search_project(csv_path))
    qtbot.waitUntil(lambda: "the first are starting" in window.runs_view.sweep_label.text())
    pid = window.runs.ray.process.processId()
    assert pid_alive(pid)
    window.close()  # asks (answered Yes by the fixture), cancels, waits briefly, then ends it
    assert not window.runs.sweep_running
    qtbot.waitUntil(lambda: not pid_alive(pid), timeout=5000)


# -- for real: a local Ray, and the grid that runs here without it -----------------------


def sweep_window(qtbot, make_window, csv_path):
    window = make_window(backend=True)
    load(qtbot, window, csv_path)
    qtbot.waitUntil(lambda: window.train_view.train_button.isEnabled(), timeout=LONG)
    # The backend's devices reach the Train tab's device choice.
    devices = window.train_view.settings.devices_label
    qtbot.waitUntil(lambda: "CPU:0" in devices.text(), timeout=LONG)
    return window


def ask_sweep(qtbot, window) -> SweepDialog:
    """Train ▸ Sweep…, as a person opens it."""
    window.runs.sweep_action.trigger()
    dialog = window.runs.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


@pytest.mark.skipif(not ray_sweep.ray_available(), reason="Ray is not installed")
def test_random_search_on_local_ray_from_the_window(qtbot, make_window, csv_path):
    window = sweep_window(qtbot, make_window, csv_path)
    window.train_view.epochs_spin.setValue(2)
    dialog = ask_sweep(qtbot, window)
    assert dialog.search == "random" and dialog.rows[0].name == "learning_rate"
    retype(qtbot, dialog.rows[0].values_edit, "0.001, 0.1")
    dialog.trials_spin.setValue(2)
    dialog.parallel_spin.setValue(2)
    assert dialog.count_label.text() == "2 trials, 2 at a time, on a local Ray."
    qtbot.mouseClick(dialog.start_button, LEFT)
    view, runs = window.runs_view, window.runs
    assert runs.sweep_running and window.tabs.currentWidget() is view
    runs.refresh_timer.setInterval(100)  # trials of 2 tiny epochs: catch one mid-way

    def live() -> bool:
        running = [r for r in view.records() if r.sweep and r.status == "running" and r.history]
        return any(r.id in view.curves for r in running)

    qtbot.waitUntil(live, timeout=RAY_TIMEOUT)
    row = next(r for r in view.records() if r.sweep and r.status == "running" and r.history)
    status = view.model.index(view.model.row_of(row.id), view.model.STATUS)
    assert view.model.data(status) == "running"
    assert " running — random search on local Ray" in view.sweep_label.text()
    qtbot.waitUntil(lambda: not runs.sweep_running, timeout=RAY_TIMEOUT)

    trials = [r for r in window.store.list() if r.sweep]
    assert len(trials) == 2 and len({r.sweep for r in trials}) == 1
    assert [r.status for r in trials] == ["finished", "finished"], [r.message for r in trials]
    assert all(len(r.history) == 2 and r.model_path.is_file() for r in trials)
    assert all(1e-3 <= r.trial_params["learning_rate"] <= 0.1 for r in trials)
    best = runs._done["best"]
    assert view.best_id == best["run_id"]
    assert sorted(view.selected_ids()) == sorted(r.id for r in trials) and len(view.curves) == 2
    assert (
        window.statusBar()
        .currentMessage()
        .startswith(
            "Sweep finished: 2 trials (2 finished, 0 stopped early, 0 failed). Best by val_accuracy"
        )
    )

    # Use best as model: its settings in the editor, its model answering in Predict.
    window.session.set_predictor(None)
    qtbot.mouseClick(view.use_best_button, LEFT)
    qtbot.waitUntil(lambda: window.predictor is not None, timeout=LONG)
    predict = window.predict_view
    assert window.tabs.currentWidget() is predict and predict.text_edit.isEnabled()
    assert window.session.source.run_id == best["run_id"]
    # (the Train tab's learning-rate field shows 6 decimals)
    assert window.train_view.config().learning_rate == pytest.approx(
        best["params"]["learning_rate"], abs=1e-6
    )
    qtbot.keyClicks(predict.text_edit, "a lovely and wonderful movie")
    qtbot.keyClick(predict.text_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: predict.label_value.text() in {"pos", "neg"}, timeout=LONG)


@pytest.fixture
def no_ray(monkeypatch):
    monkeypatch.setattr(ray_sweep, "ray_available", lambda: False)


def test_without_ray_the_grid_trains_here_and_marks_the_best(qtbot, make_window, csv_path, no_ray):
    window = sweep_window(qtbot, make_window, csv_path)
    window.train_view.epochs_spin.setValue(2)
    dialog = ask_sweep(qtbot, window)
    assert not dialog.ray and dialog.search == "grid"
    dialog.metric_combo.setCurrentText("val_loss")
    retype(qtbot, dialog.rows[0].values_edit, "0.0001, 0.01")
    qtbot.mouseClick(dialog.start_button, LEFT)
    view = window.runs_view
    assert window.tabs.currentWidget() is view
    assert view.sweep_label.text().startswith("Sweep run 1/2: lr 0.0001")
    assert view.cancel_sweep_button.isVisible() and not view.sweep_button.isEnabled()
    first = window.training.thread
    qtbot.waitUntil(lambda: "2/2" in view.sweep_label.text(), timeout=LONG)
    assert first.isFinished()  # one training thread at a time: the first had ended
    qtbot.waitUntil(lambda: not window.runs.sweep_running, timeout=LONG)
    runs = window.store.list()
    assert [r.name for r in runs] == ["sweep 1/2: lr 0.0001", "sweep 2/2: lr 0.01"]
    assert [r.status for r in runs] == ["finished", "finished"]
    assert [Project.from_dict(r.project).training.learning_rate for r in runs] == [1e-4, 1e-2]
    assert len(runs[0].history) == 2 and len(runs[1].history) == 2
    # The best by val_loss is starred and both sweep runs are selected for the overlay.
    losses = {r.id: min(e["val_loss"] for e in r.history) for r in runs}
    assert view.best_id == min(losses, key=losses.get)
    assert sorted(view.selected_ids()) == sorted(losses)
    assert len(view.curves) == 2
    assert (
        window.statusBar()
        .currentMessage()
        .startswith(
            "Sweep finished: 2 trials (2 finished, 0 stopped early, 0 failed). Best by val_loss "
        )
    )

    # Use best as model: the Predict tab answers with the best run's model.
    window.session.set_predictor(None)
    qtbot.mouseClick(view.use_best_button, LEFT)
    qtbot.waitUntil(lambda: window.predictor is not None, timeout=LONG)
    predict = window.predict_view
    assert window.tabs.currentWidget() is predict and predict.text_edit.isEnabled()
    qtbot.keyClicks(predict.text_edit, "a lovely and wonderful movie")
    qtbot.keyClick(predict.text_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: predict.label_value.text() in {"pos", "neg"}, timeout=LONG)
    assert window.session.source.run_id == view.best_id


def test_cancel_sweep_here_stops_the_current_run_and_starts_no_more(
    qtbot, make_window, csv_path, no_ray
):
    window = sweep_window(qtbot, make_window, csv_path)
    window.train_view.epochs_spin.setValue(300)
    dialog = ask_sweep(qtbot, window)
    dialog.rows[0].set("batch_size", "choice", "4, 8, 16")
    qtbot.mouseClick(dialog.start_button, LEFT)
    thread = window.training.thread
    qtbot.waitUntil(lambda: thread.recorder.snapshot().epochs_done >= 1, timeout=LONG)
    qtbot.mouseClick(window.runs_view.cancel_sweep_button, LEFT)
    qtbot.waitUntil(lambda: not window.runs.sweep_running and not window.is_training, timeout=LONG)
    runs = window.store.list()
    assert [r.status for r in runs] == ["stopped"]
    assert (
        window.statusBar()
        .currentMessage()
        .startswith("Sweep cancelled after 1 of 3 runs: 1 trial (0 finished, 1 stopped, 0 failed).")
    )
    assert window.train_view.train_button.isEnabled()
