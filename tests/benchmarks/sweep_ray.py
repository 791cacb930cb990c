"""Searches on local Ray against the sequential sweep, and Bayesian+ASHA against random.

Part ``parallel``: an 8-trial random search of the text sample (wordnet-topics, the
default template, fixed epochs) with ``--parallel 2`` on a local Ray, against the same 8
trials trained one after another in one process, as the window's sequential sweep does
(``api.train`` per trial, the settings read back from the Ray trials' runs, so both train
exactly the same 8 configurations). Reports the wall-clock ratio (Ray / sequential) and
peak memory: each trial's worker (getrusage), the whole Ray search (driver, Ray's servers
and workers, sampled every 0.25 s), and the sequential process.

Part ``search``: Bayesian search (Optuna TPE) with ASHA against random search without
early termination, the same budget of trials, on the same space: the best validation
accuracy each reached, and the epochs each spent.

    python tests/benchmarks/sweep_ray.py [--part parallel|search|all] [--repeats 3]
        [--epochs 6] [--trials 8] [--search-trials 12]

Prints one JSON object; medians over the repeats (each repeat uses its own seed).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

SAMPLE = "wordnet-topics"
SPACE = (
    "learning_rate=loguniform(1e-4, 3e-2)",
    "2.units=int(8, 128)",
    "dropout=uniform(0, 0.6)",
)

SEQUENTIAL = r"""
import gc, json, resource, sys, time
from workbench.backend import api
from workbench.core.datasets import load_spec
from workbench.core.listener import NullListener
from workbench.core.project import Project

projects = [Project.from_dict(json.load(open(p))["project"]) for p in sys.argv[1:]]
dataset = load_spec(projects[0].dataset)
started = time.perf_counter()
peaks = []
for project in projects:
    outcome, _ = api.train(project, dataset, NullListener())
    gc.collect()
    peaks.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps({"wall": time.perf_counter() - started, "peaks": peaks}))
"""


class _PeakSampler:
    """The largest total RSS of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                total = 0
                for proc in procs:
                    with contextlib.suppress(psutil.Error):
                        total += proc.memory_info().rss
                self.peak = max(self.peak, total / 2**20)
            except psutil.Error:
                pass
            time.sleep(0.25)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


def ray_search(home: Path, argv: list[str]) -> dict:
    """Run ``workbench sweep`` on the sample; its events, wall time and peak memory."""
    env = {**os.environ, "WORKBENCH_HOME": str(home)}
    command = [sys.executable, "-m", "workbench", "sweep", "--sample", SAMPLE, "--json", *argv]
    started = time.perf_counter()
    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    sampler = _PeakSampler(child.pid)
    out, err = child.communicate()
    wall = time.perf_counter() - started
    peak = sampler.stop()
    if child.returncode != 0:
        raise SystemExit(f"sweep failed ({child.returncode}): {err.strip()[-2000:]}")
    events = [json.loads(line) for line in out.splitlines() if line.strip()]
    trials = [e for e in events if e["event"] == "trial"]
    done = next(e for e in events if e["event"] == "done")
    return {"wall": wall, "peak_total_mib": peak, "trials": trials, "done": done}


def sequential(home: Path, run_ids: list[str]) -> dict:
    """The same trials, one after another in one process (the window's sequential sweep)."""
    files = [str(home / "runs" / run_id / "run.json") for run_id in run_ids]
    env = {**os.environ, "WORKBENCH_HOME": str(home / "sequential")}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", SEQUENTIAL, *files], capture_output=True, text=True, env=env
    )
    if result.returncode != 0:
        raise SystemExit(f"sequential failed: {result.stderr.strip()[-2000:]}")
    data = json.loads(result.stdout.strip().splitlines()[-1])
    data["wall_with_start"] = time.perf_counter() - started
    return data


def part_parallel(args: argparse.Namespace) -> dict:
    rounds = []
    for repeat in range(args.repeats):
        with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp:
            home = Path(tmp)
            argv = ["--epochs", str(args.epochs), "--search", "random", "--trials",
                    str(args.trials), "--parallel", "2", "--seed", str(repeat)]  # fmt: skip
            for spec in SPACE:
                argv += ["--param", spec]
            ray = ray_search(home, argv)
            ids = [t["run_id"] for t in sorted(ray["trials"], key=lambda t: t["trial"])]
            seq = sequential(home, ids)
        rounds.append(
            {
                "ray_wall_s": round(ray["wall"], 1),
                "sequential_wall_s": round(seq["wall_with_start"], 1),
                "ratio_ray_over_sequential": round(ray["wall"] / seq["wall_with_start"], 3),
                "ray_peak_total_mib": round(ray["peak_total_mib"]),
                "ray_trial_worker_peak_mib": [t.get("peak_rss_mib") for t in ray["trials"]],
                "sequential_peak_mib_after_each_trial": [round(p) for p in seq["peaks"]],
                "finished": ray["done"]["finished"],
            }
        )
        print(json.dumps({"round": repeat, **rounds[-1]}), file=sys.stderr, flush=True)
    worker_peaks = [p for r in rounds for p in r["ray_trial_worker_peak_mib"] if p]
    return {
        "trials": args.trials,
        "epochs": args.epochs,
        "cores": os.cpu_count(),
        "median_ratio_ray_over_sequential": statistics.median(
            r["ratio_ray_over_sequential"] for r in rounds
        ),
        "median_ray_wall_s": statistics.median(r["ray_wall_s"] for r in rounds),
        "median_sequential_wall_s": statistics.median(r["sequential_wall_s"] for r in rounds),
        "median_trial_worker_peak_mib": statistics.median(worker_peaks) if worker_peaks else None,
        "median_ray_peak_total_mib": statistics.median(r["ray_peak_total_mib"] for r in rounds),
        "median_sequential_peak_mib": statistics.median(
            r["sequential_peak_mib_after_each_trial"][-1] for r in rounds
        ),
        "rounds": rounds,
    }


def part_search(args: argparse.Namespace) -> dict:
    rounds = []
    for repeat in range(args.repeats):
        row = {}
        for label, extra in (
            ("random", ["--search", "random", "--early-stop", "none"]),
            ("bayesian_asha", ["--search", "bayesian", "--early-stop", "asha"]),
        ):
            with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp:
                argv = ["--epochs", str(args.epochs), "--trials", str(args.search_trials),
                        "--parallel", "2", "--seed", str(repeat), *extra]  # fmt: skip
                for spec in SPACE:
                    argv += ["--param", spec]
                ray = ray_search(Path(tmp), argv)
            done = ray["done"]
            best = done["best"]
            scores = [t.get("val_accuracy") for t in ray["trials"] if t["status"] == "finished"]
            row[label] = {
                "best_val_accuracy": round(best["val_accuracy"], 4) if best else None,
                "epochs_spent": done["epochs_spent"],
                "stopped_early": done["stopped"],
                "failed": done["failed"],
                "wall_s": round(ray["wall"], 1),
                "finished_scores": [round(s, 4) for s in scores if s is not None],
            }
        rounds.append(row)
        print(json.dumps({"round": repeat, **row}), file=sys.stderr, flush=True)

    def median(label: str, key: str) -> float:
        return statistics.median(r[label][key] for r in rounds if r[label][key] is not None)

    return {
        "trials": args.search_trials,
        "epochs_per_trial": args.epochs,
        "random": {k: median("random", k) for k in ("best_val_accuracy", "epochs_spent", "wall_s")},
        "bayesian_asha": {
            k: median("bayesian_asha", k) for k in ("best_val_accuracy", "epochs_spent", "wall_s")
        },
        "rounds": rounds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("parallel", "search", "all"), default="all")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--search-trials", type=int, default=12)
    args = parser.parse_args()
    report: dict = {"sample": SAMPLE, "space": list(SPACE), "repeats": args.repeats}
    if args.part in ("parallel", "all"):
        report["parallel"] = part_parallel(args)
    if args.part in ("search", "all"):
        report["search"] = part_search(args)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
