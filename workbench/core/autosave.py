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
import json
import math
import os
import re
import time
import uuid
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from workbench.core.errors import FileRejected, WorkbenchError
from workbench.core.layers import layer_type
from workbench.core.project import SCHEMA_VERSION, Project, atomic_write_text
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
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: not ours to judge, leave its file alone
    return True


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
    except (AttributeError, KeyError, TypeError, ValueError, RecursionError) as exc:
        problem = f"{path}: not an autosave this app wrote ({type(exc).__name__})."
    aside = set_aside(path)
    where = f" It was set aside as {aside.name}." if aside is not None else ""
    return None, f"An autosave could not be restored: {problem}{where}"


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


def _read(path: Path) -> Autosaved:
    if path.is_symlink() or not path.is_file():
        raise FileRejected(path, "not a regular file.")
    data = read_json(path, MAX_BYTES)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FileRejected(path, "not an autosave this app wrote.")
    version, saved, pid = data.get("version"), data.get("saved"), data.get("pid")
    if not _is_int(version) or not 1 <= version <= VERSION:
        raise FileRejected(path, f"autosave version {version!r} is not one this app reads.")
    if not _is_number(saved) or not math.isfinite(saved) or saved < 0:
        raise FileRejected(path, "no valid time of writing.", "saved")
    if not _is_int(pid):
        raise FileRejected(path, "no valid process id.", "pid")
    project = data.get("project")
    if not isinstance(project, dict):
        raise FileRejected(path, "holds no project.", "project")
    version = project.get("schema_version", 0)
    if not _is_int(version) or version > SCHEMA_VERSION:
        raise FileRejected(path, f"a project schema this app does not know ({version!r}).")
    for part in ("dataset", "training"):
        if not isinstance(project.get(part, {}), dict):
            raise FileRejected(path, "must be an object.", f"project.{part}")
    layers = project.get("layers", [])
    if not isinstance(layers, list) or not all(isinstance(item, dict) for item in layers):
        raise FileRejected(path, "must be a list of layers.", "project.layers")
    for row, item in enumerate(layers):
        problem = _layer_problem(item)
        if problem:
            raise FileRejected(path, problem, f"project.layers[{row}]")
    try:
        loaded = Project.from_dict(project)
    except FileRejected as exc:  # names "project"; say which file, and where in it
        where = f"project.{exc.field}" if exc.field else "project"
        raise FileRejected(path, exc.problem, where) from None
    for part in ("dataset", "training"):
        values = getattr(loaded, part)
        name = _wrong_type(values, type(values)())
        if name:
            value = getattr(values, name)
            problem = f"a value of the wrong type ({type(value).__name__})."
            raise FileRejected(path, problem, f"project.{part}.{name}")
    return Autosaved(path=path, project=loaded, saved=float(saved), pid=int(pid))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _layer_problem(item: dict[str, Any]) -> str:
    """Why a layer entry cannot be put in the editor: unknown kind, or a value of a type its
    form cannot show (a range problem is the editor's to show, as for any edit)."""
    kind, params = item.get("kind"), item.get("params", {})
    if not isinstance(kind, str):
        return "a layer without a kind."
    try:
        known = layer_type(kind)
    except (KeyError, WorkbenchError):
        return f"unknown layer {kind[:40]!r}."
    if not isinstance(params, dict):
        return "params must be an object."
    specs = {spec.name: spec for spec in known.params}
    for name, value in params.items():
        spec = specs.get(name)
        if spec is None:
            return f"{kind} has no parameter {str(name)[:40]!r}."
        ok = {
            "int": _is_int(value),
            "float": _is_number(value) and math.isfinite(value),
            "bool": isinstance(value, bool),
            "choice": isinstance(value, str),
            "shape": isinstance(value, list) and all(_is_int(v) for v in value),
        }.get(spec.kind, True)
        if not ok and value != spec.none_value:
            return f"{kind}.{name} has a value of the wrong type ({type(value).__name__})."
    return ""


def _wrong_type(values: Any, defaults: Any) -> str:
    """The first field of a dataclass whose value is not of its default's type, or ''."""
    for item in fields(values):
        value, default = getattr(values, item.name), getattr(defaults, item.name)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = _is_int(value)
        elif isinstance(default, float):
            ok = _is_number(value) and math.isfinite(value)
        elif isinstance(default, str):
            ok = isinstance(value, str)
        elif isinstance(default, list):
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        else:
            ok = True
        if not ok:
            return item.name
    return ""


__all__ = ["AutosaveSession", "Autosaved", "crashed", "folder", "read", "write"]
