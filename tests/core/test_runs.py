"""The run store: runs survive a restart, damaged ones are skipped, dead runs are found."""

from __future__ import annotations

import json
import subprocess
import sys

from workbench.core.project import Project
from workbench.core.runs import RunStore, default_store, workspace_root


def test_create_save_and_list_round_trip(tmp_path) -> None:
    store = RunStore(tmp_path)
    first = store.create(Project().to_dict(), name="baseline")
    first.history.append({"loss": 0.7, "val_loss": 0.6})
    first.status = "finished"
    first.metrics = {"val_accuracy": 0.8}
    first.save()
    second = store.create(Project().to_dict())
    runs = RunStore(tmp_path).list()
    assert [r.id for r in runs] == [first.id, second.id]
    assert runs[0].name == "baseline" and runs[0].history == [{"loss": 0.7, "val_loss": 0.6}]
    assert runs[0].metrics == {"val_accuracy": 0.8} and runs[1].name == "run 2"
    assert Project.from_dict(runs[0].project).training.batch_size == 32


def test_damaged_run_is_skipped(tmp_path) -> None:
    store = RunStore(tmp_path)
    good = store.create({})
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "run.json").write_text("{not json", encoding="utf-8")
    assert [r.id for r in store.list()] == [good.id]


def test_run_of_a_dead_process_is_interrupted(tmp_path) -> None:
    store = RunStore(tmp_path)
    mine = store.create({})
    dead = store.create({})
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads((dead.path / "run.json").read_text())
    data["pid"] = int(child.stdout)
    (dead.path / "run.json").write_text(json.dumps(data))
    assert [r.id for r in store.interrupted()] == [dead.id]
    assert mine.status == "running"


def test_workspace_follows_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    assert workspace_root() == tmp_path
    assert default_store().root == tmp_path / "runs"


def test_parent_link_and_epoch_count_survive_a_reload(tmp_path) -> None:
    store = RunStore(tmp_path)
    parent = store.create({}, name="first")
    child = store.create({}, name="first +2")
    child.parent, child.epochs_completed = parent.id, 4
    child.save()
    again = RunStore(tmp_path).get(child.id)
    assert again.parent == parent.id and again.epochs_completed == 4
    old = json.loads((parent.path / "run.json").read_text())
    del old["parent"], old["epochs_completed"]  # as written before these fields existed
    (parent.path / "run.json").write_text(json.dumps(old))
    reread = RunStore(tmp_path).get(parent.id)
    assert reread.parent == "" and reread.epochs_completed == 0 and reread.name == "first"
