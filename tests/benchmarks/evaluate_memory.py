"""Does evaluating a text model stream, with memory bounded, and are confusion cells quick?

Prints one JSON object; exits 1 if a check fails.

1. Streaming. A tiny text model (TextVectorization -> Embedding -> LSTM -> Dense, trained for
   one epoch on 400 rows) is saved once. Each measurement runs in a fresh child process that
   loads the model and the data, notes ``ru_maxrss`` (peak resident set), evaluates N rows
   with ``api.evaluate`` and reports the growth of ``ru_maxrss``. The reference is the same
   evaluation of N/10 rows, in the same run: with streaming, ten times the rows cost about
   the same extra memory (the batches are the same size; only the outputs, N x classes
   floats, grow). Check: growth(N) <= 2 x growth(N/10) + the outputs' own bytes + 64 MiB.
   The naive way, ``model.predict`` on one tensor of all N texts, is reported beside it.
2. Cells. On an evaluation of N rows (random probabilities, 5 classes), listing the rows of
   every confusion-matrix cell (``cell_rows``, sorted by confidence) and of the most
   confident mistakes: median of --runs timings. Check: the slowest cell <= 100 ms.

    python tests/benchmarks/evaluate_memory.py [--rows 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = [
    "the",
    "a",
    "movie",
    "film",
    "great",
    "bad",
    "plot",
    "actor",
    "was",
    "really",
    "dull",
    "lovely",
    "long",
    "short",
]


def make_csv(path: Path, rows: int) -> Path:
    import numpy as np

    rng = np.random.default_rng(0)
    words = np.array(WORDS)
    with path.open("w", encoding="utf-8") as handle:
        handle.write("review,sentiment\n")
        for i in range(rows):
            text = " ".join(words[rng.integers(0, len(words), 24)])
            handle.write(f"{text},{'pos' if i % 2 else 'neg'}\n")
    return path


def train_model(folder: Path) -> Path:
    from workbench.backend import api
    from workbench.core.datasets import load_dataset
    from workbench.core.listener import NullListener
    from workbench.core.project import Project
    from workbench.core.templates import default_layers

    data = make_csv(folder / "train.csv", 400)
    dataset = load_dataset(data, "text", text_column="review", label_column="sentiment")
    project = Project()
    project.layers = default_layers(dataset)
    project.training.epochs = 1
    _, predictor = api.train(project, dataset, NullListener())
    return predictor.save(folder / "model.keras")


CHILD = r"""
import json, resource, sys, time
import numpy as np
from workbench.backend import api
from workbench.core.datasets import load_dataset
model, data, how = sys.argv[1], sys.argv[2], sys.argv[3]
predictor = api.Predictor.load(model)
dataset = load_dataset(data, "text", text_column="review", label_column="sentiment")
texts = dataset.texts()
predictor.predict(texts[:2])  # warm: graphs traced before the baseline is noted
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
start = time.perf_counter()
if how == "stream":
    result = api.evaluate(predictor, dataset)
    rows = result.size
else:
    import tensorflow as tf
    out = predictor.model.predict(tf.constant(texts), batch_size=1024, verbose=0)
    rows = len(out)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"rows": rows, "growth": peak - base, "seconds": seconds}))
"""


def measure(model: Path, data: Path, how: str) -> dict:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(model), str(data), how],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def cell_timings(rows: int, runs: int) -> dict:
    import numpy as np

    from workbench.core.evaluation.metrics import evaluate_classification

    rng = np.random.default_rng(1)
    proba = rng.dirichlet(np.ones(5), size=rows)
    truth = rng.integers(0, 5, rows)
    evaluation = evaluate_classification(truth, proba, [f"c{i}" for i in range(5)])
    slowest, mistakes = [], []
    for _ in range(runs):
        times = []
        for t in range(5):
            for p in range(5):
                start = time.perf_counter()
                evaluation.cell_rows(t, p)
                times.append(time.perf_counter() - start)
        slowest.append(max(times))
        start = time.perf_counter()
        evaluation.confident_mistakes()
        mistakes.append(time.perf_counter() - start)
    return {
        "slowest_cell_ms": statistics.median(slowest) * 1000,
        "confident_mistakes_ms": statistics.median(mistakes) * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        model = train_model(folder)
        big = make_csv(folder / "big.csv", args.rows)
        small = make_csv(folder / "small.csv", args.rows // 10)
        streamed = [measure(model, big, "stream") for _ in range(2)]
        reference = [measure(model, small, "stream") for _ in range(2)]
        naive = measure(model, big, "naive")
    growth = statistics.median(m["growth"] for m in streamed)
    small_growth = statistics.median(m["growth"] for m in reference)
    outputs = args.rows * 2 * 8 * 4  # proba, plus y/rows/predicted/confidence arrays
    limit = 2 * small_growth + outputs + 64 * 2**20
    cells = cell_timings(args.rows, args.runs)
    result = {
        "rows": args.rows,
        "stream_growth_mib": growth / 2**20,
        "reference_growth_mib_at_tenth": small_growth / 2**20,
        "limit_mib": limit / 2**20,
        "naive_predict_growth_mib": naive["growth"] / 2**20,
        "stream_seconds": statistics.median(m["seconds"] for m in streamed),
        **cells,
        "memory_ok": growth <= limit,
        "cells_ok": cells["slowest_cell_ms"] <= 100,
    }
    print(json.dumps(result, indent=2))
    return 0 if result["memory_ok"] and result["cells_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
