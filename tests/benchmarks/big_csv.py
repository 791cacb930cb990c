"""Is reading a big CSV fast and lean enough? Prints one JSON object; exits 1 if a check fails.

Generates (once, into the temp dir) a ~100 MB CSV of 1,000,000 short texts with a label and two
numeric columns, then measures, median of --runs runs with the order alternating:

  - ``preview_rows``: time to return the first 200 rows (must be < 0.5 s);
  - ``read_table``: time and peak extra memory of the full load, with progress and cancel
    callbacks as the GUI passes them;
  - the reference, ``pandas.read_csv(path, engine="pyarrow")``: time and peak extra memory;
  - once: that both give the same frame, and the time of the statistics functions on it.

Checks: read_table's speed is at least 0.7x pandas' (pandas time / our time >= 0.7) and its
peak extra memory is at most 3x the file's size.

Memory: each measurement runs in a fresh child process, which imports pandas, pyarrow and
workbench.core.tables, notes ``ru_maxrss``, reads the file, and reports the growth of
``ru_maxrss`` (the peak resident set). That counts everything the read costs: the resulting
frame, pyarrow's buffers and readahead, Python objects and allocator slack, which tracemalloc
(Python allocations only) and pyarrow's pool statistics (Arrow allocations only) would each
miss part of. pyarrow's pool peak is reported alongside for reference.

    python tests/benchmarks/big_csv.py [--rows 1000000] [--runs 3] [--data FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEED = 0
WORDS = [
    "the",
    "a",
    "an",
    "movie",
    "film",
    "great",
    "bad",
    "plot",
    "actor",
    "actress",
    "was",
    "is",
    "not",
    "very",
    "good",
    "awful",
    "boring",
    "loved",
    "hated",
    "story",
    "scene",
    "music",
    "ending",
    "script",
    "director",
    "camera",
    "slow",
    "fast",
    "funny",
    "sad",
    "dark",
    "bright",
    "long",
    "short",
    "best",
    "worst",
    "again",
    "never",
    "always",
    "really",
    "quite",
    "too",
    "much",
    "little",
    "brilliant",
    "dull",
]


def generate(path: Path, rows: int) -> None:
    """Write the benchmark CSV: text (some quoted, with commas and quotes), label, two numbers."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    words = np.array(WORDS)
    tmp = path.with_suffix(".part")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        handle.write("text,label,score,count\n")
        chunk = 100_000
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            lengths = rng.integers(5, 27, n)
            picks = words[rng.integers(0, len(words), int(lengths.sum()))]
            bounds = np.concatenate([[0], np.cumsum(lengths)])
            labels = np.where(rng.integers(0, 2, n) == 1, "pos", "neg")
            scores = rng.random(n)
            counts = rng.integers(0, 1000, n)
            commas = rng.random(n) < 0.1
            lines = []
            for i in range(n):
                text = " ".join(picks[bounds[i] : bounds[i + 1]])
                if commas[i]:
                    text = f'"{text}, ""really"" {text[:10]}"'
                lines.append(f"{text},{labels[i]},{scores[i]:.4f},{counts[i]}\n")
            handle.write("".join(lines))
    tmp.replace(path)


def child(mode: str, path: str) -> None:
    """One measurement in this fresh process; prints a JSON line."""
    import resource

    import pandas as pd
    import pyarrow as pa

    from workbench.core import tables

    def peak_bytes() -> int:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux

    base = peak_bytes()
    calls: list[float] = []
    start = time.perf_counter()
    if mode == "preview":
        frame = tables.preview_rows(path, 200)
    elif mode == "ours":
        frame = tables.read_table(path, progress=calls.append, cancel=lambda: False)
    elif mode == "pandas":
        frame = pd.read_csv(path, engine="pyarrow")
    elif mode == "stats":
        frame = tables.read_table(path)
        timings = {}
        for name, work in (
            ("column_stats", lambda: tables.column_stats(frame)),
            ("duplicate_rows", lambda: tables.duplicate_rows(frame)),
            ("shared_rows_frames", lambda: tables.shared_rows(frame[:800_000], frame[800_000:])),
            (
                "shared_rows_texts",
                lambda: tables.shared_rows(frame["text"][:800_000], frame["text"][800_000:]),
            ),
            ("numeric_problems", lambda: tables.numeric_problems(frame, "label")),
        ):
            start = time.perf_counter()
            work()
            timings[name] = round(time.perf_counter() - start, 3)
        print(json.dumps(timings))
        return
    elif mode == "compare":
        ours = tables.read_table(path)
        theirs = pd.read_csv(path, engine="pyarrow")
        same = ours.equals(theirs) and list(ours.dtypes) == list(theirs.dtypes)
        print(json.dumps({"same": bool(same), "dtypes": [str(d) for d in ours.dtypes]}))
        return
    else:
        raise SystemExit(f"unknown mode {mode}")
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_extra_bytes": peak_bytes() - base,
                "arrow_pool_peak_bytes": pa.default_memory_pool().max_memory(),
                "rows": len(frame),
                "progress_calls": len(calls),
                "last_progress": calls[-1] if calls else None,
            }
        )
    )


def measure(mode: str, path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def summary(results: list[dict], file_size: int) -> dict:
    seconds = [r["seconds"] for r in results]
    peaks = [r["peak_extra_bytes"] for r in results]
    return {
        "seconds_median": round(statistics.median(seconds), 4),
        "seconds_all": [round(s, 4) for s in seconds],
        "peak_extra_mb_median": round(statistics.median(peaks) / 2**20, 1),
        "peak_extra_over_file_size": round(statistics.median(peaks) / file_size, 2),
        "arrow_pool_peak_mb_median": round(
            statistics.median(r["arrow_pool_peak_bytes"] for r in results) / 2**20, 1
        ),
        "rows": results[0]["rows"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, help="use this CSV instead of generating one")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0

    path = args.data
    generated_seconds = None
    if path is None:
        folder = Path(tempfile.gettempdir()) / "workbench-benchmarks"
        folder.mkdir(exist_ok=True)
        path = folder / f"big_{args.rows}_seed{SEED}.csv"
        if not path.exists():
            start = time.perf_counter()
            generate(path, args.rows)
            generated_seconds = round(time.perf_counter() - start, 1)
    size = path.stat().st_size

    modes = ["ours", "pandas", "preview"]
    results: dict[str, list[dict]] = {mode: [] for mode in modes}
    for run in range(args.runs):
        order = modes if run % 2 == 0 else list(reversed(modes))
        for mode in order:
            results[mode].append(measure(mode, path))
    compare = measure("compare", path)
    stats = measure("stats", path)

    ours = summary(results["ours"], size)
    theirs = summary(results["pandas"], size)
    preview = summary(results["preview"], size)
    speed_ratio = theirs["seconds_median"] / ours["seconds_median"]
    memory_ratio = ours["peak_extra_over_file_size"]
    checks = {
        "speed_ratio_at_least_0.7": speed_ratio >= 0.7,
        "memory_at_most_3x_file": memory_ratio <= 3.0,
        "preview_under_0.5s": preview["seconds_median"] < 0.5,
        "same_frame_as_pandas": compare["same"],
        "progress_ends_at_1": all(r["last_progress"] == 1.0 for r in results["ours"]),
    }
    report = {
        "file": str(path),
        "file_mb": round(size / 2**20, 1),
        "generated_in_s": generated_seconds,
        "rows": ours["rows"],
        "runs": args.runs,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "pandas": __import__("pandas").__version__,
            "pyarrow": __import__("pyarrow").__version__,
        },
        "memory_method": "ru_maxrss growth in a fresh child process per measurement",
        "preview_rows": preview,
        "read_table": ours,
        "pandas_read_csv_pyarrow": theirs,
        "speed_ratio_ours_over_pandas": round(speed_ratio, 2),
        "memory_ratio_ours_over_file": memory_ratio,
        "memory_ratio_pandas_over_file": theirs["peak_extra_over_file_size"],
        "dtypes": compare["dtypes"],
        "stats_seconds_on_1m_rows": stats,
        "checks": checks,
        "ok": all(checks.values()),
    }
    print(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
