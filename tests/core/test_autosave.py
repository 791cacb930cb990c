"""The editor's autosave on disk: written atomically, told apart from a clean exit, and never
a reason not to start, whatever the file holds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.core import autosave
from workbench.core.errors import WorkbenchError
from workbench.core.project import Project


def dead_pid() -> int:
    """The id of a process that has ended."""
    out = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout)


def edited() -> Project:
    project = Project()
    project.dataset.path = "/data/reviews.csv"
    project.dataset.text_column, project.dataset.label_column = "review", "sentiment"
    project.layers[2].params["units"] = 24
    project.training.learning_rate = 0.02
    project.training.batch_size = 8
    return project


def test_lives_in_the_workspace_and_is_small(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    session = autosave.AutosaveSession()
    size = session.write(edited().to_dict())
    assert session.path.parent == tmp_path / "autosave"
    assert session.path.stat().st_size == size < 8 * 1024  # the seed stack: 1.4 KiB
    assert [p.name for p in session.path.parent.iterdir()] == [session.path.name]  # no temp
    data = json.loads(session.path.read_text())
    assert data["pid"] == os.getpid() and data["project"] == edited().to_dict()


def test_a_live_session_is_not_a_crash_and_a_clean_exit_leaves_nothing() -> None:
    session = autosave.AutosaveSession()
    session.write(edited().to_dict())
    assert autosave.crashed() == ([], [])  # this process, still running
    session.clear()
    assert not session.path.exists()
    assert autosave.crashed() == ([], [])


def test_a_dead_owner_means_a_crash_and_the_project_comes_back() -> None:
    older = autosave.write(Project().to_dict(), owner_pid=dead_pid())
    time.sleep(0.01)
    path = autosave.write(edited().to_dict(), owner_pid=dead_pid())
    found, notes = autosave.crashed()
    assert notes == []
    assert [s.path for s in found] == [path, older]  # newest first
    project = found[0].project
    assert project.layers[2].params["units"] == 24
    assert project.training.batch_size == 8 and project.training.learning_rate == 0.02
    assert project.dataset.path == "/data/reviews.csv"
    assert abs(found[0].saved - time.time()) < 60
    found[0].discard()
    assert not path.exists() and older.exists()


def test_this_pid_from_an_earlier_boot_is_a_crash() -> None:
    """After a restart a new process can get the crashed one's pid (containers often do)."""
    path = autosave.write(edited().to_dict(), owner_pid=os.getpid())
    (found,), _ = autosave.crashed()
    assert found.path == path


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"{ not json", "not valid JSON"),
        (b"[1, 2, 3]", "must be a JSON object"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[" * 5000 + b"]" * 5000, "nested"),
        (json.dumps({"format": autosave.FORMAT, "version": 1, "pid": 1}).encode(), "saved"),
        (
            json.dumps(
                {"format": autosave.FORMAT, "version": 1, "pid": 1, "saved": 1.0, "project": []}
            ).encode(),
            "project",
        ),
    ],
)
def test_damaged_files_are_set_aside_in_one_line(content: bytes, said: str) -> None:
    path = autosave.write(Project().to_dict(), owner_pid=dead_pid())
    path.write_bytes(content)
    found, notes = autosave.crashed()
    assert found == [] and len(notes) == 1
    assert said in notes[0] and "\n" not in notes[0] and str(path) in notes[0]
    assert not path.exists()
    assert path.with_name(path.name.replace(".json", ".damaged.json")).exists()
    assert autosave.crashed() == ([], [])  # set aside once, not reported at every start


def wrong(change) -> dict:
    data = edited().to_dict()
    change(data)
    return data


@pytest.mark.parametrize(
    "project",
    [
        wrong(lambda d: d.update(layers={"kind": "Dense"})),
        wrong(lambda d: d.update(layers=["Dense"])),
        wrong(lambda d: d["layers"].append({"kind": "NoSuchLayer"})),
        wrong(lambda d: d["layers"][2]["params"].update(units="64")),
        wrong(lambda d: d["layers"][3]["params"].update(activation=["relu"])),
        wrong(lambda d: d["layers"][2]["params"].update(evil=1)),
        wrong(lambda d: d.update(dataset=[1, 2])),
        wrong(lambda d: d["training"].update(learning_rate="fast")),
        wrong(lambda d: d["training"].update(epochs=True)),
        wrong(lambda d: d["training"].update(metrics="accuracy")),
        wrong(lambda d: d.update(schema_version=99)),
    ],
)
def test_wrong_types_are_refused_before_they_reach_the_editor(project: dict) -> None:
    path = autosave.write(project, owner_pid=dead_pid())
    found, notes = autosave.crashed()
    assert found == [] and len(notes) == 1 and str(path) in notes[0]
    assert not path.exists()


def test_not_a_regular_file_and_unrelated_names_are_left_alone(tmp_path) -> None:
    where = autosave.folder()
    where.mkdir(parents=True)
    (where / f"autosave-{dead_pid()}-abcdef012345.json").mkdir()  # a folder by that name
    (where / "notes.txt").write_text("mine")
    (where / ".autosave-1-abcdef012345.json.tmp").write_text("{")  # a write cut short
    found, notes = autosave.crashed()
    assert found == [] and len(notes) == 1 and "not a regular file" in notes[0]
    assert (where / "notes.txt").read_text() == "mine"


def test_an_unreadable_folder_is_no_autosave(tmp_path) -> None:
    assert autosave.crashed(tmp_path / "missing") == ([], [])
    (tmp_path / "file").write_text("x")
    autosave.folder(tmp_path).parent.mkdir(exist_ok=True)
    (tmp_path / autosave.FOLDER).write_text("a file, not a folder")
    assert autosave.crashed(tmp_path) == ([], [])
    with pytest.raises((OSError, WorkbenchError)):  # SaveFailed names the folder
        autosave.AutosaveSession(tmp_path).write(Project().to_dict())


def test_read_never_raises_on_a_missing_file(tmp_path: Path) -> None:
    saved, note = autosave.read(tmp_path / "autosave-1-abcdef012345.json")
    assert saved is None and "not a regular file" in note
