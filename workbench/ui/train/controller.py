"""The Train tab's behaviour: starting, pausing, stopping, continuing and resuming runs.

Every kind of training (a new run, a resumed or continued one, each run of a sweep) goes
through :meth:`TrainController.start_thread`: one :class:`TrainingThread` at a time, whose
progress the view redraws from a timer, never once per batch. Each run is recorded in the
window's run store and appears in the Runs tab at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from workbench.core.checks import row_count
from workbench.core.errors import WorkbenchError
from workbench.core.listener import TrainingOutcome, TrainingPlan
from workbench.core.outcome import describe_outcome
from workbench.core.project import Project, TrainingConfig
from workbench.core.runs import RunRecord
from workbench.core.session import ModelSource
from workbench.ui.controller import STATUS_TIMEOUT_MS, Controller, Shell
from workbench.ui.train.progress import ProgressSnapshot
from workbench.ui.train.view import PAUSED, STOPPING, TRAINING, TrainView
from workbench.ui.workers import TrainingThread

REDRAW_INTERVAL_MS = 100  # 10 Hz: lively progress text, little CPU taken from training
#: Answers of the resume question asked at start-up.
RESUME, DISCARD, LATER = "resume", "discard", "later"


class TrainController(Controller):
    """Owns the training thread and the Train tab's state."""

    #: A run ended (finished, stopped or failed) and its results were handled: (the run's id,
    #: "" when it failed before one was recorded).
    sig_run_ended = Signal(str)
    #: The running run was created in the store (the Runs tab lists it).
    sig_run_listed = Signal()
    #: The settings changed: (TrainingConfig). The Data tab shows the split from it.
    sig_config_changed = Signal(object)
    #: Stop was asked for (button, menu, Cancel sweep): the run ends after this batch.
    sig_stopping = Signal()

    def __init__(
        self, shell: Shell, view: TrainView, model_block_reason: Callable[[], str | None]
    ) -> None:
        super().__init__(shell)
        self.view = view
        self._model_block_reason = model_block_reason
        #: Weights of an imported model for the next run (set by the window from the model).
        self.initial_weights: Callable[[], Any] = lambda: None
        #: Reads the data a run names, then calls back (the window wires the data feature).
        self.open_data_for: Callable[[Project, Callable[[], None], str], bool] | None = None
        #: Why no training may start because of work elsewhere (a sweep on Ray), or None.
        self.external_block: Callable[[], str | None] = lambda: None
        self.thread: TrainingThread | None = None
        self.last_outcome: TrainingOutcome | None = None
        self._resume_offered = False
        self._resume_note = ""  # settings changed during the pause, for the status bar
        self.redraw_timer = QTimer(self)
        self.redraw_timer.setInterval(REDRAW_INTERVAL_MS)
        self.redraw_timer.timeout.connect(self.redraw)

        view.sig_train.connect(self.start_training)
        view.sig_pause.connect(self.set_paused)
        view.sig_stop.connect(self.stop_training)
        view.sig_continue.connect(self.continue_training)
        view.sig_pause_changes.connect(self._on_pause_changes)
        view.sig_config_changed.connect(self._on_config_changed)
        view.set_config(self.session.project.training)
        self.session.data_changed.connect(self._on_data_changed)
        self.session.results_cleared.connect(self.view.clear_results)

        # The tab's own actions: in the menu bar their shortcuts work from every tab.
        self.menus = {
            "&Train": [
                view.start_action,
                view.pause_action,
                view.stop_action,
                view.continue_action,
            ]
        }

    # -- settings ------------------------------------------------------------------------

    def config(self) -> TrainingConfig:
        """The settings as the Train tab shows them now (also kept in the project)."""
        config = self.view.config()
        self.session.project.training = config
        return config

    def set_config(self, config: TrainingConfig) -> None:
        """Show ``config`` (from a project, a run or the Data tab's split)."""
        self.session.project.training = config
        self.view.set_config(config)
        self.sig_config_changed.emit(config)
        self.update_state()

    @Slot(float, object, int)
    def set_split(self, validation: float, test: float | None, seed: int) -> None:
        """The Data tab's split settings changed (test None: auto)."""
        config = self.view.config()
        config.validation_fraction, config.test_fraction, config.seed = validation, test, seed
        self.set_config(config)

    @Slot()
    def _on_config_changed(self) -> None:
        self.sig_config_changed.emit(self.config())
        self.update_state()

    def _on_data_changed(self, dataset: Any, summary: dict[str, Any]) -> None:
        self.view.settings.show_epochs_result("")  # it told of a run on the old data
        counts = self.session.class_counts()
        classes = len(counts) if dataset.task == "classification" else 1
        self.view.set_task(dataset.task, classes, list(counts.values()))
        self.view.settings.set_data_rows(list(counts.values()) or [row_count(dataset)])

    # -- state ---------------------------------------------------------------------------

    def block_reason(self) -> str | None:
        """Why Train is disabled right now, or None when it can start."""
        if self.thread is not None:
            return "A training run is in progress."
        external = self.external_block()
        if external is not None:
            return external
        if self.session.dataset is None:
            return "Load a dataset first (Data tab, or File ▸ Open sample)."
        reason = self._model_block_reason()
        if reason is not None:
            return reason
        problems = self.view.config_problems()
        return problems[0] if problems else None

    @Slot()
    def update_state(self) -> None:
        """Train's reason and Continue follow the data, the model and the running thread."""
        self.view.set_train_reason(self.block_reason())
        self.view.set_can_continue(self.can_continue)

    @property
    def is_training(self) -> bool:
        """True from Train until the run's result has been handled."""
        return self.thread is not None

    # -- a run ---------------------------------------------------------------------------

    @Slot()
    def start_training(self) -> None:
        """Train: fit a copy of the project on the loaded data on a training thread."""
        reason = self.block_reason()
        if reason is not None:
            self.status(reason, 5000)
            return
        project = self.session.project
        project.training = self.config()
        thread = TrainingThread(
            project,
            self.session.dataset,
            self.initial_weights(),
            store=self.shell.store,
            run_name=self.next_run_name(),
        )
        self.start_thread(thread, "Training…")

    def next_run_name(self) -> str:
        """'run 7' for the seventh run in the store."""
        return f"run {len(self.shell.store.list()) + 1}"

    def start_thread(self, thread: TrainingThread, message: str) -> None:
        """Every kind of training goes through here: one thread at a time, plots reset."""
        thread.sig_finished.connect(self._on_finished)
        thread.sig_failed.connect(self._on_failed)
        self.thread = thread
        self.view.start_run()
        self.view.set_state(TRAINING)
        self.session.set_training(True)
        thread.start()
        self.redraw_timer.start()
        self.status(message)
        self.update_state()

    @Slot(bool)
    def set_paused(self, paused: bool) -> None:
        """Pause (True) or resume (False) at the next batch boundary.

        On resume, the settings changed in the Train tab while paused (learning rate,
        epochs, early stopping) go to the trainer, which applies them before the next batch.
        """
        thread = self.thread
        if thread is None or self.view.state == STOPPING:
            return
        if paused:
            thread.control.pause()
            self.view.set_state(PAUSED)
            self.status("Paused. Resume to continue training.")
        else:
            thread.control.resume()
            self.view.set_state(TRAINING)
            note, self._resume_note = self._resume_note, ""
            self.status(f"Training… ({note} from now on)" if note else "Training…")
        thread.recorder.set_paused(paused)
        self.redraw()

    @Slot(dict)
    def _on_pause_changes(self, changes: dict[str, Any]) -> None:
        """Settings changed while paused: the trainer applies them before the next batch."""
        thread = self.thread
        # epochs None ("auto") is no change: TrainingControl.update takes numbers only
        changes = {name: value for name, value in changes.items() if value is not None}
        if thread is None or not changes:
            return
        try:
            thread.control.update(**changes)
        except ValueError as exc:
            self.view.banner.show_message(str(exc), "error")
            return
        self._resume_note = ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in changes.items())

    @Slot()
    def stop_training(self) -> None:
        """Ask training to end after the current batch; the model so far is kept."""
        thread = self.thread
        if thread is None:
            return
        self.sig_stopping.emit()
        thread.control.request_stop()
        thread.recorder.set_paused(False)
        self.view.set_state(STOPPING)
        self.status("Stopping after the current batch…")

    @Slot()
    def redraw(self) -> None:
        """Timer: show the recorder's latest snapshot."""
        thread = self.thread
        if thread is None:
            return
        snapshot = thread.recorder.snapshot()
        self.view.show_progress(snapshot)
        if not thread.listed and snapshot.plan is not None:
            thread.listed = True  # the trainer has created the run: list it as running
            self.sig_run_listed.emit()

    def _end(self) -> ProgressSnapshot | None:
        thread, self.thread = self.thread, None
        self.redraw_timer.stop()
        if thread is None:
            return None
        thread.wait()  # run() has returned; this only joins the thread
        return thread.recorder.snapshot()

    @Slot(object, object)
    def _on_finished(self, outcome: TrainingOutcome, predictor: Any) -> None:
        if self.shell.shut_down:
            return
        snapshot = self._end()
        self.last_outcome = outcome
        run_id = getattr(outcome, "run_id", None)
        if run_id:
            self.session.last_run_id = run_id
        if predictor is not None:
            self.session.set_predictor(predictor, self._source(run_id))
        plan = snapshot.plan if snapshot is not None else None
        if outcome.error:
            message = f"Training failed: {outcome.error}"
        else:
            # An auto plan's epochs is only a cap: "stopped after epoch 3 of 246" would
            # read as a run cut short.
            planned = plan.epochs if plan is not None and not plan.auto_epochs else None
            message = describe_outcome(outcome, planned)
        self.view.finish_run(message, snapshot, error=bool(outcome.error), stopped=outcome.stopped)
        self.view.settings.show_epochs_result(auto_epochs_result(outcome, plan))
        self.status(message, STATUS_TIMEOUT_MS * 2)
        self._ended(run_id or "")

    def _source(self, run_id: str | None) -> ModelSource:
        data = self.session.dataset
        path = str(data.path) if data is not None else ""
        name = "the model just trained"
        if run_id:
            with contextlib.suppress(WorkbenchError):  # a run.json damaged since: no name
                name += f" ({self.shell.store.get(run_id).name})"
        return ModelSource(name, run_id, path)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self.shell.shut_down:
            return
        snapshot = self._end()
        self.view.finish_run(message, snapshot, error=True)
        self.status("Training failed; see the Train tab.", STATUS_TIMEOUT_MS)
        self._ended("")

    def _ended(self, run_id: str) -> None:
        self.session.set_training(False)
        self.update_state()
        self.sig_run_ended.emit(run_id)

    # -- continue, resume ------------------------------------------------------------------

    @property
    def can_continue(self) -> bool:
        """True when the last run ended with a checkpoint that can train further."""
        run_id = self.session.last_run_id
        if self.thread is not None or run_id is None or self.external_block() is not None:
            return False
        try:
            record = self.shell.store.get(run_id)
        except WorkbenchError:
            return False
        return record.status in ("finished", "stopped") and record.has_checkpoint

    @Slot(int)
    def continue_training(self, epochs: int) -> None:
        """Train the last run's model ``epochs`` more epochs, as a new run whose curves
        carry on from where the last one ended."""
        run_id = self.session.last_run_id
        if not self.can_continue or run_id is None:
            self.status("There is no finished run to continue.", 5000)
            return
        record = self.shell.store.get(run_id)
        thread = TrainingThread(
            self.session.project,
            self._data_for(record),
            store=self.shell.store,
            continue_id=record.id,
            extra_epochs=int(epochs),
        )
        replay_history(thread, record)  # the curves carry on from the run's epochs
        self.start_thread(thread, f"Continuing training for {epochs} more epochs…")

    def _data_for(self, record: RunRecord) -> Any:
        """The loaded data when the run trained on it; None to read it again for the run."""
        if self.session.data_matches(record.project.get("dataset", {})):
            return self.session.dataset
        return None

    @Slot()
    def offer_resume(self) -> None:
        """At start-up (backend ready): offer to resume the newest interrupted run."""
        if self._resume_offered or self.shell.shut_down or self.thread is not None:
            return
        self._resume_offered = True
        candidates = [r for r in self.shell.store.interrupted() if r.has_checkpoint]
        if not candidates:
            return
        record = max(candidates, key=lambda r: r.created)
        answer = ask_resume(self.shell, record)
        if answer == RESUME:
            self.resume_run(record.id)
        elif answer == DISCARD:
            record.status = "interrupted"
            record.message = "The app closed during this run; it was not resumed."
            record.pid = None
            try:
                record.save()
            except WorkbenchError as exc:  # a read-only workspace
                self.status(str(exc))
            self.sig_run_listed.emit()  # the Runs tab shows it as interrupted now

    @Slot(str)
    def resume_run(self, run_id: str) -> None:
        """Resume an interrupted run from its last finished epoch, on a training thread.

        The run's data, layers and settings are opened in the window first (as File ▸ Open
        project would), so the tabs show what trains and Continue works afterwards.
        """
        if self.thread is not None or self.shell.shut_down:
            self.status("Stop training before resuming another run.", 5000)
            return
        if (external := self.external_block()) is not None:
            self.status(external, 5000)
            return
        if not self.shell.backend.ready:
            self.status("Waiting for TensorFlow to load…", 5000)
            return
        try:
            record = self.shell.store.get(run_id)
            project = Project.from_dict(record.project)
        except WorkbenchError as exc:  # a damaged run.json, or damaged settings inside it
            QMessageBox.warning(self.shell, "Resume", str(exc))
            return
        if self._data_for(record) is None and self.open_data_for is not None:
            started = self.open_data_for(
                project, lambda: self._resume_by_id(record.id), "The run was not resumed."
            )
            if started:
                self.status(f"Reading the data of {record.name} to resume it…")
                return
        self._start_resume(record)

    def _resume_by_id(self, run_id: str) -> None:
        try:
            self._start_resume(self.shell.store.get(run_id))
        except WorkbenchError as exc:
            QMessageBox.warning(self.shell, "Resume", str(exc))

    def _start_resume(self, record: RunRecord) -> None:
        thread = TrainingThread(
            Project.from_dict(record.project),
            self._data_for(record),
            store=self.shell.store,
            resume_id=record.id,
        )
        self.session.last_run_id = record.id
        self.shell.show_tab(self.view)
        replay_history(thread, record)
        self.start_thread(thread, f"Resuming {record.name} from its last finished epoch…")

    def shutdown(self) -> None:
        """Stop the run (its model so far is kept) and wait for the thread."""
        self.redraw_timer.stop()
        thread, self.thread = self.thread, None
        if thread is not None:
            thread.control.request_stop()
            thread.wait()


def auto_epochs_result(outcome: TrainingOutcome, plan: TrainingPlan | None) -> str:
    """What epochs "auto" came to, for under the Epochs field: 'auto: stopped at epoch 9
    (best 6)'; '' for a fixed number of epochs (also one typed in while paused), a failed
    run, or one stopped before an epoch finished."""
    if not outcome.auto_epochs or outcome.error or not outcome.epochs_completed:
        return ""
    if plan is not None and not plan.auto_epochs:
        return ""  # given a number while paused: the form shows that number
    if outcome.stopped:  # by the person (a diverged loss comes with an error)
        best = f" (best {outcome.best_epoch})" if outcome.best_epoch else ""
        return f"auto: stopped by you after epoch {outcome.epochs_completed}{best}"
    return outcome.epochs_text()


def ask_resume(parent: QWidget, record: RunRecord) -> str:
    """Ask whether to resume an interrupted run: RESUME, DISCARD or LATER."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Resume training?")
    epochs = len(record.history)
    box.setText(
        f"{record.name} was interrupted after {epochs} finished epoch"
        f"{'s' if epochs != 1 else ''} (the app closed while it trained). Resume it from its "
        "last checkpoint?"
    )
    box.setInformativeText("Later keeps it in the Runs tab, where Resume is one click.")
    resume = box.addButton("Resume", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(resume)
    box.exec()
    clicked = box.clickedButton()
    if clicked is resume:
        return RESUME
    if clicked is discard:
        return DISCARD
    return LATER


def replay_history(thread: TrainingThread, record: RunRecord) -> None:
    """Put a run's finished epochs in a new thread's recorder, so resumed or continued
    training draws its curves on from them."""
    bookkeeping = ("epoch", "samples_per_second", "seconds")
    for number, entry in enumerate(record.history, start=1):
        logs = {k: float(v) for k, v in entry.items() if k not in bookkeeping and _is_number(v)}
        thread.recorder.on_epoch(int(entry.get("epoch", number)), logs, 0.0)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


__all__ = ["TrainController", "ask_resume", "auto_epochs_result", "replay_history"]
