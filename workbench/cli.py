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

from workbench.core.errors import WorkbenchError
from workbench.core.samples import DEFAULT_SAMPLE

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    """All subcommands and their options."""
    parser = _Parser(prog="workbench", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    gui = sub.add_parser("gui", help="open the window (the default with no subcommand)")
    gui.add_argument("file", nargs="?", help="a dataset to open at start")

    train = sub.add_parser("train", help="train the default text classifier on a CSV/TSV")
    source = train.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", type=Path, help="CSV/TSV file of texts and labels")
    source.add_argument(
        "--sample", action="store_true", help=f"use the bundled sample ({DEFAULT_SAMPLE.title})"
    )
    _column_options(train)
    train.add_argument("--epochs", type=_positive_int, default=5)
    train.add_argument("--batch-size", type=_positive_int, default=32)
    train.add_argument("--learning-rate", type=float, default=1e-3)
    train.add_argument("--optimizer", choices=("adam", "sgd", "rmsprop"), default="adam")
    train.add_argument("--validation-fraction", type=float, default=0.2)
    train.add_argument("--seed", type=int, default=42)
    train.add_argument(
        "--sequence-length",
        type=_positive_int,
        help="words per text (default: suggested from the data)",
    )
    train.add_argument(
        "--output",
        type=Path,
        default=Path("workbench-model"),
        help="folder for model.keras and project.json (default: %(default)s)",
    )
    train.add_argument("--json", action="store_true", help="one JSON object per line")

    predict = sub.add_parser("predict", help="classify texts with a saved .keras model")
    predict.add_argument("model", type=Path)
    predict.add_argument(
        "--text", action="append", required=True, help="a text to classify (repeat for several)"
    )
    predict.add_argument("--json", action="store_true")

    check = sub.add_parser("check-data", help="show what the loader understands of a file")
    check.add_argument("file", type=Path)
    _column_options(check)
    check.add_argument("--json", action="store_true")
    return parser


def _column_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--text-column", help="column holding the texts (default: guessed)")
    parser.add_argument("--label-column", help="column holding the labels (default: guessed)")


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return number


def _emit(as_json: bool, event: dict[str, Any], text: str) -> None:
    print(json.dumps(event) if as_json else text, flush=True)


def cmd_check_data(args: argparse.Namespace) -> int:
    """Load a table and print what was understood."""
    from workbench.core.textdata import load_text_table

    table = load_text_table(args.file, args.text_column, args.label_column)
    info = table.summary()
    if args.json:
        print(json.dumps(info))
        return EXIT_OK
    print(f"File:     {info['file']}")
    print(f"Rows:     {info['rows']}")
    print(f"Columns:  {', '.join(info['columns'])}")
    print(f"Text:     {info['text_column']}   Label: {info['label_column']}")
    print(f"Classes:  {len(info['classes'])}")
    for label, count in info["classes"].items():
        print(f"  {label:<24} {count:>8}  ({100 * count / info['rows']:.1f}%)")
    words = info["words_per_text"]
    print(
        f"Words per text: median {words['median']:g}, 95th percentile {words['p95']:g}, "
        f"max {words['max']}; suggested sequence length {info['suggested_sequence_length']}"
    )
    for note in info["notes"]:
        print(f"Note: {note}")
    return EXIT_OK


class _PrintListener:
    """Prints one line (or one JSON object) per epoch."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.epochs = 0

    def on_plan(self, plan) -> None:
        self.epochs = plan.epochs
        if not self.as_json:
            print(
                f"Training on {plan.train_samples} texts, validating on "
                f"{plan.validation_samples}; classes: {', '.join(plan.class_names)}",
                flush=True,
            )

    def on_batch(self, epoch: int, step: int, logs: dict[str, float]) -> None:
        pass

    def on_epoch(self, epoch: int, logs: dict[str, float], samples_per_second: float) -> None:
        event = {
            "event": "epoch",
            "epoch": epoch,
            **logs,
            "samples_per_second": round(samples_per_second, 1),
        }
        text = (
            f"Epoch {epoch}/{self.epochs}: "
            + ", ".join(f"{k} {v:.4f}" for k, v in logs.items())
            + f", {samples_per_second:.0f} texts/s"
        )
        _emit(self.as_json, event, text)


def cmd_train(args: argparse.Namespace) -> int:
    """Train the default text template and save it."""
    from workbench.core import templates
    from workbench.core.project import DatasetSpec, Project, TrainingConfig
    from workbench.core.textdata import load_text_table

    path = DEFAULT_SAMPLE.path if args.sample else args.data
    text_col = args.text_column or (DEFAULT_SAMPLE.text_column if args.sample else None)
    label_col = args.label_column or (DEFAULT_SAMPLE.label_column if args.sample else None)
    table = load_text_table(path, text_col, label_col)
    training = TrainingConfig(
        optimizer=args.optimizer,
        learning_rate=args.learning_rate,
        epochs=args.epochs,
        batch_size=args.batch_size,
        validation_fraction=args.validation_fraction,
        seed=args.seed,
    )
    training.check()
    project = Project(
        DatasetSpec(str(path), table.text_column, table.label_column),
        templates.text_classifier(len(table.class_names())),
        training,
    )
    templates.fit_sequence_length(
        project.layers, args.sequence_length or table.suggested_sequence_length()
    )

    from workbench.backend import api

    output: Path = args.output
    outcome, _ = api.train(project, table, _PrintListener(args.json), output_dir=output)
    project.save(output / "project.json")
    done = {
        "event": "done",
        **{k: v for k, v in outcome.best_metrics.items() if k.startswith("val_")},
        "best_epoch": outcome.best_epoch,
        "samples_per_second": round(outcome.samples_per_second or 0.0, 1),
        "model": outcome.model_path,
    }
    _emit(
        args.json,
        done,
        f"Best epoch {outcome.best_epoch}: "
        + ", ".join(f"{k} {v:.4f}" for k, v in outcome.best_metrics.items() if k.startswith("val_"))
        + f". Model saved to {outcome.model_path}",
    )
    return EXIT_OK


def cmd_predict(args: argparse.Namespace) -> int:
    """Classify texts with a saved model."""
    from workbench.backend.api import Predictor

    predictor = Predictor.load(args.model)
    for text, result in zip(args.text, predictor.predict(args.text), strict=True):
        if args.json:
            print(
                json.dumps(
                    {"text": text, "label": result.label, "probabilities": result.probabilities}
                )
            )
        else:
            probs = ", ".join(f"{k} {v:.3f}" for k, v in result.probabilities.items())
            print(f"{result.label}  ({probs})  <- {text}")
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    """Open the main window."""
    from workbench.ui.app import run

    return run([args.file] if getattr(args, "file", None) else [])


COMMANDS = {
    "train": cmd_train,
    "predict": cmd_predict,
    "check-data": cmd_check_data,
    "gui": cmd_gui,
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
        print(f"workbench: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so plainly, keep the details for debugging
        print(f"workbench: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if os.environ.get("WORKBENCH_DEBUG"):
            traceback.print_exc()
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
