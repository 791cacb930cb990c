"""What every feature's controller shares: the window it lives in, the session, the tasks.

A controller owns one feature's behaviour (the Data tab's loads, the Model tab's checks, …):
it changes the :class:`~workbench.core.session.Session`, runs background work through the
window's one :class:`~workbench.ui.tasks.TaskRunner`, and offers its menu actions in
:attr:`Controller.menus`, which the window collects into its menu bar.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QWidget

from workbench.core.errors import WorkbenchError

if TYPE_CHECKING:
    from workbench.core.runs import RunStore
    from workbench.core.session import Session
    from workbench.ui.tasks import TaskRunner
    from workbench.ui.workers import BackendClient

STATUS_TIMEOUT_MS = 15000


class Shell(QMainWindow):
    """The parts of the main window a controller may use (the window subclasses this)."""

    session: Session
    tasks: TaskRunner
    backend: BackendClient
    store: RunStore
    shut_down: bool

    def show_tab(self, widget: QWidget) -> None:
        """Bring ``widget``'s tab to the front."""
        raise NotImplementedError

    def show_task_error(self, message: str) -> None:
        """A background task failed: tell the person."""
        raise NotImplementedError


class Controller(QObject):
    """Base of the feature controllers: status messages, actions, menus."""

    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.session = shell.session
        #: Menu title -> actions this feature adds to it (None: a separator).
        self.menus: dict[str, list[QAction | None]] = {}

    def run_model_path(self) -> Path | None:
        """The model file of the session's run (``runs/<id>/model.keras``), when it is
        there; None for a model that no run holds."""
        run_id = self.session.source.run_id
        if not run_id:
            return None
        try:
            path = self.shell.store.get(run_id).model_path
        except (WorkbenchError, OSError):
            return None
        return path if path.is_file() else None

    def status(self, text: str, timeout: int = 0) -> None:
        """A message in the window's status bar (``timeout`` ms; 0 keeps it)."""
        self.shell.statusBar().showMessage(text, timeout)

    def action(
        self,
        text: str,
        slot: Callable[[], Any],
        shortcut: QKeySequence | str | None = None,
        tip: str = "",
    ) -> QAction:
        """A window-wide action triggering ``slot``; ``tip`` shows in the status bar."""
        action = QAction(text, self.shell)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def shutdown(self) -> None:
        """Stop this feature's timers and threads (the window calls this once, at close)."""
