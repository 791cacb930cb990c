"""Runs: every training kept with its settings, history, final metrics and model, on disk.

A run is a folder ``<root>/<run id>/`` holding ``run.json`` (this module's :class:`RunRecord`),
``model.keras`` once training ends, and ``checkpoint/`` written by the trainer after every
finished epoch so a killed app can resume. The store is plain JSON so the GUI, the CLI and a
script all read the same runs; nothing here imports Qt or TensorFlow.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import shutil
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

from workbench.core.atomic import atomic_write_text, pid_alive
from workbench.core.errors import FileRejected, SaveFailed, WorkbenchError
from workbench.core.safe_json import read_json

RUN_FILE = "run.json"
MODEL_FILE = "model.keras"
CHECKPOINT_DIR = "checkpoint"
STATUSES = ("running", "finished", "stopped", "failed", "interrupted")
# The largest run.json read: 10,000 epochs of 40 metrics is about 8 MiB.
MAX_RUN_BYTES = 64 * 2**20
# A run's id names its folder: no separators, no "..", nothing hidden.
RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")

# A run.json unchanged this long is remembered by its inode, mtime and size; a newer one is
# read every time (two saves within a clock tick could otherwise look alike).
_SETTLED_NS = 2 * 10**9


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
    sweep: str = ""  # the search this run is a trial of (its id), if any
    trial_params: dict[str, Any] = field(default_factory=dict)  # the search's values for it
    node: str = ""  # the machine it trained on, when that is not this one's business alone
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

    @property
    def has_checkpoint(self) -> bool:
        """Whether the run left a checkpoint to resume or continue from."""
        folder = self.checkpoint_path
        return folder.is_dir() and any(folder.iterdir())

    def save(self) -> None:
        """Write run.json atomically."""
        data = asdict(self)
        data.pop("folder")
        atomic_write_text(self.path / RUN_FILE, json.dumps(data, indent=2, allow_nan=True))


@functools.cache
def run_schema() -> Any:
    """The schema of run.json (what :meth:`RunRecord.save` writes), checked before use; built
    on first use, as pydantic takes a while to load and the window's start need not wait."""
    import pydantic

    from workbench.core.schemas import STRICT, Measured

    class RunFile(pydantic.BaseModel):
        model_config = STRICT

        id: Annotated[str, pydantic.Field(pattern=f"^{RUN_ID.pattern}$")]
        name: str
        created: float
        status: Literal[STATUSES]  # type: ignore[valid-type]
        project: dict[str, Any] = {}
        history: list[dict[str, Measured]] = []
        metrics: dict[str, Measured] = {}
        best_epoch: Annotated[int, pydantic.Field(ge=0)] | None = None
        samples_per_second: Annotated[float, pydantic.Field(ge=0)] | None = None
        message: str = ""
        pid: Annotated[int, pydantic.Field(ge=0)] | None = None
        parent: str = ""
        epochs_completed: Annotated[int, pydantic.Field(ge=0)] = 0
        sweep: Annotated[str, pydantic.Field(max_length=200)] = ""
        trial_params: dict[str, str | int | float | bool] = {}
        node: Annotated[str, pydantic.Field(max_length=300)] = ""

    return RunFile


@dataclass(frozen=True)
class DamagedRun:
    """A run folder whose run.json cannot be used, and why, in one line."""

    id: str  # the folder's name
    folder: str
    reason: str  # "field: problem" without the file's path


class RunScan(NamedTuple):
    """What :meth:`RunStore.scan` found: healthy runs oldest first, damaged ones by name."""

    records: list[RunRecord]
    damaged: list[DamagedRun]


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
        # run.json files already read and validated, by folder: (identity of the file, the
        # record). Saves replace the file, so a changed file never matches its old identity.
        self._seen: dict[Path, tuple[tuple[int, int, int], RunRecord]] = {}

    def create(self, project: dict[str, Any], name: str = "", run_id: str = "") -> RunRecord:
        """A new run folder marked running by this process; SaveFailed when the store's
        folder cannot be written to. ``run_id`` names it (a search names its trials' runs
        so that a trial whose process died can still be found and marked failed)."""
        if run_id and not RUN_ID.fullmatch(run_id):
            raise WorkbenchError(f"{run_id!r} cannot name a run.")
        stamp = time.strftime("%Y%m%d-%H%M%S")
        run_id = run_id or f"{stamp}-{uuid.uuid4().hex[:6]}"
        folder = self.root / run_id
        try:
            folder.mkdir(parents=True, exist_ok=False)
        except OSError as exc:
            raise self._unwritable(exc) from None
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
        """Every healthy run, oldest first; damaged folders are skipped (see :meth:`scan`)."""
        return self.scan().records

    def scan(self) -> RunScan:
        """Every run folder: the healthy runs, oldest first, and the damaged ones with why.

        A damaged run.json (not JSON, the wrong shape or types, too large) never stops the
        others from being read. Hidden entries (temporary files of a save) are not runs.
        """
        records: list[RunRecord] = []
        damaged: list[DamagedRun] = []
        try:
            folders = sorted(p for p in self.root.iterdir() if not p.name.startswith("."))
        except OSError:
            return RunScan([], [])
        for folder in folders:
            if not folder.is_dir():
                continue
            try:
                records.append(self._read(folder))
            except FileRejected as exc:
                reason = f"{exc.field}: {exc.problem}" if exc.field else exc.problem
                damaged.append(DamagedRun(folder.name, str(folder), reason.rstrip(".")))
        records.sort(key=lambda r: r.created)
        return RunScan(records, damaged)

    def get(self, run_id: str) -> RunRecord:
        """Read one run; WorkbenchError when there is no such run, FileRejected (one line
        naming run.json, the field and the problem) when its run.json is damaged."""
        folder = self.root / run_id
        if not RUN_ID.fullmatch(run_id) or not folder.is_dir():
            raise WorkbenchError(
                f"No run {run_id!r} in {self.root}; `workbench runs` lists the runs."
            )
        return self._read(folder)

    def _read(self, folder: Path) -> RunRecord:
        path = folder / RUN_FILE
        try:
            stat = path.stat()
        except OSError:
            raise FileRejected(
                path, "not found; the run was never saved or its file was removed."
            ) from None
        identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        seen = self._seen.get(folder)
        if seen is not None and seen[0] == identity:
            return _copy(seen[1])
        self._seen.pop(folder, None)
        data = read_json(path, MAX_RUN_BYTES, allow_nan=True)
        if not isinstance(data, dict):
            raise FileRejected(path, f"not a run record (a JSON {type(data).__name__}).")
        from workbench.core.schemas import validate

        validate(run_schema(), data, path)
        record = RunRecord(**data, folder=str(folder))
        record.created = float(record.created)
        if time.time_ns() - stat.st_mtime_ns > _SETTLED_NS:
            self._seen[folder] = (identity, _copy(record))
        return record

    def problem_writing(self) -> str | None:
        """Why runs cannot be saved in this store's folder, in one line; None when they can."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=".write-check.", dir=self.root)
            os.close(fd)
            os.unlink(name)
        except OSError as exc:
            return str(self._unwritable(exc))
        return None

    def _unwritable(self, exc: OSError) -> SaveFailed:
        reason = exc.strerror or str(exc)
        return SaveFailed(
            self.root,
            f"runs cannot be saved in this folder ({reason}); set WORKBENCH_HOME to a folder "
            "you can write to.",
        )

    def delete(self, run_id: str) -> None:
        """Remove a run's folder; a run still training in a live process is refused."""
        record = self.get(run_id)
        if record.status == "running" and pid_alive(record.pid):
            raise WorkbenchError(f"{record.name} is still training; stop it before deleting it.")
        shutil.rmtree(record.path)

    def interrupted(self) -> list[RunRecord]:
        """Runs still marked running whose process is gone: candidates to resume."""
        return [r for r in self.list() if is_interrupted(r)]


def _copy(record: RunRecord) -> RunRecord:
    """A copy whose lists and dicts can be changed without changing ``record``."""
    return replace(
        record,
        project=copy.deepcopy(record.project),
        history=[dict(entry) for entry in record.history],
        metrics=dict(record.metrics),
    )


def is_interrupted(record: RunRecord) -> bool:
    """Marked running, but the process that trained it is gone (killed or crashed)."""
    return record.status == "running" and not pid_alive(record.pid)
