"""Project files and the plain-Keras script: File ▸ Open/Save project, Export Keras script.

Opening a project reads its data file (when it is there) and applies the project's layers
and settings with that data, in one step; a file that is not a valid project changes nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QMessageBox

from workbench.core.errors import WorkbenchError
from workbench.core.project import Project
from workbench.ui.controller import STATUS_TIMEOUT_MS, Controller, Shell
from workbench.ui.file_dialogs import open_file, save_file
from workbench.ui.workers import write_keras_script

PROJECT_FILTER = "Workbench projects (*.json);;All files (*)"


class ProjectController(Controller):
    """Owns the project file the window was opened from or saved to."""

    def __init__(
        self,
        shell: Shell,
        use_project: Callable[[Project, str], None],
        open_data_for: Callable[[Project], bool],
        config: Callable[[], object],
    ) -> None:
        super().__init__(shell)
        self.path: Path | None = None
        self._use_project = use_project
        self._open_data_for = open_data_for
        self._config = config
        self.open_action = self.action(
            "Open &project…",
            self.open_project_dialog,
            "Ctrl+Shift+P",
            "Open a saved project: its data file, layers and training settings",
        )
        self.save_action = self.action(
            "&Save project…",
            self.save_project_dialog,
            "Ctrl+S",
            "Save the data file's place, the layers and the training settings as JSON",
        )
        self.script_action = self.action(
            "Export Keras &script…",
            self.export_script_dialog,
            tip="Write train.py: the same data, split, model and settings in plain Keras.",
        )
        self.menus = {"&File": [self.open_action, self.save_action]}
        self.session.training_changed.connect(lambda on: self.open_action.setEnabled(not on))

    @Slot()
    def save_project_dialog(self) -> None:
        """File ▸ Save project… (Ctrl+S)."""
        path = save_file(
            self.shell, "Save project", str(self.path or "project.json"), PROJECT_FILTER
        )
        if path:
            self.save_project(path)

    def save_project(self, path: str | Path) -> bool:
        """Write the project (data file's place, layers, settings) atomically."""
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(".json")
        project = self.session.project
        project.training = self._config()
        try:
            project.save(path)
        except OSError as exc:
            QMessageBox.warning(
                self.shell,
                "Save project",
                f"{path}: could not save ({exc.strerror or exc}). Choose another folder.",
            )
            return False
        self.path = path
        self.status(f"Project saved to {path}", STATUS_TIMEOUT_MS)
        return True

    @Slot()
    def open_project_dialog(self) -> None:
        """File ▸ Open project…"""
        if not self.session.training:
            path = open_file(self.shell, "Open project", PROJECT_FILTER)
            if path:
                self.open_project(path)

    def open_project(self, path: str | Path) -> bool:
        """Read a project file; its layers and settings replace the current ones and its
        data file is opened. A file that is not a project changes nothing."""
        if self.session.training:
            return False
        try:
            project = Project.load(path)
        except WorkbenchError as exc:
            QMessageBox.warning(
                self.shell, "Open project", f"{exc}\n\nYour current work is unchanged."
            )
            return False
        self.path = Path(path)
        if self._open_data_for(project):
            return True  # the layers and settings are applied with the data
        self._use_project(project, f"Open project {self.path.name}")
        message = f"Opened {self.path.name}."
        if project.dataset.path:
            message += (
                f" Its data file {project.dataset.path} was not found: open it with "
                "File ▸ Open dataset."
            )
        self.status(message, STATUS_TIMEOUT_MS * 2)
        return True

    @Slot()
    def export_script_dialog(self) -> None:
        """File ▸ Export Keras script…"""
        if self.session.dataset is None:
            QMessageBox.information(self.shell, "Export Keras script", "Load a dataset first.")
            return
        path = save_file(self.shell, "Export Keras script", "train.py", "Python (*.py)")
        if path:
            self.export_script(path)

    def export_script(self, path: str | Path) -> None:
        """Write the plain Keras script for the current project and data (worker thread)."""
        if self.session.dataset is None:
            return
        project = copy.deepcopy(self.session.project)
        project.training = self._config()
        self.shell.tasks.run(
            "script",
            "exporting the script",
            write_keras_script,
            project,
            self.session.dataset,
            str(path),
            on_done=self._on_script_written,
            on_failed=self.shell.show_task_error,
        )

    def _on_script_written(self, path: str) -> None:
        self.status(
            f"Wrote {path}: run it with python (keras, tensorflow, pandas).", STATUS_TIMEOUT_MS
        )
