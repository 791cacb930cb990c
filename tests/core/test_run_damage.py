"""Damage stays local in the run store: a bad run.json is named in one line and skipped,
every healthy run is still listed, and a read-only workspace is said plainly."""

from __future__ import annotations

import json
import math
import os

import pytest

from workbench.core import runs
from workbench.core.errors import FileRejected, SaveFailed, WorkbenchError
from workbench.core.project import Project
from workbench.core.runs import RunStore


@pytest.fixture
def store(tmp_path) -> RunStore:
    store = RunStore(tmp_path / "runs")
    run = store.create(Project().to_dict(), name="healthy")
    run.history = [{"epoch": 1, "loss": 0.5, "val_loss": 0.4}]
    run.status = "finished"
    run.save()
    return store


def damaged_run(store: RunStore, name: str, content: str | None) -> str:
    folder = store.root / name
    folder.mkdir(parents=True)
    if content is not None:
        (folder / "run.json").write_text(content)
    return name


def good_run_json(**changes) -> str:
    data = {"id": "x", "name": "n", "created": 1.0, "status": "finished", **changes}
    return json.dumps(data)


DAMAGE = {
    "a-list": ("[1, 2, 3]", "not a run record (a JSON list)"),
    "b-string-number": (good_run_json(created="yesterday"), "created: Input should be"),
    "c-bad-history": (good_run_json(history=[{"loss": "low"}]), "history[0].loss: Input"),
    "d-bad-status": (good_run_json(status="dancing"), "status: Input should be"),
    "e-not-json": ('{"id": "x", "name": ', "not valid JSON"),
    "f-unknown-field": (good_run_json(shell="rm -rf /"), "shell: not a setting"),
    "g-bool-epochs": (good_run_json(epochs_completed=True), "epochs_completed"),
    "h-deep": ("[" * 10_000 + "]" * 10_000, "nested more than 64 levels deep"),
    "i-missing": (None, "not found"),
    "j-history-not-list": (good_run_json(history={"loss": 1}), "history: Input should be"),
    "k-bad-id": (good_run_json(id="../../etc"), "id: String should match"),
}


def test_damaged_runs_are_skipped_and_named_in_one_line(store) -> None:
    for name, (content, _) in DAMAGE.items():
        damaged_run(store, name, content)
    (store.root / "stray.txt").write_text("not a run")  # files are not runs
    (store.root / ".hidden").mkdir()  # nor hidden folders

    (healthy,) = store.list()
    assert healthy.name == "healthy"
    found = store.scan()
    assert [r.name for r in found.records] == ["healthy"]
    reasons = {d.id: d.reason for d in found.damaged}
    assert sorted(reasons) == sorted(DAMAGE)
    for name, (_, expected) in DAMAGE.items():
        assert expected in reasons[name], (name, reasons[name])
        assert "\n" not in reasons[name] and len(reasons[name]) < 300
        with pytest.raises(FileRejected) as caught:
            store.get(name)
        assert str(store.root / name / "run.json") in str(caught.value)
    assert store.interrupted() == []


def test_get_refuses_names_that_are_not_run_ids(store, tmp_path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "run.json").write_text(good_run_json())
    for name in ("../elsewhere", "..", ".", "", "a/b", "nonexistent"):
        with pytest.raises(WorkbenchError, match="workbench runs"):
            store.get(name)


def test_a_diverged_runs_nan_loss_is_kept(store) -> None:
    run = store.create(Project().to_dict(), name="diverged")
    run.history = [{"epoch": 1, "loss": 0.5}, {"epoch": 2, "loss": math.nan, "val_loss": math.inf}]
    run.metrics = {"val_loss": math.nan}
    run.save()
    read = store.get(run.id)
    assert math.isnan(read.history[1]["loss"]) and math.isinf(read.history[1]["val_loss"])
    assert read.history[1]["epoch"] == 2 and isinstance(read.history[1]["epoch"], int)
    assert math.isnan(read.metrics["val_loss"]) and len(store.list()) == 2


def test_nan_where_a_setting_belongs_is_refused(store) -> None:
    damaged_run(store, "nan-created", good_run_json().replace("1.0", "NaN"))
    (bad,) = store.scan().damaged
    assert bad.id == "nan-created" and "created" in bad.reason


def test_too_large_a_run_json_is_refused_before_reading(store, monkeypatch) -> None:
    damaged_run(store, "big", good_run_json(message="x" * 5000))
    monkeypatch.setattr(runs, "MAX_RUN_BYTES", 4096)
    (bad,) = RunStore(store.root).scan().damaged
    assert bad.id == "big" and "larger than 4 KiB" in bad.reason


def test_a_run_damaged_after_it_was_read_is_noticed(store) -> None:
    (run,) = store.list()
    old = run.created - 3600
    os.utime(run.path / "run.json", (old, old))  # settled: remembered by the store
    assert store.list()[0].name == "healthy"
    store.list()[0].history.append({"loss": 9.0})  # a caller's change is its own
    assert len(store.list()[0].history) == 1
    (run.path / "run.json").write_text("[]")
    assert store.list() == [] and store.scan().damaged[0].id == run.id
    run.save()
    assert store.list()[0].id == run.id


def test_an_unwritable_workspace_is_said_in_one_line(tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    store = RunStore(blocker / "runs")
    problem = store.problem_writing()
    assert problem is not None and "WORKBENCH_HOME" in problem and str(blocker) in problem
    with pytest.raises(SaveFailed, match="set WORKBENCH_HOME to a folder you can write to"):
        store.create(Project().to_dict())
    assert store.list() == [] and store.scan().damaged == []
    assert RunStore(tmp_path / "fine").problem_writing() is None
