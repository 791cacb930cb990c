"""Start the GUI: show the window first, then load TensorFlow behind it."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from importlib import resources

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

import workbench
from workbench.ui.main_window import MainWindow


def run(argv: Sequence[str] | None = None) -> int:
    """Create the application and window, start the backend loader, run the event loop.

    The window appears before TensorFlow is imported (3-5 s), so a person can open data
    while it loads. Returns the exit status of the event loop.
    """
    args = list(argv) if argv is not None else []
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "workbench", *args])
    app.setApplicationName("Training Workbench")
    app.setApplicationVersion(workbench.__version__)
    app.setOrganizationName("Training Workbench")
    app.setAttribute(Qt.ApplicationAttribute.AA_DontShowIconsInMenus, False)
    icon = resources.files("workbench.resources").joinpath("icon.png")
    app.setWindowIcon(QIcon(str(icon)))  # title bar and task switcher, as in the menu entry
    window = MainWindow()
    window.show()
    app.processEvents()  # paint the window before the backend thread competes for the GIL
    smoke = SmokeTest(window, app.exit) if os.environ.get(SMOKE_ENV) == "1" else None
    window.start_backend()
    if smoke is None:  # a crashed session's autosave: ask, while TensorFlow loads behind it
        QTimer.singleShot(0, window.autosave.offer_restore)
    files = [a for a in args if not a.startswith("-")]
    if files:  # `workbench gui data.csv`: open it like File > Open would
        window.data.open_path(files[0])
    status = int(app.exec())
    return smoke.exit_code if smoke is not None else status


SMOKE_ENV = "WORKBENCH_SMOKE_TEST"


class SmokeTest(QObject):
    """WORKBENCH_SMOKE_TEST=1: print JSON timings, quit once the backend is ready.

    Lets packaging/smoke_test.sh check a frozen build end to end (window shown, TensorFlow
    loaded from the bundle, clean shutdown) without a display or a person. Each line is
    ``{"smoke": EVENT, "time": UNIX_SECONDS, ...}``; the exit code is 1 if TensorFlow failed.
    """

    def __init__(self, window: MainWindow, quit_with: Callable[[int], None]) -> None:
        super().__init__(window)
        self.window, self.quit_with, self.exit_code = window, quit_with, 1
        self._report("window_shown")
        window.backend.sig_ready.connect(self._on_ready)
        window.backend.sig_load_failed.connect(self._on_failed)

    @staticmethod
    def _report(event: str, **fields: str) -> None:
        print(json.dumps({"smoke": event, "time": time.time(), **fields}), flush=True)

    @Slot(str)
    def _on_ready(self, description: str) -> None:
        self._report("backend_ready", backend=description)
        self._finish(0)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._report("backend_failed", error=message)
        self._finish(1)

    def _finish(self, code: int) -> None:
        self.exit_code = code
        QTimer.singleShot(0, self._close)

    @Slot()
    def _close(self) -> None:
        self.window.close()  # the normal shutdown path: joins the backend thread
        self._report("closed")
        self.quit_with(self.exit_code)
