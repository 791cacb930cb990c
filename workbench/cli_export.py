"""``workbench export``: a model as SavedModel, LiteRT, ONNX or .keras, each proven by a parity
check in its own runtime; or (``--python``) the plain Keras training script."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from workbench.cli_shared import EXIT_BAD_INPUT, EXIT_OK, positive_int
from workbench.core.exports import DEFAULT_CHECK_ROWS, FORMATS


def add_parser(sub: argparse._SubParsersAction, data_options: Callable) -> None:
    """Register the subcommand; ``data_options`` adds the data flags that --check reads."""
    formats = "; ".join(f"{name}: {what}" for name, (_, what, _) in FORMATS.items())
    export = sub.add_parser(
        "export",
        help="export a model (SavedModel, LiteRT, ONNX, .keras) with a parity check, or "
        "write a plain Keras training script",
        description="Export MODEL in a deployable format into a new folder, check that it "
        "answers as the Keras model does on real rows (parity.json), and write a model card "
        "(MODEL_CARD.md, model.json) beside it. Formats: " + formats + ".",
    )
    export.add_argument(
        "model",
        type=Path,
        help="a .keras model or the folder holding model.keras (with --python: the "
        "project.json or its folder)",
    )
    what = export.add_mutually_exclusive_group(required=True)
    what.add_argument("--format", choices=list(FORMATS), help="the format to export")
    what.add_argument("--python", type=Path, help="write the plain Keras training script")
    export.add_argument("--output", type=Path, help="the new folder to export into")
    export.add_argument(
        "--check",
        type=Path,
        metavar="DATA",
        help="check parity on this data (default: the model's validation split)",
    )
    export.add_argument(
        "--rows",
        type=positive_int,
        default=DEFAULT_CHECK_ROWS,
        help=f"rows the parity check runs on (default {DEFAULT_CHECK_ROWS})",
    )
    data_options(export)
    export.add_argument("--json", action="store_true", help="print the parity object")


def cmd_export(args: argparse.Namespace) -> int:
    """Export and check; exit 2 with the worst rows when the export answers otherwise."""
    if args.python is not None:
        return _script(args)
    from workbench.core.errors import DataError

    if args.output is None:
        raise DataError("--output is needed with --format: the new folder to export into.")
    from workbench.backend.exporter import check_output, resolve_model

    resolve_model(args.model)  # a missing model or an existing output before TensorFlow loads
    check_output(args.output)
    if args.check is not None and not args.check.exists():
        raise DataError(f"{args.check}: not found. Check the path given to --check.")
    from workbench.backend import api
    from workbench.core.exports import ParityFailed

    def progress(fraction: float, words: str) -> None:
        if not args.json:  # stdout: stderr holds only the one line of a refusal
            print(f"  {words}…", flush=True)

    options = {
        "kind": args.kind,
        "text_column": args.text_column,
        "label_column": args.label_column,
        "task": args.task,
        "x_name": args.x_name,
        "y_name": args.y_name,
    }
    try:
        result = api.export_model(
            args.model, args.format, args.output, args.check, options, args.rows, progress
        )
    except ParityFailed as failed:
        if args.json:
            print(json.dumps(failed.report.to_json()))
        print(f"workbench: error: {failed}", file=sys.stderr)
        return EXIT_BAD_INPUT
    report = result.report
    if args.json:
        print(json.dumps(report.to_json()))
        return EXIT_OK
    print(f"Exported {FORMATS[args.format][0]} to {result.folder}")
    print(f"  model:  {result.model_path}")
    print(f"  {report.summary()}")
    for note in report.notes:
        print(f"  Note: {note}")
    card, parity = result.folder / "MODEL_CARD.md", result.folder / "parity.json"
    print(f"  Model card: {card}; parity: {parity}")
    return EXIT_OK


def _script(args: argparse.Namespace) -> int:
    """Write train.py for a saved project (the one `train` writes beside the model)."""
    from workbench.core.datasets import load_spec
    from workbench.core.errors import DataError
    from workbench.core.project import Project

    source: Path = args.model
    path = (
        source
        if source.suffix == ".json"
        else (source / "project.json" if source.is_dir() else source.with_name("project.json"))
    )
    if not path.is_file():
        raise DataError(
            f"{source}: no project found (looked for {path}). Export needs the project.json "
            "that `workbench train` writes next to model.keras."
        )
    project = Project.load(path)
    data = load_spec(project.dataset)
    from workbench.backend.codegen import write_script

    written = write_script(project, data, args.python)
    print(f"Wrote {written}: run it with `python {written.name}` (keras, tensorflow, pandas).")
    return EXIT_OK
