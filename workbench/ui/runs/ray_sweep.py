"""A search on Ray, run as a child process (``workbench sweep --spec FILE --json``).

Ray replaces signal handlers and owns its process, so it never runs inside the window: the
window writes the job as a JSON file, starts the command with a :class:`QProcess` (whose
signals arrive on the GUI thread; nothing here blocks it) and reads one JSON event per line
from its stdout. A line ``cancel`` on its stdin stops every trial; the child then shuts Ray
down and prints its last event. The trials themselves are written live into the run store
by the child, which is how the Runs tab shows them while they train.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal, Slot

import workbench
from workbench.core.atomic import atomic_write_text
from workbench.core.search import SweepJob

#: After Cancel, the child has this long to stop its trials and Ray before it is killed.
CANCEL_GRACE_MS = 30_000
#: At the window's close, how long the child may take to stop before it is killed.
SHUTDOWN_GRACE_MS = 15_000
#: The most of the child's stderr kept for an error message (Ray can be chatty).
STDERR_KEEP = 64 * 1024
#: What the child prints before the reason when the job cannot run (exit code 2).
ERROR_PREFIX = "workbench: error: "


def is_frozen() -> bool:
    """True in the bundled app (PyInstaller), which runs without a Python to start."""
    return bool(getattr(sys, "frozen", False))


def ray_available() -> bool:
    """Whether searches can run on Ray here: Ray is installed and this is not the frozen
    app (whose bundle leaves Ray out)."""
    if is_frozen():
        return False
    try:
        return importlib.util.find_spec("ray") is not None
    except (ImportError, ValueError):
        return False


def optuna_available() -> bool:
    """Whether Bayesian search (Optuna's TPE) can run."""
    try:
        return importlib.util.find_spec("optuna") is not None
    except (ImportError, ValueError):
        return False


def sweep_command(spec: Path) -> list[str]:
    """The child's command line: program first."""
    if is_frozen():
        return [sys.executable, "sweep", "--spec", str(spec), "--json"]
    return [sys.executable, "-m", "workbench", "sweep", "--spec", str(spec), "--json"]


class RaySweepProcess(QObject):
    """One search in a child process; emits its events on the GUI thread.

    Signals come from :class:`QProcess`, which lives on this (GUI) thread, so slots
    connected to them may touch widgets.
    """

    #: The child started the search: (the "start" event).
    sig_started = Signal(dict)
    #: A trial ended: (the "trial" event).
    sig_trial = Signal(dict)
    #: The search's last event: (the "done" event); the process exits soon after.
    sig_done = Signal(dict)
    #: The process has exited: (exit code, the error in one line or "" when it went well).
    sig_ended = Signal(int, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.process: QProcess | None = None
        self.job_file: Path | None = None
        self.sweep_id = ""
        self.done: dict[str, Any] | None = None
        self.cancelled = False
        self._stdout = b""
        self._stderr = b""
        self._error = ""  # why the process could not start
        self.kill_timer = QTimer(self)
        self.kill_timer.setSingleShot(True)
        self.kill_timer.timeout.connect(self._kill)

    @property
    def running(self) -> bool:
        """True from :meth:`start` until the process has exited."""
        return self.process is not None

    def start(self, job: SweepJob, folder: Path) -> None:
        """Write the job to ``folder`` and start the child; OSError when the file cannot be
        written (nothing is started then)."""
        if self.running:
            raise RuntimeError("a search is already running")
        folder.mkdir(parents=True, exist_ok=True)
        self.job_file = folder / f"{job.sweep_id}.json"
        atomic_write_text(self.job_file, json.dumps(job.to_dict(), indent=1))
        self.sweep_id = job.sweep_id
        self.done, self.cancelled = None, False
        self._stdout = self._stderr = b""
        self._error = ""
        process = QProcess(self)
        command = sweep_command(self.job_file)
        process.setProgram(command[0])
        process.setArguments(command[1:])
        process.setProcessEnvironment(_environment())
        process.readyReadStandardOutput.connect(self._read_stdout)
        process.readyReadStandardError.connect(self._read_stderr)
        process.finished.connect(self._on_finished)
        process.errorOccurred.connect(self._on_error)
        self.process = process
        process.start()

    def cancel(self) -> None:
        """Ask the child to stop every trial; kill it if it has not ended in 30 s."""
        process = self.process
        if process is None or self.cancelled:
            return
        self.cancelled = True
        process.write(b"cancel\n")
        self.kill_timer.start(CANCEL_GRACE_MS)

    def shutdown(self, grace_ms: int | None = None) -> None:
        """The window closes: cancel, wait up to ``grace_ms`` (default
        :data:`SHUTDOWN_GRACE_MS`) for the child, then end it.

        Blocks (only at close, as joining a thread does): no child may outlive the window.
        """
        grace_ms = SHUTDOWN_GRACE_MS if grace_ms is None else grace_ms
        self.kill_timer.stop()
        process = self.process
        if process is None:
            return
        with contextlib.suppress(RuntimeError):
            process.finished.disconnect(self._on_finished)
        if process.state() != QProcess.ProcessState.NotRunning:
            process.write(b"cancel\n")
            process.closeWriteChannel()  # closing stdin cancels too
            if not process.waitForFinished(grace_ms):
                process.terminate()
                if not process.waitForFinished(3000):
                    process.kill()
                    process.waitForFinished(3000)
        self._cleanup()

    # -- the child's output -----------------------------------------------------------------

    @Slot()
    def _read_stdout(self) -> None:
        process = self.process
        if process is None:
            return
        self._stdout += bytes(process.readAllStandardOutput().data())
        *lines, self._stdout = self._stdout.split(b"\n")  # keep a partial last line
        for line in lines:
            self._handle_line(line)

    def _handle_line(self, raw: bytes) -> None:
        text = raw.decode("utf-8", errors="replace").strip()
        if not text.startswith("{"):
            return
        try:
            event = json.loads(text)
        except ValueError:
            return
        if not isinstance(event, dict):
            return
        kind = event.get("event")
        if kind == "start":
            self.sig_started.emit(event)
        elif kind == "trial":
            self.sig_trial.emit(event)
        elif kind == "done":
            self.done = event
            self.kill_timer.stop()  # it has stopped its trials; Ray shuts down next
            self.sig_done.emit(event)

    @Slot()
    def _read_stderr(self) -> None:
        process = self.process
        if process is None:
            return
        self._stderr = (self._stderr + bytes(process.readAllStandardError().data()))[-STDERR_KEEP:]

    @Slot(QProcess.ProcessError)
    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and self.process is not None:
            self._error = (
                f"The search could not start {self.process.program()}: "
                f"{self.process.errorString()}."
            )
            self._on_finished(-1, QProcess.ExitStatus.CrashExit)

    @Slot(int, QProcess.ExitStatus)
    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        if self.process is None:
            return
        self._read_stdout()
        self._read_stderr()
        if self._stdout:
            self._handle_line(self._stdout)
            self._stdout = b""
        crashed = status == QProcess.ExitStatus.CrashExit
        message = self._error or self.error_message(code, crashed)
        self._cleanup()
        self.sig_ended.emit(code if not crashed else -1, message)

    def error_message(self, code: int, crashed: bool) -> str:
        """What went wrong, in one line ('' when the search ended normally)."""
        lines = self._stderr.decode("utf-8", errors="replace").splitlines()
        said = [
            line[len(ERROR_PREFIX) :].strip() for line in lines if line.startswith(ERROR_PREFIX)
        ]
        if said:
            return said[-1]
        if code == 0 and not crashed and self.done is not None:
            return ""
        if self.cancelled and crashed:
            return "The search did not stop within 30 s of Cancel and was killed."
        how = "crashed" if crashed else f"ended with exit code {code}"
        last = [line.strip() for line in lines if line.strip()]
        detail = f" Its last words: {last[-1][:300]}" if last else ""
        return f"The search process {how} before it finished.{detail}"

    @Slot()
    def _kill(self) -> None:
        if self.process is not None:
            self.process.kill()

    def _cleanup(self) -> None:
        self.kill_timer.stop()
        process, self.process = self.process, None
        if process is not None:
            process.deleteLater()
        if self.job_file is not None:
            with contextlib.suppress(OSError):
                self.job_file.unlink()


def _environment() -> QProcessEnvironment:
    """This process's environment, with this copy of the workbench importable first (a
    source checkout runs the same code in the child)."""
    env = QProcessEnvironment.systemEnvironment()
    if is_frozen():
        return env
    source = str(Path(workbench.__file__).resolve().parent.parent)
    existing = env.value("PYTHONPATH", "")
    env.insert("PYTHONPATH", source + (os.pathsep + existing if existing else ""))
    env.insert("PYTHONUNBUFFERED", "1")
    return env
