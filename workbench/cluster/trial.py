"""One trial of a search, run by Ray Tune in a worker process (here or on another node).

It trains the project with the trial's values through the same backend the window uses,
reports every finished epoch to Tune (schedulers such as ASHA read those), and at the end
reports the kept metrics with the saved model as Tune's checkpoint. The driver
(:mod:`workbench.cluster.driver`) writes the run store from those reports.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

#: The key a trial's last report carries, so the driver can tell a finished trial from one
#: a scheduler stopped.
FINAL = "wb_final"
#: The keys of an epoch report that are the epoch's logs (a comma-separated string).
LOGGED = "wb_logged"


def plain(value: Any) -> Any:
    """A JSON-ready Python value for what Tune sampled (numpy scalars become int/float)."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    return value


def node_name() -> str:
    """'host (10.0.0.3)': where this trial runs."""
    import ray

    return f"{socket.gethostname()} ({ray.util.get_node_ip_address()})"


def peak_rss_mib() -> float:
    """The most memory this worker process has held so far (0 where it cannot be read)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (2**20 if sys.platform == "darwin" else 1024), 1)


class _Reporter:
    """A training listener that reports each finished epoch to Ray Tune."""

    def __init__(self) -> None:
        from ray import tune

        self.report = tune.report

    def on_plan(self, plan: Any) -> None:
        pass

    def on_batch(self, epoch: int, step: int, logs: dict[str, float]) -> None:
        pass

    def on_epoch(self, epoch: int, logs: dict[str, float], samples_per_second: float) -> None:
        numbers = {k: float(v) for k, v in logs.items()}
        self.report(
            {
                **numbers,
                "epoch": epoch,
                "samples_per_second": float(samples_per_second),
                LOGGED: ",".join(numbers),
                "node": node_name(),
            }
        )

    def on_log(self, message: str) -> None:
        pass


def run_trial(config: dict[str, Any], setup: dict[str, Any]) -> None:
    """Train one trial; ``config`` holds Tune's values, ``setup`` what every trial shares
    (the project, the parameter names, the CPUs it may use, the data's bytes or path)."""
    threads = str(max(1, int(setup.get("cpus", 1))))
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", threads)
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1" if threads == "1" else "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    from ray import tune

    from workbench.backend import api
    from workbench.core.datasets import load_spec
    from workbench.core.errors import WorkbenchError
    from workbench.core.project import Project
    from workbench.core.search import apply

    values = {name: plain(config[name]) for name in setup["names"]}
    project = apply(Project.from_dict(setup["project"]), values)
    with tempfile.TemporaryDirectory(prefix="workbench-trial-") as tmp:
        spec = project.dataset
        blob = setup.get("data")
        if blob is not None:  # small files travel through Ray's object store
            local = Path(tmp) / Path(spec.path).name
            local.write_bytes(blob)
            spec = replace(spec, path=str(local))
        elif not os.access(spec.path, os.R_OK):
            raise WorkbenchError(
                f"The data {spec.path} cannot be read on {node_name()}: put it at the same "
                "path on every node (a shared folder), or use a file small enough to travel "
                "through Ray's object store."
            )
        dataset = load_spec(spec)
        out = Path(tmp) / "model"
        outcome, _ = api.train(project, dataset, _Reporter(), output_dir=out)
        if outcome.error:
            raise WorkbenchError(outcome.error)
        final = {
            **{k: float(v) for k, v in outcome.best_metrics.items()},
            **{k: float(v) for k, v in outcome.test_metrics.items()},
            "epoch": outcome.epochs_completed,
            "best_epoch": outcome.best_epoch or 0,
            "stopped_early": int(outcome.stopped_early),
            "samples_per_second": float(outcome.samples_per_second or 0.0),
            "node": node_name(),
            "peak_rss_mib": peak_rss_mib(),
            FINAL: 1,
        }
        checkpoint = tune.Checkpoint.from_directory(str(out)) if outcome.model_path else None
        tune.report(final, checkpoint=checkpoint)
