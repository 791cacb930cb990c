"""What the command line's subcommands share: exit codes, output, loading a data set."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from workbench.core.options import METRICS, OptionTable
from workbench.core.samples import Sample

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


def each(table: OptionTable) -> str:
    """Every choice of a setting with its one-line help, for ``--help``."""
    text = "; ".join(f"{option.name}: {option.help.rstrip('.')}" for option in table)
    return text.replace("%", "%%") + "."


def metric_list(value: str) -> list[str]:
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in METRICS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown metric {', '.join(unknown)}; choose from {', '.join(METRICS.names)}"
        )
    return names


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return number


def emit(as_json: bool, event: dict[str, Any], text: str) -> None:
    print(json.dumps(event) if as_json else text, flush=True)


def load(args: argparse.Namespace, path: Path, sample: Sample | None = None) -> Any:
    from workbench.core.datasets import load_dataset

    return load_dataset(
        path,
        args.kind or (sample.kind if sample else None),
        text_column=args.text_column or (sample.text_column if sample else None),
        label_column=args.label_column or (sample.label_column if sample else None),
        task=args.task or (sample.task if sample else None),
        x_name=args.x_name,
        y_name=args.y_name,
        sample_rate=getattr(args, "sample_rate", None),
        clip_seconds=getattr(args, "clip_seconds", None),
    )
