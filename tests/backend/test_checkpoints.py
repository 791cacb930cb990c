"""Checkpoint folders: complete or absent, newest wins, older ones removed, damage named."""

import numpy as np
import pytest

from workbench.backend.checkpoints import Checkpoint, latest_checkpoint, write_checkpoint
from workbench.core.errors import WorkbenchError


def checkpoint(epoch, best=True):
    weights = [np.full((2, 3), float(epoch), dtype=np.float32), np.arange(3, dtype=np.int64)]
    return Checkpoint(
        epoch=epoch,
        weights=weights,
        optimizer=[np.array(epoch * 10), np.zeros(4, dtype=np.float32)],
        best_weights=[w * 2 for w in weights] if best else None,
        state={"best_epoch": epoch, "history": [{"epoch": e} for e in range(1, epoch + 1)]},
    )


def test_round_trip_keeps_only_the_newest_epoch(tmp_path):
    for epoch in (1, 2, 3):
        write_checkpoint(tmp_path, checkpoint(epoch, best=epoch != 3))
    assert [p.name for p in tmp_path.iterdir()] == ["epoch-00003"]
    loaded = latest_checkpoint(tmp_path)
    assert loaded.epoch == 3 and loaded.best_weights is None
    assert (
        np.array_equal(loaded.weights[0], np.full((2, 3), 3.0))
        and loaded.weights[1].dtype == np.int64
    )
    assert int(loaded.optimizer[0]) == 30 and len(loaded.state["history"]) == 3


def test_a_half_written_folder_is_ignored(tmp_path):
    write_checkpoint(tmp_path, checkpoint(2))
    partial = tmp_path / ".tmp-epoch-00003-999999"  # a writer killed before its rename
    partial.mkdir()
    (partial / "weights.npz").write_bytes(b"half")
    assert latest_checkpoint(tmp_path).epoch == 2
    assert latest_checkpoint(tmp_path / "nothing-here") is None


def test_a_damaged_checkpoint_is_named(tmp_path):
    folder = write_checkpoint(tmp_path, checkpoint(1))
    (folder / "weights.npz").write_bytes(b"not an archive")
    with pytest.raises(WorkbenchError, match="epoch-00001: the checkpoint cannot be read"):
        latest_checkpoint(tmp_path)
