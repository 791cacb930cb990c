"""Start the GUI: show the window first, then load TensorFlow behind it."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from PySide6.QtCore import Qt
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
    window = MainWindow()
    window.show()
    app.processEvents()  # paint the window before the backend thread competes for the GIL
    window.start_backend()
    files = [a for a in args if not a.startswith("-")]
    if files:  # `workbench gui data.csv`: open it like File > Open would
        window.open_path(files[0])
    return int(app.exec())
