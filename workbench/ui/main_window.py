"""The main window: four tabs (Data, Model, Train, Predict), menus, status bar, and the glue.

The window owns the :class:`~workbench.core.project.Project` the person edits and every
worker thread. It never waits on TensorFlow: loading data, checking the model, training and
predicting all run on workers (see :mod:`workbench.ui.workers`), and results come back as
queued signals to slots here. There is one way out, :meth:`MainWindow.closeEvent`, which
stops and waits for every thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QMimeData, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

import workbench
from workbench.core.listener import TrainingOutcome
from workbench.core.project import DatasetSpec, Project
from workbench.core.samples import DEFAULT_SAMPLE, SAMPLES, Sample
from workbench.core.summary import StackSummary
from workbench.core.templates import fit_head, fit_sequence_length
from workbench.ui.data_view import DataView
from workbench.ui.model_view import ModelView
from workbench.ui.predict_view import PredictView
from workbench.ui.progress import ProgressSnapshot
from workbench.ui.train_view import IDLE, PAUSED, STOPPING, TRAINING, TrainView
from workbench.ui.workers import (
    BackendClient,
    CallThread,
    TrainingThread,
    choose_columns,
    load_table,
)

if TYPE_CHECKING:  # pandas loads with the first file, not with the window
    from workbench.core.textdata import TextTable

SUMMARY_DEBOUNCE_MS = 200
REDRAW_INTERVAL_MS = 40  # 25 Hz
STATUS_TIMEOUT_MS = 15000
DATA_TAB, MODEL_TAB, TRAIN_TAB, PREDICT_TAB = range(4)
FILE_FILTER = "Text tables (*.csv *.tsv *.txt);;All files (*)"


class MainWindow(QMainWindow):
    """Training Workbench's window. Call :meth:`start_backend` after showing it.

    Without :meth:`start_backend` the window works for data and local model edits and never
    loads TensorFlow, which is how the view tests run.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Training Workbench")
        self.resize(1280, 800)
        self.setAcceptDrops(True)

        self.project = Project()
        self.table: TextTable | None = None
        self.num_classes: int | None = None
        self.summary: StackSummary | None = None
        self.predictor: Any = None
        self.last_outcome: TrainingOutcome | None = None
        self._summary_current = False
        self._summary_error: str | None = None
        self._stack_version = 0
        self._requested_version = -1
        self._backend_error: str | None = None
        self._load_token = 0
        self._load_threads: dict[int, CallThread] = {}
        self._training: TrainingThread | None = None
        self._last_predict_text = ""
        self._shut_down = False

        self.backend = BackendClient(self)
        self.backend.sig_ready.connect(self._on_backend_ready)
        self.backend.sig_load_failed.connect(self._on_backend_failed)
        self.backend.sig_summary.connect(self._on_summary)
        self.backend.sig_summary_failed.connect(self._on_summary_failed)
        self.backend.sig_prediction.connect(self._on_prediction)
        self.backend.sig_prediction_failed.connect(self._on_prediction_failed)
        self.backend.sig_saved.connect(self._on_saved)
        self.backend.sig_save_failed.connect(self._on_save_failed)

        self.summary_timer = QTimer(self)
        self.summary_timer.setSingleShot(True)
        self.summary_timer.setInterval(SUMMARY_DEBOUNCE_MS)
        self.summary_timer.timeout.connect(self._request_summary)
        self.redraw_timer = QTimer(self)
        self.redraw_timer.setInterval(REDRAW_INTERVAL_MS)
        self.redraw_timer.timeout.connect(self._redraw)

        self.data_view = DataView()
        self.model_view = ModelView()
        self.train_view = TrainView()
        self.predict_view = PredictView()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.data_view, "Data")
        self.tabs.addTab(self.model_view, "Model")
        self.tabs.addTab(self.train_view, "Train")
        self.tabs.addTab(self.predict_view, "Predict")
        self.setCentralWidget(self.tabs)

        self.data_view.sig_open_requested.connect(self.open_dataset_dialog)
        self.data_view.sig_open_sample_requested.connect(self.open_default_sample)
        self.data_view.sig_columns_changed.connect(self._on_columns_changed)
        self.model_view.sig_changed.connect(self._on_stack_changed)
        self.train_view.sig_train.connect(self.start_training)
        self.train_view.sig_pause.connect(self.set_paused)
        self.train_view.sig_stop.connect(self.stop_training)
        self.train_view.sig_config_changed.connect(self._update_train_state)
        self.predict_view.sig_predict.connect(self.predict_text)

        self._build_menus()
        self.backend_label = QLabel("TensorFlow not loaded")
        self.backend_label.setContentsMargins(6, 0, 6, 0)
        self.statusBar().addPermanentWidget(self.backend_label)

        self.model_view.set_layers(self.project.layers)
        self.train_view.set_config(self.project.training)
        self._on_stack_changed()

    # -- construction --------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = QAction("&Open dataset…", self)
        self.open_action.setShortcut(QKeySequence("Ctrl+O"))
        self.open_action.setStatusTip("Open a CSV/TSV file of texts and labels")
        self.open_action.triggered.connect(self.open_dataset_dialog)
        file_menu.addAction(self.open_action)
        self.sample_menu = file_menu.addMenu("Open &sample")
        self.sample_actions: dict[str, QAction] = {}
        for sample in SAMPLES.values():
            action = QAction(sample.title, self)
            action.setData(sample.name)
            action.triggered.connect(lambda _checked=False, s=sample: self.open_sample(s))
            self.sample_menu.addAction(action)
            self.sample_actions[sample.name] = action
        file_menu.addSeparator()
        self.export_action = QAction("&Export model…", self)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.setStatusTip("Save the trained model as a .keras file")
        self.export_action.setEnabled(False)
        self.export_action.triggered.connect(self.export_model_dialog)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.quit_action)

        help_menu = self.menuBar().addMenu("&Help")
        self.about_action = QAction("&About Training Workbench", self)
        self.about_action.triggered.connect(self.show_about)
        help_menu.addAction(self.about_action)

    # -- backend -------------------------------------------------------------------------

    def start_backend(self) -> None:
        """Load TensorFlow on the backend thread (the window stays usable meanwhile)."""
        if self.backend.started or self._shut_down:
            return
        self.backend_label.setText("Loading TensorFlow…")
        self.backend.start()
        self._on_stack_changed()

    @property
    def backend_ready(self) -> bool:
        """True once TensorFlow is loaded and the model can be checked and trained."""
        return self.backend.ready

    @Slot(str)
    def _on_backend_ready(self, description: str) -> None:
        self.backend_label.setText(f"Backend ready: {description}")
        self.summary_timer.stop()
        self._request_summary()

    @Slot(str)
    def _on_backend_failed(self, message: str) -> None:
        self._backend_error = message
        self.backend_label.setText("TensorFlow failed to load")
        self.train_view.banner.show_message(f"TensorFlow could not be loaded: {message}")
        self.statusBar().showMessage("TensorFlow could not be loaded.", STATUS_TIMEOUT_MS)
        self.model_view.set_summary_pending(False, "")
        self._update_train_state()

    # -- data ----------------------------------------------------------------------------

    @Slot()
    def open_dataset_dialog(self) -> None:
        """File ▸ Open dataset…: pick a CSV/TSV/TXT file and load it."""
        if self._training is not None:
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open dataset", "", FILE_FILTER)
        if path:
            self.open_path(path)

    @Slot()
    def open_default_sample(self) -> None:
        """Load the bundled default sample."""
        self.open_sample(DEFAULT_SAMPLE)

    def open_sample(self, sample: Sample) -> None:
        """Load a bundled sample with its known columns."""
        self.open_path(sample.path, sample.text_column, sample.label_column)

    def open_path(
        self,
        path: str | Path,
        text_column: str | None = None,
        label_column: str | None = None,
    ) -> None:
        """Read a table on a worker thread; the current data stays until it succeeds."""
        if self._training is not None or self._shut_down:
            self.statusBar().showMessage("Stop training before loading other data.", 5000)
            return
        path = Path(path)
        self.statusBar().showMessage(f"Reading {path.name}…")
        self._start_load(f"reading {path.name}", load_table, str(path), text_column, label_column)

    @Slot(str, str)
    def _on_columns_changed(self, text_column: str, label_column: str) -> None:
        if self.table is None or self._training is not None:
            return
        self.statusBar().showMessage("Checking the columns…")
        self._start_load(
            "checking the columns", choose_columns, self.table, text_column, label_column
        )

    def _start_load(self, what: str, function: Callable[..., Any], *args: Any) -> None:
        self._load_token += 1
        token = self._load_token
        thread = CallThread(token, what, function, *args)
        thread.sig_done.connect(self._on_load_done)
        thread.sig_failed.connect(self._on_load_failed)
        self._load_threads[token] = thread
        thread.start()

    def _finish_load_thread(self, token: int) -> None:
        """Forget the thread that reported (its run() has returned) and join it."""
        done = self._load_threads.pop(token, None)
        if done is not None:
            done.wait()

    @Slot(int, object)
    def _on_load_done(self, token: int, result: object) -> None:
        self._finish_load_thread(token)
        if token != self._load_token or self._shut_down:
            return  # a newer load was started meanwhile
        table, summary = result  # type: ignore[misc]
        self._apply_table(table, summary)

    @Slot(int, str)
    def _on_load_failed(self, token: int, message: str) -> None:
        self._finish_load_thread(token)
        if token != self._load_token or self._shut_down:
            return
        self.data_view.restore_columns()
        self.data_view.banner.show_message(message, "error")
        self.tabs.setCurrentIndex(DATA_TAB)
        kept = " The previous data is kept." if self.table is not None else ""
        self.statusBar().showMessage(f"Could not use that file.{kept}", STATUS_TIMEOUT_MS)

    def _apply_table(self, table: TextTable, summary: dict[str, Any]) -> None:
        new_file = self.table is None or self.table.path != table.path
        self.table = table
        self.num_classes = len(summary["classes"])
        self.project.dataset = DatasetSpec(str(table.path), table.text_column, table.label_column)
        self.data_view.banner.clear()
        self.data_view.set_table(table, summary)
        changes = []
        if fit_head(self.project.layers, self.num_classes):
            changes.append(
                f"output layer → {self.project.layers[-1].describe()} "
                f"for {self.num_classes} classes"
            )
        length = int(summary["suggested_sequence_length"])
        if fit_sequence_length(self.project.layers, length):
            changes.append(f"sequence length → {length} words")
        self.model_view.refresh()
        verb = "Loaded" if new_file else "Using"
        message = (
            f"{verb} {table.path.name}: {summary['rows']:,} rows, {self.num_classes} classes "
            f"(text: {table.text_column!r}, label: {table.label_column!r})."
        )
        if changes:
            message += " Adapted the model: " + "; ".join(changes) + "."
        self.statusBar().showMessage(message, STATUS_TIMEOUT_MS)
        self._on_stack_changed()

    # -- drag and drop -------------------------------------------------------------------

    @staticmethod
    def _dropped_path(mime: QMimeData) -> str | None:
        if not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile():
                return url.toLocalFile()
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept a file dragged over the window (not while training)."""
        if self._training is None and self._dropped_path(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        """Open the dropped file."""
        path = self._dropped_path(event.mimeData())
        if path and self._training is None:
            event.acceptProposedAction()
            self.tabs.setCurrentIndex(DATA_TAB)
            self.open_path(path)
        else:
            event.ignore()

    # -- model ---------------------------------------------------------------------------

    @Slot()
    def _on_stack_changed(self) -> None:
        """Any edit: show local problems now, ask the backend after a quiet 200 ms."""
        self._stack_version += 1
        self._summary_current = False
        self._summary_error = None
        if self._backend_error:
            pending = ""
        elif self.backend.ready:
            pending = "Checking the model…"
        else:
            pending = "Output shapes and parameter counts appear once TensorFlow has loaded."
        self.model_view.set_summary_pending(True, pending)
        if self.backend.ready:
            self.summary_timer.start()
        self._update_train_state()

    @Slot()
    def _request_summary(self) -> None:
        if not self.backend.ready or self._shut_down:
            return
        if self.model_view.local_problems():
            self.model_view.set_summary_pending(False, "")
            return  # the form already shows what is wrong; Keras would only repeat it
        self._requested_version = self._stack_version
        self.backend.request_summary(self.project.layers, self.num_classes)

    @Slot(object, object)
    def _on_summary(self, summary: StackSummary, uids: list[int]) -> None:
        self.summary = summary
        self._summary_error = None
        self._summary_current = self._requested_version == self._stack_version
        self.model_view.set_summary(summary, uids)
        self.model_view.set_summary_pending(not self._summary_current, "")
        self._update_train_state()

    @Slot(str)
    def _on_summary_failed(self, message: str) -> None:
        self._summary_error = message
        self.model_view.set_summary_pending(False, message)
        self._update_train_state()

    # -- training ------------------------------------------------------------------------

    def train_block_reason(self) -> str | None:
        """Why Train is disabled right now, or None when it can start."""
        if self._training is not None:
            return "A training run is in progress."
        if self.table is None:
            return "Load a dataset first (Data tab, or File ▸ Open sample)."
        local = self.model_view.local_problems()
        if local:
            row, message = local[0]
            return f"Layer {row + 1}: {message}" if row >= 0 else message
        if self._backend_error:
            return f"TensorFlow could not be loaded: {self._backend_error}"
        if not self.backend.ready:
            return "Waiting for TensorFlow to load…"
        if self._summary_error:
            return f"The model could not be checked: {self._summary_error}"
        if self.summary is None or not self._summary_current:
            return "Checking the model…"
        if not self.summary.ok:
            return self.summary.first_error()
        problems = self.train_view.config_problems()
        if problems:
            return problems[0]
        return None

    @Slot()
    def _update_train_state(self) -> None:
        self.train_view.set_train_reason(self.train_block_reason())
        training = self._training is not None
        self.export_action.setEnabled(self.predictor is not None and not training)
        if self.predictor is None:
            self.predict_view.set_available(
                False, "Train a model first (Train tab); then try it here."
            )
        elif training:
            self.predict_view.set_available(
                False, "Prediction is paused while a model trains; it resumes when training ends."
            )
        else:
            self.predict_view.set_available(True, "")

    @Slot()
    def start_training(self) -> None:
        """Train: fit a copy of the project on the loaded table on a training thread."""
        reason = self.train_block_reason()
        if reason is not None or self.table is None:
            self.statusBar().showMessage(reason or "Cannot train now.", 5000)
            return
        self.project.training = self.train_view.config()
        thread = TrainingThread(self.project, self.table)
        thread.sig_finished.connect(self._on_training_finished)
        thread.sig_failed.connect(self._on_training_failed)
        self._training = thread
        self.train_view.start_run()
        self.train_view.set_state(TRAINING)
        self._set_training_lock(True)
        thread.start()
        self.redraw_timer.start()
        self.statusBar().showMessage("Training…")

    @Slot(bool)
    def set_paused(self, paused: bool) -> None:
        """Pause (True) or resume (False) at the next batch boundary."""
        thread = self._training
        if thread is None or self.train_view.state == STOPPING:
            return
        if paused:
            thread.control.pause()
            self.train_view.set_state(PAUSED)
            self.statusBar().showMessage("Paused. Resume to continue training.")
        else:
            thread.control.resume()
            self.train_view.set_state(TRAINING)
            self.statusBar().showMessage("Training…")
        thread.recorder.set_paused(paused)
        self._redraw()

    @Slot()
    def stop_training(self) -> None:
        """Ask training to end after the current batch; the model so far is kept."""
        thread = self._training
        if thread is None:
            return
        thread.control.request_stop()
        thread.recorder.set_paused(False)
        self.train_view.set_state(STOPPING)
        self.statusBar().showMessage("Stopping after the current batch…")

    @Slot()
    def _redraw(self) -> None:
        if self._training is not None:
            self.train_view.show_progress(self._training.recorder.snapshot())

    def _end_training(self) -> ProgressSnapshot | None:
        thread, self._training = self._training, None
        self.redraw_timer.stop()
        if thread is None:
            return None
        thread.wait()  # run() has returned; this only joins the thread
        return thread.recorder.snapshot()

    @Slot(object, object)
    def _on_training_finished(self, outcome: TrainingOutcome, predictor: Any) -> None:
        if self._shut_down:
            return
        snapshot = self._end_training()
        self.last_outcome = outcome
        if predictor is not None:
            self.predictor = predictor
        if outcome.error:
            message = f"Training failed: {outcome.error}"
            self.train_view.finish_run(message, snapshot, error=True)
        else:
            message = describe_outcome(outcome, snapshot)
            self.train_view.finish_run(message, snapshot, error=False)
        self._set_training_lock(False)
        self.statusBar().showMessage(message, STATUS_TIMEOUT_MS * 2)

    @Slot(str)
    def _on_training_failed(self, message: str) -> None:
        if self._shut_down:
            return
        snapshot = self._end_training()
        self.train_view.finish_run(message, snapshot, error=True)
        self._set_training_lock(False)
        self.statusBar().showMessage("Training failed; see the Train tab.", STATUS_TIMEOUT_MS)

    def _set_training_lock(self, locked: bool) -> None:
        self.model_view.set_editable(not locked)
        self.data_view.set_locked(locked)
        self.open_action.setEnabled(not locked)
        self.sample_menu.setEnabled(not locked)
        self.setAcceptDrops(not locked)
        self._update_train_state()

    @property
    def is_training(self) -> bool:
        """True from Train until the run's result has been handled."""
        return self._training is not None

    # -- prediction and export -----------------------------------------------------------

    @Slot(str)
    def predict_text(self, text: str) -> None:
        """Label one text with the last trained model (on the backend thread)."""
        if self.predictor is None or self._training is not None:
            return
        self._last_predict_text = text
        self.backend.predict(self.predictor, [text])
        self.statusBar().showMessage("Predicting…", 3000)

    @Slot(object)
    def _on_prediction(self, predictions: list) -> None:
        if predictions:
            self.predict_view.show_prediction(predictions[0], self._last_predict_text)
            self.statusBar().clearMessage()

    @Slot(str)
    def _on_prediction_failed(self, message: str) -> None:
        self.predict_view.show_error(message)

    @Slot()
    def export_model_dialog(self) -> None:
        """File ▸ Export model…: save the trained model as a .keras file."""
        if self.predictor is None or self._training is not None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export model", "model.keras", "Keras model (*.keras)"
        )
        if path:
            self.export_model(path)

    def export_model(self, path: str | Path) -> None:
        """Write the trained model to ``path`` (.keras added if missing)."""
        path = Path(path)
        if path.suffix != ".keras":
            path = path.with_name(path.name + ".keras")
        self.statusBar().showMessage(f"Exporting to {path}…")
        self.backend.save(self.predictor, str(path))

    @Slot(str)
    def _on_saved(self, path: str) -> None:
        self.statusBar().showMessage(f"Model saved to {path}", STATUS_TIMEOUT_MS)

    @Slot(str)
    def _on_save_failed(self, message: str) -> None:
        self.statusBar().showMessage("Export failed.", STATUS_TIMEOUT_MS)
        QMessageBox.warning(self, "Export failed", message)

    @Slot()
    def show_about(self) -> None:
        """Help ▸ About."""
        keras = self.backend.description or "TensorFlow not loaded yet"
        QMessageBox.about(
            self,
            "About Training Workbench",
            f"<b>Training Workbench</b> {workbench.__version__}<p>"
            "Build, train and use neural networks without writing code.</p>"
            f"<p>Backend: {keras}</p>",
        )

    # -- shutdown ------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """The one way out: ask if training runs, stop it, wait for every thread, close."""
        if self._training is not None and not self._shut_down:
            answer = QMessageBox.question(
                self,
                "Training is running",
                "A model is training. Stop it and quit?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Stop timers and workers and wait for each thread; safe to call twice."""
        self._shut_down = True
        self.summary_timer.stop()
        self.redraw_timer.stop()
        thread, self._training = self._training, None
        if thread is not None:
            thread.control.request_stop()
            thread.wait()
        for loader in list(self._load_threads.values()):
            loader.wait()
        self._load_threads.clear()
        self.backend.shutdown()


def describe_outcome(outcome: TrainingOutcome, snapshot: ProgressSnapshot | None) -> str:
    """One sentence on how a run ended, for the Train tab and the status bar."""
    planned = snapshot.plan.epochs if snapshot is not None and snapshot.plan else None
    of = f" of {planned}" if planned else ""
    done = outcome.epochs_completed
    if outcome.stopped:
        if done:
            text = f"Stopped after epoch {done}{of}."
        else:
            text = f"Stopped during epoch 1{of}, before it completed."
        text += " The model is kept: try it in the Predict tab."
    else:
        text = f"Finished {done} epoch{'s' if done != 1 else ''}."
    accuracy = next(
        (
            (name, value)
            for name, value in outcome.best_metrics.items()
            if name.startswith("val_") and "acc" in name
        ),
        None,
    )
    if accuracy is not None:
        epoch = f" (epoch {outcome.best_epoch})" if outcome.best_epoch else ""
        text += f" Best validation accuracy {accuracy[1]:.1%}{epoch}."
    best = outcome.best_epoch
    if best and best != done and not outcome.stopped:
        text += f" The model from epoch {best} (lowest validation loss) is kept."
    if outcome.samples_per_second:
        text += f" {outcome.samples_per_second:,.0f} texts/s."
    return text


__all__ = ["IDLE", "MainWindow", "describe_outcome"]
