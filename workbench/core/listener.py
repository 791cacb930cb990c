"""How training reports progress and takes orders, in plain Python.

The backend's trainer calls a :class:`TrainingListener`; the GUI adapts it to Qt signals and
the CLI prints. A :class:`TrainingControl` carries stop and pause requests the other way.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from workbench.core.epochs import describe_auto_result

#: Settings :meth:`TrainingControl.update` accepts while training runs or is paused.
UPDATABLE = ("learning_rate", "epochs", "early_stopping_patience")


@dataclass
class TrainingPlan:
    """Sizes known once the data is split, sent before the first batch."""

    epochs: int
    steps_per_epoch: int
    train_samples: int
    validation_samples: int
    class_names: list[str]
    auto_epochs: bool = False  # epochs is auto's cap: the fit may stop earlier


@dataclass
class TrainingOutcome:
    """How a fit ended and what it produced."""

    stopped: bool
    epochs_completed: int
    best_epoch: int | None
    best_metrics: dict[str, float]
    samples_per_second: float | None
    model_path: str | None = None
    error: str | None = None
    class_names: list[str] = field(default_factory=list)
    test_metrics: dict[str, float] = field(default_factory=dict)  # when a test part was held out
    test_samples: int = 0  # rows in the test part that test_metrics were scored on
    run_id: str | None = None  # the run it was recorded as, when a run store was given
    auto_epochs: bool = False  # the settings said epochs "auto"
    stopped_early: bool = False  # early stopping (auto's or the person's) ended the fit

    def epochs_text(self) -> str:
        """What the epochs came to, e.g. 'auto: stopped at epoch 9 (best 6)' or '5 epochs'."""
        if self.auto_epochs:
            return describe_auto_result(self.epochs_completed, self.best_epoch, self.stopped_early)
        return f"{self.epochs_completed} epochs"


class TrainingListener(Protocol):
    """Receives progress from the training thread; implementations must only record it."""

    def on_plan(self, plan: TrainingPlan) -> None: ...

    def on_batch(self, epoch: int, step: int, logs: dict[str, float]) -> None: ...

    def on_epoch(self, epoch: int, logs: dict[str, float], samples_per_second: float) -> None: ...

    def on_log(self, message: str) -> None:
        """A line for the log pane: what the trainer decided or noticed, in words."""


class NullListener:
    """A listener that ignores everything (for scripts that only want the result)."""

    def on_plan(self, plan: TrainingPlan) -> None:
        """Ignore."""

    def on_batch(self, epoch: int, step: int, logs: dict[str, float]) -> None:
        """Ignore."""

    def on_epoch(self, epoch: int, logs: dict[str, float], samples_per_second: float) -> None:
        """Ignore."""

    def on_log(self, message: str) -> None:
        """Ignore."""


class TrainingControl:
    """Stop and pause requests, and setting changes, safe to send from any thread."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._lock = threading.Lock()
        self._updates: dict[str, Any] = {}

    def update(self, **settings: Any) -> None:
        """Queue new values for :data:`UPDATABLE` settings; the trainer applies them at the
        next batch boundary (typically on resume after a pause) and says so in the log.

        Example: ``control.update(learning_rate=1e-4, epochs=20)``. Values are checked here,
        so a bad one raises ValueError in the caller's thread, naming the setting.
        """
        unknown = sorted(set(settings) - set(UPDATABLE))
        if unknown:
            raise ValueError(
                f"Cannot change {', '.join(unknown)} during training; only {', '.join(UPDATABLE)}."
            )
        checked = {name: _checked(name, value) for name, value in settings.items()}
        with self._lock:
            self._updates.update(checked)

    def take_updates(self) -> dict[str, Any]:
        """The settings queued since the last call (called by the trainer), then forgets them."""
        if not self._updates:  # cheap check between batches; the lock guards the swap
            return {}
        with self._lock:
            taken, self._updates = self._updates, {}
        return taken

    def request_stop(self) -> None:
        """Ask training to end after the current batch; also releases a pause."""
        self._stop.set()
        self._running.set()

    def pause(self) -> None:
        """Block training at the next batch boundary until :meth:`resume`."""
        self._running.clear()

    def resume(self) -> None:
        """Let a paused training continue."""
        self._running.set()

    @property
    def stop_requested(self) -> bool:
        """True once a stop was asked for."""
        return self._stop.is_set()

    @property
    def paused(self) -> bool:
        """True while a pause is in force."""
        return not self._running.is_set()

    def wait_if_paused(self, poll: float = 0.1) -> None:
        """Called by the trainer between batches: blocks while paused, returns on stop."""
        while not self._running.wait(poll):
            if self._stop.is_set():
                return


def _checked(name: str, value: Any) -> Any:
    """A queued setting's value, or ValueError saying what is allowed."""
    if name == "learning_rate":
        rate = float(value)
        if not (0 < rate <= 10):
            raise ValueError("Learning rate must be above 0 and at most 10.")
        return rate
    number = int(value)
    if name == "epochs" and not (1 <= number <= 100_000):
        raise ValueError("Epochs must be between 1 and 100000.")
    if name == "early_stopping_patience" and number < 0:
        raise ValueError("Early-stopping patience must be 0 (off) or more epochs.")
    return number
