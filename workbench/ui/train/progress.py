"""Training progress as numbers: written on the training thread, read by a GUI timer.

:class:`ProgressRecorder` is the core ``TrainingListener`` the training worker hands to the
backend. It only records (under a lock) and never touches Qt, so a batch costs microseconds
of GUI-free bookkeeping. The window polls :meth:`ProgressRecorder.snapshot` 10 times a second
and redraws from it, however fast batches arrive.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from workbench.core.history import RunHistory, SeriesBuffer
from workbench.core.listener import TrainingPlan

LOG_LINES_KEPT = 2000  # the log pane shows at most this many lines too


@dataclass
class ProgressSnapshot:
    """A consistent copy of the progress so far (arrays are read-only views, never rewritten).

    ``batch_y`` is each batch's own loss; ``batch_mean_y`` is what Keras reports after a
    batch, the mean over the epoch so far (smooth, restarting at every epoch).
    """

    version: int
    plan: TrainingPlan | None
    epoch: int
    step: int
    epochs_done: int
    batch_x: np.ndarray
    batch_y: np.ndarray
    batch_mean_y: np.ndarray
    epochs: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    last_epoch_logs: dict[str, float] = field(default_factory=dict)
    seconds_left: float | None = None
    elapsed: float = 0.0
    paused: bool = False
    samples_per_second: float | None = None
    samples_per_second_epoch: int = 0  # the epoch that reported it; 0: estimated from batches
    epoch_seconds: tuple[float, ...] = ()
    log_lines: tuple[str, ...] = ()
    log_total: int = 0

    def log_since(self, seen: int) -> list[str]:
        """The log lines after the first ``seen`` ever recorded (older ones may be dropped)."""
        new = self.log_total - seen
        if new <= 0:
            return []
        return list(self.log_lines[-new:])

    @property
    def seconds_per_epoch(self) -> float | None:
        """How long the last finished epoch took (pauses left out), None before one ends."""
        return self.epoch_seconds[-1] if self.epoch_seconds else None

    @property
    def accuracy_key(self) -> str:
        """The name Keras used for accuracy ('accuracy', 'binary_accuracy', …)."""
        for name in self.epochs:
            if not name.startswith("val_") and "acc" in name:
                return name
        return "accuracy"

    @property
    def total_steps(self) -> int:
        """Batches in the whole run (0 before the plan arrives)."""
        return self.plan.epochs * self.plan.steps_per_epoch if self.plan else 0

    @property
    def steps_done(self) -> int:
        """Batches finished so far."""
        if not self.plan or self.epoch < 1:
            return 0
        return (self.epoch - 1) * self.plan.steps_per_epoch + self.step

    def describe(self, time_left: bool = True) -> str:
        """'Epoch 2/5 · batch 120/173 · 0:12 left' (or what is known so far); for epochs
        "auto", 'Epoch 2 (auto, at most 300) · …': it may stop before that cap."""
        if self.plan is None:
            return "Preparing data and model…"
        if self.epoch < 1:
            return f"{epoch_text(1, self.plan)} · starting…"
        parts = [
            epoch_text(self.epoch, self.plan),
            f"batch {self.step}/{self.plan.steps_per_epoch}",
        ]
        if self.paused:
            parts.append("paused")
        elif time_left and self.seconds_left is not None:
            parts.append(time_left_text(self.seconds_left, self.plan))
        return " · ".join(parts)


def epoch_text(epoch: int, plan: TrainingPlan) -> str:
    """'Epoch 3/20', or for an auto plan (whose epochs is a cap the run may stop well
    before) 'Epoch 3 (auto, at most 246)'."""
    if plan.auto_epochs:
        return f"Epoch {epoch} (auto, at most {plan.epochs})"
    return f"Epoch {epoch}/{plan.epochs}"


def time_left_text(seconds: float, plan: TrainingPlan | None) -> str:
    """'0:12 left'; 'at most 0:12 left' for an auto plan, timed to its cap."""
    text = f"{format_duration(seconds)} left"
    return f"at most {text}" if plan is not None and plan.auto_epochs else text


def format_duration(seconds: float) -> str:
    """0:12, 3:05, 1:02:03."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ProgressRecorder:
    """A TrainingListener that only records numbers, for a GUI timer to read.

    Called on the training thread; every method takes the lock for a few assignments.
    Paused time is left out of the time-left estimate.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """``clock`` gives seconds (tests pass a fake one to check the timings)."""
        self._clock = clock
        self._lock = threading.Lock()
        self._history = RunHistory()  # batch_loss holds Keras's running mean
        self._batch_only = SeriesBuffer(1024)
        self._previous_mean = 0.0
        self._plan: TrainingPlan | None = None
        self._epoch = 0
        self._step = 0
        self._epochs_done = 0
        self._last_epoch_logs: dict[str, float] = {}
        self._version = 0
        self._first_batch_at: float | None = None
        self._paused_since: float | None = None
        self._paused_total = 0.0
        self._created = self._clock()
        self._epoch_started: float | None = None
        self._epoch_paused_at_start = 0.0
        self._epoch_seconds: list[float] = []
        self._samples_per_second: float | None = None
        self._samples_epoch = 0
        self._log: list[str] = []
        self._log_total = 0
        self._log_cache: tuple[int, tuple[str, ...]] = (0, ())

    # -- TrainingListener (training thread) ----------------------------------------------

    def on_plan(self, plan: TrainingPlan) -> None:
        """Remember the sizes of the run."""
        now = self._clock()
        with self._lock:
            self._plan = plan
            if self._epoch_started is None:  # epoch 1's time includes building the model
                self._epoch_started = now
                self._epoch_paused_at_start = self._paused_total
            self._version += 1

    def on_batch(self, epoch: int, step: int, logs: dict[str, float]) -> None:
        """Record the loss at x = fractional epochs (epoch and step are 1-based).

        Keras reports the mean loss of the epoch so far; the batch's own loss follows from
        two consecutive means, ``step * mean - (step - 1) * previous mean`` (exact for equal
        batches; the smaller last batch of an epoch is slightly off).
        """
        mean = float(logs.get("loss", float("nan")))
        with self._lock:
            if self._first_batch_at is None:
                self._first_batch_at = self._clock()
            if self._epoch_started is None:
                self._epoch_started = self._first_batch_at
                self._epoch_paused_at_start = self._paused_total
            steps = self._plan.steps_per_epoch if self._plan else 0
            x = (epoch - 1) + (step / steps if steps else 0.0)
            own = mean if step <= 1 else step * mean - (step - 1) * self._previous_mean
            self._previous_mean = mean
            self._history.add_batch(x, mean)
            self._batch_only.append(x, own)
            self._epoch, self._step = epoch, step
            self._version += 1

    def on_epoch(self, epoch: int, logs: dict[str, float], samples_per_second: float) -> None:
        """Record every metric of a finished epoch, its duration and its throughput."""
        now = self._clock()
        with self._lock:
            if self._epoch_started is not None:
                paused = self._paused_total - self._epoch_paused_at_start
                self._epoch_seconds.append(max(0.0, now - self._epoch_started - paused))
            self._epoch_started = now
            self._epoch_paused_at_start = self._paused_total
            if samples_per_second and samples_per_second > 0:
                self._samples_per_second = float(samples_per_second)
                self._samples_epoch = epoch
            self._history.add_epoch(epoch, logs)
            self._epochs_done = epoch
            self._last_epoch_logs = {k: float(v) for k, v in logs.items()}
            self._version += 1

    def on_log(self, message: str) -> None:
        """Keep a line for the log pane, stamped with the wall-clock time it arrived."""
        line = f"{time.strftime('%H:%M:%S')}  {message}"
        with self._lock:
            self._log.append(line)
            self._log_total += 1
            if len(self._log) > 2 * LOG_LINES_KEPT:
                del self._log[:-LOG_LINES_KEPT]
            self._version += 1

    def _log_lines(self) -> tuple[str, ...]:
        """The kept lines as a tuple, rebuilt only when a line was added (lock held)."""
        if self._log_cache[0] != self._log_total:
            self._log_cache = (self._log_total, tuple(self._log[-LOG_LINES_KEPT:]))
        return self._log_cache[1]

    # -- control side (GUI thread) -------------------------------------------------------

    def set_paused(self, paused: bool) -> None:
        """Note a pause or resume so the time-left estimate skips the pause."""
        now = self._clock()
        with self._lock:
            if paused and self._paused_since is None:
                self._paused_since = now
            elif not paused and self._paused_since is not None:
                self._paused_total += now - self._paused_since
                self._paused_since = None
            self._version += 1

    def snapshot(self) -> ProgressSnapshot:
        """A consistent view of everything recorded so far."""
        now = self._clock()
        with self._lock:
            paused_total = self._paused_total
            if self._paused_since is not None:
                paused_total += now - self._paused_since
            snap = ProgressSnapshot(
                version=self._version,
                plan=self._plan,
                epoch=self._epoch,
                step=self._step,
                epochs_done=self._epochs_done,
                batch_x=self._history.batch_loss.x,
                batch_y=self._batch_only.y,
                batch_mean_y=self._history.batch_loss.y,
                epochs={
                    name: (series.x, series.y)
                    for name, series in self._history.epoch_metrics.items()
                },
                last_epoch_logs=dict(self._last_epoch_logs),
                elapsed=now - self._created - paused_total,
                paused=self._paused_since is not None,
                samples_per_second=self._samples_per_second,
                samples_per_second_epoch=self._samples_epoch,
                epoch_seconds=tuple(self._epoch_seconds),
                log_lines=self._log_lines(),
                log_total=self._log_total,
            )
            first = self._first_batch_at
        if first is not None and snap.steps_done > 0 and snap.total_steps:
            # The clock starts when the first batch ends: count the batches after it.
            active = max(now - first - paused_total, 1e-6)
            rate = (snap.steps_done - 1) / active if snap.steps_done > 1 else 0.0
            if rate > 0:
                snap.seconds_left = (snap.total_steps - snap.steps_done) / rate
            if (
                rate > 0
                and snap.samples_per_second is None
                and snap.plan
                and snap.plan.steps_per_epoch
            ):
                per_step = snap.plan.train_samples / snap.plan.steps_per_epoch
                snap.samples_per_second = rate * per_step  # until the first epoch reports
        return snap
