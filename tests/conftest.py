"""Shared test setup: Qt runs offscreen by default, and no Qt test may leak a thread or timer.

A QThread still running after a test can be destroyed mid-run by a later test's cleanup
("QThread: Destroyed while thread is still running" aborts the process), and a live QTimer
fires into torn-down objects. Like napari's conftest, we record every QThread and QTimer a
test starts and fail the test if any is still running once it (and its fixtures, including
pytest-qt closing the widgets) has finished. Tests that use no Qt fixture skip all this and
never import PySide6.
"""

from __future__ import annotations

import os
import sys
import weakref
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _workspace(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs, checkpoints and autosaves go to a fresh folder, never the tester's home."""
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path_factory.mktemp("workspace")))


_QT_FIXTURES = {"qtbot", "qapp", "qtlog"}


def pytest_configure(config: pytest.Config) -> None:
    """The offscreen platform warns that it cannot resize to hints: noise, not a defect."""
    config.addinivalue_line("qt_log_ignore", "This plugin does not support propagateSizeHints")


def _started_at() -> str:
    """file:line of the test code that started the thread or timer."""
    frame = sys._getframe(2)
    fallback = f"{frame.f_code.co_filename}:{frame.f_lineno}"
    while frame is not None:
        name = frame.f_code.co_filename
        if "site-packages" not in name and "conftest" not in name:
            return f"{name}:{frame.f_lineno}"
        frame = frame.f_back
    return fallback


def _alive(obj: object, predicate: str) -> bool:
    try:
        return bool(getattr(obj, predicate)())
    except RuntimeError:  # the C++ object is gone, so it is not running
        return False


@pytest.fixture(autouse=True)
def _no_leaked_qthreads_or_qtimers(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a Qt test that leaves a QThread running or a QTimer active."""
    if not _QT_FIXTURES & set(request.fixturenames):
        yield
        return
    from PySide6.QtCore import QCoreApplication, QThread, QTimer

    threads: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
    timers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
    thread_start, timer_start = QThread.start, QTimer.start

    def tracked_thread_start(self: QThread, *args: object) -> None:
        threads[self] = _started_at()
        thread_start(self, *args)

    def tracked_timer_start(self: QTimer, *args: object) -> None:
        timers[self] = _started_at()
        timer_start(self, *args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QThread, "start", tracked_thread_start)
        patch.setattr(QTimer, "start", tracked_timer_start)
        yield
    app = QCoreApplication.instance()
    if app is not None:
        app.processEvents()
    leaked_threads = [place for t, place in list(threads.items()) if _alive(t, "isRunning")]
    leaked_timers = [place for t, place in list(timers.items()) if _alive(t, "isActive")]
    for timer in [t for t in list(timers) if _alive(t, "isActive")]:
        timer.stop()
    for thread in [t for t in list(threads) if _alive(t, "isRunning")]:
        thread.quit()
        thread.wait(5000)
    problems = [f"QThread still running, started at {p}" for p in leaked_threads]
    problems += [f"QTimer still active, started at {p}" for p in leaked_timers]
    if problems:
        pytest.fail("Test left Qt work running:\n" + "\n".join(problems), pytrace=False)
