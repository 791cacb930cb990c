"""``workbench sweep`` on a real local Ray: trials recorded as runs, JSON events, early
termination, a killed trial, cancel, and clear refusals.

Each search runs the CLI in a child process, as a person (or the window) would: Ray replaces
signal handlers and owns its processes, which must all be gone when the command ends.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from tests.textfixtures import write_csv
from workbench.core.project import DatasetSpec, Project, TrainingConfig
from workbench.core.runs import RunStore
from workbench.core.search import SearchSettings, SweepJob, parse_param

SEARCH_TIMEOUT = 420  # seconds: Ray's start and TensorFlow's import in each worker are slow


def sweep(*argv: object, timeout: float = SEARCH_TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workbench", "sweep", *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def events(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def store() -> RunStore:
    return RunStore(Path(os.environ["WORKBENCH_HOME"]) / "runs")


def ray_processes() -> list[str]:
    """Ray's processes (servers and workers) still alive from this test's searches: those
    whose environment carries this test's WORKBENCH_HOME (other searches may run beside)."""
    home = os.environ["WORKBENCH_HOME"]
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        try:
            line = " ".join(proc.info["cmdline"] or [])
            name = proc.info["name"] or ""
            rayish = name in ("raylet", "gcs_server") or "ray::" in line or "ray/_private" in line
            if rayish and proc.environ().get("WORKBENCH_HOME") == home:
                found.append(f"{proc.pid} {name} {line[:120]}")
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def no_ray_left() -> None:
    """Ray's processes end within a few seconds of the command."""
    try:
        wait_for(lambda: not ray_processes() or None, what="Ray's processes to end", wait=30)
    except AssertionError:
        raise AssertionError(f"Ray was left running: {ray_processes()}") from None


@pytest.fixture
def reviews(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "reviews.csv", n=160)


DATA = ("--text-column", "review", "--label-column", "sentiment", "--template", "seed-lstm")


def test_bayesian_search_two_at_a_time_records_each_trial_as_a_run(reviews) -> None:
    # (the window's test runs a random search; this one goes through Optuna's searcher)
    result = sweep(
        "--data", reviews, *DATA, "--epochs", "2", "--search", "bayesian",
        "--param", "learning_rate=loguniform(1e-3, 3e-2)",
        "--param", "LSTM.units=int(4, 16)",
        "--trials", "2", "--parallel", "2", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    found = events(result.stdout)
    assert [e["event"] for e in found] == ["template", "start", "trial", "trial", "done"]
    start, trials, done = found[1], found[2:4], found[4]
    assert start["cluster"] == "local" and start["parallel"] == 2
    assert start["data_via"] == "object store" and start["metric"] == "val_accuracy"
    runs = {r.id: r for r in store().list()}
    for trial in trials:
        assert set(trial) >= {"trial", "params", "status", "run_id", "started", "ended", "node"}
        assert trial["status"] == "finished" and trial["epochs"] == 2
        assert 1e-3 <= trial["params"]["learning_rate"] <= 3e-2
        assert 4 <= trial["params"]["LSTM.units"] <= 16
        run = runs[trial["run_id"]]
        # An ordinary run: its settings carry the trial's values; history, metrics, model.
        assert run.sweep == start["sweep"] and run.trial_params == trial["params"]
        assert run.project["layers"][2]["params"]["units"] == trial["params"]["LSTM.units"]
        assert run.project["training"]["learning_rate"] == trial["params"]["learning_rate"]
        assert [e["epoch"] for e in run.history] == [1, 2]
        assert run.metrics["val_accuracy"] == trial["val_accuracy"]
        assert run.model_path.is_file() and run.status == "finished" and run.pid is None
        assert run.node == trial["node"] and "127.0.0.1" in run.node
    # The two trials overlapped in time: they ran at once.
    assert max(t["started"] for t in trials) < min(t["ended"] for t in trials)
    top = max(t["val_accuracy"] for t in trials)
    assert done["best"]["val_accuracy"] == top
    assert done["best"]["run_id"] in {t["run_id"] for t in trials if t["val_accuracy"] == top}
    assert done["executor"] == "ray" and done["trials"] == 2 and done["finished"] == 2
    assert done["wall_seconds"] > 0
    no_ray_left()
    # `workbench runs` lists the trials like any other run.
    listed = subprocess.run(
        [sys.executable, "-m", "workbench", "runs", "--json"], capture_output=True, text=True
    )
    assert {r["id"] for r in json.loads(listed.stdout)} == {t["run_id"] for t in trials}


def test_grid_search_with_asha_stops_hopeless_trials(reviews) -> None:
    # Grid order is fixed: the hopeless learning rate comes after the good one, so at
    # ASHA's first rung it is compared with a better trial and stopped.
    result = sweep(
        "--data", reviews, *DATA, "--epochs", "4", "--search", "grid",
        "--param", "learning_rate=choice(0.02, 1e-7)", "--param", "LSTM.units=choice(8)",
        "--early-stop", "asha", "--parallel", "1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    good, hopeless = sorted(store().list(), key=lambda r: r.created)
    assert good.status == "finished" and good.epochs_completed == 4 and good.model_path.is_file()
    assert hopeless.status == "stopped" and hopeless.epochs_completed < 4
    assert hopeless.message.startswith("Stopped early by ASHA after epoch 1: its val_accuracy")
    assert not hopeless.model_path.exists()
    lines = result.stdout.splitlines()
    assert lines[1].startswith("Sweep sweep-") and "grid search, 2 trials" in lines[1]
    assert sum("stopped" in line and "Stopped early by ASHA" in line for line in lines) == 1
    assert "Best by val_accuracy" in lines[-1] and "1 finished, 1 stopped, 0 failed" in lines[-1]


def test_a_killed_trial_fails_the_search_goes_on_and_cancel_leaves_no_ray(reviews, tmp_path):
    project = Project(
        DatasetSpec(str(reviews), "review", "sentiment", kind="text"),
        training=TrainingConfig(epochs=200),
    )
    project.layers[2].params["units"] = 4
    settings = SearchSettings(
        [parse_param("learning_rate=choice(0.01, 0.02)")], search="grid", parallel=2
    )
    job = SweepJob(project, settings, store().root)
    spec = tmp_path / "job.json"
    spec.write_text(json.dumps(job.to_dict()))
    child = subprocess.Popen(
        [sys.executable, "-m", "workbench", "sweep", "--spec", spec, "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(child.stdout), daemon=True)
    reader.start()
    try:
        runs = wait_for(lambda: _training(job.sweep_id, 2), what="two trials training")
        victim, other = runs
        os.kill(victim.pid, signal.SIGKILL)  # the trial's worker process dies
        dead = wait_for(
            lambda: _status(victim.id) == "failed" or None, what="the killed trial marked failed"
        )
        assert dead
        seen = len(store().get(other.id).history)
        wait_for(
            lambda: len(store().get(other.id).history) >= seen + 2 or None,
            what="the other trial going on",
        )
        child.stdin.write("cancel\n")
        child.stdin.flush()
        assert child.wait(timeout=120) == 0
    finally:
        if child.poll() is None:
            child.kill()
    reader.join(timeout=10)
    failed, stopped = store().get(victim.id), store().get(other.id)
    assert failed.status == "failed" and "worker process died" in failed.message
    assert stopped.status == "stopped" and stopped.message == "Cancelled with the search."
    done = json.loads(lines[-1])
    assert done["event"] == "done" and done["cancelled"] and done["best"] is None
    assert (done["failed"], done["stopped"]) == (1, 1)
    no_ray_left()


def _training(sweep_id: str, count: int) -> list | None:
    """The sweep's runs once ``count`` of them have finished an epoch in a live process."""
    runs = [r for r in store().list() if r.sweep == sweep_id and r.history and r.pid]
    return runs if len(runs) >= count else None


def _status(run_id: str) -> str:
    return store().get(run_id).status


def wait_for(check, what: str, wait: float = SEARCH_TIMEOUT):
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_an_address_where_nothing_listens_is_refused_at_once(reviews) -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    result = sweep(
        "--data", reviews, *DATA, "--param", "learning_rate=choice(0.01, 0.02)",
        "--ray-address", f"127.0.0.1:{port}", timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"workbench: error: Cannot reach a Ray cluster at 127.0.0.1:{port}"
    )
    assert "ray start --head" in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_server_that_is_not_ray_times_out_with_exit_2(reviews, monkeypatch) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    monkeypatch.setenv("WORKBENCH_RAY_TIMEOUT", "8")
    try:
        started = time.monotonic()
        result = sweep(
            "--data", reviews, *DATA, "--param", "learning_rate=choice(0.01, 0.02)",
            "--ray-address", f"127.0.0.1:{port}", timeout=90,
        )  # fmt: skip
        took = time.monotonic() - started
    finally:
        listener.close()
    assert result.returncode == 2, result.stderr
    assert f"Could not join the Ray cluster at 127.0.0.1:{port} within 8 s" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("workbench: error: ")
    assert took < 60


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        ((), "give at least one --param NAME=SPEC"),
        (("--param", "lr=uniform(1,0)"), "needs lo below hi"),
        (("--param", "GRU.units=int(2,8)"), "the model has no GRU layer"),
        (("--param", "learning_rate=uniform(0.001, 0.01)", "--search", "grid"), "Grid search"),
        (("--param", "lr=choice(0.1, 0.2)", "--metric", "val_auc"), "val_auc"),
    ],
)
def test_bad_searches_are_refused_in_one_line(reviews, argv, words) -> None:
    result = sweep("--data", reviews, *DATA, *argv, timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith("workbench: error: ") and words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "not valid JSON"),
        ('{"project": {}, "search": {"trials": "8"}, "store": "/tmp", "sweep_id": "s"}',
         "search.trials: '8' has the wrong type"),
        ('{"project": {}, "search": {"shell": "rm -rf"}, "store": "/tmp", "sweep_id": "s"}',
         "search.shell: not a search setting"),
        ('{"project": {}, "search": {"params": [{"name": "lr", "kind": "uniform", "low": 1, '
         '"high": 0}]}, "store": "/tmp", "sweep_id": "s"}', "needs lo below hi"),
        ('{"project": {}, "search": {"params": [{"name": "lr=choice(1);x", "kind": "choice", '
         '"values": [1]}]}, "store": "/tmp", "sweep_id": "s"}', "is not a setting name"),
        ('{"project": {}, "search": {}, "store": "/tmp", "sweep_id": "../x"}',
         "cannot name a sweep"),
    ],
)  # fmt: skip
def test_a_damaged_job_file_is_refused_before_ray_starts(tmp_path, content, words) -> None:
    spec = tmp_path / "job.json"
    spec.write_text(content)
    result = sweep("--spec", spec, "--json", timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("workbench: error: ") and words in result.stderr
    assert not list((Path(os.environ["WORKBENCH_HOME"])).glob("ray*"))
