"""Autosave of the editor: the unsaved project (data choice, layers, settings) kept on disk.

Each window writes ``<workspace>/autosave/autosave-<pid>-<session>.json`` atomically while the
person works and removes it when it closes cleanly. A file whose process is gone was left by
a crash (or a kill), and the next start offers to restore it. A file that is not one the
workbench wrote (damaged, cut short, hostile) is set aside as ``….damaged.json`` with a
one-line note and never stops the app from starting. Nothing here imports Qt or TensorFlow.

>>> session = AutosaveSession()
>>> session.write(Project().to_dict())  # doctest: +SKIP
>>> found, notes = crashed()  # at the next start: newest first, and what was set aside
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from workbench.core.atomic import atomic_write_text, pid_alive
from workbench.core.errors import FileRejected, WorkbenchError
from workbench.core.project import Project
from workbench.core.runs import workspace_root
from workbench.core.safe_json import read_json

FOLDER = "autosave"
FORMAT = "training-workbench-autosave"
VERSION = 1
# A project is a few KiB (the seed stack: 1.4 KiB); no autosave this app writes nears this.
MAX_BYTES = 1 << 20
_NAME = re.compile(r"^autosave-(\d{1,10})-([0-9a-f]{8,32})\.json$")
_LIVE: set[str] = set()  # sessions of this process that have not closed


def folder(root: str | Path | None = None) -> Path:
    """Where autosaves live: ``<workspace>/autosave`` (``root`` instead of the workspace)."""
    return Path(root) / FOLDER if root is not None else workspace_root() / FOLDER


@dataclass
class Autosaved:
    """An autosave left by a session that did not close cleanly."""

    path: Path
    project: Project
    saved: float  # when it was written, seconds since the epoch
    pid: int

    def discard(self) -> None:
        """Delete the file (after it was restored, or when the person says Discard)."""
        self.path.unlink(missing_ok=True)


class AutosaveSession:
    """The autosave of one window in this process: write on change, clear on clean exit."""

    def __init__(self, root: str | Path | None = None, pid: int | None = None) -> None:
        """``root`` is the workspace (default $WORKBENCH_HOME); ``pid`` the owner (this one)."""
        self.folder = folder(root)
        self.pid = os.getpid() if pid is None else int(pid)
        self.token = uuid.uuid4().hex[:12]
        self.path = self.folder / f"autosave-{self.pid}-{self.token}.json"
        _LIVE.add(self.token)

    def write(self, project: dict[str, Any]) -> int:
        """Write ``project`` (a ``Project.to_dict()``) atomically; returns the bytes written.

        Raises OSError or WorkbenchError (SaveFailed) when the folder cannot be written
        (read-only, full disk); the previous autosave, if any, is still whole.
        """
        text = json.dumps(
            {
                "format": FORMAT,
                "version": VERSION,
                "pid": self.pid,
                "saved": time.time(),
                "project": project,
            },
            indent=1,
            allow_nan=False,
        )
        atomic_write_text(self.path, text)
        return len(text.encode("utf-8"))

    def clear(self) -> None:
        """A clean exit: remove this session's autosave (nothing to restore next time)."""
        _LIVE.discard(self.token)
        with contextlib.suppress(OSError):  # read-only: a file written earlier stays
            self.path.unlink(missing_ok=True)


def write(project: dict[str, Any], owner_pid: int, root: str | Path | None = None) -> Path:
    """Write an autosave owned by process ``owner_pid`` (tests use it to stage a crash)."""
    session = AutosaveSession(root, owner_pid)
    _LIVE.discard(session.token)
    session.write(project)
    return session.path


def owner_alive(pid: int, token: str) -> bool:
    """Whether the session that owns an autosave still runs (so it did not crash)."""
    if pid == os.getpid():
        return token in _LIVE  # a session of this process, or a dead one whose pid came back
    return pid_alive(pid)


def crashed(root: str | Path | None = None) -> tuple[list[Autosaved], list[str]]:
    """Autosaves of sessions that ended without a clean exit, newest first, and one line
    for each file that was damaged and set aside. Never raises."""
    where = folder(root)
    found: list[Autosaved] = []
    notes: list[str] = []
    try:
        names = sorted(entry.name for entry in where.iterdir())
    except OSError:
        return [], []
    for name in names:
        match = _NAME.match(name)
        if match is None:
            continue
        if owner_alive(int(match.group(1)), match.group(2)):
            continue
        saved, note = read(where / name)
        if saved is not None:
            found.append(saved)
        elif note:
            notes.append(note)
    found.sort(key=lambda s: s.saved, reverse=True)
    return found, notes


def read(path: str | Path) -> tuple[Autosaved | None, str]:
    """The autosave in ``path``, or None and a one-line note; a damaged file is set aside.

    Never raises: whatever the file holds, the app starts.
    """
    path = Path(path)
    try:
        return _read(path), ""
    except WorkbenchError as exc:
        problem = str(exc)
    aside = set_aside(path)
    where = f" It was set aside as {aside.name}." if aside is not None else ""
    return None, f"An autosave could not be restored: {problem.rstrip('.')}.{where}"


def set_aside(path: Path) -> Path | None:
    """Rename a damaged autosave to ``….damaged.json`` (or remove it); the new path or None."""
    target = path.with_name(path.name.removesuffix(".json") + ".damaged.json")
    try:
        os.replace(path, target)
        return target
    except OSError:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        return None


@functools.cache
def _envelope() -> Any:
    """The envelope around the project (the project has its own schema, Project.from_dict);
    built on first use, so pydantic does not load before the window shows."""
    import pydantic

    from workbench.core.schemas import STRICT

    class AutosaveFile(pydantic.BaseModel):
        model_config = STRICT
        format: Literal[FORMAT]  # type: ignore[valid-type]
        version: Annotated[int, pydantic.Field(ge=1, le=VERSION)]
        pid: Annotated[int, pydantic.Field(ge=0)]
        saved: Annotated[float, pydantic.Field(ge=0)]
        project: dict[str, Any]

    return AutosaveFile


def _read(path: Path) -> Autosaved:
    if path.is_symlink() or not path.is_file():
        raise FileRejected(path, "not a regular file.")
    from workbench.core.schemas import validate

    envelope = validate(_envelope(), read_json(path, MAX_BYTES), path)
    try:
        loaded = Project.from_dict(envelope.project, path)
    except FileRejected as exc:  # say where in the file: under "project"
        where = f"project.{exc.field}" if exc.field else "project"
        raise FileRejected(path, exc.problem, where) from None
    return Autosaved(path=path, project=loaded, saved=envelope.saved, pid=envelope.pid)


__all__ = ["AutosaveSession", "Autosaved", "crashed", "folder", "read", "write"]
