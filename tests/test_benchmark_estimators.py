"""The estimators the benchmarks report: they must find a cost that is there, and none
that is not, on a machine whose speed drifts."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).parent / "benchmarks"


def _gui_throughput():
    spec = importlib.util.spec_from_file_location(
        "gui_throughput", BENCHMARKS / "gui_throughput.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _training(extra_s: float, seed: int = 0) -> tuple[list, list]:
    """Three epochs of 300 batches whose speed drifts 2x between slow and fast stretches,
    as this machine's does, at moments unrelated to the GUI's work; every 20th batch of
    epochs 2 and 3 overlaps GUI work and takes ``extra_s`` longer."""
    rng = np.random.default_rng(seed)
    t, stamps, spans = 0.0, [], []
    for epoch in (1, 2, 3):
        for batch in range(300):
            speed = 1.0 if (batch // 47) % 2 else 2.0  # drift between stretches
            duration = 0.004 * speed * rng.uniform(0.95, 1.05)
            if epoch > 1 and batch % 20 == 10:
                spans.append((t + 0.001, t + 0.002))
                duration += extra_s
            t += duration
            stamps.append((epoch, t))
        t += 0.2  # validation between epochs
    return stamps, spans


@pytest.mark.parametrize("extra_ms", [0.0, 1.0, 3.0])
def test_attributed_cost_finds_the_cost_that_was_put_in(extra_ms):
    bench = _gui_throughput()
    stamps, spans = _training(extra_ms / 1000)
    result = bench.attributed_cost(stamps, spans)
    put_in = len(spans) * extra_ms
    # within 5% of the cost, and 0.1% of the training time (the ratio's third decimal)
    assert abs(result["extra_ms"] - put_in) <= 0.05 * put_in + 0.001 * result["total_ms"]
    assert result["touched_share"] == pytest.approx(len(spans) / 598, abs=0.01)


def test_steady_cpu_share_covers_epoch_two_onwards():
    bench = _gui_throughput()
    stamps = [(1, 0.5), (1, 1.0), (2, 2.0), (2, 4.0)]
    clock = [(0.5, 0.0), (1.0, 0.5), (2.0, 0.6), (3.0, 0.65), (4.0, 0.7)]  # busy in epoch 1
    assert bench.steady_cpu_share(clock, stamps) == pytest.approx(0.05)
