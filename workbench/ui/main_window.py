"""The main window: five tabs (Data, Model, Train, Predict, Runs), menus, status bar, glue.

The window owns the :class:`~workbench.core.project.Project` the person edits and every
worker thread. It never waits on TensorFlow: loading data, checking the model, training and
predicting all run on workers (see :mod:`workbench.ui.workers`), and results come back as
queued signals to slots here. There is one way out, :meth:`MainWindow.closeEvent`, which
stops and waits for every thread.

Every training is recorded in a :class:`~workbench.core.runs.RunStore` (the Runs tab lists
it). Training, resuming an interrupted run, continuing a finished one and each run of a sweep
all go through one :class:`~workbench.ui.workers.TrainingThread` at a time.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
from workbench.core.errors import WorkbenchError
from workbench.core.listener import TrainingOutcome
from workbench.core.project import DatasetSpec, Project
from workbench.core.runs import RunRecord, RunStore, default_store
from workbench.core.samples import DEFAULT_SAMPLE, SAMPLES, Sample
from workbench.core.summary import StackSummary
from workbench.core.sweeps import SweepPoint, sweep_name
from workbench.core.templates import default_layers, fit_head, fit_sequence_length
from workbench.ui.autosave import AutosaveController
from workbench.ui.collector import GuiThreadCollector
from workbench.ui.data.view import DataView
from workbench.ui.model.undo import snapshot
from workbench.ui.model.view import ModelView
from workbench.ui.predict.view import PredictView
from workbench.ui.runs.sweep_dialog import SweepDialog
from workbench.ui.runs.view import RunsView
from workbench.ui.train.progress import ProgressSnapshot
from workbench.ui.train.view import IDLE, PAUSED, STOPPING, TRAINING, TrainView
from workbench.ui.workers import (
    BackendClient,
    CallThread,
    TrainingThread,
    choose_columns,
    device_names,
    image_size,
    import_keras_model,
    load_any,
    load_big_table,
    load_run_model,
    preview,
    tabular_settings,
    write_keras_script,
)

SUMMARY_DEBOUNCE_MS = 200
REDRAW_INTERVAL_MS = 100  # 10 Hz: lively progress text, little CPU taken from training
STATUS_TIMEOUT_MS = 15000
DATA_TAB, MODEL_TAB, TRAIN_TAB, PREDICT_TAB, RUNS_TAB = range(5)
PROJECT_FILTER = "Workbench projects (*.json);;All files (*)"
#: Answers of the resume question asked at start-up.
RESUME, DISCARD, LATER = "resume", "discard", "later"
FILE_FILTER = (
    "Datasets (*.csv *.tsv *.txt *.jsonl *.ndjson *.npz);;Tables (*.csv *.tsv *.txt *.jsonl "
    "*.ndjson);;NumPy arrays (*.npz);;All files (*)"
)
TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".jsonl", ".ndjson"}
#: Files at least this big are previewed first and read with progress and Cancel.
BIG_FILE_BYTES = 2 * 1024 * 1024
PROGRESS_POLL_MS = 100
KIND_NAMES = {"text": "text", "tabular": "feature table", "images": "image", "npz": "array"}


class MainWindow(QMainWindow):
    """Training Workbench's window. Call :meth:`start_backend` after showing it.

    Without :meth:`start_backend` the window works for data and local model edits and never
    loads TensorFlow, which is how the view tests run.
    """

    def __init__(self, parent: QWidget | None = None, store: RunStore | None = None) -> None:
        """``store`` keeps the runs (default: the workspace's, under $WORKBENCH_HOME)."""
        super().__init__(parent)
        self.setWindowTitle("Training Workbench")
        self.resize(1280, 800)
        self.setAcceptDrops(True)

        self.project = Project()
        self.dataset: Any = None  # TextTable | TabularTable | ImageFolder | ArrayData
        self.dataset_summary: dict[str, Any] = {}
        self.num_classes: int | None = None
        # What the stack was last fitted to automatically: (kind, task, classes), and the
        # stack as it was then, to tell whether the person has edited it since.
        self._fitted_for: tuple[str, str, int] | None = None
        self._auto_stack = self._stack_signature()
        self._loading: CallThread | None = None  # the cancellable full read, if any
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
        self._tasks: dict[int, tuple[CallThread, Callable[[Any], None]]] = {}
        self._task_token = 0
        self._initial_weights: Any = None  # from an imported model, for the next training
        self._training: TrainingThread | None = None
        self.store = store if store is not None else default_store()
        self.last_run_id: str | None = None  # the run the last training was recorded as
        self._sweep: list[SweepPoint] = []  # runs of the sweep still to train, in order
        self._sweep_total = 0
        self._sweep_ids: list[str] = []  # runs the current sweep recorded
        self._resume_offered = False
        self._resume_note = ""  # settings changed during the pause, for the status bar
        self._pending_project: Project | None = None  # opened project waiting for its data
        self._resume_after_load: str | None = None  # run to resume once its data is read
        self.project_path: Path | None = None
        self._last_predict_text = ""
        self._predict_mode = "single"
        self._asked_images: list[str] = []
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
        self.load_timer = QTimer(self)
        self.load_timer.setInterval(PROGRESS_POLL_MS)
        self.load_timer.timeout.connect(self._poll_load_progress)

        self.data_view = DataView()
        self.model_view = ModelView()
        self.train_view = TrainView()
        self.predict_view = PredictView()
        self.runs_view = RunsView(self.store)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.data_view, "Data")
        self.tabs.addTab(self.model_view, "Model")
        self.tabs.addTab(self.train_view, "Train")
        self.tabs.addTab(self.predict_view, "Predict")
        self.tabs.addTab(self.runs_view, "Runs")
        self.setCentralWidget(self.tabs)

        self.data_view.sig_open_requested.connect(self.open_dataset_dialog)
        self.data_view.sig_open_sample_requested.connect(self.open_default_sample)
        self.data_view.sig_open_folder_requested.connect(self.open_folder_dialog)
        self.data_view.sig_columns_changed.connect(self._on_columns_changed)
        self.data_view.sig_kind_changed.connect(self._on_kind_changed)
        self.data_view.sig_tabular_changed.connect(self._on_tabular_changed)
        self.data_view.sig_image_size_changed.connect(self._on_image_size_changed)
        self.data_view.sig_augment_changed.connect(self._on_augment_changed)
        self.data_view.sig_arrays_changed.connect(self._on_arrays_changed)
        self.data_view.sig_split_changed.connect(self._on_split_changed)
        self.data_view.sig_cancel_load.connect(self.cancel_load)
        self.model_view.sig_changed.connect(self._on_stack_changed)
        self.train_view.sig_train.connect(self.start_training)
        self.train_view.sig_pause.connect(self.set_paused)
        self.train_view.sig_stop.connect(self.stop_training)
        self.train_view.sig_config_changed.connect(self._on_train_config_changed)
        self.predict_view.sig_predict.connect(self.predict_text)
        self.predict_view.sig_predict_row.connect(self.predict_row)
        self.predict_view.sig_predict_file.connect(self.predict_file)
        self.predict_view.sig_predict_images.connect(self.predict_images)
        self.predict_view.sig_predict_index.connect(self.predict_index)
        self.runs_view.sig_open_model.connect(self.open_run_model)
        self.runs_view.sig_use_stack.connect(self.use_run_stack)
        self.runs_view.sig_resume.connect(self.resume_run)
        self.runs_view.sig_sweep_requested.connect(self.sweep_dialog)
        self.runs_view.sig_cancel_sweep.connect(self.cancel_sweep)
        self.train_view.sig_continue.connect(self.continue_training)
        self.train_view.sig_pause_changes.connect(self._on_pause_changes)

        self._build_menus()
        self.backend_label = QLabel("TensorFlow not loaded")
        self.backend_label.setContentsMargins(6, 0, 6, 0)
        self.statusBar().addPermanentWidget(self.backend_label)
        self.store_problem = self.store.problem_writing()  # e.g. a read-only WORKBENCH_HOME
        if self.store_problem:
            # permanent, so no passing message hides it; the whole reason is its tooltip
            self.store_label = QLabel(
                f"Runs cannot be saved in {self.store.root.parent}: set WORKBENCH_HOME"
            )
            self.store_label.setStyleSheet("color: #b00020; padding: 0 6px;")
            self.store_label.setToolTip(self.store_problem)
            self.statusBar().addPermanentWidget(self.store_label)

        self.model_view.set_layers(self.project.layers)
        self.train_view.set_config(self.project.training)
        self._on_stack_changed()
        self.runs_view.request_refresh()
        self.autosave = AutosaveController(self)  # writes on change, offers restore at start
        self.collector = GuiThreadCollector(self)  # garbage freed on this thread, not a worker's
        self.collector.start()

    # -- construction --------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = self._action(
            "&Open dataset…",
            self.open_dataset_dialog,
            shortcut=QKeySequence("Ctrl+O"),
            tip="Open a table (CSV, TSV, JSON Lines) of texts or features, or an .npz of arrays",
        )
        file_menu.addAction(self.open_action)
        self.open_folder_action = self._action(
            "Open &folder…",
            self.open_folder_dialog,
            shortcut=QKeySequence("Ctrl+Shift+O"),
            tip="Open a folder with one subfolder per class (images, or .txt texts)",
        )
        file_menu.addAction(self.open_folder_action)
        self.sample_menu = file_menu.addMenu("Open &sample")
        self.sample_actions: dict[str, QAction] = {}
        for sample in SAMPLES.values():
            action = QAction(sample.title, self)
            action.setData(sample.name)
            action.triggered.connect(lambda _checked=False, s=sample: self.open_sample(s))
            self.sample_menu.addAction(action)
            self.sample_actions[sample.name] = action
        file_menu.addSeparator()
        self.open_project_action = self._action(
            "Open &project…",
            self.open_project_dialog,
            shortcut=QKeySequence("Ctrl+Shift+P"),
            tip="Open a saved project: its data file, layers and training settings",
        )
        file_menu.addAction(self.open_project_action)
        self.save_project_action = self._action(
            "&Save project…",
            self.save_project_dialog,
            shortcut=QKeySequence.StandardKey.Save,
            tip="Save the data file's place, the layers and the training settings as JSON",
        )
        file_menu.addAction(self.save_project_action)
        file_menu.addSeparator()
        self.export_action = self._action(
            "&Export model…",
            self.export_model_dialog,
            shortcut=QKeySequence("Ctrl+E"),
            tip="Save the trained model as a .keras file",
        )
        self.export_action.setEnabled(False)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        self.quit_action = self._action("&Quit", self.close, shortcut=QKeySequence("Ctrl+Q"))
        file_menu.addAction(self.quit_action)

        self.script_action = self._action(
            "Export Keras &script…",
            self.export_script_dialog,
            tip="Write train.py: the same data, split, model and settings in plain Keras.",
        )
        file_menu.insertAction(self.quit_action, self.script_action)
        file_menu.insertSeparator(self.quit_action)

        edit_menu = self.menuBar().addMenu("&Edit")
        # Undo and redo of the layer stack (the only undoable document so far); the actions
        # belong to the Model tab, which disables them while training locks the stack.
        self.undo_action = self.model_view.undo_action
        self.redo_action = self.model_view.redo_action
        self.undo_action.setStatusTip("Undo the last change to the layer stack")
        self.redo_action.setStatusTip("Redo the last undone change to the layer stack")
        self.undo_action.triggered.connect(self._show_model_tab)
        self.redo_action.triggered.connect(self._show_model_tab)
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)

        model_menu = self.menuBar().addMenu("&Model")
        self.template_menu = model_menu.addMenu("Start from a &template")
        self.template_menu.aboutToShow.connect(self._fill_template_menu)
        self.import_action = self._action(
            "&Import Keras model…",
            self.import_model_dialog,
            tip="Bring the layers and weights of a .keras model made with plain Keras into "
            "the editor.",
        )
        model_menu.addAction(self.import_action)

        # The Train tab's own actions (Ctrl+Return, Ctrl+P, Ctrl+., Ctrl+Shift+Return): in the
        # menu bar their shortcuts work from every tab, not only while that tab shows.
        train_menu = self.menuBar().addMenu("&Train")
        self.train_action = self.train_view.start_action
        self.pause_action = self.train_view.pause_action
        self.stop_action = self.train_view.stop_action
        self.continue_action = self.train_view.continue_action
        self.sweep_action = self._action(
            "S&weep…", self.sweep_dialog, tip="Train a grid of settings one run after another"
        )
        self.runs_action = self._action(
            "Show &runs", self._show_runs_tab, shortcut=QKeySequence("Ctrl+R")
        )
        for action in (
            self.train_action,
            self.pause_action,
            self.stop_action,
            self.continue_action,
            self.sweep_action,
            self.runs_action,
        ):
            train_menu.addAction(action)

        help_menu = self.menuBar().addMenu("&Help")
        self.about_action = self._action("&About Training Workbench", self.show_about)
        help_menu.addAction(self.about_action)

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | None = None,
        tip: str = "",
    ) -> QAction:
        """A menu action of this window, triggering ``slot``."""
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    @Slot()
    def _show_runs_tab(self) -> None:
        self.tabs.setCurrentWidget(self.runs_view)

    @Slot()
    def _show_model_tab(self) -> None:
        """Undo/redo change the stack: show it, whichever tab the shortcut came from."""
        self.tabs.setCurrentWidget(self.model_view)

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
        self._run_task("listing the devices", self.train_view.set_devices, device_names)
        QTimer.singleShot(0, self.offer_resume)

    @Slot(str)
    def _on_backend_failed(self, message: str) -> None:
        self._backend_error = message
        self.backend_label.setText("TensorFlow failed to load")
        self.train_view.banner.show_message(f"TensorFlow could not be loaded: {message}")
        self.statusBar().showMessage("TensorFlow could not be loaded.", STATUS_TIMEOUT_MS)
        self.model_view.set_summary_pending(False, "")
        self._update_train_state()

    # -- data ----------------------------------------------------------------------------

    @property
    def table(self) -> Any:
        """The loaded dataset of any kind (older name of :attr:`dataset`)."""
        return self.dataset

    @Slot()
    def open_dataset_dialog(self) -> None:
        """File ▸ Open dataset…: pick a table or .npz file and load it."""
        if self._training is not None:
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open dataset", "", FILE_FILTER)
        if path:
            self.open_path(path)

    @Slot()
    def open_folder_dialog(self) -> None:
        """File ▸ Open folder…: a folder of class subfolders (images or texts)."""
        if self._training is not None:
            return
        path = QFileDialog.getExistingDirectory(self, "Open a folder of class folders")
        if path:
            self.open_path(path)

    @Slot()
    def open_default_sample(self) -> None:
        """Load the bundled default sample."""
        self.open_sample(DEFAULT_SAMPLE)

    def open_sample(self, sample: Sample) -> None:
        """Load a bundled sample with its known kind, columns and task."""
        self.open_path(
            sample.path,
            text_column=sample.text_column,
            label_column=sample.label_column,
            kind=sample.kind,
            task=sample.task,
        )

    def open_path(
        self,
        path: str | Path,
        text_column: str | None = None,
        label_column: str | None = None,
        kind: str | None = None,
        task: str | None = None,
        x_name: str | None = None,
        y_name: str | None = None,
    ) -> None:
        """Load a dataset on a worker thread; the current data stays until it succeeds.

        A big table file is previewed at once (its first rows) while the whole file is read
        with progress and a Cancel button.
        """
        if self._training is not None or self._shut_down:
            self.statusBar().showMessage("Stop training before loading other data.", 5000)
            return
        path = Path(path)
        self.statusBar().showMessage(f"Reading {path.name}…")
        self._cancel_running_load()
        options = {
            "text_column": text_column,
            "label_column": label_column,
            "task": task,
            "x_name": x_name,
            "y_name": y_name,
        }
        big = (
            path.is_file()
            and path.suffix.lower() in TABLE_SUFFIXES
            and kind in (None, "text", "tabular")
            and path.stat().st_size >= BIG_FILE_BYTES
        )
        if big:
            self._start_big_load(path, kind, options)
            return
        self._start_load(f"reading {path.name}", load_any, str(path), kind, **options)

    def _start_big_load(self, path: Path, kind: str | None, options: dict[str, Any]) -> None:
        """The first rows at once; the whole file on another thread with progress and Cancel."""
        self._start_load(f"previewing {path.name}", preview, str(path))
        self._preview_token = self._load_token
        thread = self._start_load(
            f"reading {path.name}", load_big_table, str(path), kind, options, control=True
        )
        self._loading = thread
        self.data_view.show_loading(f"Reading {path.name}…", cancellable=True)
        self.load_timer.start()

    @Slot()
    def cancel_load(self) -> None:
        """Data tab ▸ Cancel: stop the read at once; the previous data stays.

        The reader stops at its next check (a text table, read in one go, finishes in the
        background); whatever it returns is dropped.
        """
        if self._loading is None:
            return
        self._cancel_running_load()
        self._load_token += 1  # any answer still on its way is outdated
        self.data_view.restore()
        kept = " The previous data is kept." if self.dataset is not None else ""
        self.statusBar().showMessage(f"Loading cancelled.{kept}", STATUS_TIMEOUT_MS)

    def _cancel_running_load(self) -> None:
        if self._loading is not None:
            self._loading.cancel()
            self._loading = None
            self.load_timer.stop()
            self.data_view.hide_loading()

    @Slot()
    def _poll_load_progress(self) -> None:
        if self._loading is not None:
            self.data_view.set_load_progress(self._loading.progress)

    @Slot(str, str)
    def _on_columns_changed(self, text_column: str, label_column: str) -> None:
        if self.dataset is None or self._training is not None:
            return
        self.statusBar().showMessage("Checking the columns…")
        self._start_load(
            "checking the columns", choose_columns, self.dataset, text_column, label_column
        )

    @Slot(str)
    def _on_kind_changed(self, kind: str) -> None:
        """Reload the same file or folder as another kind."""
        if self.dataset is None or self._training is not None:
            return
        self.statusBar().showMessage(f"Reading the data as {kind}…")
        self._start_load(f"reading the data as {kind}", load_any, str(self.dataset.path), kind)

    @Slot(str, str, object)
    def _on_tabular_changed(self, target: str, task: str, roles: dict[str, str]) -> None:
        if self.dataset is None or self.dataset.kind != "tabular" or self._training is not None:
            return
        self.statusBar().showMessage("Checking the columns…")
        self._start_load(
            "checking the columns", tabular_settings, self.dataset, target, task or None, roles
        )

    @Slot(int, int)
    def _on_image_size_changed(self, height: int, width: int) -> None:
        if self.dataset is None or self.dataset.kind != "images" or self._training is not None:
            return
        self._start_load("resizing", image_size, self.dataset, height, width)

    @Slot(bool)
    def _on_augment_changed(self, on: bool) -> None:
        self.project.dataset.augment = bool(on)

    @Slot(str, str, str)
    def _on_arrays_changed(self, x_name: str, y_name: str, task: str) -> None:
        if self.dataset is None or self.dataset.kind != "npz" or self._training is not None:
            return
        same_y = y_name == self.dataset.y_name
        self._start_load(
            "reading the arrays",
            load_any,
            str(self.dataset.path),
            "npz",
            x_name=x_name,
            y_name=y_name,
            task=task if same_y else None,
        )

    @Slot(float, float, int)
    def _on_split_changed(self, validation: float, test: float, seed: int) -> None:
        config = self.train_view.config()
        config.validation_fraction, config.test_fraction, config.seed = validation, test, seed
        self.project.training = config
        self.train_view.set_config(config)
        self.data_view.set_split(config)
        self._update_train_state()

    @Slot()
    def _on_train_config_changed(self) -> None:
        config = self.train_view.config()
        self.project.training = config
        self.data_view.set_split(config)
        self._update_train_state()

    def _start_load(
        self, what: str, function: Callable[..., Any], *args: Any, control: bool = False, **kw: Any
    ) -> CallThread:
        self._load_token += 1
        token = self._load_token
        thread = CallThread(token, what, function, *args, control=control, **kw)
        thread.sig_done.connect(self._on_load_done)
        thread.sig_failed.connect(self._on_load_failed)
        thread.sig_cancelled.connect(self._on_load_cancelled)
        self._load_threads[token] = thread
        thread.start()
        return thread

    def _finish_load_thread(self, token: int) -> None:
        """Forget the thread that reported (its run() has returned) and join it."""
        done = self._load_threads.pop(token, None)
        if done is not None:
            done.wait()
        if self._loading is not None and self._loading.token == token:
            self._loading = None
            self.load_timer.stop()
            self.data_view.hide_loading()

    @Slot(int, object)
    def _on_load_done(self, token: int, result: object) -> None:
        self._finish_load_thread(token)
        if self._shut_down:
            return
        if token == getattr(self, "_preview_token", None) and self._loading is not None:
            self.data_view.show_preview(result, self._loading_path())  # type: ignore[arg-type]
            return
        if token != self._load_token:
            return  # a newer load was started meanwhile
        dataset, summary = result  # type: ignore[misc]
        self._apply_dataset(dataset, summary)

    def _loading_path(self) -> str:
        thread = self._loading
        return str(thread.args[0]) if thread is not None else ""

    @Slot(int, str)
    def _on_load_failed(self, token: int, message: str) -> None:
        self._finish_load_thread(token)
        if self._shut_down:
            return
        if token == getattr(self, "_preview_token", None):
            return  # the full read reports its own problem
        if token != self._load_token:
            return
        opened, self._pending_project = self._pending_project, None
        if opened is not None:  # the project's layers and settings still open
            self._use_project(opened, "Open project")
        if self._resume_after_load is not None:
            self._resume_after_load = None
            message += " The run was not resumed."
        self.data_view.restore()
        self.data_view.banner.show_message(message, "error")
        self.tabs.setCurrentIndex(DATA_TAB)
        kept = " The previous data is kept." if self.dataset is not None else ""
        self.statusBar().showMessage(f"Could not use that data.{kept}", STATUS_TIMEOUT_MS)

    @Slot(int)
    def _on_load_cancelled(self, token: int) -> None:
        self._finish_load_thread(token)
        if self._shut_down or token != self._load_token:
            return
        self._pending_project = None
        self._resume_after_load = None
        self.data_view.restore()
        kept = " The previous data is kept." if self.dataset is not None else ""
        self.statusBar().showMessage(f"Loading cancelled.{kept}", STATUS_TIMEOUT_MS)

    # -- fitting the model to the data ---------------------------------------------------

    def _stack_signature(self) -> list[tuple[str, dict[str, Any]]]:
        return [(layer.kind, dict(layer.params)) for layer in self.project.layers]

    @property
    def stack_edited(self) -> bool:
        """True when the person changed the stack since it was last set automatically."""
        return self._stack_signature() != self._auto_stack

    def _apply_dataset(self, dataset: Any, summary: dict[str, Any]) -> None:
        new_file = self.dataset is None or Path(self.dataset.path) != Path(dataset.path)
        if self.predictor is not None and (new_file or not _same_inputs(self.dataset, dataset)):
            self.predictor = None  # it answers for other data; train again for this one
        self.dataset = dataset
        self.dataset_summary = summary
        kind, task = dataset.kind, dataset.task
        classes = summary.get("classes", {}) if task == "classification" else {}
        self.num_classes = len(classes) if task == "classification" else 1
        self.project.dataset = DatasetSpec(
            str(dataset.path),
            getattr(dataset, "text_column", "") or "",
            getattr(dataset, "label_column", "") or getattr(dataset, "y_name", "") or "",
            kind,
            task,
            self.project.dataset.augment if kind == "images" else False,
        )
        self.data_view.banner.clear()
        self.data_view.set_dataset(dataset, summary)
        self.data_view.set_augment(self.project.dataset.augment)
        self.data_view.set_split(self.project.training)
        opened, self._pending_project = self._pending_project, None
        if opened is not None:  # an opened project brings its own layers for this data
            self._use_project(opened, "Open project")
            self._fitted_for = (kind, task, len(classes))
            changes: list[str] = []
        else:
            changes = self._fit_model_to(dataset, summary, len(classes))
        self.predict_view.set_dataset(dataset)
        self.train_view.set_task(
            task, len(classes) if task == "classification" else 1, list(classes.values())
        )
        verb = "Loaded" if new_file else "Using"
        name = Path(dataset.path).name
        if task == "classification":
            what = f"{len(classes)} classes"
        else:
            what = f"regression on {getattr(dataset, 'label_column', 'y')!r}"
        message = f"{verb} {name}: {int(summary['rows']):,} rows, {what}"
        if kind == "text":
            message += f" (text: {dataset.text_column!r}, label: {dataset.label_column!r})."
        else:
            message += f" ({kind})."
        if changes:
            message += " Adapted the model: " + "; ".join(changes) + "."
        self.statusBar().showMessage(message, STATUS_TIMEOUT_MS)
        self._on_stack_changed()
        self.autosave.schedule()  # the data choice changed
        resume_id, self._resume_after_load = self._resume_after_load, None
        if resume_id is not None:
            try:
                self._start_resume(self.store.get(resume_id))
            except WorkbenchError as exc:
                QMessageBox.warning(self, "Resume", str(exc))

    def _fit_model_to(self, dataset: Any, summary: dict[str, Any], classes: int) -> list[str]:
        """Make the stack fit the data; the default template when the kind/task/classes changed.

        An edited stack is replaced only after asking; otherwise its output layer (and the
        text vectorizer's sequence length) are adapted in place.
        """
        target = (dataset.kind, dataset.task, classes)
        edited = self.stack_edited
        before_head = self.project.layers[-1].describe() if self.project.layers else ""
        before_length = _sequence_length(self.project.layers)
        changes: list[str] = []
        replace = False
        if target != self._fitted_for:
            if not edited:
                replace = True
            else:
                answer = QMessageBox.question(
                    self,
                    "Replace the model?",
                    f"The data is now {dataset.kind} ({dataset.task}). Replace your edited "
                    "layer stack with the default model for this data?\n\nNo keeps your "
                    "layers and only adapts the output layer.",
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                    QMessageBox.StandardButton.Yes,
                )
                replace = answer == QMessageBox.StandardButton.Yes
        # Both paths are one undo step each and change project.layers in place (the view, its
        # Qt model and the undo commands share that list).
        kind_name = KIND_NAMES.get(dataset.kind, dataset.kind)
        if replace:
            before_kinds = [layer.kind for layer in self.project.layers]
            self.model_view.replace_layers(
                default_layers(dataset), f"Use the default {kind_name} model"
            )
            if [layer.kind for layer in self.project.layers] != before_kinds:
                changes.append(f"the default {kind_name} model")
        else:
            before = snapshot(self.project.layers)
            fit_head(self.project.layers, classes, dataset.task)
            if dataset.kind == "text":
                fit_sequence_length(self.project.layers, int(summary["suggested_sequence_length"]))
            self.model_view.record_change(before, f"Adapt the model to the {kind_name} data")
        head = self.project.layers[-1].describe() if self.project.layers else ""
        if head != before_head:
            if dataset.task == "classification":
                changes.append(f"output layer → {head} for {classes} classes")
            else:
                changes.append(f"output layer → {head} for regression")
        length = _sequence_length(self.project.layers)
        if length is not None and length != before_length:
            changes.append(f"sequence length → {length} words")
        if not edited or replace:
            self._auto_stack = self._stack_signature()
        self._fitted_for = target
        return changes

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
        self.backend.request_summary(self.project.layers, self.num_classes, self.dataset)

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
        if self.dataset is None:
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
        self.sweep_action.setEnabled(not training)
        self.open_project_action.setEnabled(not training)
        self.train_view.set_can_continue(self.can_continue)
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
        """Train: fit a copy of the project on the loaded data on a training thread.

        The run is recorded in :attr:`store` (settings, history per epoch, checkpoints,
        model), and appears in the Runs tab at once.
        """
        reason = self.train_block_reason()
        if reason is not None or self.dataset is None:
            self.statusBar().showMessage(reason or "Cannot train now.", 5000)
            return
        self.project.training = self.train_view.config()
        self._start_thread(
            TrainingThread(
                self.project,
                self.dataset,
                self._initial_weights,
                store=self.store,
                run_name=self._next_run_name(),
            ),
            "Training…",
        )

    def _next_run_name(self) -> str:
        return f"run {len(self.store.list()) + 1}"

    def _start_thread(self, thread: TrainingThread, message: str) -> None:
        """Every kind of training goes through here: one thread at a time, plots reset."""
        thread.sig_finished.connect(self._on_training_finished)
        thread.sig_failed.connect(self._on_training_failed)
        self._training = thread
        self.train_view.start_run()
        self.train_view.set_state(TRAINING)
        self._set_training_lock(True)
        thread.start()
        self.redraw_timer.start()
        self.statusBar().showMessage(message)

    @Slot(bool)
    def set_paused(self, paused: bool) -> None:
        """Pause (True) or resume (False) at the next batch boundary.

        On resume, the settings changed in the Train tab while paused (learning rate,
        epochs, early stopping) go to the trainer, which applies them before the next batch.
        """
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
            note, self._resume_note = self._resume_note, ""
            self.statusBar().showMessage(f"Training… ({note} from now on)" if note else "Training…")
        thread.recorder.set_paused(paused)
        self._redraw()

    @Slot(dict)
    def _on_pause_changes(self, changes: dict[str, Any]) -> None:
        """Settings changed while paused: the trainer applies them before the next batch
        (the Train tab emits this just before it asks to resume)."""
        thread = self._training
        if thread is None or not changes:
            return
        try:
            thread.control.update(**changes)
        except ValueError as exc:
            self.train_view.banner.show_message(str(exc), "error")
            return
        self._resume_note = ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in changes.items())

    @Slot()
    def stop_training(self) -> None:
        """Ask training to end after the current batch; the model so far is kept.

        During a sweep, Stop ends the current run and the sweep with it.
        """
        thread = self._training
        if thread is None:
            return
        if self._sweep:
            self._sweep = []
            self.runs_view.show_sweep("Sweep cancelled: stopping the current run…")
        thread.control.request_stop()
        thread.recorder.set_paused(False)
        self.train_view.set_state(STOPPING)
        self.statusBar().showMessage("Stopping after the current batch…")

    @Slot()
    def _redraw(self) -> None:
        thread = self._training
        if thread is None:
            return
        snapshot = thread.recorder.snapshot()
        self.train_view.show_progress(snapshot)
        if not thread.listed and snapshot.plan is not None:
            thread.listed = True  # the trainer has created the run: list it as running
            self.runs_view.request_refresh()

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
        run_id = getattr(outcome, "run_id", None)
        if run_id:
            self.last_run_id = run_id
            if self._sweep_total:
                self._sweep_ids.append(run_id)
        if predictor is not None:
            self.predictor = predictor
        if outcome.error:
            message = f"Training failed: {outcome.error}"
            self.train_view.finish_run(message, snapshot, error=True)
        else:
            message = describe_outcome(outcome, snapshot)
            self.train_view.finish_run(message, snapshot, error=False)
        self._set_training_lock(False)
        self.runs_view.request_refresh()
        self.statusBar().showMessage(message, STATUS_TIMEOUT_MS * 2)
        self._next_sweep_run()

    @Slot(str)
    def _on_training_failed(self, message: str) -> None:
        if self._shut_down:
            return
        snapshot = self._end_training()
        self.train_view.finish_run(message, snapshot, error=True)
        self._set_training_lock(False)
        self.runs_view.request_refresh()
        self.statusBar().showMessage("Training failed; see the Train tab.", STATUS_TIMEOUT_MS)
        self._next_sweep_run()

    def _set_training_lock(self, locked: bool) -> None:
        self.model_view.set_editable(not locked)
        self.data_view.set_locked(locked)
        self.open_action.setEnabled(not locked)
        self.open_folder_action.setEnabled(not locked)
        self.sample_menu.setEnabled(not locked)
        self.setAcceptDrops(not locked)
        self._update_train_state()

    @property
    def is_training(self) -> bool:
        """True from Train until the run's result has been handled."""
        return self._training is not None

    # -- continue, resume ------------------------------------------------------------------

    @property
    def can_continue(self) -> bool:
        """True when the last run ended with a checkpoint that can train further."""
        if self._training is not None or self.last_run_id is None:
            return False
        try:
            record = self.store.get(self.last_run_id)
        except WorkbenchError:
            return False
        return record.status in ("finished", "stopped") and _has_checkpoint(record)

    @Slot(int)
    def continue_training(self, epochs: int) -> None:
        """Train the last run's model ``epochs`` more epochs, as a new run whose curves
        carry on from where the last one ended."""
        if not self.can_continue or self.last_run_id is None:
            self.statusBar().showMessage("There is no finished run to continue.", 5000)
            return
        record = self.store.get(self.last_run_id)
        thread = TrainingThread(
            self.project,
            self._dataset_for(record),
            store=self.store,
            continue_id=record.id,
            extra_epochs=int(epochs),
        )
        _replay_history(thread, record)  # the curves carry on from the run's epochs
        self._start_thread(thread, f"Continuing training for {epochs} more epochs…")

    def _dataset_for(self, record: RunRecord) -> Any:
        """The loaded data when the run trained on it; None to read it again for the run."""
        spec = record.project.get("dataset", {})
        data = self.dataset
        if data is None or data.kind != spec.get("kind"):
            return None
        if Path(str(data.path)) != Path(str(spec.get("path", ""))):
            return None
        return data

    @Slot()
    def offer_resume(self) -> None:
        """At start-up (backend ready): offer to resume the newest interrupted run."""
        if self._resume_offered or self._shut_down or self._training is not None:
            return
        self._resume_offered = True
        candidates = [r for r in self.store.interrupted() if _has_checkpoint(r)]
        if not candidates:
            return
        record = max(candidates, key=lambda r: r.created)
        answer = ask_resume(self, record)
        if answer == RESUME:
            self.resume_run(record.id)
        elif answer == DISCARD:
            record.status = "interrupted"
            record.message = "The app closed during this run; it was not resumed."
            record.pid = None
            try:
                record.save()
            except WorkbenchError as exc:  # a read-only workspace
                self.statusBar().showMessage(str(exc))
            self.runs_view.refresh()

    @Slot(str)
    def resume_run(self, run_id: str) -> None:
        """Resume an interrupted run from its last finished epoch, on a training thread.

        The run's data, layers and settings are opened in the window first (as File ▸ Open
        project would), so the tabs show what trains and Continue works afterwards.
        """
        if self._training is not None or self._shut_down:
            self.statusBar().showMessage("Stop training before resuming another run.", 5000)
            return
        if not self.backend.ready:
            self.statusBar().showMessage("Waiting for TensorFlow to load…", 5000)
            return
        try:
            record = self.store.get(run_id)
            project = Project.from_dict(record.project)
        except WorkbenchError as exc:  # a damaged run.json, or damaged settings inside it
            QMessageBox.warning(self, "Resume", str(exc))
            return
        spec = project.dataset
        if self._dataset_for(record) is None and spec.path and Path(spec.path).exists():
            self._pending_project = project
            self._resume_after_load = record.id
            self.statusBar().showMessage(f"Reading the data of {record.name} to resume it…")
            self.open_path(
                spec.path,
                text_column=spec.text_column or None,
                label_column=spec.label_column or None,
                kind=spec.kind or None,
                task=spec.task or None,
            )
            return
        self._start_resume(record)

    def _start_resume(self, record: RunRecord) -> None:
        thread = TrainingThread(
            Project.from_dict(record.project),
            self._dataset_for(record),
            store=self.store,
            resume_id=record.id,
        )
        self.last_run_id = record.id
        self.tabs.setCurrentWidget(self.train_view)
        _replay_history(thread, record)
        self._start_thread(thread, f"Resuming {record.name} from its last finished epoch…")

    # -- runs and sweeps -------------------------------------------------------------------

    @Slot(str)
    def open_run_model(self, run_id: str) -> None:
        """Runs ▸ Open for prediction: load the run's saved model (worker thread)."""
        if self._training is not None:
            return
        try:
            record = self.store.get(run_id)
        except WorkbenchError as exc:
            QMessageBox.warning(self, "Open run", str(exc))
            return
        if not record.model_path.is_file():
            QMessageBox.information(
                self, "Open run", f"{record.name} has no saved model (it ended before one)."
            )
            return
        self.statusBar().showMessage(f"Loading the model of {record.name}…")
        self._run_task(
            f"loading the model of {record.name}",
            lambda predictor: self._on_run_model(record, predictor),
            load_run_model,
            str(record.model_path),
        )

    def _on_run_model(self, record: RunRecord, predictor: Any) -> None:
        kind = predictor.kind
        data = self.dataset
        matches = data is not None and data.kind == kind
        if kind != "text" and not (
            matches and Path(data.path) == Path(record.project.get("dataset", {}).get("path", ""))
        ):
            path = record.project.get("dataset", {}).get("path", "")
            QMessageBox.information(
                self,
                "Open run",
                f"{record.name} predicts {kind} data: open its data ({path}) first so the "
                "Predict tab can show the inputs it takes.",
            )
            return
        if kind == "text" and (data is None or data.kind != "text"):
            self.predict_view.set_dataset(_NoData(predictor.task))  # the text page
        self.predictor = predictor
        self.last_run_id = record.id
        self._update_train_state()
        self.tabs.setCurrentWidget(self.predict_view)
        self.statusBar().showMessage(f"Predicting with {record.name}.", STATUS_TIMEOUT_MS)

    @Slot(str)
    def use_run_stack(self, run_id: str) -> None:
        """Runs ▸ Use as model: the run's layers (one undo step) and training settings."""
        if self._training is not None:
            return
        try:
            record = self.store.get(run_id)
            project = Project.from_dict(record.project)
        except WorkbenchError as exc:
            QMessageBox.warning(self, "Use run", str(exc))
            return
        self._use_project(project, f"Use the model of {record.name}")
        self.tabs.setCurrentWidget(self.model_view)
        self.statusBar().showMessage(
            f"The model and settings of {record.name} are in the editor.", STATUS_TIMEOUT_MS
        )

    def _use_project(self, project: Project, undo_text: str) -> None:
        self._initial_weights = None
        self.model_view.replace_layers([layer.copy() for layer in project.layers], undo_text)
        config = copy.deepcopy(project.training)
        self.project.training = config
        self.train_view.set_config(config)
        self.data_view.set_split(config)
        self._update_train_state()

    @Slot()
    def sweep_dialog(self) -> None:
        """Train > Sweep…: pick a grid; its runs train one after another."""
        reason = self.train_block_reason()
        if reason is not None:
            QMessageBox.information(self, "Sweep", reason)
            return
        project = copy.deepcopy(self.project)
        project.training = self.train_view.config()
        dialog = SweepDialog(project, self)
        if dialog.exec() == SweepDialog.DialogCode.Accepted:
            self.start_sweep(dialog.points())

    def start_sweep(self, points: list[SweepPoint]) -> None:
        """Queue the sweep's runs and start the first; the Runs tab shows the progress."""
        if not points or self._training is not None or self.dataset is None:
            return
        self._sweep = list(points)
        self._sweep_total = len(points)
        self._sweep_ids = []
        self.tabs.setCurrentWidget(self.runs_view)
        self._next_sweep_run()

    def _next_sweep_run(self) -> None:
        if not self._sweep_total or self._shut_down:
            return
        if not self._sweep:
            self._finish_sweep()
            return
        point = self._sweep.pop(0)
        total = self._sweep_total
        text = f"Sweep run {point.index}/{total}: {point.label}"
        self.runs_view.show_sweep(text)
        thread = TrainingThread(
            point.project, self.dataset, store=self.store, run_name=sweep_name(point, total)
        )
        self._start_thread(thread, text + "…")

    def _finish_sweep(self) -> None:
        done, total = len(self._sweep_ids), self._sweep_total
        self._sweep_total = 0
        self.runs_view.show_sweep(None)
        self.runs_view.refresh()
        self.runs_view.select_ids(self._sweep_ids)
        best = self.runs_view.best_id
        names = {r.id: r.name for r in self.runs_view.records()}
        best_text = (
            f" Best by {self.runs_view.model.metric}: {names[best]}." if best in names else ""
        )
        ended = (
            "Sweep finished" if done == total else f"Sweep cancelled after {done} of {total} runs"
        )
        self.statusBar().showMessage(f"{ended}.{best_text}", STATUS_TIMEOUT_MS * 2)

    @property
    def sweep_running(self) -> bool:
        """True from the first run of a sweep until its last has ended."""
        return bool(self._sweep_total)

    @Slot()
    def cancel_sweep(self) -> None:
        """Runs ▸ Cancel sweep: the current run stops (its model kept), no more start."""
        if self.sweep_running:
            self.stop_training()

    # -- project files ---------------------------------------------------------------------

    @Slot()
    def save_project_dialog(self) -> None:
        """File ▸ Save project… (Ctrl+S)."""
        start = str(self.project_path or "project.json")
        path, _ = QFileDialog.getSaveFileName(self, "Save project", start, PROJECT_FILTER)
        if path:
            self.save_project(path)

    def save_project(self, path: str | Path) -> bool:
        """Write the project (data file's place, layers, settings) atomically."""
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(".json")
        self.project.training = self.train_view.config()
        try:
            self.project.save(path)
        except OSError as exc:
            QMessageBox.warning(
                self,
                "Save project",
                f"{path}: could not save ({exc.strerror or exc}). Choose another folder.",
            )
            return False
        self.project_path = path
        self.statusBar().showMessage(f"Project saved to {path}", STATUS_TIMEOUT_MS)
        return True

    @Slot()
    def open_project_dialog(self) -> None:
        """File ▸ Open project…"""
        if self._training is not None:
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open project", "", PROJECT_FILTER)
        if path:
            self.open_project(path)

    def open_project(self, path: str | Path) -> bool:
        """Read a project file; its layers and settings replace the current ones and its
        data file is opened. A file that is not a project changes nothing."""
        if self._training is not None:
            return False
        try:
            project = Project.load(path)
        except WorkbenchError as exc:
            QMessageBox.warning(self, "Open project", f"{exc}\n\nYour current work is unchanged.")
            return False
        self.project_path = Path(path)
        spec = project.dataset
        if spec.path and Path(spec.path).exists():
            self._pending_project = project
            self.open_path(
                spec.path,
                text_column=spec.text_column or None,
                label_column=spec.label_column or None,
                kind=spec.kind or None,
                task=spec.task or None,
            )
            return True
        self._use_project(project, f"Open project {Path(path).name}")
        message = f"Opened {Path(path).name}."
        if spec.path:
            message += (
                f" Its data file {spec.path} was not found: open it with File ▸ Open dataset."
            )
        self.statusBar().showMessage(message, STATUS_TIMEOUT_MS * 2)
        return True

    # -- prediction and export -----------------------------------------------------------

    def _can_predict(self) -> bool:
        return self.predictor is not None and self._training is None

    def _ask(self, mode: str, method: str, argument: Any, echo: str = "") -> None:
        self._predict_mode = mode
        self._last_predict_text = echo
        self.backend.ask(self.predictor, method, argument)
        self.statusBar().showMessage("Predicting…", 3000)

    @Slot(str)
    def predict_text(self, text: str) -> None:
        """Label one text with the last trained model (on the backend thread)."""
        if self._can_predict():
            self._ask("single", "predict", [text], text)

    @Slot(object)
    def predict_row(self, row: dict[str, Any]) -> None:
        """Predict one row of features typed in the form."""
        if not self._can_predict():
            return
        import pandas as pd

        self._ask("single", "predict_table", pd.DataFrame([row]))

    @Slot(str)
    def predict_file(self, path: str) -> None:
        """Predict every row of a table file (read on the backend thread)."""
        if self._can_predict():
            self._ask("file", "predict_table", str(path))

    @Slot(object)
    def predict_images(self, paths: list[str]) -> None:
        """Predict image files."""
        if self._can_predict():
            self._asked_images = [str(p) for p in paths]
            self._ask("images", "predict_images", list(self._asked_images))

    @Slot(int)
    def predict_index(self, index: int) -> None:
        """Predict sample ``index`` of the loaded arrays."""
        data = self.dataset
        if not self._can_predict() or data is None or data.kind != "npz":
            return
        self._ask("single", "predict_arrays", data.x[index : index + 1], f"sample {index}")

    @Slot(object)
    def _on_prediction(self, result: Any) -> None:
        mode = getattr(self, "_predict_mode", "single")
        view = self.predict_view
        if mode == "images":
            predictions, used = result
            if not predictions:
                view.show_error("None of the chosen files could be read as an image.")
                return
            view.show_image_predictions(predictions, list(used))
            unread = len(self._asked_images) - len(used)
            if unread > 0:
                view.banner.show_message(
                    f"{unread} of the chosen files could not be read as images and were left out.",
                    "warning",
                )
        elif mode == "file":
            predictions, frame = result
            view.show_table_predictions(predictions, frame)
        elif result:
            view.show_prediction(result[0], self._last_predict_text)
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
        """The one way out: ask if training runs, stop it, wait for every thread, close.

        The trainer stops within a batch; the run is kept in the Runs tab as stopped.
        """
        if self._training is not None and not self._shut_down:
            what = "A sweep is running" if self.sweep_running else "A model is training"
            answer = QMessageBox.question(
                self,
                "Training is running",
                f"{what}. Stop it and quit? The run so far is kept.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.shutdown()
        self.autosave.clear()  # a clean close: nothing to restore next time
        event.accept()

    # -- templates, import, script export -------------------------------------------------

    @Slot()
    def _fill_template_menu(self) -> None:
        """Templates that fit the loaded data (all text ones before any data is loaded)."""
        from workbench.core.templates import templates_for

        self.template_menu.clear()
        kind = self.dataset.kind if self.dataset is not None else "text"
        for template in templates_for(kind):
            action = self.template_menu.addAction(template.title)
            action.setData(template.name)
            action.triggered.connect(self._on_template_chosen)
            action.setEnabled(self._training is None)

    @Slot()
    def _on_template_chosen(self) -> None:
        action = self.sender()
        name = action.data() if action is not None else None
        if name:
            self.use_template(str(name))

    def use_template(self, name: str) -> None:
        """Replace the stack with a template (one undoable step)."""
        from workbench.core.templates import TEMPLATES

        if self._training is not None:
            return
        template = TEMPLATES[name]
        layers = (
            template.build(self.dataset) if self.dataset is not None else template.build(_NoData())
        )
        self._initial_weights = None
        self.model_view.replace_layers(layers, f"Use template: {template.title}")
        self.tabs.setCurrentWidget(self.model_view)
        self.statusBar().showMessage(f"Model: {template.title}.", STATUS_TIMEOUT_MS)

    @Slot()
    def import_model_dialog(self) -> None:
        """Model > Import Keras model…"""
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a Keras model", "", "Keras models (*.keras);;All files (*)"
        )
        if path:
            self.import_model(path)

    def import_model(self, path: str | Path) -> None:
        """Read a .keras model on a worker thread; its layers replace the stack."""
        if self._training is not None:
            return
        self.statusBar().showMessage(f"Reading {Path(path).name}…")
        self._run_task(
            f"importing {Path(path).name}", self._on_imported, import_keras_model, str(path)
        )

    def _on_imported(self, imported: Any) -> None:
        self.model_view.replace_layers(list(imported.layers), "Import Keras model")
        self._initial_weights = list(imported.weights)
        self.tabs.setCurrentWidget(self.model_view)
        message = (
            f"Imported {len(imported.layers)} layers; training starts from the model's "
            "weights where their shapes still fit."
        )
        if imported.unknown:
            message += " Left out (not in the editor's catalog): " + ", ".join(imported.unknown)
            QMessageBox.information(self, "Imported with changes", message)
        self.statusBar().showMessage(message, STATUS_TIMEOUT_MS * 2)

    @Slot()
    def export_script_dialog(self) -> None:
        """File > Export Keras script…"""
        if self.dataset is None:
            QMessageBox.information(self, "Export Keras script", "Load a dataset first.")
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export Keras script", "train.py", "Python (*.py)"
        )
        if path:
            self.export_script(path)

    def export_script(self, path: str | Path) -> None:
        """Write the plain Keras script for the current project and data (worker thread)."""
        if self.dataset is None:
            return
        project = copy.deepcopy(self.project)
        project.training = self.train_view.config()
        self._run_task(
            "exporting the script",
            self._on_script_written,
            write_keras_script,
            project,
            self.dataset,
            str(path),
        )

    def _on_script_written(self, path: str) -> None:
        self.statusBar().showMessage(
            f"Wrote {path}: run it with python (keras, tensorflow, pandas).", STATUS_TIMEOUT_MS
        )

    def _run_task(
        self, what: str, on_done: Callable[[Any], None], function: Any, *args: Any
    ) -> None:
        """Run a function on a worker thread; its result goes to ``on_done`` here, an error
        to a message box. Joined on shutdown like every other thread."""
        self._task_token += 1
        token = self._task_token
        thread = CallThread(token, what, function, *args)
        self._tasks[token] = (thread, on_done)
        thread.sig_done.connect(self._on_task_done)
        thread.sig_failed.connect(self._on_task_failed)
        thread.start()

    @Slot(int, object)
    def _on_task_done(self, token: int, result: object) -> None:
        thread, on_done = self._tasks.pop(token, (None, None))
        if thread is not None:
            thread.wait()
        if on_done is not None and not self._shut_down:
            on_done(result)

    @Slot(int, str)
    def _on_task_failed(self, token: int, message: str) -> None:
        thread, _ = self._tasks.pop(token, (None, None))
        if thread is not None:
            thread.wait()
        if not self._shut_down:
            self.statusBar().showMessage(message, STATUS_TIMEOUT_MS)
            QMessageBox.warning(self, "Training Workbench", message)

    def shutdown(self) -> None:
        """Stop timers and workers and wait for each thread; safe to call twice."""
        self._shut_down = True
        self._sweep = []
        self.summary_timer.stop()
        self.redraw_timer.stop()
        self.load_timer.stop()
        self.autosave.stop()
        thread, self._training = self._training, None
        if thread is not None:
            thread.control.request_stop()
            thread.wait()
        for loader in list(self._load_threads.values()):
            loader.cancel()  # a feature table stops reading at its next chunk
        for loader in list(self._load_threads.values()):
            loader.wait()
        self._load_threads.clear()
        for task, _ in list(self._tasks.values()):
            task.wait()
        self._tasks.clear()
        self.data_view.shutdown()
        self.backend.shutdown()
        self.collector.stop()  # after the workers are gone: nothing else can collect now


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


def _replay_history(thread: TrainingThread, record: RunRecord) -> None:
    """Put a run's finished epochs in a new thread's recorder, so resumed or continued
    training draws its curves on from them."""
    bookkeeping = ("epoch", "samples_per_second", "seconds")
    for number, entry in enumerate(record.history, start=1):
        logs = {k: float(v) for k, v in entry.items() if k not in bookkeeping and _is_number(v)}
        thread.recorder.on_epoch(int(entry.get("epoch", number)), logs, 0.0)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _has_checkpoint(record: RunRecord) -> bool:
    folder = record.checkpoint_path
    return folder.is_dir() and any(folder.iterdir())


class _NoData:
    """Stands in for a dataset before one is loaded (text templates with default sizes, the
    Predict tab's text page for a run's model)."""

    kind = "text"

    def __init__(self, task: str = "classification") -> None:
        self.task = task

    def class_names(self) -> list[str]:
        return ["0", "1"]


def _same_inputs(old: Any, new: Any) -> bool:
    """Whether a model trained on ``old`` takes and answers for ``new``'s inputs."""
    if old.kind != new.kind or old.task != new.task:
        return False
    if new.kind == "tabular":
        return old.feature_types == new.feature_types and old.label_column == new.label_column
    if new.kind == "images":
        return tuple(old.image_size) == tuple(new.image_size)
    if new.kind == "npz":
        return (old.x_name, old.y_name) == (new.x_name, new.y_name)
    return True


def _sequence_length(layers: list) -> int | None:
    for layer in layers:
        if layer.kind == "TextVectorization":
            return int(layer.params.get("output_sequence_length", 0))
    return None


def describe_metrics(metrics: dict[str, float]) -> str:
    """'accuracy 91.2%, loss 0.231' for a dict of Keras metric values."""
    parts = []
    for name, value in metrics.items():
        short = name.removeprefix("test_")
        if "acc" in short:
            parts.append(f"{short} {value:.1%}")
        else:
            parts.append(f"{short} {value:.4g}")
    return ", ".join(parts)


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
    mae = outcome.best_metrics.get("val_mae")
    if accuracy is None and mae is not None:
        epoch = f" (epoch {outcome.best_epoch})" if outcome.best_epoch else ""
        text += f" Best validation MAE {mae:.4g}{epoch}."
    if outcome.test_metrics:
        text += " Test part: " + describe_metrics(outcome.test_metrics) + "."
    best = outcome.best_epoch
    if best and best != done and not outcome.stopped:
        text += f" The model from epoch {best} (lowest validation loss) is kept."
    if outcome.samples_per_second:
        text += f" {outcome.samples_per_second:,.0f} samples/s."
    return text


__all__ = ["IDLE", "MainWindow", "describe_outcome"]
