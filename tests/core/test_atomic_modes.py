"""Atomic saves leave a file the permissions a plain open() would: 0o666 less the umask for a
new file, the replaced file's own for an existing one (mkstemp's 0o600 never shows)."""

from __future__ import annotations

import os
import stat
import sys
import threading
from pathlib import Path

import pytest

from workbench.core import atomic
from workbench.core.atomic import atomic_path, atomic_write_text, current_umask, mode_for
from workbench.core.runs import RunStore

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")


@pytest.fixture
def umask():
    """Set the process's umask for a test, then put the old one back."""
    old = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077, 0o027])
def test_new_files_get_0666_less_the_umask(tmp_path, umask, mask) -> None:
    umask(mask)
    assert current_umask() == mask
    text = tmp_path / "notes.txt"
    atomic_write_text(text, "hello")
    plain = tmp_path / "plain.txt"
    plain.write_text("hello")
    assert mode(text) == mode(plain) == 0o666 & ~mask
    # What the Keras export does: a writer fills the temporary path by name.
    model = tmp_path / "model.keras"
    with atomic_path(model, suffix=".keras") as tmp:
        tmp.write_bytes(b"PK")
    assert mode(model) == 0o666 & ~mask


def test_run_files_follow_the_umask(tmp_path, umask) -> None:
    umask(0o022)
    run = RunStore(tmp_path / "runs").create({}, name="r")
    assert mode(run.path / "run.json") == 0o644
    run.save()
    assert mode(run.path / "run.json") == 0o644


def test_a_replaced_file_keeps_its_mode(tmp_path, umask) -> None:
    umask(0o022)
    path = tmp_path / "shared.json"
    path.write_text("old")
    path.chmod(0o664)
    atomic_write_text(path, "new")
    assert path.read_text() == "new" and mode(path) == 0o664
    path.chmod(0o600)  # a private file stays private, whatever the umask
    atomic_write_text(path, "newer")
    assert mode(path) == 0o600
    path.chmod(0o444)  # read-only: replaced (the folder is writable), still read-only
    atomic_write_text(path, "newest")
    assert path.read_text() == "newest" and mode(path) == 0o444


def test_umask_is_read_without_changing_it_when_proc_is_missing(
    tmp_path, umask, monkeypatch
) -> None:
    umask(0o027)
    real_open = open

    def no_proc(file, *args, **kwargs):
        if str(file).startswith("/proc/"):
            raise FileNotFoundError(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", no_proc)
    assert current_umask() == 0o027
    assert os.umask(0o027) == 0o027  # put back as it was
    assert mode_for(tmp_path / "new") == 0o640


def test_concurrent_saves_all_get_the_umask_mode(tmp_path, umask) -> None:
    umask(0o002)
    errors: list[BaseException] = []

    def save(number: int) -> None:
        try:
            for i in range(20):
                atomic_write_text(tmp_path / f"f{number}-{i}.txt", "x")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert {mode(p) for p in tmp_path.iterdir()} == {0o664}


def test_a_disk_without_modes_still_saves(tmp_path, monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(atomic.os, "chmod", refuse)
    path = tmp_path / "on-fat.txt"
    atomic_write_text(path, "saved")
    assert path.read_text() == "saved"
