"""``workbench sweep``: a search over settings on Ray Tune (grid, random or Bayesian), every
trial recorded as a run. The window runs this command as a child process (``--spec``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from workbench.cli_shared import EXIT_BAD_INPUT, EXIT_OK, positive_int
from workbench.core.errors import WorkbenchError
from workbench.core.samples import DEFAULT_SAMPLE, SAMPLES
from workbench.core.search import EARLY_STOPS, SEARCHES, TRAIN_SETTINGS, describe

#: The largest spec file the window writes (a project with its layers is a few KiB).
MAX_SPEC_BYTES = 4 * 2**20


def add_parser(sub: argparse._SubParsersAction, data_options: Callable) -> None:
    """Register the subcommand and its options."""
    from workbench.cli_train import add_training_options

    sweep = sub.add_parser(
        "sweep",
        help="search settings on Ray Tune: grid, random or Bayesian, trials in parallel",
        description="Train one trial per combination of settings on Ray Tune (a local Ray, "
        "or a cluster with --ray-address); each trial is recorded as a run. Training flags "
        "are fixed for every trial; --param names what varies.",
        epilog="SPEC is choice(a,b,...), uniform(lo,hi), loguniform(lo,hi) or int(lo,hi). "
        "NAME is a Train setting (" + ", ".join(TRAIN_SETTINGS) + "), 'dropout' (every "
        "dropout in the model), or LAYER.PARAM: a layer by its kind (LSTM.units) or by its "
        "number in the Model tab (3.units). Example: --param learning_rate=loguniform(1e-4,1e-2) "
        "--param LSTM.units=int(16,128) --param dropout=uniform(0,0.5)",
    )
    source = sweep.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", type=Path, help="a CSV/TSV/JSONL file, a folder, or an .npz")
    source.add_argument(
        "--sample",
        nargs="?",
        const=DEFAULT_SAMPLE.name,
        choices=sorted(SAMPLES),
        help=f"search on a bundled sample (default {DEFAULT_SAMPLE.name})",
    )
    source.add_argument("--spec", type=Path, help=argparse.SUPPRESS)  # the window's job file
    data_options(sweep)
    add_training_options(sweep)
    sweep.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=SPEC",
        help="a setting to vary (repeat for several)",
    )
    sweep.add_argument(
        "--search", choices=SEARCHES, default="random", help="how to pick trials (default random)"
    )
    sweep.add_argument(
        "--trials",
        type=positive_int,
        default=None,
        help="random and bayesian: how many trials (default 8); grid tries every combination",
    )
    sweep.add_argument(
        "--parallel", type=positive_int, default=1, help="trials at once (default 1)"
    )
    sweep.add_argument(
        "--early-stop",
        choices=EARLY_STOPS,
        default="none",
        help="stop hopeless trials: asha (successive halving) or median (below the median "
        "of the others at the same epoch); default none",
    )
    sweep.add_argument(
        "--metric",
        default="",
        help="what picks the best trial (default val_accuracy; val_loss for regression)",
    )
    sweep.add_argument(
        "--ray-address",
        default=os.environ.get("WORKBENCH_RAY_ADDRESS", ""),
        metavar="ADDR",
        help="a Ray cluster's HOST:PORT (or ray://HOST:10001); default: a local Ray started "
        "for this search and shut down after it",
    )
    sweep.add_argument(
        "--cpus-per-trial",
        type=float,
        default=0.0,
        help="CPUs each trial reserves (default: the cores shared among --parallel trials)",
    )
    sweep.add_argument(
        "--gpus-per-trial",
        type=float,
        default=0.0,
        help="GPUs each trial reserves (default: the cluster's GPUs shared, 0 without)",
    )
    sweep.add_argument(
        "--storage",
        default="",
        metavar="DIR",
        help="where Ray Tune keeps the trials' checkpoints until their models are copied "
        "into the runs (default: beside the run store); on a multi-node cluster, a folder "
        "every node can write at the same path",
    )
    sweep.add_argument("--name", default="trial", help="runs are named 'NAME 3/12: values'")
    sweep.add_argument("--json", action="store_true", help="one JSON object per line")


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run the search and print a line (or a JSON object) per finished trial, then the best."""
    from workbench.core.runs import default_store

    store = default_store().root
    job = _job_from_spec(args.spec) if args.spec else _job_from_flags(args, store)
    out = _protect_stdout()
    cancel = threading.Event()
    if args.spec:  # the window: a line "cancel" on stdin, or stdin closing, cancels
        threading.Thread(target=_watch_stdin, args=(cancel,), daemon=True).start()
    printer = _Printer(out, args.json or bool(args.spec), job.settings.planned_trials())
    from workbench.cluster.driver import run_search

    done = run_search(job, printer, cancel)
    if done["cancelled"] and not args.spec:
        print("workbench: interrupted: the search was cancelled", file=sys.stderr)
        return 130
    if done["best"] is None and not done["cancelled"]:
        print(
            "workbench: error: no trial finished; `workbench runs` shows why each ended.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    return EXIT_OK


def _job_from_flags(args: argparse.Namespace, store_root: Path) -> Any:
    from workbench.cli_train import build_project
    from workbench.core.search import SearchSettings, SweepJob, parse_param

    if not args.param:
        raise WorkbenchError(
            "sweep: give at least one --param NAME=SPEC, e.g. "
            "--param learning_rate=loguniform(1e-4,1e-2)."
        )
    params = [parse_param(text) for text in args.param]
    settings = SearchSettings(
        params=params,
        search=args.search,
        trials=args.trials or 8,
        parallel=args.parallel,
        early_stop=args.early_stop,
        metric=args.metric,
        ray_address=args.ray_address.strip(),
        cpus_per_trial=args.cpus_per_trial,
        gpus_per_trial=args.gpus_per_trial,
        seed=args.seed,
        storage=args.storage,
    )
    project, _, _ = build_project(args)
    if args.search == "grid" and args.trials and args.trials != settings.grid_size():
        print(
            f"Note: grid search tries all {settings.grid_size()} combinations; --trials is "
            "for random and bayesian search.",
            file=sys.stderr,
        )
    settings.check(project)
    return SweepJob(project, settings, store_root, name=args.name)


def _job_from_spec(path: Path) -> Any:
    """The window's job file: JSON, size-limited, every part checked as if typed."""
    from workbench.core.project import Project
    from workbench.core.runs import RUN_ID
    from workbench.core.safe_json import read_json
    from workbench.core.search import SearchSettings, SweepJob

    data = read_json(path, MAX_SPEC_BYTES)
    try:
        project = Project.from_dict(data["project"])
        settings = SearchSettings.from_dict(data["search"])
        sweep_id = str(data["sweep_id"])
        store = Path(str(data["store"]))
        name = str(data.get("name") or "trial")[:100]
    except (KeyError, TypeError, ValueError) as exc:
        raise WorkbenchError(f"{path}: not a sweep job ({exc}).") from None
    if not RUN_ID.fullmatch(sweep_id):
        raise WorkbenchError(f"{path}: {sweep_id!r} cannot name a sweep.")
    settings.check(project)
    return SweepJob(project, settings, store, name=name, sweep_id=sweep_id)


def _watch_stdin(cancel: threading.Event) -> None:
    for line in sys.stdin:
        if line.strip() == "cancel":
            break
    cancel.set()


def _protect_stdout() -> TextIO:
    """Our own copy of stdout for events; file descriptor 1 then points at stderr, so
    whatever Ray, Tune or Optuna print cannot mix into the JSON lines."""
    sys.stdout.flush()
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


class _Printer:
    """Turns the driver's events into lines (or JSON objects) on the protected stdout."""

    def __init__(self, out: TextIO, as_json: bool, total: int) -> None:
        self.out, self.as_json, self.total = out, as_json, total

    def __call__(self, event: dict[str, Any]) -> None:
        if self.as_json:
            self.out.write(json.dumps(event, default=str) + "\n")
        elif (text := self._text(event)) is not None:
            self.out.write(text + "\n")
        self.out.flush()

    def _text(self, event: dict[str, Any]) -> str | None:
        kind = event.get("event")
        if kind == "start":
            return (
                f"Sweep {event['sweep']}: {event['search']} search, {event['trials']} trials, "
                f"{event['parallel']} at a time on {event['cluster']} Ray "
                f"({event['cpus_per_trial']:g} CPU per trial), best by {event['metric']}; "
                f"data via {event['data_via']}."
            )
        if kind == "trial":
            metric = next((k for k in event if k.startswith("val_")), None)
            score = f", {metric} {event[metric]:.4g}" if metric else ""
            why = f" ({event['message']})" if event.get("message") else ""
            return (
                f"Trial {event['trial']}/{self.total} {event['status']}: "
                f"{describe(event['params'])}; {event['epochs']} epoch(s){score}{why}. "
                f"Run {event['run_id']}."
            )
        if kind == "done":
            best = event["best"]
            head = (
                f"Sweep {'cancelled' if event['cancelled'] else 'done'} in "
                f"{event['wall_seconds']:g} s: {event['finished']} finished, "
                f"{event['stopped']} stopped, {event['failed']} failed."
            )
            if not best:
                return head + " No trial finished with a model."
            return (
                f"{head} Best by {event['metric']}: {best[event['metric']]:.4g} with "
                f"{describe(best['params'])} (run {best['run_id']})."
            )
        return None
