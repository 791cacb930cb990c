"""File dialogs that start where the person last was, not in the process's working folder.

The last folder used (for any file dialog) is kept in ``dialogs.json`` in the workspace
($WORKBENCH_HOME), so it survives a restart. That file is read like any other: small,
a JSON object, and a folder that no longer exists is ignored.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from workbench.core.atomic import atomic_write_text
from workbench.core.errors import WorkbenchError
from workbench.core.runs import workspace_root
from workbench.core.safe_json import read_json

_FILE = "dialogs.json"
_MAX_BYTES = 64 * 1024
_last: Path | None = None


def last_folder() -> Path:
    """Where the next dialog starts: the last folder used, else the home folder."""
    global _last
    if _last is None:
        _last = Path.home()
        try:
            data = read_json(workspace_root() / _FILE, max_bytes=_MAX_BYTES, max_depth=4)
        except (WorkbenchError, OSError):
            data = None
        folder = data.get("last_folder") if isinstance(data, dict) else None
        if isinstance(folder, str) and Path(folder).is_dir():
            _last = Path(folder)
    return _last


def remember(path: str | Path) -> None:
    """Start the next dialog in ``path``'s folder (``path`` itself when it is a folder)."""
    global _last
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    if not folder.is_dir() or folder == _last:
        return
    _last = folder
    # A read-only workspace: the folder is still remembered until the app closes.
    with contextlib.suppress(OSError, WorkbenchError):
        atomic_write_text(workspace_root() / _FILE, json.dumps({"last_folder": str(folder)}))


def forget() -> None:
    """Read the remembered folder again from disk on next use (tests start clean)."""
    global _last
    _last = None


def open_file(parent: QWidget, title: str, filters: str) -> str:
    """Ask for a file to read; '' when cancelled."""
    path, _ = QFileDialog.getOpenFileName(parent, title, str(last_folder()), filters)
    if path:
        remember(path)
    return path


def open_files(parent: QWidget, title: str, filters: str) -> list[str]:
    """Ask for several files to read; [] when cancelled."""
    paths, _ = QFileDialog.getOpenFileNames(parent, title, str(last_folder()), filters)
    if paths:
        remember(paths[0])
    return list(paths)


def open_folder(parent: QWidget, title: str) -> str:
    """Ask for a folder; '' when cancelled."""
    path = QFileDialog.getExistingDirectory(parent, title, str(last_folder()))
    if path:
        remember(path)
    return path


def save_file(parent: QWidget, title: str, name: str, filters: str) -> str:
    """Ask where to write ``name`` (a suggested file name or a full path); '' when cancelled."""
    start = Path(name) if Path(name).is_absolute() else last_folder() / name
    path, _ = QFileDialog.getSaveFileName(parent, title, str(start), filters)
    if path:
        remember(path)
    return path
