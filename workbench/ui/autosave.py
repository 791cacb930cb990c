"""Autosave of the editor, and the offer to restore it after a crash.

:class:`AutosaveController` writes the window's project (data choice, layers, training
settings) through :class:`~workbench.core.autosave.AutosaveSession`: one second after the
last change (the model view's, the settings form's or the data tab's signal, or new data
applied), and every 30 seconds when something changed without a signal. Writing happens on
the GUI thread: the file is a few KiB (1.4 KiB for the seed stack) and one atomic write with
fsync took 1.8 ms on this project's test machine. A write that fails (read-only folder,
full disk) is said once in the status bar, never in a dialog and never as a traceback.

At start-up :meth:`AutosaveController.offer_restore` asks about the newest autosave that a
crashed session left (see :func:`ask_restore`, patched in tests like ``ask_resume``).
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from workbench.core import autosave
from workbench.core.errors import WorkbenchError
from workbench.core.project import Project

if TYPE_CHECKING:
    from workbench.ui.main_window import MainWindow

DEBOUNCE_MS = 1000  # a burst of edits (typing a number) is one write, a second after the last
PERIOD_MS = 30_000  # the safety net for changes that come without a signal
STATUS_MS = 15000
#: Answers of the restore question.
RESTORE, DISCARD, LATER = "restore", "discard", "later"


class AutosaveController(QObject):
    """Keeps one window's work in its autosave file and restores a crashed session's."""

    def __init__(self, window: MainWindow, root: str | Path | None = None) -> None:
        """``root`` is the workspace folder (default: $WORKBENCH_HOME or the data folder)."""
        super().__init__(window)
        self.window = window
        self.root = root
        self.session = autosave.AutosaveSession(root)
        self.last_text = ""  # the project as last written, to skip writes that change nothing
        self.last_size = 0  # bytes of the last file written
        self.failed = False  # a failure was shown; said again only after a write succeeds
        self._stopped = False
        self._offered = False
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self.flush)
        self.periodic = QTimer(self)
        self.periodic.setInterval(PERIOD_MS)
        self.periodic.timeout.connect(self.flush)
        window.model_view.sig_changed.connect(self.schedule)
        window.train_view.sig_config_changed.connect(self.schedule)
        window.data_view.sig_split_changed.connect(self.schedule)
        window.data_view.sig_augment_changed.connect(self.schedule)

    # -- writing ---------------------------------------------------------------------------

    @Slot()
    def schedule(self, *_args: object) -> None:
        """Something changed: write a second after the last change (and every 30 s after)."""
        if self._stopped:
            return
        self.debounce.start()
        if not self.periodic.isActive():
            self.periodic.start()

    def project_dict(self) -> dict:
        """What would be restored: the data choice, the layers and the form's settings.

        While a restored or opened project waits for its data, its data choice is the one
        kept (the window's still names the previous data until the file is read).
        """
        window = self.window
        pending = getattr(window, "_pending_project", None)
        dataset = pending.dataset if pending is not None else window.project.dataset
        project = Project(dataset, window.project.layers, window.train_view.config())
        return project.to_dict()

    @Slot()
    def flush(self) -> bool:
        """Write now if the project changed since the last write; False when it failed."""
        self.debounce.stop()
        if self._stopped:
            return True
        data = self.project_dict()
        text = json.dumps(data, sort_keys=True)
        if text == self.last_text:
            return True
        try:
            self.last_size = self.session.write(data)
        except (OSError, ValueError, WorkbenchError) as exc:
            self._failed(exc)
            return False
        self.last_text = text
        self.failed = False
        return True

    def _failed(self, exc: Exception) -> None:
        if self.failed:
            return
        self.failed = True
        reason = getattr(exc, "strerror", None) or str(exc)
        self.window.statusBar().showMessage(
            f"Autosave failed ({reason}) in {self.session.folder}; "
            "save the project with File ▸ Save project to keep your work.",
            STATUS_MS,
        )

    def stop(self) -> None:
        """Stop both timers and write no more (the window is shutting down)."""
        self._stopped = True
        self.debounce.stop()
        self.periodic.stop()

    def clear(self) -> None:
        """A clean close: stop, and remove this session's autosave."""
        self.stop()
        self.session.clear()

    # -- restoring -------------------------------------------------------------------------

    @Slot()
    def offer_restore(self) -> str | None:
        """At start-up: offer the newest autosave a crashed session left (once per window).

        Returns the answer, or None when there was nothing to offer. A damaged autosave is
        set aside and said in the status bar; it never stops the window from starting.
        """
        window = self.window
        if self._offered or self._stopped or getattr(window, "_shut_down", False):
            return None
        self._offered = True
        found, notes = autosave.crashed(self.root)
        if notes:
            window.statusBar().showMessage(notes[0], STATUS_MS)
        if not found:
            return None
        saved = found[0]
        answer = ask_restore(window, saved)
        if answer == RESTORE:
            self.restore(saved)
        elif answer == DISCARD:
            saved.discard()
            window.statusBar().showMessage("The unsaved work was discarded.", STATUS_MS)
        return answer

    def restore(self, saved: autosave.Autosaved) -> None:
        """Put the autosave's layers (one undo step) and settings back, and reopen its data
        file the way File ▸ Open project does; say so when that file is gone."""
        window = self.window
        if window.is_training:
            window.statusBar().showMessage("Stop training before restoring.", STATUS_MS)
            return
        project = saved.project
        spec = project.dataset
        window.use_project(project, "Restore the unsaved work")
        # This session owns the work now; the crashed session's file goes once it is kept.
        try:
            self.session.write(project.to_dict())
        except (OSError, ValueError, WorkbenchError) as exc:
            self._failed(exc)
        else:
            saved.discard()
        window.project.dataset.augment = spec.augment
        if window.data.open_for(project):  # its layers again once the data is read
            window.statusBar().showMessage(
                f"Restored the unsaved layers and settings; reading {Path(spec.path).name}…"
            )
            return
        window.tabs.setCurrentWidget(window.model_view)
        message = "Restored the unsaved layers and settings."
        if spec.path:
            message += f" The data file {spec.path} is missing: open it with File ▸ Open dataset."
        window.statusBar().showMessage(message, STATUS_MS * 2)
        self.schedule()


def when(saved: float, now: float | None = None) -> str:
    """'today at 14:05', 'yesterday at 09:30' or '3 Dec 2026 at 14:05' (local time)."""
    moment = datetime.fromtimestamp(saved)
    today = datetime.fromtimestamp(time.time() if now is None else now).date()
    clock = moment.strftime("%H:%M")
    if moment.date() == today:
        return f"today at {clock}"
    if (today - moment.date()).days == 1:
        return f"yesterday at {clock}"
    return f"{moment.day} {moment.strftime('%b %Y')} at {clock}"


def ask_restore(parent: QWidget, saved: autosave.Autosaved) -> str:
    """Ask whether to restore a crashed session's work: RESTORE, DISCARD or LATER."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Restore unsaved work?")
    box.setText(f"Restore the unsaved work from {when(saved.saved)}?")
    project = saved.project
    data = Path(project.dataset.path).name if project.dataset.path else "no data file"
    layers = len(project.layers)
    box.setInformativeText(
        "The app did not close normally last time. The autosave holds "
        f"{layers} layer{'s' if layers != 1 else ''}, the training settings and the data "
        f"choice ({data}). Discard deletes it."
    )
    restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(restore)
    box.exec()  # no escape button: one of the two answers (LATER only if it closes anyhow)
    clicked = box.clickedButton()
    if clicked is restore:
        return RESTORE
    if clicked is discard:
        return DISCARD
    return LATER
