"""The search driver: starts (or joins) Ray, runs the trials on Ray Tune, records each trial
as an ordinary run, and says what happened as plain dict events.

Runs in the CLI's process (``workbench sweep``); the window starts that command as a child
process, so Ray, which replaces signal handlers, never runs inside the GUI process. The
local Ray binds to 127.0.0.1, has no dashboard and no usage statistics, keeps its temporary
files under the workbench's folder and is shut down when the search ends.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.cluster.trial import FINAL, LOGGED, plain, run_trial
from workbench.core.errors import WorkbenchError
from workbench.core.project import Project
from workbench.core.runs import MODEL_FILE, RunRecord, RunStore, workspace_root
from workbench.core.search import SearchSettings, SweepJob, apply, describe, epochs_of

#: Data files up to this size travel to the trials through Ray's object store; larger
#: files and folders must be readable at the same path on every node.
OBJECT_STORE_LIMIT = 64 * 2**20
#: How long joining a cluster may take before the search gives up (seconds).
CONNECT_TIMEOUT = 30.0
#: Ray's sockets live under its temporary folder; Unix socket paths are limited to 107
#: bytes and Ray adds about 70, so a longer folder falls back to the system's temp folder.
MAX_TEMP_DIR = 36

Emit = Callable[[dict[str, Any]], None]


def ray_temp_dir() -> Path:
    """The local Ray's temporary folder: under the workbench's folder when its path is
    short enough for Ray's sockets, else a per-user folder in the system's temp folder."""
    preferred = workspace_root() / "ray"
    if len(str(preferred)) <= MAX_TEMP_DIR:
        return preferred
    return Path(tempfile.gettempdir()) / f"workbench-ray-{os.getuid() if os.name != 'nt' else 0}"


def check_address(address: str, timeout: float = 5.0) -> None:
    """Fail fast, in words, when nothing answers at a cluster's address."""
    text = address.strip()
    bare = text.split("://", 1)[-1]
    host, _, port = bare.rpartition(":")
    if not host or not port.isdigit():
        raise WorkbenchError(
            f"Ray address {address!r}: write HOST:PORT (the head's GCS port, 6379 by "
            "default) or ray://HOST:10001."
        )
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        if isinstance(exc, TimeoutError | socket.timeout):
            reason = f"no answer within {timeout:g} s"
        raise WorkbenchError(
            f"Cannot reach a Ray cluster at {address}: {reason}. Start one with "
            "`ray start --head` on the head node, or check the address and firewall."
        ) from None


def start_ray(address: str, timeout: float | None = None) -> Any:
    """Join the cluster at ``address``, or start a local Ray (loopback only, no dashboard,
    no usage statistics). Returns the ``ray`` module; WorkbenchError on failure.

    ``timeout`` (default $WORKBENCH_RAY_TIMEOUT, else CONNECT_TIMEOUT seconds) bounds it.
    """
    if timeout is None:
        try:
            timeout = float(os.environ.get("WORKBENCH_RAY_TIMEOUT") or CONNECT_TIMEOUT)
        except ValueError:
            timeout = CONNECT_TIMEOUT
        timeout = max(1.0, timeout)
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
    if address:
        check_address(address)
    else:
        # Read by Ray when it is imported: the node's address is then 127.0.0.1, and every
        # server of the local Ray binds to the loopback interface only.
        os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
        # Token authentication with a token of this search's own, passed to Ray's
        # processes in their environment: nothing is written to ~/.ray.
        if not (os.environ.get("RAY_AUTH_TOKEN") or os.environ.get("RAY_AUTH_TOKEN_PATH")):
            os.environ["RAY_AUTH_MODE"] = "token"
            os.environ["RAY_AUTH_TOKEN"] = secrets.token_hex(32)
    try:
        import ray
    except ImportError:
        where = (
            "is not part of the packaged app"
            if getattr(sys, "frozen", False)
            else ("is not installed")
        )
        raise WorkbenchError(
            f"Searches run on Ray, which {where}: pip install 'training-workbench[cluster]' "
            "(in a Python 3.11-3.13 environment) and run `workbench sweep` from there."
        ) from None
    kwargs: dict[str, Any] = {
        "include_dashboard": False,
        "log_to_driver": False,
        "configure_logging": True,
        "logging_level": "ERROR",
    }
    if address:
        kwargs["address"] = address
    else:
        temp = ray_temp_dir()
        temp.mkdir(parents=True, exist_ok=True)
        kwargs.update(num_cpus=os.cpu_count() or 1, _temp_dir=str(temp))
    where = f"the Ray cluster at {address}" if address else "a local Ray"
    # ray.init must run on the main thread (from another, its core worker loses the GCS),
    # and while it waits for a cluster it is inside Ray's C++ code, where neither signals
    # nor exceptions reach it: a watchdog ends the command if joining takes too long.
    watchdog = None
    if address:
        message = (
            f"workbench: error: Could not join {where} within {timeout:g} s: something "
            "answers there, but not a Ray head node (check the port: the GCS port, 6379 by "
            "default).\n"
        )
        watchdog = threading.Timer(timeout, _give_up, args=(message,))
        watchdog.daemon = True
        watchdog.start()
    try:
        ray.init(**kwargs)
    except Exception as exc:
        first = str(exc).strip().splitlines()
        raise WorkbenchError(f"Could not start {where}: {first[0] if first else exc!r}") from None
    finally:
        if watchdog is not None:
            watchdog.cancel()
    return ray


def _give_up(message: str) -> None:
    """Joining a cluster hung: say so and end the process with the bad-input code."""
    os.write(2, message.encode())
    os._exit(2)


def run_search(job: SweepJob, emit: Emit, cancel: threading.Event | None = None) -> dict:
    """Run the whole search; returns the 'done' event (also emitted).

    ``cancel`` set from another thread stops every trial. Ray is shut down at the end
    (when this call started it).
    """
    project, settings = job.project, job.settings
    settings.check(project)
    cancel = cancel or threading.Event()
    started = time.time()
    ray = start_ray(settings.ray_address)
    try:
        return _search(ray, job, emit, cancel, started)
    finally:
        ray.shutdown()


def _search(ray: Any, job: SweepJob, emit: Emit, cancel: threading.Event, started: float):
    from ray import tune

    project, settings = job.project, job.settings
    total_cpus = float(ray.cluster_resources().get("CPU", 1.0))
    total_gpus = float(ray.cluster_resources().get("GPU", 0.0))
    cpus = settings.cpus_per_trial or max(1.0, float(int(total_cpus // settings.parallel)))
    gpus = settings.gpus_per_trial or (total_gpus / settings.parallel if total_gpus else 0.0)
    setup = {
        "project": project.to_dict(),
        "names": [p.name for p in settings.params],
        "cpus": cpus,
        "data": _small_file(project.dataset.path),
    }
    metric, mode = settings.metric_for(project), settings.mode_for(project)
    store = RunStore(job.store_root)
    storage = Path(settings.storage or job.store_root.parent / "sweeps")
    recorder = _tune_callback(job, store, emit, cancel, metric)
    emit(
        {
            "event": "start",
            "sweep": job.sweep_id,
            "trials": settings.planned_trials(),
            "parallel": settings.parallel,
            "search": settings.search,
            "early_stop": settings.early_stop,
            "metric": metric,
            "mode": mode,
            "cpus_per_trial": cpus,
            "gpus_per_trial": gpus,
            "cluster": settings.ray_address or "local",
            "data_via": "object store" if setup["data"] is not None else "path",
        }
    )
    trainable = tune.with_resources(
        tune.with_parameters(run_trial, setup=setup), {"cpu": cpus, "gpu": gpus}
    )
    tuner = tune.Tuner(
        trainable,
        param_space=_space(settings),
        tune_config=tune.TuneConfig(
            metric=metric,
            mode=mode,
            num_samples=1 if settings.search == "grid" else settings.trials,
            max_concurrent_trials=settings.parallel,
            search_alg=_searcher(settings),
            scheduler=_scheduler(project, settings),
            trial_dirname_creator=lambda trial: trial.trial_id,
            # A worker trains one trial after another: TensorFlow is imported once per
            # worker, not once per trial (about 5 s each on 2 cores). Not with early
            # termination: Tune 2.60 then fails to reuse the worker of a stopped trial
            # ("reset_config() ... return True"), losing the next trial or stalling.
            reuse_actors=settings.early_stop == "none",
        ),
        run_config=tune.RunConfig(
            name=job.sweep_id,
            storage_path=str(storage),
            callbacks=[recorder],
            stop=_stopper(cancel),
            verbose=0,
            failure_config=tune.FailureConfig(max_failures=0),
            checkpoint_config=tune.CheckpointConfig(num_to_keep=1),
        ),
    )
    # Ctrl+C (or SIGTERM) cancels the way the window's Cancel does: every trial stops,
    # is recorded as cancelled, and Ray is shut down (Tune's own handler is turned off).
    os.environ["TUNE_DISABLE_SIGINT_HANDLER"] = "1"
    previous = _on_interrupt(cancel)
    try:
        tuner.fit()
    except KeyboardInterrupt:
        cancel.set()
    finally:
        _restore_signals(previous)
        recorder.close_open_runs()
        # The trials' models were copied into their runs; Tune's copies would double the
        # disk a search takes.
        shutil.rmtree(storage / job.sweep_id, ignore_errors=True)
    return recorder.done(time.time() - started, mode)


def _on_interrupt(cancel: threading.Event) -> dict[int, Any]:
    """SIGINT and SIGTERM set ``cancel`` (main thread only); returns the old handlers."""
    previous: dict[int, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        return previous
    for number in (signal.SIGINT, signal.SIGTERM):
        previous[number] = signal.signal(number, lambda *_: cancel.set())
    return previous


def _restore_signals(previous: dict[int, Any]) -> None:
    for number, handler in previous.items():
        signal.signal(number, handler)


def _small_file(path: str) -> bytes | None:
    """The data's bytes when it is one file small enough for the object store."""
    file = Path(path)
    try:
        if file.is_file() and file.stat().st_size <= OBJECT_STORE_LIMIT:
            return file.read_bytes()
    except OSError:
        pass
    return None


def _space(settings: SearchSettings) -> dict[str, Any]:
    from ray import tune

    space: dict[str, Any] = {}
    for p in settings.params:
        if p.kind == "choice":
            values = list(p.values)
            space[p.name] = (
                tune.grid_search(values) if settings.search == "grid" else tune.choice(values)
            )
        elif p.kind == "uniform":
            space[p.name] = tune.uniform(p.low, p.high)
        elif p.kind == "loguniform":
            space[p.name] = tune.loguniform(p.low, p.high)
        else:
            space[p.name] = tune.randint(int(p.low or 0), int(p.high or 0) + 1)
    return space


def _searcher(settings: SearchSettings) -> Any:
    if settings.search != "bayesian":
        from ray.tune.search.basic_variant import BasicVariantGenerator

        return BasicVariantGenerator(random_state=settings.seed, max_concurrent=settings.parallel)
    import optuna
    from ray.tune.search import ConcurrencyLimiter
    from ray.tune.search.optuna import OptunaSearch

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # TPE samples at random until it has seen this many trials; Optuna's default of 10
    # would leave a 12-trial search almost all random.
    startup = min(10, max(3, settings.trials // 4))
    sampler = optuna.samplers.TPESampler(n_startup_trials=startup, seed=settings.seed)
    return ConcurrencyLimiter(OptunaSearch(sampler=sampler), max_concurrent=settings.parallel)


def _scheduler(project: Project, settings: SearchSettings) -> Any:
    from ray.tune.schedulers import ASHAScheduler, FIFOScheduler, MedianStoppingRule

    horizon = epochs_of(project, settings) or 1
    if settings.early_stop == "asha":
        # ASHA stops every trial that reaches max_t; one past the last epoch lets a trial
        # that survives every rung end on its own and send its final report and model.
        return ASHAScheduler(
            time_attr="epoch",
            max_t=horizon + 1,
            grace_period=max(1, horizon // 8),
            reduction_factor=3,
        )
    if settings.early_stop == "median":
        return MedianStoppingRule(
            time_attr="epoch", grace_period=max(1, horizon // 8), min_samples_required=2
        )
    return FIFOScheduler()


def _stopper(cancel: threading.Event) -> Any:
    """A :class:`_CancelStopper` that is also a Tune Stopper (made after Ray starts)."""
    from ray.tune import Stopper

    return type("WorkbenchStopper", (_CancelStopper, Stopper), {})(cancel)


class _CancelStopper:
    """Tune polls this between events: a set ``cancel`` stops every trial."""

    def __init__(self, cancel: threading.Event) -> None:
        self.cancel = cancel

    def __call__(self, trial_id: str, result: dict[str, Any]) -> bool:
        return self.cancel.is_set()

    def __getstate__(self) -> dict[str, Any]:
        return {}  # Tune pickles its settings to save the experiment; a lock cannot go

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.cancel = threading.Event()

    def stop_all(self) -> bool:
        return self.cancel.is_set()


def _tune_callback(*args: Any) -> Any:
    """A :class:`_Recorder` that is also a Tune Callback (made here, not at import: Ray
    must not be imported before :func:`start_ray` has set its environment)."""
    from ray.tune import Callback

    return type("WorkbenchRecorder", (_Recorder, Callback), {})(*args)


class _Recorder:
    """Writes each trial into the run store as it goes (in the driver's process); Tune
    calls its ``on_trial_*`` methods."""

    def __init__(
        self, job: SweepJob, store: RunStore, emit: Emit, cancel: threading.Event, metric: str
    ) -> None:
        self.job, self.store, self.emit, self.cancel, self.metric = job, store, emit, cancel, metric
        self.runs: dict[str, RunRecord] = {}  # by trial id
        self.order: dict[str, int] = {}  # trial id -> number, in order of start
        self.started: dict[str, float] = {}
        self.ended: set[str] = set()
        self.last: dict[str, dict[str, Any]] = {}
        self.logged: dict[str, list[str]] = {}  # the metric names a trial's epochs log

    def __getstate__(self) -> dict[str, Any]:
        return {}  # Tune pickles its callbacks to save the experiment; nothing here goes

    # Tune's callback interface -------------------------------------------------------
    def on_trial_start(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
        if trial.trial_id in self.runs:
            return
        values = {name: plain(trial.config[name]) for name in self._names}
        number = len(self.order) + 1
        self.order[trial.trial_id] = number
        self.started[trial.trial_id] = time.time()
        total = self.job.settings.planned_trials()
        project = apply(self.job.project, values)
        record = self.store.create(
            project.to_dict(),
            name=f"{self.job.name} {number}/{total}: {describe(values)}",
            run_id=f"{self.job.sweep_id}-{trial.trial_id}",
        )
        record.sweep, record.trial_params = self.job.sweep_id, values
        record.save()
        self.runs[trial.trial_id] = record

    def on_trial_result(
        self, iteration: int, trials: list, trial: Any, result: dict, **info: Any
    ) -> None:
        record = self.runs.get(trial.trial_id)
        if record is None:
            return
        self.last[trial.trial_id] = result
        record.node = str(result.get("node") or record.node)
        if result.get("pid") and result.get("hostname") == socket.gethostname():
            record.pid = int(result["pid"])  # the worker's, when it runs on this machine
        if not result.get(FINAL):
            keys = [k for k in str(result.get(LOGGED, "")).split(",") if k]
            self.logged[trial.trial_id] = keys
            entry = {k: float(result[k]) for k in keys if k in result}
            entry["epoch"] = int(result.get("epoch", len(record.history) + 1))
            entry["samples_per_second"] = float(result.get("samples_per_second", 0.0))
            record.history.append(entry)
            record.epochs_completed = entry["epoch"]
        record.save()

    def on_trial_complete(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
        record = self.runs.get(trial.trial_id)
        if record is None or trial.trial_id in self.ended:
            return
        last = self.last.get(trial.trial_id, {})
        if last.get(FINAL):
            record.status = "finished"
            logged = set(self.logged.get(trial.trial_id, ()))
            record.metrics = {
                k: float(v)
                for k, v in last.items()
                if (k in logged or k.startswith("test_")) and isinstance(v, int | float)
            }
            record.best_epoch = int(last.get("best_epoch") or 0) or None
            record.epochs_completed = int(last.get("epoch") or record.epochs_completed)
            record.samples_per_second = float(last.get("samples_per_second") or 0.0) or None
            record.message = (
                f"Stopped early at epoch {record.epochs_completed}: no improvement."
                if last.get("stopped_early")
                else ""
            )
            self._keep_model(trial, record)
        elif self.cancel.is_set():
            record.status, record.message = "stopped", "Cancelled with the search."
        else:
            rule = {"asha": "ASHA", "median": "the median rule"}.get(
                self.job.settings.early_stop, "the scheduler"
            )
            record.status = "stopped"
            record.message = (
                f"Stopped early by {rule} after epoch {record.epochs_completed}: its "
                f"{self.metric} was behind the other trials'."
            )
        self._end(trial, record)

    def on_trial_error(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
        if trial.trial_id not in self.runs:  # it failed before it started: still a run
            self.on_trial_start(iteration, trials, trial)
        record = self.runs.get(trial.trial_id)
        if record is None or trial.trial_id in self.ended:
            return
        record.status = "failed"
        record.message = _failure(trial)
        self._end(trial, record)

    # --------------------------------------------------------------------------------
    @property
    def _names(self) -> list[str]:
        return [p.name for p in self.job.settings.params]

    def _keep_model(self, trial: Any, record: RunRecord) -> None:
        checkpoint = getattr(trial, "checkpoint", None)
        path = getattr(checkpoint, "path", None)
        if not path:
            return
        source = Path(path) / MODEL_FILE
        if source.is_file():
            shutil.copyfile(source, record.model_path)

    def _end(self, trial: Any, record: RunRecord) -> None:
        self.ended.add(trial.trial_id)
        record.pid = None
        record.save()
        self.emit(self._event(trial.trial_id, record))

    def _event(self, trial_id: str, record: RunRecord) -> dict[str, Any]:
        return {
            "event": "trial",
            "trial": self.order.get(trial_id, 0),
            "params": dict(record.trial_params),
            "status": record.status,
            "run_id": record.id,
            "started": self.started.get(trial_id, record.created),
            "ended": time.time(),
            "node": record.node,
            "epochs": record.epochs_completed,
            "peak_rss_mib": self.last.get(trial_id, {}).get("peak_rss_mib"),
            **({"message": record.message} if record.message else {}),
            **record.metrics,
        }

    def close_open_runs(self) -> None:
        """Runs Tune never ended (cancelled before their first report, or a stop that Tune
        did not call back about) are marked stopped."""
        for trial_id, record in self.runs.items():
            if trial_id in self.ended:
                continue
            record.status = "stopped"
            record.message = (
                "Cancelled with the search." if self.cancel.is_set() else ("Ended with the search.")
            )
            self.ended.add(trial_id)
            record.pid = None
            record.save()
            self.emit(self._event(trial_id, record))

    def done(self, wall_seconds: float, mode: str) -> dict[str, Any]:
        """The last event: the best trial (among those that finished with a model)."""
        records = list(self.runs.values())
        scored = [
            r for r in records
            if r.status == "finished" and self.metric in r.metrics and r.model_path.is_file()
        ]  # fmt: skip
        best = None
        if scored:
            pick = max if mode == "max" else min
            winner = pick(scored, key=lambda r: r.metrics[self.metric])
            best = {
                "run_id": winner.id,
                "name": winner.name,
                "params": dict(winner.trial_params),
                self.metric: winner.metrics[self.metric],
            }
        statuses = [r.status for r in records]
        event = {
            "event": "done",
            "sweep": self.job.sweep_id,
            "best": best,
            "metric": self.metric,
            "trials": len(records),
            "finished": statuses.count("finished"),
            "stopped": statuses.count("stopped"),
            "failed": statuses.count("failed"),
            "cancelled": self.cancel.is_set(),
            "epochs_spent": sum(r.epochs_completed for r in records),
            "executor": "ray",
            "wall_seconds": round(wall_seconds, 1),
        }
        self.emit(event)
        return event


def _failure(trial: Any) -> str:
    """One line on why a trial failed: the workbench's own message when it raised one, else
    what happened to its process."""
    text = ""
    path = getattr(trial, "error_file", None)
    try:
        if path:
            text = Path(path).read_text(errors="replace")
    except OSError:
        pass
    for line in reversed(text.splitlines()):
        if "WorkbenchError:" in line or "FileRejected:" in line:
            return line.split("Error:", 1)[1].strip()
    if "ActorDiedError" in text or "died unexpectedly" in text or "SYSTEM_ERROR" in text:
        return (
            "The trial's worker process died (killed, or out of memory); the search went on "
            "without it."
        )
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return f"The trial failed: {lines[-1][:300]}" if lines else "The trial failed."
