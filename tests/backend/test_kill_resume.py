"""A run killed mid-training (SIGKILL) resumes from its last checkpoint, losing at most one
epoch, and ends with one continuous history."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from tests.backend.test_recorded_runs import LogRecorder
from workbench.backend import api
from workbench.backend.checkpoints import latest_checkpoint
from workbench.core.runs import RunStore

ROOT = Path(__file__).resolve().parents[2]
EPOCHS = 6

CHILD = textwrap.dedent(
    """
    import sys, time
    from workbench.backend import api
    from workbench.core.datasets import load_dataset
    from workbench.core.listener import NullListener
    from workbench.core.project import DatasetSpec, Project
    from workbench.core.runs import RunStore
    from workbench.core.templates import default_layers

    class Slow(NullListener):
        def on_epoch(self, epoch, logs, rate):
            print("EPOCH", epoch, flush=True)
            time.sleep(0.5)  # time for the parent to kill it between epochs

    data = load_dataset(sys.argv[1])
    project = Project(DatasetSpec(path=sys.argv[1], kind="npz"), default_layers(data))
    project.training.epochs = int(sys.argv[3])
    project.training.batch_size = 32
    api.train(project, data, Slow(), store=RunStore(sys.argv[2]), run_name="killed")
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_killed_run_resumes_from_the_last_checkpoint(tmp_path):
    x = np.random.default_rng(2).normal(size=(120, 4))
    np.savez(tmp_path / "v.npz", x=x, y=(x[:, 0] > 0).astype(int))
    runs = tmp_path / "runs"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path / "v.npz"), str(runs), str(EPOCHS)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300  # only so a broken child cannot hang the suite
        while not list(runs.glob("*/checkpoint/epoch-00002")):
            assert child.poll() is None, child.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "no checkpoint of epoch 2 appeared"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        printed = child.communicate()[0]
    finished = max(
        int(line.split()[1]) for line in printed.splitlines() if line.startswith("EPOCH")
    )

    store = RunStore(runs)
    (record,) = store.interrupted()
    assert record.status == "running" and record.pid == child.pid
    saved = latest_checkpoint(record.checkpoint_path).epoch  # run.json may lag it by one
    assert saved >= 2 and finished - saved <= 1  # at most the epoch under way is lost

    recorder = LogRecorder()
    data = api.dataset_of(record)
    outcome, _ = api.resume(record.id, data, recorder, store=store)
    record = store.get(record.id)
    assert [e for e, _, _ in recorder.epochs] == list(range(saved + 1, EPOCHS + 1))
    assert [entry["epoch"] for entry in record.history] == list(range(1, EPOCHS + 1))
    assert record.status == "finished" and outcome.epochs_completed == EPOCHS
    assert store.interrupted() == [] and record.model_path.is_file()
