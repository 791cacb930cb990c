"""The Runs tab's behaviour: opening a run's model or settings, and sweeps.

A sweep runs on Ray in a child process (``workbench sweep``; :mod:`.ray_sweep`) whose trials
the child writes into the run store as they train: the tab re-reads the store every second
and overlays their curves live. Without Ray, a grid sweep is a queue of runs the Train
feature trains one after another in the window; Stop (or Cancel sweep) ends the current run
and the queue with it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QMessageBox

from workbench.core import run_compare
from workbench.core.errors import WorkbenchError
from workbench.core.project import Project
from workbench.core.runs import RunRecord
from workbench.core.search import SearchSettings, SweepJob
from workbench.core.session import ModelSource
from workbench.core.sweeps import SweepPoint, sweep_name
from workbench.ui.app_settings import AppSettings, SettingsDialog
from workbench.ui.controller import STATUS_TIMEOUT_MS, Controller, Shell
from workbench.ui.predict.view import PredictView
from workbench.ui.runs.ray_sweep import RaySweepProcess
from workbench.ui.runs.sweep_dialog import SweepDialog
from workbench.ui.runs.view import RunsView
from workbench.ui.train.controller import TrainController
from workbench.ui.workers import TrainingThread, load_run_model

#: How often the Runs tab re-reads the store while a search runs (ms).
REFRESH_MS = 1000
#: The searches in words, for the sweep line.
SEARCH_WORDS = {
    "grid": "grid search",
    "random": "random search",
    "bayesian": "Bayesian search (Optuna TPE)",
}
EARLY_STOP_WORDS = {"asha": " with ASHA", "median": " with the median stopping rule"}


class RunsController(Controller):
    """Owns what the Runs tab starts: a run's model for prediction, its stack, sweeps."""

    def __init__(
        self,
        shell: Shell,
        view: RunsView,
        training: TrainController,
        predict_view: PredictView,
        use_project: Callable[[Project, str], None],
    ) -> None:
        super().__init__(shell)
        self.view = view
        self.training = training
        self.predict_view = predict_view
        self.use_project = use_project
        self._queue: list[SweepPoint] = []  # runs of the sweep still to train, in order
        self._total = 0
        self._ids: list[str] = []  # runs the current sweep recorded
        self._metric = ""  # what picks the in-window sweep's best
        self.app_settings = AppSettings()
        self.dialog: SweepDialog | None = None
        #: The search on Ray in a child process, and what it has said so far.
        self.ray = RaySweepProcess(self)
        self._trials_ended = 0
        self._total_planned = 0
        self._where = ""  # "local Ray" or "the Ray cluster at HOST:PORT"
        self._search_words = ""  # "random search with ASHA"
        self._seen: set[str] = set()  # the sweep's runs already added to the selection
        self._shown: tuple = ()  # (id, status, epochs) of the runs the table last showed
        self._failures: list[str] = []  # why trials failed, in order
        self._search_metric = ""  # what the search compares trials by, until shown
        self._done: dict[str, Any] | None = None
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_MS)
        self.refresh_timer.timeout.connect(self._on_refresh_timer)
        self.ray.sig_started.connect(self._on_ray_started)
        self.ray.sig_trial.connect(self._on_ray_trial)
        self.ray.sig_done.connect(self._on_ray_done)
        self.ray.sig_ended.connect(self._on_ray_ended)
        training.external_block = self._ray_block_reason
        view.sig_use_best.connect(self.use_best)
        view.sig_open_model.connect(self.open_run_model)
        view.sig_use_stack.connect(self.use_run_stack)
        view.sig_resume.connect(training.resume_run)
        view.sig_sweep_requested.connect(self.sweep_dialog)
        view.sig_cancel_sweep.connect(self.cancel_sweep)
        training.sig_stopping.connect(self._on_stop)
        training.sig_run_listed.connect(view.request_refresh)
        training.sig_run_ended.connect(self._on_run_ended)
        self.session.data_changed.connect(lambda *_: view.request_refresh())

        self.sweep_action = self.action(
            "S&weep…",
            self.sweep_dialog,
            tip="Search settings: grid, random or Bayesian, trials in parallel on Ray",
        )
        self.runs_action = self.action("Show &runs", lambda: shell.show_tab(view), "Ctrl+R")
        self.settings_action = self.action(
            "Se&ttings…", self.settings_dialog, tip="The Ray cluster searches run on"
        )
        self.menus = {
            "&Edit": [None, self.settings_action],
            "&Train": [self.sweep_action, self.runs_action],
        }
        self.session.training_changed.connect(self._on_training_changed)

    # -- a run's model and settings -------------------------------------------------------

    @Slot(str)
    def open_run_model(self, run_id: str) -> None:
        """Runs ▸ Open for prediction: load the run's saved model (worker thread)."""
        if self.session.training:
            return
        try:
            record = self.shell.store.get(run_id)
        except WorkbenchError as exc:
            QMessageBox.warning(self.shell, "Open run", str(exc))
            return
        if not record.model_path.is_file():
            QMessageBox.information(
                self.shell, "Open run", f"{record.name} has no saved model (it ended before one)."
            )
            return
        self.status(f"Loading the model of {record.name}…")
        self.shell.tasks.run(
            "run-model",
            f"loading the model of {record.name}",
            load_run_model,
            str(record.model_path),
            on_done=lambda predictor: self._on_run_model(record, predictor),
            on_failed=self.shell.show_task_error,
        )

    def _on_run_model(self, record: RunRecord, predictor: Any) -> None:
        kind = predictor.kind
        data = self.session.dataset
        path = str(record.project.get("dataset", {}).get("path", ""))
        same_file = data is not None and data.kind == kind and Path(data.path) == Path(path)
        if kind != "text" and not same_file:
            QMessageBox.information(
                self.shell,
                "Open run",
                f"{record.name} predicts {kind} data: open its data ({path}) first so the "
                "Predict tab can show the inputs it takes.",
            )
            return
        self.session.set_predictor(predictor, ModelSource(record.name, record.id, path))
        self.training.update_state()
        self.shell.show_tab(self.predict_view)
        self.status(f"Predicting with {record.name}.", STATUS_TIMEOUT_MS)

    @Slot(str)
    def use_best(self, run_id: str) -> None:
        """Use best as model: the run's layers and settings in the editor, and its model
        opened for prediction (the Predict tab comes to the front when it has loaded)."""
        self.use_run_stack(run_id)
        self.open_run_model(run_id)

    @Slot(str)
    def use_run_stack(self, run_id: str) -> None:
        """Runs ▸ Use as model: the run's layers (one undo step) and training settings."""
        if self.session.training:
            return
        try:
            record = self.shell.store.get(run_id)
            project = Project.from_dict(record.project)
        except WorkbenchError as exc:
            QMessageBox.warning(self.shell, "Use run", str(exc))
            return
        self.use_project(project, f"Use the model of {record.name}")
        self.status(
            f"The model and settings of {record.name} are in the editor.", STATUS_TIMEOUT_MS
        )

    # -- sweeps --------------------------------------------------------------------------

    @Slot()
    def settings_dialog(self) -> None:
        """Edit ▸ Settings…: the Ray cluster address searches start with."""
        SettingsDialog(self.app_settings, self.shell).exec()

    @Slot()
    def sweep_dialog(self) -> None:
        """Train ▸ Sweep…: choose what to vary and how; Start runs the search (on Ray in a
        child process, or, without Ray, a grid one run after another here)."""
        reason = self.training.block_reason()
        if reason is not None:
            QMessageBox.information(self.shell, "Sweep", reason)
            return
        project = copy.deepcopy(self.session.project)
        project.training = self.training.config()
        dialog = SweepDialog(project, self.shell, address=self.app_settings.ray_address)
        dialog.accepted.connect(self._on_dialog_accepted)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()  # window-modal, without a nested event loop

    @Slot()
    def _on_dialog_accepted(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is None:
            return
        try:
            if dialog.ray:
                self.start_search(dialog.project, dialog.settings())
            else:
                metric = dialog.settings().metric_for(dialog.project)
                self.start_sweep(dialog.points(), metric)
        except WorkbenchError as exc:  # the dialog checked it; the data may have gone since
            QMessageBox.warning(self.shell, "Sweep", str(exc))

    @property
    def sweep_running(self) -> bool:
        """True from the start of a sweep (on Ray or here) until it has ended."""
        return bool(self._total) or self.ray.running

    def _ray_block_reason(self) -> str | None:
        return "A sweep is running on Ray; cancel it or wait." if self.ray.running else None

    @Slot(bool)
    def _on_training_changed(self, training: bool) -> None:
        self.sweep_action.setEnabled(not training and not self.ray.running)
        if training and not self._total:
            self.view.pin_best(None)  # a new run: the table ranks by its own rule again

    @Slot()
    def cancel_sweep(self) -> None:
        """Runs ▸ Cancel sweep: on Ray every trial stops (the child then shuts Ray down);
        here the current run stops (its model kept) and no more start."""
        if self.ray.running:
            self.ray.cancel()
            self.view.show_sweep("Cancelling the sweep: stopping every trial, then Ray…")
            self.status("Cancelling the sweep…")
        elif self.sweep_running:
            self.training.stop_training()

    # -- on Ray, in a child process ------------------------------------------------------

    def start_search(self, project: Project, settings: SearchSettings) -> None:
        """Start the search as ``workbench sweep`` in a child process; the Runs tab shows
        its trials as the child records them."""
        if self.sweep_running or self.session.training or self.shell.shut_down:
            return
        settings.check(project)
        job = SweepJob(project, settings, self.shell.store.root)
        try:
            self.ray.start(job, self.shell.store.root.parent / "sweeps")
        except OSError as exc:
            self.shell.show_task_error(f"The sweep could not be written: {exc}")
            return
        self._trials_ended, self._done, self._seen = 0, None, set()
        self._shown, self._failures = (), []
        self._search_metric = settings.metric_for(project)
        self._total_planned = settings.planned_trials()
        address = settings.ray_address
        self._where = f"the Ray cluster at {address}" if address else "local Ray"
        self._search_words = SEARCH_WORDS.get(settings.search, settings.search)
        self._search_words += EARLY_STOP_WORDS.get(settings.early_stop, "")
        self.view.pin_best(None)
        self.view.set_live_sweep(job.sweep_id)
        verb = "joining" if address else "starting"
        self.view.show_sweep(f"Sweep: {verb} {self._where} for {self._total_planned} trials…")
        self.sweep_action.setEnabled(False)
        self.training.update_state()
        self.shell.show_tab(self.view)
        self.status(f"Sweep started: {self._search_words} on {self._where}.")
        self.refresh_timer.start()

    @Slot(dict)
    def _on_ray_started(self, event: dict[str, Any]) -> None:
        self._total_planned = int(event.get("trials") or self._total_planned)
        cluster = str(event.get("cluster") or "local")
        self._where = "local Ray" if cluster == "local" else f"the Ray cluster at {cluster}"
        self._update_sweep_line()

    @Slot(dict)
    def _on_ray_trial(self, event: dict[str, Any]) -> None:
        self._trials_ended += 1
        if event.get("status") == "failed" and event.get("message"):
            self._failures.append(str(event["message"]))
        self._on_refresh_timer()
        if self._done is None and not self.ray.cancelled:
            self.status(self._sweep_line())

    @Slot(dict)
    def _on_ray_done(self, event: dict[str, Any]) -> None:
        self._done = event
        self.refresh_timer.stop()
        self.view.show_sweep("Sweep done: shutting Ray down…")
        self.view.cancel_sweep_button.hide()  # nothing left to cancel

    @Slot()
    def _on_refresh_timer(self) -> None:
        """Every second: re-read the store (the child writes each epoch), add new trials to
        the selection so their curves overlay, and say how far the search is."""
        if not self.ray.running:
            return
        if not self.view.isVisible():
            self.view.request_refresh()  # caught up when the tab is shown
            return
        # Refill the table only when a run was added, changed status or finished an epoch:
        # a refill takes tens of milliseconds with hundreds of runs.
        shown = tuple((r.id, r.status, len(r.history)) for r in self.shell.store.list())
        if shown != self._shown:
            self._shown = shown
            self.view.refresh()
            self._select_new_trials()
        self._update_sweep_line()

    def _sweep_records(self) -> list[RunRecord]:
        sweep = self.ray.sweep_id
        return [r for r in self.view.records() if sweep and r.sweep == sweep]

    def _select_new_trials(self) -> None:
        new = [r.id for r in self._sweep_records() if r.id not in self._seen]
        if new:
            self._seen.update(new)
            self.view.select_ids(self.view.selected_ids() + new)
        combo = self.view.metric_combo
        if self._search_metric and combo.findText(self._search_metric) >= 0:
            combo.setCurrentText(self._search_metric)  # once: the curves the search compares
            self._search_metric = ""

    def _update_sweep_line(self) -> None:
        if self._done is None and not self.ray.cancelled:
            self.view.show_sweep(self._sweep_line())

    def _sweep_line(self) -> str:
        records = self._sweep_records()
        running = sum(r.status == "running" for r in records)
        if not records and not self._trials_ended:
            return (
                f"Sweep: {self._total_planned} trials — {self._search_words} on "
                f"{self._where}; the first are starting (each loads TensorFlow first)…"
            )
        return (
            f"Sweep: {self._trials_ended} of {self._total_planned} trials ended, {running} "
            f"running — {self._search_words} on {self._where}"
        )

    @Slot(int, str)
    def _on_ray_ended(self, code: int, error: str) -> None:
        """The child has exited: the results (from the done event), or why it failed."""
        self.refresh_timer.stop()
        self.view.set_live_sweep(None)
        self.sweep_action.setEnabled(not self.session.training)
        self.training.update_state()
        if self.shell.shut_down:
            return
        self.view.refresh()
        done, sweep = self._done, self.ray.sweep_id
        ids = [r.id for r in self.view.records() if r.sweep == sweep]
        self.view.select_ids(ids)
        if done is None:
            message = error or "The sweep ended without a result."
            self.view.show_sweep_result(f"Sweep failed: {message}", None)
            self.shell.show_task_error(f"Sweep failed: {message}")
            return
        best = done.get("best") or None
        metric = str(done.get("metric") or "")
        best_id = str(best["run_id"]) if best else None
        if best_id:
            self.view.pin_best(best_id, metric)
        text = describe_done(done)
        self.view.show_sweep_result(text, best_id if best_id in ids else None)
        self.status(text, STATUS_TIMEOUT_MS * 2)
        if best is None and not done.get("cancelled"):
            first = f" The first failure: {self._failures[0]}" if self._failures else ""
            self.shell.show_task_error(
                f"No trial of the sweep finished with a model.{first} Each run's message "
                "(a tooltip on its name in the Runs tab) says why it ended."
            )

    # -- here, one run after another -----------------------------------------------------

    def start_sweep(self, points: list[SweepPoint], metric: str = "") -> None:
        """Queue the sweep's runs and start the first; the Runs tab shows the progress and,
        at the end, stars the best by ``metric`` (default val_loss)."""
        if not points or self.sweep_running or self.session.dataset is None:
            return
        if self.session.training:
            return
        self._queue = list(points)
        self._total = len(points)
        self._ids = []
        self._metric = metric or run_compare.DEFAULT_METRIC
        self.view.pin_best(None)
        self.shell.show_tab(self.view)
        self._next()

    @Slot()
    def _on_stop(self) -> None:
        """Any stop during a sweep ends the current run and the sweep with it."""
        if self._queue:
            self._queue = []
            self.view.show_sweep("Sweep cancelled: stopping the current run…")

    @Slot(str)
    def _on_run_ended(self, run_id: str) -> None:
        self.view.request_refresh()
        if self._total and run_id:
            self._ids.append(run_id)
        self._next()

    def _next(self) -> None:
        if not self._total or self.shell.shut_down:
            return
        if not self._queue:
            self._finish()
            return
        point = self._queue.pop(0)
        text = f"Sweep run {point.index}/{self._total}: {point.label}"
        self.view.show_sweep(text)
        thread = TrainingThread(
            point.project,
            self.session.dataset,
            store=self.shell.store,
            run_name=sweep_name(point, self._total),
        )
        self.training.start_thread(thread, text + "…")

    def _finish(self) -> None:
        done, total, metric = len(self._ids), self._total, self._metric
        self._total = 0
        self.view.refresh()
        self.view.select_ids(self._ids)
        records = [r for r in self.view.records() if r.id in self._ids]
        best = run_compare.best_run([r for r in records if r.status == "finished"], metric)
        if best is not None:
            self.view.pin_best(best, metric)
        event = {
            "best": None,
            "metric": metric,
            "trials": len(records),
            "finished": sum(r.status == "finished" for r in records),
            "stopped": sum(r.status == "stopped" for r in records),
            "failed": sum(r.status == "failed" for r in records),
            "cancelled": done < total,
        }
        record = next((r for r in records if r.id == best), None)
        if record is not None:
            value = run_compare.kept_value(record, metric)
            event["best"] = {"run_id": best, "name": record.name, metric: value}
        head = f"Sweep cancelled after {done} of {total} runs" if done < total else None
        text = describe_done(event, head)
        self.view.show_sweep_result(text, best)
        self.status(text, STATUS_TIMEOUT_MS * 2)

    def shutdown(self) -> None:
        """No more sweep runs start; a search on Ray is cancelled and its process ended."""
        self._queue = []
        self.refresh_timer.stop()
        self.ray.shutdown()


def describe_done(event: dict[str, Any], head: str | None = None) -> str:
    """'Sweep finished: 12 trials (9 finished, 3 stopped early, 0 failed). Best by
    val_accuracy 0.91: trial 4/12: learning_rate 0.0031.' from a search's done event
    (``head`` replaces 'Sweep finished')."""
    cancelled = bool(event.get("cancelled"))
    head = head or ("Sweep cancelled" if cancelled else "Sweep finished")
    trials = int(event.get("trials") or 0)
    stopped = "stopped" if cancelled else "stopped early"
    counts = (
        f"{trials} trial{'s' if trials != 1 else ''} ({event.get('finished', 0)} finished, "
        f"{event.get('stopped', 0)} {stopped}, {event.get('failed', 0)} failed)"
    )
    best = event.get("best")
    metric = str(event.get("metric") or "")
    if not best:
        return f"{head}: {counts}. No trial finished with a model; each run's message says why."
    value = best.get(metric)
    score = f" {value:.4g}" if isinstance(value, int | float) else ""
    return f"{head}: {counts}. Best by {metric}{score}: {best.get('name', best['run_id'])}."
