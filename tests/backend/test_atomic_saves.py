"""Checkpoints and models under faults: a full disk mid-write, a writer killed at random,
damaged files on disk. The previous checkpoint or model stays intact and loads."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from tests.backend.test_checkpoints import checkpoint
from tests.core.test_atomic_saves import assert_refused_in_one_line, kill_at_random, run_child
from workbench.backend.checkpoints import latest_checkpoint, read_checkpoint, write_checkpoint
from workbench.core.errors import FileRejected

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX rlimits and signals")


def test_checkpoint_on_a_full_disk_keeps_the_previous_epoch(tmp_path) -> None:
    out = run_child(
        """
        import numpy as np
        from tests.backend.test_checkpoints import checkpoint
        from workbench.backend.checkpoints import write_checkpoint
        from workbench.core.errors import WorkbenchError
        root = Path(sys.argv[1])
        write_checkpoint(root, checkpoint(1))
        fill_disk_at(4096)
        big = checkpoint(2)
        big.weights[0] = np.ones((100, 100), dtype=np.float32)
        try:
            write_checkpoint(root, big)
        except WorkbenchError as exc:
            print("REFUSED", type(exc).__name__, exc)
        """,
        tmp_path,
    )
    assert_refused_in_one_line(out, tmp_path / "epoch-00002")
    kept = latest_checkpoint(tmp_path)
    assert kept.epoch == 1 and np.array_equal(kept.weights[0], np.full((2, 3), 1.0))
    assert [p.name for p in tmp_path.iterdir()] == ["epoch-00001"]


def test_model_save_on_a_full_disk_keeps_the_previous_model(tmp_path) -> None:
    path = tmp_path / "model.keras"
    out = run_child(
        """
        from workbench.backend.export import load_model_with_meta, save_model_with_meta
        from workbench.core.errors import WorkbenchError
        import keras, numpy as np
        path = Path(sys.argv[1])
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        save_model_with_meta(model, {"task": "regression", "kind": "npz", "x_shape": [3]}, path)
        before = model.get_weights()
        fill_disk_at(path.stat().st_size // 2)
        model.layers[0].set_weights([w + 1 for w in before])
        try:
            save_model_with_meta(model, {"task": "regression", "kind": "npz", "x_shape": [3]}, path)
        except WorkbenchError as exc:
            print("REFUSED", type(exc).__name__, exc)
        disk_free_again()
        loaded, meta = load_model_with_meta(path)
        same = all(np.array_equal(a, b) for a, b in zip(loaded.get_weights(), before))
        print("LOADED", meta["kind"], same)
        print("LEFT", sorted(p.name for p in path.parent.iterdir()))
        """,
        path,
        timeout=300,
    )
    assert_refused_in_one_line(out, path)
    assert "LOADED npz True" in out, out
    assert "LEFT ['model.keras']" in out, out


def test_checkpoints_killed_at_random_are_old_or_new(tmp_path) -> None:
    writer = """
        import numpy as np
        from workbench.backend.checkpoints import Checkpoint, latest_checkpoint, write_checkpoint
        root = Path(sys.argv[1])
        last = latest_checkpoint(root)
        epoch = last.epoch if last else 0
        while True:
            epoch += 1
            weights = [np.full((200, 200), float(epoch)), np.arange(epoch)]
            state = {"history": [{"epoch": e, "loss": 1.0} for e in range(1, epoch + 1)]}
            write_checkpoint(root, Checkpoint(epoch, weights, [np.array(epoch)], None, state))
            print(epoch, flush=True)
    """

    def check(last: int) -> None:
        found = latest_checkpoint(tmp_path)
        assert found.epoch in (last, last + 1)
        assert np.all(found.weights[0] == found.epoch) and len(found.weights[1]) == found.epoch
        assert len(found.state["history"]) == found.epoch == int(found.optimizer[0])

    kill_at_random(writer, [tmp_path], 6, check)
    write_checkpoint(tmp_path, checkpoint(100))  # removes what the killed writers left
    assert [p.name for p in tmp_path.iterdir()] == ["epoch-00100"]


def _damage_state(folder, state) -> None:
    (folder / "state.json").write_text(json.dumps(state))


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ([1, 2], "state.json: not a checkpoint state (a JSON list)"),
        ({"epoch": "3"}, "state.json: epoch: Input should be a valid integer"),
        ({"epoch": 3, "history": {"loss": 1}}, "state.json: history: Input should be a valid list"),
        ({"epoch": 3, "best_logs": {"loss": "low"}}, "state.json: best_logs.loss"),
        ({"epoch": 3, "wait": -1}, "state.json: wait: Input should be greater"),
        ({"epoch": 3, "run": "code"}, "state.json: run: not a setting"),
        ({"epoch": 4}, "state.json: epoch: says epoch 4"),
    ],
)
def test_a_damaged_state_is_refused_in_one_line(tmp_path, state, words) -> None:
    folder = write_checkpoint(tmp_path, checkpoint(3))
    _damage_state(folder, state)
    with pytest.raises(FileRejected) as caught:
        latest_checkpoint(tmp_path)
    message = str(caught.value)
    assert words in message and message.startswith(f"{folder}: the checkpoint cannot be read")
    assert "\n" not in message and "train the run again" in message


def test_nan_in_a_checkpoints_history_is_kept(tmp_path) -> None:
    written = checkpoint(2)
    written.state = {"best_value": float("nan"), "history": [{"loss": float("nan")}]}
    read = read_checkpoint(write_checkpoint(tmp_path, written))
    assert np.isnan(read.state["history"][0]["loss"]) and np.isnan(read.state["best_value"])


def test_a_damaged_newest_epoch_falls_back_to_an_older_intact_one(tmp_path) -> None:
    older = write_checkpoint(tmp_path / "a", checkpoint(1))
    newest = write_checkpoint(tmp_path / "b", checkpoint(2))
    root = tmp_path / "root"
    root.mkdir()
    older.rename(root / older.name)
    newest.rename(root / newest.name)
    (root / newest.name / "weights.npz").write_bytes(b"PK\x03\x04 truncated")
    assert latest_checkpoint(root).epoch == 1
    (root / older.name / "optimizer.npz").unlink()
    with pytest.raises(FileRejected, match="epoch-00002: the checkpoint cannot be read"):
        latest_checkpoint(root)  # no intact epoch: the newest one's damage is said
