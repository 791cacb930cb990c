"""The command line: ``workbench`` opens the window; subcommands work headless.

Exit codes: 0 success, 2 bad input (one line saying what is wrong and what to do),
1 internal error (a bug: the message, and the traceback with WORKBENCH_DEBUG=1).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

from workbench.cli_shared import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, load
from workbench.core.audio import DEFAULT_RATE
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import KINDS, TASKS


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    """All subcommands and their options."""
    parser = _Parser(
        prog="workbench",
        description="Training Workbench: build, train and use neural networks. "
        "With no command it opens the window.",
        epilog="Exit codes: 0 success, 2 bad input (the message says what to fix), "
        "1 internal error.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="after a one-line refusal, print the details behind it (e.g. Keras's full reason)",
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    gui = sub.add_parser("gui", help="open the window (the default with no subcommand)")
    gui.add_argument("file", nargs="?", help="a dataset to open at start")

    from workbench import cli_evaluate, cli_export, cli_sweep, cli_train

    cli_train.add_parser(sub, _data_options)
    cli_sweep.add_parser(sub, _data_options)
    runs = sub.add_parser("runs", help="list the recorded training runs")
    runs.add_argument("--json", action="store_true", help="the runs as a JSON list")
    runs.add_argument(
        "--csv",
        type=Path,
        metavar="FILE",
        help="write every run's history to FILE: one row per run and epoch, with settings",
    )

    predict = sub.add_parser("predict", help="predict with a saved .keras model")
    predict.add_argument(
        "model", type=Path, help="a .keras model or the folder holding model.keras"
    )
    what = predict.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", action="append", help="a text to classify (repeat for several)")
    what.add_argument(
        "--input",
        type=Path,
        help="a CSV of rows (tables, texts), an image or audio file or a folder of them, "
        "or an .npz",
    )
    predict.add_argument("--output", type=Path, help="write the predictions to this CSV")
    predict.add_argument("--x-name", default="x", help="npz input: the features array")
    predict.add_argument("--json", action="store_true")

    check = sub.add_parser("check-data", help="show what the loader understands of a dataset")
    check.add_argument("file", type=Path)
    _data_options(check)
    check.add_argument("--json", action="store_true")

    devices = sub.add_parser("devices", help="list the CPU and GPUs training can use")
    devices.add_argument("--json", action="store_true")

    cli_evaluate.add_parser(sub, _data_options)
    cli_export.add_parser(sub, _data_options)
    return parser


def _data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", choices=KINDS, help="kind of data (default: inferred)")
    parser.add_argument("--text-column", help="text: column holding the texts (default: guessed)")
    parser.add_argument(
        "--label-column", help="column holding the labels or targets (default: guessed)"
    )
    parser.add_argument(
        "--task", choices=TASKS, help="tables and arrays: default inferred from the target"
    )
    parser.add_argument("--x-name", default="x", help="npz: the features array (default x)")
    parser.add_argument("--y-name", default="y", help="npz: the targets array (default y)")
    parser.add_argument(
        "--sample-rate",
        type=int,
        metavar="HZ",
        help=f"audio: the model's sample rate (default {DEFAULT_RATE}); clips are resampled",
    )
    parser.add_argument(
        "--clip-seconds",
        type=float,
        metavar="S",
        help="audio: clip length; longer clips are cropped, shorter padded (default: the "
        "95th percentile of the durations)",
    )


def cmd_check_data(args: argparse.Namespace) -> int:
    """Load a dataset and print what was understood."""
    info = load(args, args.file).summary()
    if args.json:
        print(json.dumps(info))
        return EXIT_OK
    labels = {
        "file": "File",
        "folder": "Folder",
        "kind": "Kind",
        "rows": "Rows",
        "task": "Task",
        "text_column": "Text",
        "label_column": "Label",
        "x_shape": "x shape",
        "image_size": "Image size",
    }
    for key, title in labels.items():
        if key in info:
            value = info[key]
            value = " x ".join(map(str, value)) if isinstance(value, list) else value
            print(f"{title + ':':<12}{value}")
    if "features" in info:
        print("Features:   " + ", ".join(f"{c} ({t})" for c, t in info["features"].items()))
    if info.get("ignored"):
        print("Ignored:    " + ", ".join(info["ignored"]))
    classes = info.get("classes") or {}
    if classes:
        print(f"Classes:    {len(classes)}")
        for label, count in classes.items():
            print(f"  {label:<24} {count:>8}  ({100 * count / info['rows']:.1f}%)")
    if "target" in info:
        t = info["target"]
        print(f"Target:     min {t['min']:g}, mean {t['mean']:g}, max {t['max']:g}")
    if "words_per_text" in info:
        words = info["words_per_text"]
        print(
            f"Words per text: median {words['median']:g}, 95th percentile {words['p95']:g}, "
            f"max {words['max']}; suggested sequence length {info['suggested_sequence_length']}"
        )
    if info.get("kind") == "audio":
        _print_audio(info)
    for column, count in (info.get("missing_values") or {}).items():
        print(f"Missing:    {count} in {column!r}")
    for item in info.get("skipped") or []:
        print(f"Skipped:    {item['file']}: {item['reason']}")
    for note in info.get("notes") or []:
        print(f"Note: {note}")
    return EXIT_OK


def _print_audio(info: dict[str, Any]) -> None:
    """The audio folder's rates, lengths and formats, and what the model will take."""
    d = info["durations"]
    print(
        f"Durations:  min {d['min']:.2f} s, median {d['median']:.2f} s, 95th percentile "
        f"{d['p95']:.2f} s, max {d['max']:.2f} s"
    )
    print("Rates:      " + ", ".join(f"{r} Hz ({n})" for r, n in info["rates"].items()))
    print("Channels:   " + ", ".join(f"{c} ({n})" for c, n in info["channels"].items()))
    print("Formats:    " + ", ".join(f"{f} ({n})" for f, n in info["formats"].items()))
    chosen = "the 95th percentile" if info["clip_seconds"] == info["clip_seconds_auto"] else "set"
    print(
        f"Model input: mono at {info['sample_rate']:,} Hz, {info['clip_seconds']:g} s "
        f"({info['clip_samples']:,} samples; {chosen}); {info['cropped']:,} longer clip(s) "
        "cropped to their loudest part, shorter ones padded with silence"
    )


def cmd_runs(args: argparse.Namespace) -> int:
    """List the recorded runs; optionally write all their histories as one CSV."""
    from workbench.core.runs import default_store

    records, damaged = default_store().scan()
    for run in damaged:  # the healthy runs are listed all the same
        print(
            f"run {run.id}: {run.folder}/run.json is damaged ({run.reason}), skipped",
            file=sys.stderr,
        )
    if args.csv:
        written = _write_runs_csv(records, args.csv)
        if not args.json:
            print(f"Wrote the history of {len(records)} run(s) to {written}")
    if args.json:
        print(json.dumps([_run_summary(r) for r in records]))
        return EXIT_OK
    if args.csv:
        return EXIT_OK
    if not records:
        print("No runs yet: `workbench train` records one.")
        return EXIT_OK
    rows = [
        (
            r.id,
            r.name,
            r.status,
            str(r.epochs_completed or len(r.history)),
            str(r.best_epoch or ""),
            _score(r),
            f"{r.samples_per_second:.0f}" if r.samples_per_second else "",
            _held_out(r),
        )
        for r in records
    ]
    header = ("ID", "Name", "Status", "Epochs", "Best", "Best val metric", "Samples/s", "Test")
    if not any(row[-1] for row in rows):  # no run held a test part out: no Test column
        rows, header = [row[:-1] for row in rows], header[:-1]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return EXIT_OK


def _write_runs_csv(records: list[Any], path: Path) -> Path:
    """One row per run and epoch, with its settings and metrics (the Runs tab's export)."""
    from workbench.core.run_compare import write_history_csv

    return write_history_csv(records, path)


def _held_out(record: Any) -> str:
    """The run's main test metric ('test_accuracy 0.871'), '' when it held no test part out."""
    from workbench.core.run_compare import held_out_score

    score = held_out_score(record)
    return f"{score[0]} {score[1]:.4g}" if score else ""


def _score(record: Any) -> str:
    for name in ("val_accuracy", "val_mae", "val_loss"):
        value = record.metrics.get(name)
        if isinstance(value, int | float):
            return f"{name} {value:.4g}"
    return ""


def _run_summary(record: Any) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "status": record.status,
        "created": record.created,
        "epochs_completed": record.epochs_completed or len(record.history),
        "best_epoch": record.best_epoch,
        "metrics": record.metrics,
        "test": _held_out(record) or None,
        "samples_per_second": record.samples_per_second,
        "parent": record.parent or None,
        "message": record.message,
        "folder": record.folder,
    }


def _prediction_rows(predictor: Any, args: argparse.Namespace) -> list[tuple[str, Any]]:
    """(what was predicted, Prediction) pairs for --text or --input."""
    from workbench.core.datasets import IMAGE_SUFFIXES
    from workbench.core.errors import DataError
    from workbench.core.textdata import read_table

    if args.text:
        if predictor.kind != "text":
            raise DataError(f"{args.model}: this is a {predictor.kind} model; use --input FILE.")
        return list(zip(args.text, predictor.predict(args.text), strict=True))
    source: Path = args.input
    if not source.exists():
        raise DataError(f"{source}: not found.")
    if predictor.kind == "images":
        files = (
            sorted(p for p in source.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
            if source.is_dir()
            else [source]
        )
        if not files:
            raise DataError(f"{source}: no images (png, jpg, bmp, gif) found.")
        answers, used = predictor.predict_images(files)
        return list(zip(used, answers, strict=True))
    if predictor.kind == "audio":
        return _audio_rows(predictor, source)
    if predictor.kind == "npz":
        from workbench.core.inputs import read_npz_array

        x = read_npz_array(source, lambda names: args_x_name(args, names, source))
        return [(str(i), p) for i, p in enumerate(predictor.predict_arrays(x))]
    if source.suffix.lower() == ".txt" and predictor.kind == "text":
        from workbench.core.inputs import read_text_lines

        texts = read_text_lines(source)
        return list(zip(texts, predictor.predict(texts), strict=True))
    frame = read_table(source)
    if predictor.kind == "text":
        import pandas as pd

        column = predictor.meta.get("text_column") or ""
        if column not in frame.columns:
            texty = (c for c in frame.columns if pd.api.types.is_string_dtype(frame[c]))
            column = next(texty, frame.columns[0])
        texts = frame[column].fillna("").astype(str).tolist()
        return list(zip(texts, predictor.predict(texts), strict=True))
    answers = predictor.predict_table(frame, str(source))
    return [(str(i + 2), p) for i, p in enumerate(answers)]  # file line numbers


def _audio_rows(predictor: Any, source: Path) -> list[tuple[str, Any]]:
    """Answers for an audio file or a folder of them; files that cannot be read are named
    on stderr (all of them unreadable is an error)."""
    from workbench.core.audio import AUDIO_SUFFIXES
    from workbench.core.errors import DataError

    files = (
        sorted(p for p in source.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)
        if source.is_dir()
        else [source]
    )
    if not files:
        raise DataError(f"{source}: no audio files ({', '.join(sorted(AUDIO_SUFFIXES))}) found.")
    answers, used, skipped = predictor.predict_audio(files)
    for _file, reason in skipped:
        print(f"Skipped: {reason}", file=sys.stderr)
    return list(zip(used, answers, strict=True))


def args_x_name(args: argparse.Namespace, names: list[str], source: Path) -> str:
    """The features array of an .npz given to predict."""
    from workbench.core.errors import DataError

    if args.x_name in names:
        return args.x_name
    raise DataError(f"{source}: no array named {args.x_name!r}; arrays: {', '.join(names)}.")


def cmd_predict(args: argparse.Namespace) -> int:
    """Predict with a saved model: texts, table rows, images or arrays."""
    from workbench.backend.api import Predictor
    from workbench.core.runs import MODEL_FILE

    model: Path = args.model
    if model.is_dir() and (model / MODEL_FILE).is_file():  # the folder `train --output` wrote
        model = model / MODEL_FILE
    predictor = Predictor.load(model)
    rows = _prediction_rows(predictor, args)
    if args.output:
        import pandas as pd

        records = []
        for item, result in rows:
            record = {"input": item, "prediction": result.label}
            record.update({f"p_{k}": v for k, v in result.probabilities.items()})
            records.append(record)
        pd.DataFrame(records).to_csv(args.output, index=False)
        print(f"Wrote {len(records)} predictions to {args.output}")
        return EXIT_OK
    for item, result in rows:
        if args.json:
            event = {"input": item, "label": result.label, "probabilities": result.probabilities}
            if result.value is not None:
                event["value"] = result.value
            print(json.dumps(event))
        else:
            probs = ", ".join(f"{k} {v:.3f}" for k, v in result.probabilities.items())
            print(
                f"{result.label}  ({probs})  <- {item}" if probs else f"{result.label}  <- {item}"
            )
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from workbench import cli_export

    return cli_export.cmd_export(args)


def cmd_devices(args: argparse.Namespace) -> int:
    """List the devices TensorFlow sees (names, memory where known)."""
    from workbench.backend.runtime import ensure_loaded

    backend = ensure_loaded()
    from workbench.backend.acceleration import list_devices

    found = list_devices()
    if args.json:
        print(json.dumps({"backend": backend, "devices": [d.to_dict() for d in found]}, indent=2))
        return EXIT_OK
    print(backend)
    for device in found:
        print(f"  {device.label()}  [{device.description}]")
    if not any(d.kind == "GPU" for d in found):
        print("No GPU: training runs on the CPU (device 'gpu' and 'all_gpus' fall back to it).")
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    """Open the main window (first: can Qt open one here? If not, say why, exit 2)."""
    from workbench.ui.system_libs import window_problem

    if problem := window_problem():
        print(problem, file=sys.stderr)
        return EXIT_BAD_INPUT
    from workbench.ui.app import run

    return run([args.file] if getattr(args, "file", None) else [])


def _evaluate(args: argparse.Namespace) -> int:
    from workbench import cli_evaluate

    return cli_evaluate.cmd_evaluate(args)


def _sweep(args: argparse.Namespace) -> int:
    from workbench import cli_sweep

    return cli_sweep.cmd_sweep(args)


def _train(args: argparse.Namespace) -> int:
    from workbench import cli_train

    return cli_train.cmd_train(args)


COMMANDS = {
    "train": _train,
    "sweep": _sweep,
    "runs": cmd_runs,
    "predict": cmd_predict,
    "check-data": cmd_check_data,
    "gui": cmd_gui,
    "export": cmd_export,
    "devices": cmd_devices,
    "evaluate": _evaluate,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``workbench`` script."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.version:
        from workbench import __version__

        print(f"workbench {__version__}")
        return EXIT_OK
    try:
        return COMMANDS[args.command or "gui"](args)
    except WorkbenchError as exc:
        print(f"workbench: error: {one_line(str(exc))}", file=sys.stderr)
        if args.verbose and exc.details:
            print(exc.details, file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so plainly, keep the details for debugging
        print(f"workbench: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if os.environ.get("WORKBENCH_DEBUG"):
            traceback.print_exc()
        return EXIT_INTERNAL


def one_line(message: str) -> str:
    """A refusal as one line: whatever a library put on the lines after the first goes."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return lines[0] if lines else message


if __name__ == "__main__":
    sys.exit(main())
