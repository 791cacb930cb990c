"""File ▸ Export model…: opens the Export dialog and runs its export in the background.

The export is one ``export-model`` task of the window's task runner, so the window's one
shutdown waits for it. The backend reports its progress from the worker thread; a
:class:`~workbench.ui.export.task.ProgressRelay` owned here (on the GUI thread) brings it to
the dialog as a queued signal. The model exported is the session's: a run's
``model.keras`` (the one just trained, or a run opened in the Runs tab), or a .keras file
the person chooses in the dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction

from workbench.core.exports import FORMATS
from workbench.ui.controller import STATUS_TIMEOUT_MS, Controller, Shell
from workbench.ui.export.dialog import ExportDialog
from workbench.ui.export.task import ExportOutcome, ExportRequest, ProgressRelay, run_export

#: The task key of the running export.
EXPORT = "export-model"
NO_MODEL = "Train or open a model first"
TIP = "Export the model as SavedModel, LiteRT, ONNX or Keras, checked against Keras"


class ExportController(Controller):
    """Answers File ▸ Export model… with the Export dialog and runs its exports."""

    def __init__(
        self,
        shell: Shell,
        action: QAction,
        save_in_memory: Callable[[], Any] | None = None,
    ) -> None:
        """``action``: the File menu's Export model… action, answered here from now on (its
        enabled state stays with whoever owns it). ``save_in_memory``: saves a model that
        no run holds as .keras (the only way to keep one that is not in a file)."""
        super().__init__(shell)
        self.action = action
        self.save_in_memory = save_in_memory
        self.dialog: ExportDialog | None = None
        self.relay = ProgressRelay(self)
        self.last_outcome: ExportOutcome | None = None
        action.triggered.disconnect()
        action.triggered.connect(self.open_dialog)
        self.session.predictor_changed.connect(lambda *_: self._update_tip())
        self.session.training_changed.connect(lambda _on: self._update_tip())
        self._update_tip()

    # -- which model -----------------------------------------------------------------------

    def model_path(self) -> Path | None:
        """The session's model as a file: its run's model.keras, if it is there."""
        return None if self.session.predictor is None else self.run_model_path()

    def _update_tip(self) -> None:
        has_model = self.session.predictor is not None
        tip = TIP if has_model else NO_MODEL
        if has_model and self.session.training:
            tip = "Export is paused while a model trains"
        self.action.setStatusTip(tip)
        self.action.setToolTip(tip)

    # -- the dialog ------------------------------------------------------------------------

    @Slot()
    def open_dialog(self) -> ExportDialog:
        """File ▸ Export model…: the dialog for the session's model (the running one, if an
        export is under way)."""
        if self.dialog is not None and self.dialog.running:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        if self.dialog is not None:
            self.dialog.deleteLater()
        path = self.model_path()
        name = self.session.source.name if path is not None else ""
        dialog = ExportDialog(path, name, self.shell)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.sig_export.connect(self.start)
        self.relay.sig_progress.connect(dialog.set_progress, Qt.ConnectionType.QueuedConnection)
        if path is None and self.session.predictor is not None and self.save_in_memory:
            dialog.offer_save_in_memory(self.save_in_memory)
        self.dialog = dialog
        dialog.show()
        return dialog

    @Slot(object)
    def start(self, request: ExportRequest) -> None:
        """Run the dialog's export on a worker thread."""
        dialog = self.dialog
        if dialog is None or self.shell.shut_down:
            return
        title = FORMATS[request.fmt][0]
        dialog.set_running(True, f"Exporting as {title}…")
        self.status(f"Exporting {request.model_path.name} as {title}…")
        thread = self.shell.tasks.run(
            EXPORT,
            request.describe(),
            run_export,
            request,
            self.relay.report,
            on_done=self._on_done,
            on_failed=self._on_failed,
            on_cancelled=self._on_cancelled,
        )
        if thread is None:  # the window is closing
            dialog.set_running(False)

    def _on_done(self, outcome: ExportOutcome) -> None:
        self.last_outcome = outcome
        verdict = "passed" if outcome.passed else "FAILED"
        self.status(f"Exported to {outcome.folder}: parity {verdict}.", STATUS_TIMEOUT_MS)
        if self.dialog is not None:
            self.dialog.show_outcome(outcome)

    def _on_failed(self, message: str) -> None:
        self.status("The export was not written.", STATUS_TIMEOUT_MS)
        if self.dialog is not None:
            self.dialog.show_error(message)

    def _on_cancelled(self) -> None:
        if self.dialog is not None:
            self.dialog.set_running(False)

    @property
    def running(self) -> bool:
        """True while an export runs."""
        return self.shell.tasks.running(EXPORT)

    def shutdown(self) -> None:
        """Close the dialog; the window's task runner then waits for a running export."""
        if self.dialog is not None:
            self.dialog.force_close()
