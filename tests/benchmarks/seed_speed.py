"""Is training with the workbench's defaults faster than the seed script, and as good? JSON out.

Three variants on the bundled WordNet sample (~7,000 short texts), each in its own process,
alternated (the order rotates every repeat) so machine noise hits all of them alike:

  - ``seed``: the seed script as written — TextVectorization(max_tokens=10000,
    output_sequence_length=100) applied up front to padded arrays, Embedding(10000, 64) ->
    LSTM(64) -> Dense(1, sigmoid), adam, binary cross-entropy, batch 32, no masking, plain
    ``compile`` + ``fit`` on the arrays;
  - ``workbench``: the "Seed LSTM (masked)" template (``--template seed-lstm``) through
    the real ``api.train``
    (whatever the workbench decides: sequence length from the data, masking, the
    vectorizer in the tf.data pipeline, XLA where it pays off);
  - ``done_right``: the seed model with masking (mask_zero=True), otherwise as the seed.

All three train on the same stratified split (the workbench's). Throughput is samples per
second of the training part of each epoch after the first (the first compiles), as the
workbench's ``samples_per_second`` reports it; accuracy is the best epoch's validation
accuracy. This machine's speed drifts by up to 2x over seconds (a plain numpy matmul loop
shows it too), so single epochs are noisy: each variant's throughput is the median over all
its measured epochs, and the headline ratio is the median of each repeat's own ratio (its
runs ran back to back, so slower drifts cancel out). Means are printed too.

    python tests/benchmarks/seed_speed.py [--repeats 5] [--epochs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

VARIANTS = ("seed", "workbench", "done_right")


def _data():
    from workbench.core.datasets import load_dataset
    from workbench.core.samples import DEFAULT_SAMPLE

    return load_dataset(DEFAULT_SAMPLE.path, "text")


def run_keras_script(epochs: int, mask: bool, seed: int) -> dict:
    """The seed script as written (``mask=False``) or done right (``mask=True``)."""
    import numpy as np

    from workbench.backend.adapters import adapter_for
    from workbench.backend.runtime import ensure_loaded

    ensure_loaded()
    import keras

    data = _data()
    adapter = adapter_for(data)
    split = adapter.split(0.2, seed)  # the workbench's split, so accuracies compare
    texts, labels = adapter.train_texts(np.arange(adapter.size)), adapter.targets()
    keras.utils.set_random_seed(seed)

    vectorizer = keras.layers.TextVectorization(max_tokens=10000, output_sequence_length=100)
    vectorizer.adapt(texts[split.train].astype(str))
    x_train = vectorizer(texts[split.train].astype(str)).numpy()
    x_val = vectorizer(texts[split.val].astype(str)).numpy()
    y_train = labels[split.train].astype("float32")
    y_val = labels[split.val].astype("float32")
    model = keras.Sequential(
        [
            keras.layers.Embedding(10000, 64, mask_zero=mask),
            keras.layers.LSTM(64),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])

    class TrainTime(keras.callbacks.Callback):
        """Times the training part of each epoch (validation excluded); no batch hooks."""

        def __init__(self) -> None:
            super().__init__()
            self.rates: list[float] = []

        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_test_begin(self, logs=None):
            self.rates.append(len(x_train) / (time.perf_counter() - self.started))

    timer = TrainTime()
    history = model.fit(
        x_train,
        y_train,
        batch_size=32,
        epochs=epochs,
        validation_data=(x_val, y_val),
        verbose=0,
        callbacks=[timer],
    )
    return {
        "epoch_rates": timer.rates[1:] or timer.rates,
        "val_accuracy": float(max(history.history["val_accuracy"])),
        "sequence_length": 100,
    }


def run_workbench(epochs: int, seed: int) -> dict:
    """The workbench's defaults, through the same call the window and the CLI make."""
    from workbench.backend import api
    from workbench.core.listener import NullListener
    from workbench.core.project import Project
    from workbench.core.templates import TEMPLATES

    data = _data()
    project = Project(layers=TEMPLATES["seed-lstm"].build(data))  # --template seed-lstm
    project.training.epochs = epochs
    project.training.seed = seed
    project.training.test_fraction = 0.0  # the seed model's 80/20 split (auto holds 10% out)
    logs: list[str] = []
    rates: list[float] = []

    class Listener(NullListener):
        def on_log(self, message: str) -> None:
            logs.append(message)

        def on_epoch(self, epoch: int, epoch_logs: dict, samples_per_second: float) -> None:
            rates.append(samples_per_second)

    outcome, _ = api.train(project, data, Listener())
    return {
        "epoch_rates": rates[1:] or rates,
        "val_accuracy": float(outcome.best_metrics["val_accuracy"]),
        "sequence_length": int(project.layers[0].params["output_sequence_length"]),
        "decisions": [m for m in logs if "XLA" in m or "pipeline" in m or "once" in m],
    }


def one(variant: str, epochs: int, seed: int) -> dict:
    if variant == "workbench":
        return run_workbench(epochs, seed)
    return run_keras_script(epochs, mask=variant == "done_right", seed=seed)


def trial(variant: str, epochs: int, seed: int) -> dict:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    out = subprocess.run(
        [sys.executable, __file__, "--one", variant, "--epochs", str(epochs), "--seed", str(seed)],
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
        check=True,
    ).stdout
    return json.loads(next(line for line in out.splitlines() if line.startswith("{")))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--one", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.epochs, args.seed)), flush=True)
        return
    runs: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    for repeat in range(args.repeats):
        order = VARIANTS[repeat % 3 :] + VARIANTS[: repeat % 3]
        for variant in order:
            runs[variant].append(trial(variant, args.epochs, args.seed))
    med = statistics.median
    for variant in VARIANTS:
        for r in runs[variant]:
            r["samples_per_second"] = med(r["epoch_rates"])
    rate = {v: med(x for r in runs[v] for x in r["epoch_rates"]) for v in VARIANTS}
    mean = {v: statistics.fmean(x for r in runs[v] for x in r["epoch_rates"]) for v in VARIANTS}
    acc = {v: med(r["val_accuracy"] for r in runs[v]) for v in VARIANTS}
    # each repeat's runs are neighbours in time: their ratio cancels slow drifts in load
    paired = med(
        w["samples_per_second"] / s["samples_per_second"]
        for w, s in zip(runs["workbench"], runs["seed"], strict=True)
    )
    speedup = rate["workbench"] / rate["seed"]
    gap = acc["done_right"] - acc["workbench"]
    print(
        json.dumps(
            {
                "data": "wordnet-topics sample",
                "epochs": args.epochs,
                "repeats": args.repeats,
                "samples_per_second_median_of_epochs": {v: round(x) for v, x in rate.items()},
                "samples_per_second_mean_of_epochs": {v: round(x) for v, x in mean.items()},
                "val_accuracy_median": {v: round(x, 4) for v, x in acc.items()},
                "runs_samples_per_second_at_val_accuracy": {
                    v: [f"{r['samples_per_second']:.0f} @ {r['val_accuracy']:.4f}" for r in runs[v]]
                    for v in VARIANTS
                },
                "workbench_sequence_length": runs["workbench"][0]["sequence_length"],
                "workbench_decisions": runs["workbench"][0]["decisions"],
                "speedup_over_seed": round(paired, 2),
                "speedup_over_seed_of_medians": round(speedup, 2),
                "speedup_over_seed_of_means": round(mean["workbench"] / mean["seed"], 2),
                "val_accuracy_gain_over_seed": round(acc["workbench"] - acc["seed"], 4),
                "val_accuracy_below_done_right": round(gap, 4),
                "targets_met": {
                    "speedup_at_least_3x": paired >= 3.0,
                    "better_than_seed": acc["workbench"] > acc["seed"],
                    "within_a_point_of_done_right": gap <= 0.01,
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
