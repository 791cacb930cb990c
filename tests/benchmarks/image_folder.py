"""Does an image folder train without being held in memory? Prints one JSON object.

Builds a folder of N small PNGs (default 50,000, copies of the bundled digits spread over
10 class folders), then, each in a fresh process:
  - ``baseline``: TensorFlow imported and the model built and compiled, no data read;
  - ``train``: the same plus one epoch of training over the whole folder.
Reports the peak resident memory (ru_maxrss) of both, the extra memory training took, and
what the decoded images would need if held in memory (N x H x W x 3 float32) for scale.

    python tests/benchmarks/image_folder.py [--images 50000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from workbench.backend import api
from workbench.backend.adapters import adapter_for
from workbench.backend.model_builder import build_model
from workbench.core.datasets import load_dataset
from workbench.core.listener import NullListener
from workbench.core.project import DatasetSpec, Project
from workbench.core.templates import default_layers
mode, folder = sys.argv[1], sys.argv[2]
started = time.perf_counter()
data = load_dataset(folder, "images")
project = Project(DatasetSpec(kind="images"), default_layers(data))
project.training.epochs = 1
project.training.batch_size = 64
if mode == "baseline":
    adapter = adapter_for(data)
    split = adapter.split(0.2, 0)
    model = build_model(project.layers, adapter, split.train)
    model.compile("adam", "sparse_categorical_crossentropy")
    out = {}
else:
    outcome, _ = api.train(project, data, NullListener())
    out = {"val_accuracy": outcome.best_metrics["val_accuracy"],
           "samples_per_second": outcome.samples_per_second}
out.update(images=len(data.files), seconds=time.perf_counter() - started,
           peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(out))
"""


def build_folder(root: Path, count: int) -> None:
    from workbench.core.samples import SAMPLES

    sources = sorted(SAMPLES["digits"].path.glob("*/*.png"))
    rng = random.Random(0)
    for i in range(count):
        src = sources[rng.randrange(len(sources))]
        folder = root / src.parent.name
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, folder / f"{i:06d}.png")


def run(mode: str, folder: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(folder)],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=50_000)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the folder here")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="wb-images-"))
    made = time.perf_counter()
    if not any(folder.glob("*/*.png")):
        build_folder(folder, args.images)
    made = time.perf_counter() - made
    baseline, trained = run("baseline", folder), run("train", folder)
    decoded_mb = trained["images"] * 32 * 32 * 3 * 4 / 2**20
    print(
        json.dumps(
            {
                "images": trained["images"],
                "folder_build_seconds": round(made, 1),
                "baseline_peak_rss_mb": round(baseline["peak_rss_mb"]),
                "train_peak_rss_mb": round(trained["peak_rss_mb"]),
                "extra_for_training_mb": round(trained["peak_rss_mb"] - baseline["peak_rss_mb"]),
                "all_images_decoded_would_need_mb": round(decoded_mb),
                "extra_over_decoded_ratio": round(
                    (trained["peak_rss_mb"] - baseline["peak_rss_mb"]) / decoded_mb, 3
                ),
                "train_seconds": round(trained["seconds"], 1),
                "samples_per_second": round(trained["samples_per_second"] or 0),
                "val_accuracy": round(trained["val_accuracy"], 4),
            },
            indent=2,
        )
    )
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
