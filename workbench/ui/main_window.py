"""The main window: the shell that composes the feature tabs, their menus and the status bar.

Each tab is a feature package (``ui/data``, ``ui/model``, ``ui/train``, ``ui/evaluate``,
``ui/predict``, ``ui/runs``) with its view and controller. The window creates the one
:class:`~workbench.core.session.Session` they share, the one
:class:`~workbench.ui.tasks.TaskRunner` for background work, and the backend client; it
collects each controller's menu actions, owns the status bar, and has the one way out,
:meth:`MainWindow.closeEvent`, which stops and waits for every thread.

Adding a tab: a package with a view and a controller, then one line in :meth:`_build_tabs`
and, for its menus, its controller's ``menus``.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QMessageBox, QTabWidget, QWidget

import workbench
from workbench.core.project import Project
from workbench.core.runs import RunStore, default_store
from workbench.core.session import Session
from workbench.ui.autosave import AutosaveController
from workbench.ui.collector import GuiThreadCollector
from workbench.ui.controller import STATUS_TIMEOUT_MS, Shell
from workbench.ui.data.controller import DataController
from workbench.ui.data.view import DataView
from workbench.ui.evaluate.controller import EvaluateController
from workbench.ui.evaluate.view import EvaluateView
from workbench.ui.export.controller import ExportController
from workbench.ui.file_dialogs import remember
from workbench.ui.model.controller import ModelController
from workbench.ui.model.view import ModelView
from workbench.ui.predict.controller import PredictController
from workbench.ui.predict.view import PredictView
from workbench.ui.projects import ProjectController
from workbench.ui.runs.controller import RunsController
from workbench.ui.runs.view import RunsView
from workbench.ui.status_bar import ElidingStatusBar
from workbench.ui.tasks import TaskRunner
from workbench.ui.train.controller import TrainController
from workbench.ui.train.view import IDLE, TrainView
from workbench.ui.undo_router import UndoRouter
from workbench.ui.workers import BackendClient, device_names

DATA_TAB, MODEL_TAB, TRAIN_TAB, EVALUATE_TAB, PREDICT_TAB, RUNS_TAB = range(6)
MENU_ORDER = ("&File", "&Edit", "&Model", "&Train", "&Evaluate", "&Help")


class MainWindow(Shell):
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
        self.setStatusBar(ElidingStatusBar(self))
        self.shut_down = False
        self.session = Session()
        self.store = store if store is not None else default_store()
        self.tasks = TaskRunner(self)
        self.backend = BackendClient(self)
        self.backend.sig_ready.connect(self._on_backend_ready)
        self.backend.sig_load_failed.connect(self._on_backend_failed)
        self._build_tabs()
        self._build_menus()
        self._build_status_bar()
        self.session.training_changed.connect(self._on_training_changed)
        self.model.on_stack_changed()
        self.runs_view.request_refresh()
        self.autosave = AutosaveController(self)  # writes on change, offers restore at start
        self.collector = GuiThreadCollector(self)  # garbage freed on this thread, not a worker's
        self.collector.start()
        self.undo_router = UndoRouter(self, self.model_view)
        self.undo_router.install()

    # -- construction --------------------------------------------------------------------

    def _build_tabs(self) -> None:
        self.data_view = DataView()
        self.model_view = ModelView()
        self.train_view = TrainView()
        self.evaluate_view = EvaluateView()
        self.predict_view = PredictView()
        self.runs_view = RunsView(self.store)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for view, title in (
            (self.data_view, "Data"),
            (self.model_view, "Model"),
            (self.train_view, "Train"),
            (self.evaluate_view, "Evaluate"),
            (self.predict_view, "Predict"),
            (self.runs_view, "Runs"),
        ):
            self.tabs.addTab(view, title)
        self.setCentralWidget(self.tabs)

        self.data = DataController(self, self.data_view)
        self.model = ModelController(self, self.model_view)
        self.training = TrainController(self, self.train_view, self.model.block_reason)
        self.evaluation = EvaluateController(self, self.evaluate_view)
        self.predict = PredictController(self, self.predict_view)
        self.exporter = ExportController(
            self, self.predict.export_action, self.predict.export_model_dialog
        )
        self.runs = RunsController(
            self, self.runs_view, self.training, self.predict_view, self.use_project
        )
        self.projects = ProjectController(
            self, self.use_project, self.data.open_for, self.training.config
        )
        self.data.on_applied = self._on_data_applied
        self.data.on_project_without_data = lambda p: self.use_project(p, "Open project")
        self.training.initial_weights = lambda: self.model.initial_weights
        self.training.open_data_for = self.data.open_for
        self.model.sig_state_changed.connect(self.training.update_state)
        self.data_view.sig_split_changed.connect(self.training.set_split)
        self.training.sig_config_changed.connect(self.data_view.set_split)
        self.data_view.set_split(self.session.project.training)

    def _build_menus(self) -> None:
        """The menu bar: each controller's actions under its menus, in the tabs' order."""
        bar = self.menuBar()
        menus = {title: bar.addMenu(title) for title in MENU_ORDER}
        self.sample_menu = QMenu("Open &sample", self)
        self.sample_menu.addActions(list(self.data.sample_actions.values()))
        self.template_menu = QMenu("Start from a &template", self)
        self.template_menu.aboutToShow.connect(
            lambda: self.model.fill_template_menu(self.template_menu)
        )
        menus["&Model"].addMenu(self.template_menu)
        # Undo and redo of the layer stack (the only undoable document so far); the actions
        # belong to the Model tab, which disables them while training locks the stack.
        self.undo_action = self.model_view.undo_action
        self.redo_action = self.model_view.redo_action
        self.undo_action.setStatusTip("Undo the last change to the layer stack")
        self.redo_action.setStatusTip("Redo the last undone change to the layer stack")
        for action in (self.undo_action, self.redo_action):
            action.triggered.connect(lambda: self.show_tab(self.model_view))
        menus["&Edit"].addActions([self.undo_action, self.redo_action])
        for controller in (
            self.data,
            self.projects,
            self.predict,
            self.model,
            self.training,
            self.runs,
            self.evaluation,
        ):
            for title, actions in controller.menus.items():
                menu = menus[title]
                if title == "&File" and not menu.isEmpty():
                    menu.addSeparator()
                for action in actions:
                    menu.addSeparator() if action is None else menu.addAction(action)
                if controller is self.data:
                    menu.addMenu(self.sample_menu)
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        menus["&File"].addSeparator()
        menus["&File"].addAction(self.projects.script_action)
        menus["&File"].addSeparator()
        menus["&File"].addAction(self.quit_action)
        self.about_action = QAction("&About Training Workbench", self)
        self.about_action.triggered.connect(self.about)
        menus["&Help"].addAction(self.about_action)
        # The actions under the names the tests and the autosave use.
        self.open_action = self.data.open_action
        self.open_folder_action = self.data.open_folder_action
        self.sample_actions = self.data.sample_actions
        self.open_project_action = self.projects.open_action
        self.save_project_action = self.projects.save_action
        self.export_action = self.predict.export_action
        self.train_action = self.train_view.start_action

    def _build_status_bar(self) -> None:
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

    def show_tab(self, widget: QWidget) -> None:
        """Bring ``widget``'s tab to the front."""
        self.tabs.setCurrentWidget(widget)

    @Slot(str)
    def show_task_error(self, message: str) -> None:
        """A background task failed: say so in the status bar and a message box."""
        if not self.shut_down:
            self.statusBar().showMessage(message, STATUS_TIMEOUT_MS)
            QMessageBox.warning(self, "Training Workbench", message)

    # -- the session as the tests and the autosave read it ----------------------------------

    @property
    def project(self) -> Project:
        """The project being edited."""
        return self.session.project

    @property
    def dataset(self) -> Any:
        """The loaded data set (None before the first)."""
        return self.session.dataset

    table = dataset

    @property
    def predictor(self) -> Any:
        """The model that predicts (None until one is trained or opened)."""
        return self.session.predictor

    @property
    def is_training(self) -> bool:
        """True from Train until the run's result has been handled."""
        return self.training.is_training

    # -- backend -------------------------------------------------------------------------

    def start_backend(self) -> None:
        """Load TensorFlow on the backend thread (the window stays usable meanwhile)."""
        if self.backend.started or self.shut_down:
            return
        self.backend_label.setText("Loading TensorFlow…")
        self.backend.start()
        self.model.on_stack_changed()

    @property
    def backend_ready(self) -> bool:
        """True once TensorFlow is loaded and the model can be checked and trained."""
        return self.backend.ready

    @Slot(str)
    def _on_backend_ready(self, description: str) -> None:
        self.backend_label.setText(f"Backend ready: {description}")
        self.model.backend_ready()
        self.tasks.run(
            "devices",
            "listing the devices",
            device_names,
            on_done=self.train_view.set_devices,
            on_failed=self.show_task_error,
        )
        QTimer.singleShot(0, self.training.offer_resume)

    @Slot(str)
    def _on_backend_failed(self, message: str) -> None:
        self.backend_label.setText("TensorFlow failed to load")
        self.train_view.banner.show_message(f"TensorFlow could not be loaded: {message}")
        self.statusBar().showMessage("TensorFlow could not be loaded.", STATUS_TIMEOUT_MS)
        self.model.backend_failed(message)

    # -- what follows the session -----------------------------------------------------------

    def use_project(self, project: Project, undo_text: str) -> None:
        """A project's (or run's, or autosave's) layers, as one undo step, and its settings."""
        self.model.replace([layer.copy() for layer in project.layers], undo_text)
        self.training.set_config(copy.deepcopy(project.training))
        self.show_tab(self.model_view)

    def _on_data_applied(
        self, dataset: Any, summary: dict[str, Any], new_file: bool, project: Project | None
    ) -> None:
        classes = len(self.session.class_counts())  # 0 for regression
        if project is not None:  # an opened project brings its own layers for this data
            self.use_project(project, "Open project")
            self.model.mark_fitted(dataset, classes)
            changes: list[str] = []
        else:
            changes = self.model.fit_to(dataset, summary, classes)
        message = self.data.describe_loaded(dataset, summary, new_file)
        if changes:
            message += " Adapted the model: " + "; ".join(changes) + "."
        self.statusBar().showMessage(message, STATUS_TIMEOUT_MS)
        self.model.on_stack_changed()
        self.autosave.schedule()  # the data choice changed

    @Slot(bool)
    def _on_training_changed(self, training: bool) -> None:
        """A run locks the data, the stack and what would change them."""
        self.model_view.set_editable(not training)
        self.data_view.set_locked(training)
        for action in (self.open_action, self.open_folder_action):
            action.setEnabled(not training)
        self.sample_menu.setEnabled(not training)
        self.setAcceptDrops(not training)

    # -- drag and drop -------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept a file dragged over the window (not while training)."""
        if not self.session.training and self.data.dropped_path(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        """Open the dropped file."""
        path = self.data.dropped_path(event.mimeData())
        if path and not self.session.training:
            event.acceptProposedAction()
            self.tabs.setCurrentIndex(DATA_TAB)
            remember(path)  # the next file dialog starts where the dropped file was
            self.data.open_path(path)
        else:
            event.ignore()

    # -- help and shutdown -----------------------------------------------------------------

    @Slot()
    def about(self) -> None:
        """Help ▸ About."""
        keras = self.backend.description or "TensorFlow not loaded yet"
        QMessageBox.about(
            self,
            "About Training Workbench",
            f"<b>Training Workbench</b> {workbench.__version__}<p>"
            "Build, train and use neural networks without writing code.</p>"
            f"<p>Backend: {keras}</p>",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        """The one way out: ask if training runs, stop it, wait for every thread, close."""
        if (self.training.is_training or self.runs.sweep_running) and not self.shut_down:
            what = "A sweep is running" if self.runs.sweep_running else "A model is training"
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

    def shutdown(self) -> None:
        """Stop timers and workers and wait for each thread; safe to call twice."""
        self.shut_down = True
        self.undo_router.remove()
        self.autosave.stop()
        for controller in (
            self.runs,
            self.training,
            self.data,
            self.model,
            self.evaluation,
            self.predict,
            self.exporter,
            self.projects,
        ):
            controller.shutdown()
        self.tasks.shutdown()
        self.backend.shutdown()
        self.collector.stop()  # after the workers are gone: nothing else can collect now


__all__ = [
    "DATA_TAB",
    "EVALUATE_TAB",
    "IDLE",
    "MODEL_TAB",
    "PREDICT_TAB",
    "RUNS_TAB",
    "TRAIN_TAB",
    "MainWindow",
]
