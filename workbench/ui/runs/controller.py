"""The Runs tab's behaviour: opening a run's model or settings, and sweeps.

A sweep is a queue of runs the Train feature trains one after another; Stop (or Cancel
sweep) ends the current run and the queue with it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QMessageBox

from workbench.core.errors import WorkbenchError
from workbench.core.project import Project
from workbench.core.runs import RunRecord
from workbench.core.session import ModelSource
from workbench.core.sweeps import SweepPoint, sweep_name
from workbench.ui.controller import STATUS_TIMEOUT_MS, Controller, Shell
from workbench.ui.predict.view import PredictView
from workbench.ui.runs.sweep_dialog import SweepDialog
from workbench.ui.runs.view import RunsView
from workbench.ui.train.controller import TrainController
from workbench.ui.workers import TrainingThread, load_run_model


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
            "S&weep…", self.sweep_dialog, tip="Train a grid of settings one run after another"
        )
        self.runs_action = self.action("Show &runs", lambda: shell.show_tab(view), "Ctrl+R")
        self.menus = {"&Train": [self.sweep_action, self.runs_action]}
        self.session.training_changed.connect(lambda on: self.sweep_action.setEnabled(not on))

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
    def sweep_dialog(self) -> None:
        """Train ▸ Sweep…: pick a grid; its runs train one after another."""
        reason = self.training.block_reason()
        if reason is not None:
            QMessageBox.information(self.shell, "Sweep", reason)
            return
        project = copy.deepcopy(self.session.project)
        project.training = self.training.config()
        dialog = SweepDialog(project, self.shell)
        if dialog.exec() == SweepDialog.DialogCode.Accepted:
            self.start_sweep(dialog.points())

    def start_sweep(self, points: list[SweepPoint]) -> None:
        """Queue the sweep's runs and start the first; the Runs tab shows the progress."""
        if not points or self.session.training or self.session.dataset is None:
            return
        self._queue = list(points)
        self._total = len(points)
        self._ids = []
        self.shell.show_tab(self.view)
        self._next()

    @property
    def sweep_running(self) -> bool:
        """True from the first run of a sweep until its last has ended."""
        return bool(self._total)

    @Slot()
    def cancel_sweep(self) -> None:
        """Runs ▸ Cancel sweep: the current run stops (its model kept), no more start."""
        if self.sweep_running:
            self.training.stop_training()

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
        done, total = len(self._ids), self._total
        self._total = 0
        self.view.show_sweep(None)
        self.view.refresh()
        self.view.select_ids(self._ids)
        best = self.view.best_id
        names = {r.id: r.name for r in self.view.records()}
        best_text = f" Best by {self.view.model.metric}: {names[best]}." if best in names else ""
        ended = (
            "Sweep finished" if done == total else f"Sweep cancelled after {done} of {total} runs"
        )
        self.status(f"{ended}.{best_text}", STATUS_TIMEOUT_MS * 2)

    def shutdown(self) -> None:
        """No more sweep runs start."""
        self._queue = []
