"""Runs: every training kept with its settings, history, final metrics and model, on disk.

A run is a folder ``<root>/<run id>/`` holding ``run.json`` (this module's :class:`RunRecord`),
``model.keras`` once training ends, and ``checkpoint/`` written by the trainer after every
finished epoch so a killed app can resume. The store is plain JSON so the GUI, the CLI and a
script all read the same runs; nothing here imports Qt or TensorFlow.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from workbench.core.errors import WorkbenchError
from workbench.core.project import atomic_write_text

RUN_FILE = "run.json"
MODEL_FILE = "model.keras"
CHECKPOINT_DIR = "checkpoint"
STATUSES = ("running", "finished", "stopped", "failed", "interrupted")


@dataclass
class RunRecord:
    """One training run; ``history`` is one dict of metrics per finished epoch."""

    id: str
    name: str
    created: float
    status: str = "running"
    project: dict[str, Any] = field(default_factory=dict)  # Project.to_dict() at the start
    history: list[dict[str, float]] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)  # final / best-epoch metrics
    best_epoch: int | None = None
    samples_per_second: float | None = None
    message: str = ""  # why it stopped or failed, in words
    pid: int | None = None  # the process that trains it while status is "running"
    parent: str = ""  # the run this one continued training from (see api.continue_run)
    epochs_completed: int = 0  # finished epochs, counted across resumes
    folder: str = ""  # filled in when read; not saved

    @property
    def path(self) -> Path:
        """The run's folder."""
        return Path(self.folder)

    @property
    def model_path(self) -> Path:
        """Where the trained model is (or will be) saved."""
        return self.path / MODEL_FILE

    @property
    def checkpoint_path(self) -> Path:
        """Where the trainer keeps the last finished epoch."""
        return self.path / CHECKPOINT_DIR

    def save(self) -> None:
        """Write run.json atomically."""
        data = asdict(self)
        data.pop("folder")
        atomic_write_text(self.path / RUN_FILE, json.dumps(data, indent=2, allow_nan=True))


def workspace_root() -> Path:
    """Where runs and autosaves live: $WORKBENCH_HOME, else the platform's data folder."""
    home = os.environ.get("WORKBENCH_HOME")
    if home:
        return Path(home)
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif os.uname().sysname == "Darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "training-workbench"


def default_store() -> RunStore:
    """The run store of this user's workspace."""
    return RunStore(workspace_root() / "runs")


class RunStore:
    """The runs of one workspace, newest last."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def create(self, project: dict[str, Any], name: str = "") -> RunRecord:
        """A new run folder marked running by this process."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        run_id = f"{stamp}-{uuid.uuid4().hex[:6]}"
        folder = self.root / run_id
        folder.mkdir(parents=True, exist_ok=False)
        record = RunRecord(
            id=run_id,
            name=name or f"run {len(self.list()) + 1}",
            created=time.time(),
            project=project,
            pid=os.getpid(),
            folder=str(folder),
        )
        record.save()
        return record

    def list(self) -> list[RunRecord]:
        """Every readable run, oldest first; damaged folders are skipped, not fatal."""
        if not self.root.is_dir():
            return []
        found = []
        for folder in sorted(self.root.iterdir()):
            try:
                found.append(self.get(folder.name))
            except WorkbenchError:
                continue
        return sorted(found, key=lambda r: r.created)

    def get(self, run_id: str) -> RunRecord:
        """Read one run, with a readable error when its file is missing or damaged."""
        folder = self.root / run_id
        try:
            data = json.loads((folder / RUN_FILE).read_text(encoding="utf-8"))
            names = {f.name for f in fields(RunRecord)}
            record = RunRecord(**{k: v for k, v in data.items() if k in names})
        except (OSError, ValueError, TypeError) as exc:
            raise WorkbenchError(f"{folder}: not a readable run ({exc}).") from None
        record.folder = str(folder)
        return record

    def delete(self, run_id: str) -> None:
        """Remove a run's folder; a run still training in a live process is refused."""
        record = self.get(run_id)
        if record.status == "running" and _alive(record.pid):
            raise WorkbenchError(f"{record.name} is still training; stop it before deleting it.")
        shutil.rmtree(record.path)

    def interrupted(self) -> list[RunRecord]:
        """Runs still marked running whose process is gone: candidates to resume."""
        return [r for r in self.list() if is_interrupted(r)]


def is_interrupted(record: RunRecord) -> bool:
    """Marked running, but the process that trained it is gone (killed or crashed)."""
    return record.status == "running" and not _alive(record.pid)


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
