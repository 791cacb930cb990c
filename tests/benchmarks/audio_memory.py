"""Memory of training on 20,000 one-second clips, against the same model on 200 clips.

Clips are streamed from disk (decoded, resampled and batched by tf.data), so the peak
memory of a fit should not grow with the number of clips. Each fit runs in its own child
process (peak RSS from getrusage), on the same synthetic folder: 20,000 one-second 8 kHz
WAVs in 10 classes (tones and noise, written once into a temporary folder, 320 MB), read
at the default 16 kHz with the default template for one epoch.

    python tests/benchmarks/audio_memory.py [--clips 20000] [--folder DIR]

Prints JSON: the peak of each fit, the peak over the model-only baseline (the 200-clip
fit), and what the clips would take in memory as float32 for comparison.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

RATE = 8000
CLASSES = 10
SMALL = 200

CHILD = r"""
import json, resource, sys, time
from workbench.backend import api
from workbench.core.audio import load_audio_folder
from workbench.core.listener import NullListener
from workbench.core.project import DatasetSpec, Project
from workbench.core.templates import default_layers

folder, limit = sys.argv[1], int(sys.argv[2])
data = load_audio_folder(folder)
if limit < len(data.files):
    from dataclasses import replace
    import numpy as np
    keep = np.random.default_rng(0).choice(len(data.files), limit, replace=False)
    keep.sort()
    data = replace(data, files=[data.files[i] for i in keep], labels=data.labels[keep],
                   durations=data.durations[keep], rates=data.rates[keep],
                   channels=data.channels[keep])
project = Project(DatasetSpec(folder, kind="audio"), default_layers(data))
project.training.epochs = 1
started = time.perf_counter()
outcome, _ = api.train(project, data, NullListener())
print(json.dumps({
    "clips": len(data.files),
    "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "seconds": round(time.perf_counter() - started, 1),
    "val_accuracy": round(outcome.best_metrics.get("val_accuracy", 0.0), 4),
}))
"""


def write_folder(root: Path, clips: int) -> None:
    """Tones of a class's pitch plus noise, one second each, 16-bit mono WAV."""
    import soundfile

    rng = np.random.default_rng(0)
    t = np.arange(RATE) / RATE
    for i in range(clips):
        label = i % CLASSES
        folder = root / f"class_{label}"
        folder.mkdir(parents=True, exist_ok=True)
        pitch = 200.0 * (label + 1) * (1 + 0.02 * rng.standard_normal())
        wave = 0.3 * np.sin(2 * np.pi * pitch * t) + 0.05 * rng.standard_normal(RATE)
        soundfile.write(folder / f"{i:05d}.wav", wave.astype(np.float32), RATE, subtype="PCM_16")


def fit(folder: Path, limit: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), str(limit)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=20_000)
    parser.add_argument("--folder", type=Path, help="reuse (or keep) the synthetic folder here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.folder or Path(scratch) / "clips"
        if not folder.exists():
            write_folder(folder, args.clips)
        small = fit(folder, SMALL)
        large = fit(folder, args.clips)
    print(
        json.dumps(
            {
                "small": small,
                "large": large,
                "peak_over_model_only_mib": round(large["peak_mib"] - small["peak_mib"], 1),
                "peak_ratio": round(large["peak_mib"] / small["peak_mib"], 3),
                "clips_as_float32_mib": round(args.clips * 16000 * 4 / 2**20, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
