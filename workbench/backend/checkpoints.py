"""Per-epoch checkpoints: enough to resume a killed run exactly where its last epoch ended.

A checkpoint is a folder ``<run>/checkpoint/epoch-00007/`` with

- ``weights.npz``   every model variable (``model.get_weights()`` order),
- ``optimizer.npz`` every optimizer variable (iteration count, learning rate, moments),
- ``best.npz``      the best epoch's weights so far, when training keeps them,
- ``state.json``    epoch count, best-so-far and early-stopping/plateau counters, the seed
  and the history up to this epoch.

It is written into a hidden temporary folder and renamed into place, so a folder named
``epoch-N`` is always complete; older ones are removed after the rename. Arrays are stored
with numpy's npz format and read with ``allow_pickle=False``: a checkpoint is data, never code.
``state.json`` is checked against :class:`CheckpointState` before any of it is used, and a
damaged checkpoint is refused in one line naming its folder. A write that fails (disk full)
raises SaveFailed and leaves the previous epoch's checkpoint as it was.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
import zlib
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pydantic

from workbench.core.atomic import fsync_folder, os_error_in, pid_alive, save_failed
from workbench.core.errors import FileRejected, WorkbenchError
from workbench.core.safe_json import read_json
from workbench.core.schemas import STRICT, Measured, validate

_EPOCH_DIR = re.compile(r"epoch-(\d+)")
_TMP_DIR = re.compile(r"\.(?:tmp|old)-epoch-\d+-(\d+)")
STATE_FILE = "state.json"
# state.json holds the history up to its epoch, like run.json: the same limit.
MAX_STATE_BYTES = 64 * 2**20

_Count = Annotated[int, pydantic.Field(ge=0)]


class CheckpointState(pydantic.BaseModel):
    """The schema of state.json: what the trainer's ``state()`` writes, plus the epoch."""

    model_config = STRICT

    epoch: _Count
    best_epoch: _Count | None = None
    best_value: Measured = None
    best_logs: dict[str, Measured] = {}
    wait: _Count = 0
    plateau_best: float | None = None
    plateau_wait: _Count = 0
    target_epochs: _Count | None = None
    monitor: str = ""
    seed: int | None = None
    history: list[dict[str, Measured]] = []


@dataclass
class Checkpoint:
    """The state of a run after one finished epoch."""

    epoch: int
    weights: list[np.ndarray]
    optimizer: list[np.ndarray]
    best_weights: list[np.ndarray] | None = None
    state: dict[str, Any] = field(default_factory=dict)


def write_checkpoint(root: Path, checkpoint: Checkpoint) -> Path:
    """Write atomically under ``root`` and drop older epochs; returns the epoch's folder.

    SaveFailed (one line, naming the folder) when the disk is full or the folder read-only;
    the checkpoint written before is then still there.
    """
    final = root / f"epoch-{checkpoint.epoch:05d}"
    tmp = root / f".tmp-epoch-{checkpoint.epoch:05d}-{os.getpid()}"
    old = root / f".old-epoch-{checkpoint.epoch:05d}-{os.getpid()}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
    except OSError as exc:
        raise save_failed(final, exc) from None
    try:
        _save_arrays(tmp / "weights.npz", checkpoint.weights)
        _save_arrays(tmp / "optimizer.npz", checkpoint.optimizer)
        if checkpoint.best_weights is not None:
            _save_arrays(tmp / "best.npz", checkpoint.best_weights)
        state = {**checkpoint.state, "epoch": checkpoint.epoch}
        with open(tmp / STATE_FILE, "w", encoding="utf-8") as handle:
            json.dump(state, handle, allow_nan=True)
            handle.flush()
            os.fsync(handle.fileno())
        fsync_folder(tmp)
        if final.exists():  # the same epoch again: keep it until the new one is in place
            shutil.rmtree(old, ignore_errors=True)
            os.replace(final, old)
        os.replace(tmp, final)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not final.exists():
            with suppress(OSError):
                os.replace(old, final)
        if isinstance(exc, Exception) and os_error_in(exc) is not None:
            raise save_failed(final, exc) from None
        raise
    fsync_folder(root)
    for entry in root.iterdir():
        if entry != final and (_EPOCH_DIR.fullmatch(entry.name) or _left_over(entry.name)):
            shutil.rmtree(entry, ignore_errors=True)
    return final


def _left_over(name: str) -> bool:
    """A temporary folder of this process, or of a writer that was killed."""
    match = _TMP_DIR.fullmatch(name)
    if match is None:
        return False
    pid = int(match.group(1))
    return pid == os.getpid() or not pid_alive(pid)


def latest_checkpoint(root: Path) -> Checkpoint | None:
    """The newest intact checkpoint under ``root``; None when there is none at all.

    A damaged newest epoch falls back to an older intact one when one is there; when every
    epoch is damaged, the newest one's damage is raised (WorkbenchError, one line).
    """
    if not root.is_dir():
        return None
    found = sorted(
        (int(m.group(1)), p)
        for p in root.iterdir()
        if (m := _EPOCH_DIR.fullmatch(p.name)) and p.is_dir()
    )
    first_error: WorkbenchError | None = None
    for _, folder in reversed(found):
        try:
            return read_checkpoint(folder)
        except WorkbenchError as exc:
            first_error = first_error or exc
    if first_error is not None:
        raise first_error
    return None


def read_checkpoint(folder: Path) -> Checkpoint:
    """Read one epoch's folder; FileRejected (one line, naming the folder and the damage)
    when any of its files is missing, truncated or of the wrong shape."""
    try:
        state = read_json(folder / STATE_FILE, MAX_STATE_BYTES, allow_nan=True)
        if not isinstance(state, dict):
            raise FileRejected(
                folder / STATE_FILE, f"not a checkpoint state (a JSON {type(state).__name__})."
            )
        checked = validate(CheckpointState, state, folder / STATE_FILE)
        match = _EPOCH_DIR.fullmatch(folder.name)
        if match and int(match.group(1)) != checked.epoch:
            raise FileRejected(
                folder / STATE_FILE, f"says epoch {checked.epoch}, its folder another.", "epoch"
            )
        best = folder / "best.npz"
        return Checkpoint(
            epoch=checked.epoch,
            weights=_load_arrays(folder / "weights.npz"),
            optimizer=_load_arrays(folder / "optimizer.npz"),
            best_weights=_load_arrays(best) if best.is_file() else None,
            state=state,
        )
    except FileRejected as exc:
        name = Path(exc.path).name
        where = f"{name}: {exc.field}" if exc.field else name
        detail = f"{where}: {exc.problem}".rstrip(".")
        raise FileRejected(
            folder, f"the checkpoint cannot be read ({detail}); train the run again as a new run."
        ) from None


def _save_arrays(path: Path, arrays: list[np.ndarray]) -> None:
    with open(path, "wb") as handle:
        np.savez(handle, *[np.asarray(a) for a in arrays])
        handle.flush()
        os.fsync(handle.fileno())


def _load_arrays(path: Path) -> list[np.ndarray]:
    """The arrays of an npz file in order; FileRejected when it is missing or damaged."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return [archive[f"arr_{i}"] for i in range(len(archive.files))]
    except FileNotFoundError:
        raise FileRejected(path, "missing.") from None
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as exc:
        raise FileRejected(path, f"damaged or truncated ({exc}).") from None
