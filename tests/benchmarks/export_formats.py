"""Size, parity and latency of every export format, for one trained text model.

    python tests/benchmarks/export_formats.py                       # the bundled text sample
    python tests/benchmarks/export_formats.py --data tweets.csv --template seed-lstm

Trains the model as a person would (``workbench train``, default settings unless
``--template`` / ``--epochs`` say otherwise), then exports it to each format with
``workbench export --json``, which runs the parity check in the format's own runtime on the
validation split. Latency is timed again ``--repeats`` times on the exported files (the
median is reported, with Keras timed in the same run on the same rows as the reference),
so the ratio, not the milliseconds, is what carries from machine to machine.

Prints one JSON object: per format the model file's size (with preprocessing.json when the
export split it off), label agreement, largest probability difference, and ms per row in
Keras and in the runtime, with their ratio.
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

FORMATS = ("savedmodel", "litert", "onnx", "keras")


def _workbench(*args: str, env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "workbench", *args], capture_output=True, text=True, env=env
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"workbench {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1])


def _size(folder: Path, model_file: Path) -> int:
    files = (
        [p for p in model_file.rglob("*") if p.is_file()] if model_file.is_dir() else [model_file]
    )
    rules = folder / "preprocessing.json"
    return sum(p.stat().st_size for p in files) + (rules.stat().st_size if rules.exists() else 0)


def _retime(folder: Path, fmt: str, rows: int, repeats: int) -> tuple[float, float]:
    """(Keras ms/row, runtime ms/row): medians of ``repeats`` timings on the same rows."""
    from workbench.backend import parity
    from workbench.backend.evaluation import model_inputs
    from workbench.backend.export_formats import Written
    from workbench.backend.exporter import _check_rows
    from workbench.backend.predictor import Predictor
    from workbench.core.preprocessing import Preprocessing

    source = folder.parent / "model" / "model.keras"
    predictor = Predictor.load(source)
    sample = _check_rows(source, predictor, None, {}, rows)
    inputs = model_inputs(predictor, sample.dataset, sample.rows)
    arrays = parity.raw_arrays(predictor.model, inputs)
    facts = json.loads((folder / "model.json").read_text())
    rules_file = folder / "preprocessing.json"
    rules = Preprocessing.load(rules_file) if rules_file.exists() else None
    written = Written(fmt, folder / facts["model_file"], facts["inputs"], rules=rules)
    keras_run, export_run = parity.keras_runner(predictor.model), parity.export_runner(written)
    keras_ms, runtime_ms = [], []
    for _ in range(repeats):
        keras_ms.append(parity._latency_ms(keras_run, arrays, len(sample.rows)))
        runtime_ms.append(parity._latency_ms(export_run, arrays, len(sample.rows)))
    return statistics.median(keras_ms), statistics.median(runtime_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="a text CSV (default: the bundled sample)")
    parser.add_argument("--template", help="the model template (default: chosen from the data)")
    parser.add_argument("--epochs", default="auto")
    parser.add_argument("--rows", type=int, default=500, help="parity rows (default 500)")
    parser.add_argument("--repeats", type=int, default=3, help="latency timings (median)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="export-bench-"))
    env = {**os.environ, "WORKBENCH_HOME": str(work / "home"), "TF_CPP_MIN_LOG_LEVEL": "2"}
    source = ["--data", args.data] if args.data else ["--sample", "wordnet-topics"]
    template = ["--template", args.template] if args.template else []
    trained = _workbench(
        "train",
        *source,
        *template,
        "--epochs",
        args.epochs,
        "--output",
        str(work / "model"),
        "--json",
        env=env,
    )
    result = {
        "data": args.data or "bundled wordnet-topics sample",
        "template": trained.get("template"),
        "epochs": trained.get("epochs"),
        "val_accuracy": trained.get("val_accuracy"),
        "rows": args.rows,
        "formats": {},
    }
    os.environ.update(env)
    for fmt in FORMATS:
        folder = work / fmt
        report = _workbench(
            "export",
            str(work / "model"),
            "--format",
            fmt,
            "--output",
            str(folder),
            "--rows",
            str(args.rows),
            "--json",
            env=env,
        )
        keras_ms, runtime_ms = _retime(folder, fmt, args.rows, args.repeats)
        result["formats"][fmt] = {
            "passed": report["passed"],
            "whole_model": report["preprocessing"] == "inside the model",
            "size_bytes": _size(folder, Path(report["path"])),
            "label_agreement": report["label_agreement"],
            "max_abs_diff": report["max_abs_diff"],
            "keras_ms_per_row": round(keras_ms, 3),
            "runtime_ms_per_row": round(runtime_ms, 3),
            "runtime_over_keras": round(runtime_ms / keras_ms, 3) if keras_ms else None,
        }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
