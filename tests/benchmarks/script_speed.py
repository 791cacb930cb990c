"""The exported Keras script against the workbench, on the seed text model. Prints JSON.

``workbench train`` then ``workbench export`` write ``train.py`` for the bundled text
sample with the default stack and settings. Each repeat then runs that script and
``workbench train`` on the same data and settings, in fresh processes, in rotated order.
The script's epochs are timed by a callback added to its ``fit`` call (nothing else in it
changes); the workbench reports its own samples per second. Throughput is the median over
the epochs after the first (the first compiles); the ratio is the median of each repeat's.

    python tests/benchmarks/script_speed.py [--repeats 3] [--epochs 6]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

TIMER = """
import time as _time
import keras as _keras


class _EpochTimer(_keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self._started = _time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._last = _time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        print("EPOCH_SECONDS", self._last - self._started, flush=True)
"""


def _script(folder: Path, epochs: int, env: dict) -> Path:
    """Export the script; add the epoch timer to its fit call."""
    subprocess.run(
        [sys.executable, "-m", "workbench", "train", "--sample", "--epochs", str(epochs),
         "--output", str(folder / "project")],
        check=True, capture_output=True, text=True, env=env, cwd=folder,
    )  # fmt: skip
    path = folder / "train.py"
    subprocess.run(
        [sys.executable, "-m", "workbench", "export", str(folder / "project"), "--python",
         str(path)],
        check=True, capture_output=True, text=True, env=env, cwd=folder,
    )  # fmt: skip
    text = path.read_text(encoding="utf-8")
    assert "callbacks=[" in text
    text = text.replace("callbacks=[", "callbacks=[_EpochTimer(), ", 1)
    text = text.replace("\nimport math\n", "\nimport math\n" + TIMER, 1)
    text += '\nprint("TRAIN_ROWS", len(train_rows))\n'
    path.write_text(text, encoding="utf-8")
    return path


def _run_script(path: Path, env: dict) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, str(path)], check=True, capture_output=True, text=True, env=env,
        cwd=path.parent,
    ).stdout  # fmt: skip
    seconds = [float(x.split()[1]) for x in out.splitlines() if x.startswith("EPOCH_SECONDS")]
    rows = int(next(x.split()[1] for x in out.splitlines() if x.startswith("TRAIN_ROWS")))
    best = next(x for x in out.splitlines() if x.startswith("best epoch"))
    val = float(best.split("'val_accuracy': ")[1].split(",")[0].rstrip("}"))
    return statistics.median(rows / s for s in seconds[1:]), val


def _run_workbench(epochs: int, env: dict, folder: Path) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-m", "workbench", "train", "--sample", "--epochs", str(epochs),
         "--json", "--output", str(folder / "wb")],
        check=True, capture_output=True, text=True, env=env, cwd=folder,
    ).stdout  # fmt: skip
    events = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
    rates = [e["samples_per_second"] for e in events if "epoch" in e and e.get("epoch", 0) > 1]
    vals = [e["val_accuracy"] for e in events if "val_accuracy" in e and "epoch" in e]
    return statistics.median(rates), max(vals)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=6)
    args = parser.parse_args()
    results: dict[str, list[float]] = {"script": [], "workbench": []}
    val: dict[str, list[float]] = {"script": [], "workbench": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {**os.environ, "WORKBENCH_HOME": str(folder / "home")}
        path = _script(folder, args.epochs, env)
        for repeat in range(args.repeats):
            order = ["script", "workbench"] if repeat % 2 == 0 else ["workbench", "script"]
            for kind in order:
                if kind == "script":
                    rate, accuracy = _run_script(path, env)
                else:
                    rate, accuracy = _run_workbench(args.epochs, env, folder)
                results[kind].append(rate)
                val[kind].append(accuracy)
    ratios = [s / w for s, w in zip(results["script"], results["workbench"], strict=True)]
    print(
        json.dumps(
            {
                "epochs": args.epochs,
                "script_samples_per_second": [round(x) for x in results["script"]],
                "workbench_samples_per_second": [round(x) for x in results["workbench"]],
                "script_over_workbench": round(statistics.median(ratios), 3),
                "pair_ratios": [round(x, 3) for x in ratios],
                "best_val_accuracy": {k: round(statistics.median(v), 4) for k, v in val.items()},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
