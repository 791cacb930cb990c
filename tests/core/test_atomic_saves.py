"""Saves are atomic under faults: a disk that fills mid-save, and a writer killed at random.

Each fault happens in a child process: RLIMIT_FSIZE (with SIGXFSZ ignored) makes every write
past the limit fail with EFBIG, as a full disk does; SIGKILL stops a writer between any two
instructions. Afterwards the file holds the previous or the new complete version, a failed
save says so in one line, and a temporary file is never taken for the real one.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from workbench.core.project import Project
from workbench.core.runs import RunStore

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX rlimits and signals")

# Prepended to every child: writes past LIMIT bytes fail with EFBIG instead of killing it.
DISK_FULL = """
import resource, signal, sys
from pathlib import Path
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

def fill_disk_at(limit):
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

def disk_free_again():
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
"""


def run_child(code: str, *args: object, timeout: float = 120) -> str:
    """Run ``code`` (after DISK_FULL) in a fresh interpreter; its stdout, or fail."""
    done = subprocess.run(
        [sys.executable, "-c", DISK_FULL + textwrap.dedent(code), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def assert_refused_in_one_line(out: str, path: Path) -> None:
    (line,) = [x for x in out.splitlines() if x.startswith("REFUSED")]
    assert line.startswith("REFUSED SaveFailed"), line
    assert str(path) in line and "disk is full or the file is too large" in line, line
    assert "previous version is unchanged" in line, line


def temp_files(folder: Path, name: str) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(f".{name}.")]


# -- a disk that fills -----------------------------------------------------------------------


def test_project_save_on_a_full_disk_keeps_the_previous_file(tmp_path) -> None:
    path = tmp_path / "p.json"
    out = run_child(
        """
        from workbench.core.errors import WorkbenchError
        from workbench.core.project import Project
        path = Path(sys.argv[1])
        Project().save(path)
        fill_disk_at(path.stat().st_size + 100)
        bigger = Project()
        bigger.layers = bigger.layers * 100
        try:
            bigger.save(path)
        except WorkbenchError as exc:
            print("REFUSED", type(exc).__name__, exc)
        """,
        path,
    )
    assert_refused_in_one_line(out, path)
    assert Project.load(path).to_dict() == Project().to_dict()
    assert temp_files(tmp_path, "p.json") == []


def test_run_json_on_a_full_disk_keeps_the_previous_record(tmp_path) -> None:
    store = RunStore(tmp_path / "runs")
    run = store.create(Project().to_dict(), name="kept")
    out = run_child(
        """
        from workbench.core.errors import WorkbenchError
        from workbench.core.runs import RunStore
        store = RunStore(sys.argv[1])
        (run,) = store.list()
        fill_disk_at((run.path / "run.json").stat().st_size + 100)
        run.history = [{"epoch": e, "loss": 0.5} for e in range(1, 5000)]
        try:
            run.save()
        except WorkbenchError as exc:
            print("REFUSED", type(exc).__name__, exc)
        """,
        store.root,
    )
    assert_refused_in_one_line(out, run.path / "run.json")
    (read,) = store.list()
    assert read.name == "kept" and read.history == [] and store.scan().damaged == []
    assert temp_files(run.path, "run.json") == []


# -- a writer killed at random -------------------------------------------------------------


def kill_at_random(code: str, args: list[object], times: int, check) -> None:
    """Start the writer ``times`` times, kill it at a random moment once it has saved at
    least once, and ``check(last_reported)`` what is on disk each time."""
    rng = random.Random(12)
    for _ in range(times):
        child = subprocess.Popen(
            [sys.executable, "-c", DISK_FULL + textwrap.dedent(code), *map(str, args)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            first = child.stdout.readline()  # one complete save before the kill
            assert first.strip(), "the writer did not start"
            time.sleep(rng.uniform(0.0, 0.25))
            child.send_signal(signal.SIGKILL)
            rest, _ = child.communicate(timeout=30)
        finally:
            child.kill()
            child.wait()
        reported = [int(x) for x in (first + rest).split()]
        check(reported[-1])


def test_project_saves_killed_at_random_leave_old_or_new(tmp_path) -> None:
    path = tmp_path / "p.json"
    writer = """
        from workbench.core.project import Project
        path = Path(sys.argv[1])
        version = Project.load(path).training.epochs if path.exists() else 0
        while True:
            version += 1
            project = Project()
            project.training.epochs = version
            project.layers = project.layers[-1:] * (300 + version % 50)  # long enough to cut
            project.save(path)
            print(version, flush=True)
    """

    def check(last: int) -> None:
        loaded = Project.load(path)  # a temp file is never read in its place
        assert loaded.training.epochs in (last, last + 1)
        assert len(loaded.layers) == 300 + loaded.training.epochs % 50

    kill_at_random(writer, [path], 6, check)
    Project().save(path)  # the next save removes what killed writers left
    assert temp_files(tmp_path, "p.json") == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.json"]


def test_run_json_saves_killed_at_random_leave_old_or_new(tmp_path) -> None:
    store = RunStore(tmp_path / "runs")
    run = store.create(Project().to_dict(), name="r")
    writer = """
        from workbench.core.runs import RunStore
        (run,) = RunStore(sys.argv[1]).list()
        while True:
            epoch = len(run.history) + 1
            run.history.append({"epoch": epoch, "loss": 1 / epoch, "pad": 0.5})
            run.history[0]["pad"] = float(epoch)
            run.message = "m" * 200_000
            run.save()
            print(epoch, flush=True)
    """

    def check(last: int) -> None:
        found = store.scan()
        assert found.damaged == [], found.damaged  # leftovers are not runs or run files
        (read,) = found.records
        assert len(read.history) in (last, last + 1)
        assert read.history[0]["pad"] == float(len(read.history))

    kill_at_random(writer, [store.root], 6, check)
    store.get(run.id).save()
    assert temp_files(run.path, "run.json") == []
