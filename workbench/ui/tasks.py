"""One runner for all of the window's background work (except the training thread).

Every task has a key ("load", "data-checks", "import", …). Starting a task supersedes the
previous one with the same key: the old one is asked to cancel, and whatever it returns is
dropped, so a slow answer to an old question never overwrites a newer one. Results come back
on the GUI thread to the callbacks given at start. :meth:`TaskRunner.shutdown` cancels every
task and waits for every thread: the window's one way out calls it once.

This follows Orange's ``ConcurrentMixin`` (a widget owns its task, a new one replaces it) and
superqt's ``create_worker`` (done/failed callbacks, cooperative cancel); progress stays a
plain float the GUI polls with a timer, which is what the Data tab already draws.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Slot

from workbench.ui.workers import CallThread


@dataclass
class _Task:
    key: str
    thread: CallThread
    on_done: Callable[[Any], None] | None
    on_failed: Callable[[str], None] | None
    on_cancelled: Callable[[], None] | None


class TaskRunner(QObject):
    """Runs functions on worker threads, one current task per key."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: dict[int, _Task] = {}
        self._current: dict[str, int] = {}
        self._token = 0
        self._closed = False

    def run(
        self,
        key: str,
        what: str,
        function: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_failed: Callable[[str], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        control: bool = False,
        **kwargs: Any,
    ) -> CallThread | None:
        """Start ``function(*args, **kwargs)`` as the current ``key`` task.

        ``what`` names the work in an error message ("reading data.csv"). ``control=True``
        passes ``progress=`` and ``cancel=`` to the function (see :class:`CallThread`).
        Returns the thread (for its progress), or None after :meth:`shutdown`.
        """
        if self._closed:
            return None
        self.cancel(key)
        self._token += 1
        token = self._token
        thread = CallThread(token, what, function, *args, control=control, **kwargs)
        self._tasks[token] = _Task(key, thread, on_done, on_failed, on_cancelled)
        self._current[key] = token
        thread.sig_done.connect(self._on_done)
        thread.sig_failed.connect(self._on_failed)
        thread.sig_cancelled.connect(self._on_cancelled)
        thread.start()
        return thread

    def cancel(self, key: str) -> bool:
        """Ask the current ``key`` task to stop and drop its answer; True if there was one."""
        token = self._current.pop(key, None)
        task = self._tasks.get(token) if token is not None else None
        if task is None:
            return False
        task.thread.cancel()
        return True

    def running(self, key: str) -> bool:
        """True while a ``key`` task runs whose answer is still wanted."""
        return key in self._current

    def thread(self, key: str) -> CallThread | None:
        """The current ``key`` task's thread (for its progress), if any."""
        token = self._current.get(key)
        task = self._tasks.get(token) if token is not None else None
        return task.thread if task is not None else None

    @property
    def active(self) -> int:
        """Threads not yet joined, wanted or not (tests check nothing is left behind)."""
        return len(self._tasks)

    def _finish(self, token: int) -> _Task | None:
        """Join the reporting thread; the task if its answer is still wanted."""
        task = self._tasks.pop(token, None)
        if task is None:
            return None
        task.thread.wait()  # run() has returned: this only joins
        if self._current.get(task.key) != token or self._closed:
            return None
        del self._current[task.key]
        return task

    @Slot(int, object)
    def _on_done(self, token: int, result: object) -> None:
        task = self._finish(token)
        if task is not None and task.on_done is not None:
            task.on_done(result)

    @Slot(int, str)
    def _on_failed(self, token: int, message: str) -> None:
        task = self._finish(token)
        if task is not None and task.on_failed is not None:
            task.on_failed(message)

    @Slot(int)
    def _on_cancelled(self, token: int) -> None:
        task = self._finish(token)
        if task is not None and task.on_cancelled is not None:
            task.on_cancelled()

    def shutdown(self) -> None:
        """Cancel every task and wait for every thread; no callback runs afterwards."""
        self._closed = True
        self._current.clear()
        for task in list(self._tasks.values()):
            task.thread.cancel()
        for task in list(self._tasks.values()):
            task.thread.wait()
        self._tasks.clear()
