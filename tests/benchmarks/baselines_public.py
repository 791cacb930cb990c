"""How strong is the linear baseline on the shipped public samples? Prints one JSON object.

For each sample (WordNet glosses: text; Palmer penguins: table, species and body mass;
scikit-learn's digits: npz arrays and the PNG folder as 8x8 pixels), on stratified 80/20
splits for several seeds: the linear baseline's and the majority (or mean) baseline's
accuracy (or RMSE), and the seconds the linear baseline took. Needs no TensorFlow.

    python tests/benchmarks/baselines_public.py [--seeds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from workbench.core.evaluation.baselines import (
    Baseline,
    linear_baseline,
    majority_baseline,
    mean_baseline,
)

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


def _classes(labels: pd.Series) -> tuple[np.ndarray, list[str]]:
    names = sorted(str(v) for v in labels.unique())
    return labels.astype(str).map({n: i for i, n in enumerate(names)}).to_numpy(), names


def _images() -> tuple[np.ndarray, np.ndarray]:
    """The digit PNGs as 8x8 pixels (each 32x32 image averaged over 4x4 blocks)."""
    from PIL import Image

    pixels, labels = [], []
    for path in sorted((SAMPLES / "digits").glob("*/*.png")):
        image = np.asarray(Image.open(path).convert("L"), dtype=np.float32)
        pixels.append(image.reshape(8, 4, 8, 4).mean(axis=(1, 3)).reshape(-1) / 255.0)
        labels.append(int(path.parent.name))
    return np.stack(pixels), np.asarray(labels)


def _run(
    kind: str, task: str, x: object, y: np.ndarray, names: list[str], seeds: int
) -> dict[str, object]:
    take: Callable[[object, np.ndarray], object] = (
        (lambda data, idx: data.iloc[idx]) if isinstance(x, pd.DataFrame) else (lambda d, i: d[i])
    )
    linear, simple, seconds, name = [], [], [], ""
    for seed in range(seeds):
        stratify = y if task == "classification" else None
        tr, te = train_test_split(
            np.arange(len(y)), test_size=0.2, random_state=seed, stratify=stratify
        )
        start = time.perf_counter()
        base = linear_baseline(kind, task, take(x, tr), y[tr], take(x, te), y[te], names, te)
        seconds.append(time.perf_counter() - start)
        name = base.name
        other: Baseline = (
            majority_baseline(y[tr], y[te], names, te)
            if task == "classification"
            else mean_baseline(y[tr], y[te], te)
        )
        score = "accuracy" if task == "classification" else "rmse"
        linear.append(getattr(base.evaluation, score))
        simple.append(getattr(other.evaluation, score))
    return {
        "baseline": name,
        "metric": "accuracy" if task == "classification" else "rmse",
        "linear": round(statistics.median(linear), 4),
        "majority_or_mean": round(statistics.median(simple), 4),
        "seconds": round(statistics.median(seconds), 2),
        "rows": len(y),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    seeds = parser.parse_args().seeds
    out: dict[str, object] = {}

    words = pd.read_csv(SAMPLES / "wordnet_topics.csv")
    y, names = _classes(words["label"])
    out["wordnet_topics (text)"] = _run(
        "text", "classification", words["text"].to_numpy(dtype=object), y, names, seeds
    )

    penguins = pd.read_csv(SAMPLES / "penguins.csv")
    y, names = _classes(penguins["species"])
    features = penguins.drop(columns="species")
    out["penguins species (tabular)"] = _run("tabular", "classification", features, y, names, seeds)
    known = penguins[penguins["body_mass_g"].notna()].reset_index(drop=True)
    mass = known["body_mass_g"].to_numpy(dtype=np.float64)
    out["penguins body mass (tabular)"] = _run(
        "tabular", "regression", known.drop(columns="body_mass_g"), mass, [], seeds
    )

    digits = np.load(SAMPLES / "digits.npz")
    flat = digits["x"].reshape(len(digits["x"]), -1).astype(np.float32)
    names = [str(i) for i in range(10)]
    out["digits (npz)"] = _run("npz", "classification", flat, digits["y"], names, seeds)
    try:
        pixels, labels = _images()
    except ImportError:
        out["digits (images)"] = "skipped: Pillow is not installed"
    else:
        out["digits (images)"] = _run("images", "classification", pixels, labels, names, seeds)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
