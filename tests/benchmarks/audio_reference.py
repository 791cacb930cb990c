"""The default audio model against a plain MelSpectrogram CNN written by hand in Keras.

For each folder of clips (one subfolder per class), on the split the workbench itself uses:

- ``workbench``: the default template and settings, trained as the window and
  ``workbench train`` train it (epochs auto); accuracy of the weights it keeps;
- ``hand_cnn``: the model a Keras user writes from the MelSpectrogram docs and the
  simple-audio tutorial (MelSpectrogram -> Normalization -> Conv2D 32 -> pool ->
  Conv2D 64 -> pool -> Flatten -> Dense 128 -> Dropout -> softmax, adam, 30 epochs of
  batch 32), on the same decoded clips (workbench.core.audio.read_clip) and split;
  its last epoch (what the person gets) and its best epoch (an upper bound);
- ``majority`` and ``linear``: the majority class and logistic regression on each mel
  band's mean and spread (the Evaluate tab's baselines), on the same rows.

Prints one JSON object per folder and a summary. Public folders used for the README
(none is committed; see resources/README.md and the note at the end of this file):

    python tests/benchmarks/audio_reference.py /work/data/audio/fsdd_mixed \
        /work/data/audio/wake_words /work/data/audio/esc10 [--repeats 1]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

EPOCHS = 30


def _hand_cnn(samples: int, rate: int, classes: int, train_x: np.ndarray):
    import keras

    mel = keras.layers.MelSpectrogram(
        num_mel_bins=64,
        sampling_rate=rate,
        sequence_length=round(0.025 * rate),
        sequence_stride=round(0.010 * rate),
        fft_length=1 << (round(0.025 * rate) - 1).bit_length(),
    )
    front = keras.Sequential([keras.Input((samples,)), mel, keras.layers.Reshape((64, -1, 1))])
    norm = keras.layers.Normalization(axis=None)
    norm.adapt(front.predict(train_x, batch_size=64, verbose=0))
    inputs = keras.Input((samples,))
    x = norm(keras.layers.Reshape((64, -1, 1))(mel(inputs)))
    x = keras.layers.Conv2D(32, 3, activation="relu")(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(64, 3, activation="relu")(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Dense(128, activation="relu")(keras.layers.Flatten()(x))
    x = keras.layers.Dropout(0.5)(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def run(folder: str, seed: int) -> dict:
    import keras

    from workbench.backend import api
    from workbench.backend.adapters import adapter_for
    from workbench.backend.evaluation import evaluate, fit_baselines
    from workbench.core.audio import read_clip
    from workbench.core.datasets import load_dataset
    from workbench.core.listener import NullListener
    from workbench.core.project import DatasetSpec, Project, TrainingConfig
    from workbench.core.splits import resolve_test_fraction
    from workbench.core.templates import default_layers

    data = load_dataset(folder, "audio")
    config = TrainingConfig(seed=seed)
    split = adapter_for(data).split(
        config.validation_fraction, seed, resolve_test_fraction(None, len(data.files))
    )
    started = time.perf_counter()
    project = Project(DatasetSpec(folder, kind="audio"), default_layers(data), config)
    outcome, predictor = api.train(project, data, NullListener())
    ours = evaluate(predictor, data, split.val)
    ours_test = evaluate(predictor, data, split.test) if len(split.test) else None
    ours_seconds = time.perf_counter() - started

    started = time.perf_counter()
    waves = np.stack([read_clip(f, data.sample_rate, data.clip_samples) for f in data.files])
    y = data.labels
    keras.utils.set_random_seed(seed)
    hand = _hand_cnn(data.clip_samples, data.sample_rate, len(data.class_names), waves[split.train])
    history = hand.fit(
        waves[split.train],
        y[split.train],
        validation_data=(waves[split.val], y[split.val]),
        epochs=EPOCHS,
        batch_size=32,
        verbose=0,
    ).history
    hand_test = (
        float(hand.evaluate(waves[split.test], y[split.test], verbose=0)[1])
        if len(split.test)
        else None
    )
    hand_seconds = time.perf_counter() - started
    baselines = {b.name: b for b in fit_baselines(predictor, data, split.train, split.val)}
    scores = {name: round(float(b.evaluation.accuracy), 4) for name, b in baselines.items()}
    return {
        "folder": folder,
        "seed": seed,
        "clips": len(data.files),
        "classes": len(data.class_names),
        "rows": {"train": len(split.train), "val": len(split.val), "test": len(split.test)},
        "workbench": {
            "val_accuracy": round(ours.accuracy, 4),
            "test_accuracy": round(ours_test.accuracy, 4) if ours_test else None,
            "epochs": outcome.epochs_completed,
            "seconds": round(ours_seconds),
        },
        "hand_cnn": {
            "val_accuracy_last": round(history["val_accuracy"][-1], 4),
            "val_accuracy_best": round(max(history["val_accuracy"]), 4),
            "test_accuracy": round(hand_test, 4) if hand_test is not None else None,
            "epochs": EPOCHS,
            "seconds": round(hand_seconds),
        },
        "baselines": scores,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--repeats", type=int, default=1, help="seeds per folder")
    args = parser.parse_args()
    results = []
    for folder in args.folders:
        for seed in range(42, 42 + args.repeats):
            result = run(folder, seed)
            print(json.dumps(result), flush=True)
            results.append(result)
    wins = sum(
        r["workbench"]["val_accuracy"] >= r["hand_cnn"]["val_accuracy_last"] for r in results
    )
    print(json.dumps({"summary": f"default >= hand-written CNN on {wins} of {len(results)}"}))


if __name__ == "__main__":
    main()
