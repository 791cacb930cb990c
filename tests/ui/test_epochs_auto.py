"""Epochs "auto" in the window: the Train form's lowest step, what a paused auto run may be
given, the progress text (a cap, not a promise), what auto did after a run, the Runs tab."""

from __future__ import annotations

import random
import re
from pathlib import Path

from PySide6.QtCore import Qt

from tests.textfixtures import make_texts
from tests.ui.conftest import LONG, load
from workbench.core.epochs import AUTO_EPOCHS_HELP
from workbench.core.listener import TrainingOutcome, TrainingPlan
from workbench.core.project import Project, TrainingConfig
from workbench.core.runs import RunStore
from workbench.ui.main_window import RUNS_TAB
from workbench.ui.runs.models import RunsTableModel, SortRole
from workbench.ui.train.controller import auto_epochs_result
from workbench.ui.train.progress import ProgressRecorder
from workbench.ui.train.settings_form import TrainingSettingsForm
from workbench.ui.train.view import IDLE, PAUSED, TRAINING, TrainView

AUTO_PLAN = TrainingPlan(246, 4, 128, 32, ["a", "b"], auto_epochs=True)
RESULT = re.compile(r"auto: stopped at epoch (\d+)( \(best \d+\))?")


def make_form(qtbot) -> TrainingSettingsForm:
    form = TrainingSettingsForm()
    qtbot.addWidget(form)
    form.show()
    return form


def make_view(qtbot) -> TrainView:
    view = TrainView()
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    return view


def record_batches(recorder: ProgressRecorder, epochs_done: int, steps: int = 4) -> None:
    """``epochs_done`` whole epochs, then the first batch of the next one."""
    for epoch in range(1, epochs_done + 1):
        for step in range(1, steps + 1):
            recorder.on_batch(epoch, step, {"loss": 0.5})
        recorder.on_epoch(epoch, {"loss": 0.5, "val_loss": 0.6}, 100.0)
    recorder.on_batch(epochs_done + 1, 1, {"loss": 0.4})


def test_the_form_starts_at_auto_and_says_what_it_does(qtbot):
    form = make_form(qtbot)
    assert form.epochs_spin.text() == "Auto"
    assert form.config().epochs is None
    help_text = form.help_text(form.epochs_spin)
    assert AUTO_EPOCHS_HELP in help_text and "exactly that many epochs" in help_text
    assert form.epochs_result() == "" and not form.epochs_result_label.isVisibleTo(form)
    # patience 0 under Auto is auto's own patience; with a number it is no early stopping
    assert form.patience_spin.text() == "auto"
    form.epochs_spin.setValue(5)
    assert form.patience_spin.text() == "off" and form.config().early_stopping_patience == 0


def test_a_typed_number_is_that_many_epochs_and_one_step_below_one_is_auto(qtbot):
    form = make_form(qtbot)
    spin = form.epochs_spin
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "7")
    assert form.config().epochs == 7 and spin.text() == "7"
    for _ in range(6):
        qtbot.keyClick(spin, Qt.Key.Key_Down)
    assert form.config().epochs == 1
    qtbot.keyClick(spin, Qt.Key.Key_Down)
    assert spin.text() == "Auto" and form.config().epochs is None
    form.set_config(TrainingConfig(epochs=12))
    assert form.config().epochs == 12 and spin.text() == "12"
    form.set_config(TrainingConfig(epochs=None))
    assert spin.text() == "Auto" and form.config().epochs is None
    assert form.problems() == []


def test_what_auto_did_shows_under_epochs_until_it_no_longer_applies(qtbot):
    view = make_view(qtbot)
    form = view.settings
    said = "auto: stopped at epoch 9 (best 6)"
    form.show_epochs_result(said)
    assert form.epochs_result() == said and form.epochs_result_label.isVisibleTo(form)
    config = view.config()
    config.validation_fraction = 0.3  # the Data tab's split moved: same epochs, still true
    view.set_config(config)
    assert form.epochs_result() == said
    view.epochs_spin.setValue(4)  # the person edits epochs
    assert form.epochs_result() == "" and not form.epochs_result_label.isVisibleTo(form)
    form.show_epochs_result(said)
    view.start_run()  # a new run
    assert form.epochs_result() == ""
    form.show_epochs_result(said)
    view.set_config(TrainingConfig(epochs=None))  # another run's settings, other epochs
    assert form.epochs_result() == ""


def test_a_paused_auto_run_may_stay_auto_or_be_given_a_number(qtbot):
    view = make_view(qtbot)
    view.set_train_reason(None)
    view.start_run()
    view.set_state(TRAINING)
    recorder = ProgressRecorder()
    recorder.on_plan(AUTO_PLAN)
    record_batches(recorder, epochs_done=2)
    view.show_progress(recorder.snapshot())
    assert view.progress_label.text().startswith("Epoch 3 (auto, at most 246) · batch 1/4")
    spin = view.epochs_spin

    view.set_state(PAUSED)
    assert spin.isEnabled() and spin.text() == "Auto"
    assert view.pending_changes() == {}  # left at Auto: nothing is sent
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Up)  # the lowest number: the epoch under way
    assert view.config().epochs == 3 and view.pending_changes() == {"epochs": 3}
    assert view.patience_spin.text() == "off"
    qtbot.keyClick(spin, Qt.Key.Key_Down)
    assert spin.text() == "Auto" and view.pending_changes() == {}
    assert view.patience_spin.text() == "auto"  # Auto sits at the floor here, not at 0
    spin.setValue(20)
    sent = []
    view.sig_pause_changes.connect(sent.append)
    qtbot.mouseClick(view.pause_button, Qt.MouseButton.LeftButton)  # Resume
    assert sent == [{"epochs": 20}]

    # Now a run of 20 epochs: a later pause offers numbers from the epoch under way only.
    view.set_state(TRAINING)
    record_batches(recorder, epochs_done=4)
    view.show_progress(recorder.snapshot())
    view.set_state(PAUSED)
    assert spin.specialValueText() == "" and spin.minimum() == 5
    assert view.config().epochs == 20
    spin.setValue(1)
    assert view.config().epochs == 5
    view.set_state(IDLE)
    assert spin.minimum() == 0 and spin.specialValueText() == "Auto"
    assert view.config().epochs == 5


def test_an_auto_runs_progress_says_its_epochs_are_a_cap(qtbot):
    view = make_view(qtbot)
    recorder = ProgressRecorder()
    recorder.on_plan(TrainingPlan(300, 9999, 320_000, 80_000, ["a", "b"], auto_epochs=True))
    recorder.on_batch(299, 9999, {"loss": 0.5})
    recorder.set_paused(True)
    view.show_progress(recorder.snapshot())
    text = view.progress_label.text()
    assert text == "Epoch 299 (auto, at most 300) · batch 9999/9999 · paused"
    assert view.progress_label.fontMetrics().horizontalAdvance(text) <= view.progress_label.width()
    assert (
        view.time_left_label.fontMetrics().horizontalAdvance("at most 99:59:59 left")
        <= view.time_left_label.width()
    )

    # A run that early stopping ended: a full bar, no "of 246" anywhere.
    view.start_run()
    view.set_state(TRAINING)
    recorder = ProgressRecorder()
    recorder.on_plan(AUTO_PLAN)
    record_batches(recorder, epochs_done=9, steps=4)
    recorder.on_epoch(10, {"loss": 0.4, "val_loss": 0.7}, 100.0)
    view.show_progress(recorder.snapshot())
    assert view.time_left_label.text().startswith("at most")
    view.finish_run("Finished 10 epochs.", recorder.snapshot(), error=False)
    assert view.progress_label.text() == "Epoch 10 (auto, at most 246) · 37 batches"
    assert view.progress_bar.value() == view.progress_bar.maximum() == 37


def test_what_auto_did_in_words():
    def outcome(stopped=False, done=9, best=6, auto=True, early=True, error=None):
        return TrainingOutcome(
            stopped, done, best, {}, None, error=error, auto_epochs=auto, stopped_early=early
        )

    assert auto_epochs_result(outcome(), AUTO_PLAN) == "auto: stopped at epoch 9 (best 6)"
    assert auto_epochs_result(outcome(done=246, best=240, early=False), AUTO_PLAN) == (
        "auto: ran all 246 epochs (best 240)"
    )
    assert auto_epochs_result(outcome(stopped=True, done=4, best=3, early=False), None) == (
        "auto: stopped by you after epoch 4 (best 3)"
    )
    assert auto_epochs_result(outcome(auto=False), None) == ""  # a fixed number: nothing new
    assert auto_epochs_result(outcome(error="The loss became NaN."), AUTO_PLAN) == ""
    given = TrainingPlan(20, 4, 128, 32, ["a", "b"])  # a number was typed in while paused
    assert auto_epochs_result(outcome(), given) == ""


def test_the_runs_table_says_auto_where_the_planned_epochs_go(tmp_path):
    store = RunStore(tmp_path / "runs")
    for name, epochs in (("auto run", None), ("fixed run", 5)):
        project = Project()
        project.training.epochs = epochs
        run = store.create(project.to_dict(), name=name)
        run.history = [{"loss": 0.5, "val_loss": 0.6}] * 3
        run.status, run.pid = "finished", None
        run.save()
    model = RunsTableModel()
    model.set_runs(store.list())
    shown = {}
    for row in range(model.rowCount()):
        index = model.index(row, RunsTableModel.EPOCHS)
        shown[model.record(row).name] = (index.data(), index.data(SortRole))
        tip = index.data(Qt.ItemDataRole.ToolTipRole)
        assert ("auto" in (tip or "")) is (model.record(row).name == "auto run")
    assert shown == {"auto run": ("3 (auto)", 3), "fixed run": ("3/5", 3)}


def _no_signal_csv(path: Path, n: int = 120) -> Path:
    """Reviews with shuffled labels: nothing to learn, so the validation loss stops
    improving at once and auto stops within a few epochs."""
    rows = make_texts(n)
    labels = [label for _, label in rows]
    random.Random(1).shuffle(labels)
    lines = ["review,sentiment"] + [f"{t},{lab}" for (t, _), lab in zip(rows, labels, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_real_auto_run_says_what_auto_did(qtbot, make_window, tmp_path, csv_path):
    window = make_window(backend=True)
    load(qtbot, window, _no_signal_csv(tmp_path / "noise.csv"))
    view, form = window.train_view, window.train_view.settings
    window.tabs.setCurrentWidget(view)
    assert view.config().epochs is None  # Auto, as a new project starts
    view.patience_spin.setValue(1)  # auto's cap stays; one epoch without progress stops it
    qtbot.waitUntil(view.train_button.isEnabled, timeout=LONG)
    qtbot.mouseClick(view.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.is_training, timeout=LONG)
    qtbot.waitUntil(lambda: not window.is_training, timeout=LONG)

    outcome = window.training.last_outcome
    assert outcome is not None and outcome.auto_epochs and not outcome.error, view.banner.text()
    result = form.epochs_result()
    assert RESULT.fullmatch(result), result
    assert result == outcome.epochs_text()
    assert form.epochs_result_label.isVisibleTo(form)
    assert "(auto, at most 300)" in view.progress_label.text()  # 96 training rows: cap 300
    assert " of 300" not in view.result_label.text()
    assert view.time_left_label.text() == ""  # done: no time left, whatever the cap
    assert view.config().epochs is None  # the form still says Auto

    window.tabs.setCurrentIndex(RUNS_TAB)
    proxy = window.runs_view.proxy
    qtbot.waitUntil(lambda: proxy.rowCount() == 1, timeout=LONG)
    done = outcome.epochs_completed
    assert proxy.index(0, RunsTableModel.EPOCHS).data() == f"{done} (auto)"

    load(qtbot, window, csv_path)  # other data: what auto did on the old data is gone
    assert form.epochs_result() == ""
