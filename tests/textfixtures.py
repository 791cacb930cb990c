"""Tiny, learnable text datasets made on the fly (seconds to train on 2 cores)."""

from __future__ import annotations

import random
from pathlib import Path

WORDS = {
    "pos": ["great", "lovely", "superb", "enjoyed", "wonderful", "happy", "bright"],
    "neg": ["awful", "boring", "terrible", "hated", "dull", "sad", "broken"],
    "neutral": ["table", "window", "paper", "street", "number", "green", "river"],
}
FILLER = ["the", "a", "movie", "was", "it", "really", "and", "plot", "very", "day"]


def make_texts(n: int, classes: tuple[str, ...] = ("pos", "neg"), seed: int = 0):
    """Sentences of filler words plus one or two words that carry the class."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = classes[i % len(classes)]
        words = rng.sample(FILLER, 5) + rng.sample(WORDS[label], 2)
        rng.shuffle(words)
        rows.append((" ".join(words), label))
    return rows


def write_csv(path: Path, n: int = 240, classes: tuple[str, ...] = ("pos", "neg")) -> Path:
    """A CSV with columns review,sentiment."""
    lines = ["review,sentiment"] + [f"{t},{label}" for t, label in make_texts(n, classes)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
