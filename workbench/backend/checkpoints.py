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
"""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.errors import WorkbenchError

_EPOCH_DIR = re.compile(r"epoch-(\d+)")


@dataclass
class Checkpoint:
    """The state of a run after one finished epoch."""

    epoch: int
    weights: list[np.ndarray]
    optimizer: list[np.ndarray]
    best_weights: list[np.ndarray] | None = None
    state: dict[str, Any] = field(default_factory=dict)


def write_checkpoint(root: Path, checkpoint: Checkpoint) -> Path:
    """Write atomically under ``root`` and drop older epochs; returns the epoch's folder."""
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"epoch-{checkpoint.epoch:05d}"
    tmp = root / f".tmp-epoch-{checkpoint.epoch:05d}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        _save_arrays(tmp / "weights.npz", checkpoint.weights)
        _save_arrays(tmp / "optimizer.npz", checkpoint.optimizer)
        if checkpoint.best_weights is not None:
            _save_arrays(tmp / "best.npz", checkpoint.best_weights)
        state = {**checkpoint.state, "epoch": checkpoint.epoch}
        with open(tmp / "state.json", "w", encoding="utf-8") as handle:
            json.dump(state, handle, allow_nan=True)
            handle.flush()
            os.fsync(handle.fileno())
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _fsync_dir(root)
    for old in root.iterdir():
        if old != final and (_EPOCH_DIR.fullmatch(old.name) or old.name.startswith(".tmp-")):
            if old.name.startswith(".tmp-") and not old.name.endswith(f"-{os.getpid()}"):
                continue  # another process may be writing it right now
            shutil.rmtree(old, ignore_errors=True)
    return final


def latest_checkpoint(root: Path) -> Checkpoint | None:
    """The newest complete checkpoint under ``root``, or None when there is none."""
    if not root.is_dir():
        return None
    found = sorted(
        (int(m.group(1)), p) for p in root.iterdir() if (m := _EPOCH_DIR.fullmatch(p.name))
    )
    for _, folder in reversed(found):
        if (folder / "state.json").is_file():
            return read_checkpoint(folder)
    return None


def read_checkpoint(folder: Path) -> Checkpoint:
    """Read one epoch's folder, with a readable error when it is damaged."""
    try:
        state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
        best = folder / "best.npz"
        return Checkpoint(
            epoch=int(state["epoch"]),
            weights=_load_arrays(folder / "weights.npz"),
            optimizer=_load_arrays(folder / "optimizer.npz"),
            best_weights=_load_arrays(best) if best.is_file() else None,
            state=state,
        )
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise WorkbenchError(
            f"{folder}: the checkpoint cannot be read ({exc}); train the run again."
        ) from None


def _save_arrays(path: Path, arrays: list[np.ndarray]) -> None:
    with open(path, "wb") as handle:
        np.savez(handle, *[np.asarray(a) for a in arrays])
        handle.flush()
        os.fsync(handle.fileno())


def _load_arrays(path: Path) -> list[np.ndarray]:
    with np.load(path, allow_pickle=False) as archive:
        return [archive[f"arr_{i}"] for i in range(len(archive.files))]


def _fsync_dir(path: Path) -> None:
    """Make a rename durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
