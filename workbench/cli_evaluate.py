"""``workbench evaluate``: score a saved model on a labelled file, beside simple baselines."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction, data_options: Callable) -> None:
    """Register the subcommand (its options follow ``train``'s data options)."""
    evaluate = sub.add_parser(
        "evaluate",
        help="score a saved model on a labelled file, beside a majority and a linear baseline",
    )
    evaluate.add_argument("model", type=Path, help="a .keras model the workbench saved")
    evaluate.add_argument(
        "--data", type=Path, required=True, help="a labelled file or folder like the training data"
    )
    data_options(evaluate)
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.add_argument(
        "--report", type=Path, metavar="DIR", help="write report.html and metrics.json to DIR"
    )


def cmd_evaluate(args: argparse.Namespace) -> int:
    raise NotImplementedError
