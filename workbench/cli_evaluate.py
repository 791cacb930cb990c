"""``workbench evaluate``: score a saved model on a labelled file, beside simple baselines."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


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
    """Score MODEL on every row of --data; print the scores and the baselines beside them."""
    from workbench.backend import api
    from workbench.core.datasets import load_dataset
    from workbench.core.errors import DataError

    for path in (args.model, args.data):  # before TensorFlow loads (seconds)
        if not path.exists():
            raise DataError(f"{path}: not found. Check the path.")
    predictor = api.Predictor.load(args.model)
    meta = predictor.meta
    dataset = load_dataset(
        args.data,
        args.kind or meta.get("kind"),
        text_column=args.text_column or meta.get("text_column") or None,
        label_column=args.label_column or meta.get("label_column") or None,
        task=args.task or (meta.get("task") if meta.get("kind") in ("tabular", "npz") else None),
        x_name=args.x_name,
        y_name=args.y_name,
    )
    evaluation = api.evaluate(predictor, dataset)
    train_data, train_rows, trained_on = _training_rows(args.model, predictor)
    baselines = api.fit_baselines(
        predictor, dataset, train_rows, evaluation.rows, train_data=train_data
    )
    result = {**evaluation.to_json(), "model": str(args.model), "data": str(args.data)}
    if baselines:
        result["baseline"] = baselines[-1].to_json()
        result["baselines"] = [b.to_json() for b in baselines]
    result["baselines_trained_on"] = trained_on
    if args.report is not None:
        from workbench.core.evaluation.report import write_report

        title = f"{args.model.name} on {args.data.name}"
        write_report(args.report, evaluation, baselines, title, str(args.data))
    if args.json:
        from workbench.core.evaluation.report import strict

        print(json.dumps(strict(result), allow_nan=False))
    else:
        print(describe(evaluation, baselines, trained_on))
        if args.report is not None:
            print(f"Report: {args.report / 'report.html'}")
    return 0


def _training_rows(model: Path, predictor: Any) -> tuple[Any, Any, str]:
    """(data, rows, words) the baselines learn from: the training part of the run that
    made the model when its data is still there, else None (cross-fitted on the file)."""
    from workbench.core.datasets import load_spec
    from workbench.core.errors import WorkbenchError
    from workbench.core.evaluation.sources import run_of_model, split_of
    from workbench.core.project import Project

    record = run_of_model(model)
    beside = model.parent / "project.json"  # what `train --output` writes next to the model
    if record is not None or beside.is_file():
        try:
            if record is not None:
                project, where = Project.from_dict(record.project), record.name
            else:
                project, where = Project.load(beside), str(beside)
            spec = project.dataset
            data = load_spec(spec)
            if data.kind == predictor.kind:
                split = split_of(project.training, data)
                return data, split.train, f"the training split of {where} ({spec.path})"
        except (WorkbenchError, OSError, ValueError):
            pass
    return None, None, "5-fold cross-fitting on the evaluated file (the training data is unknown)"


def describe(evaluation: Any, baselines: list[Any], trained_on: str) -> str:
    """The plain-text report: scores, per-class table, confusion matrix, baselines."""
    from workbench.core.evaluation.baselines import compare
    from workbench.core.evaluation.metrics import ClassificationEval

    lines = []
    if isinstance(evaluation, ClassificationEval):
        data = evaluation.to_json()
        lines.append(f"Rows: {data['rows']:,}    Accuracy: {data['accuracy']:.4f}")
        extra = [
            ("Macro F1", data["macro_f1"]),
            ("Weighted F1", data["weighted_f1"]),
            ("ROC AUC", data["roc_auc"]),
            ("Average precision", data["average_precision"]),
            ("Log loss", data["log_loss"]),
            ("ECE", data["ece"]),
        ]
        lines.append("    ".join(f"{k}: {_num(v)}" for k, v in extra))
        if data["threshold"] is not None:
            lines.append(f"Threshold for {data['classes'][1]!r}: {data['threshold']:.2f}")
        width = max(8, *(len(c) for c in data["classes"][:50]))
        lines.append("")
        lines.append(f"{'class':<{width}}  precision  recall     f1  support")
        for name, s in data["per_class"].items():
            lines.append(
                f"{name[:width]:<{width}}  {s['precision']:9.3f}  {s['recall']:6.3f}  "
                f"{s['f1']:5.3f}  {s['support']:7,}"
            )
        lines.append("")
        lines.append("Confusion matrix (rows: true class, columns: predicted)")
        classes = [c[:10] for c in data["classes"]]
        cell = max(7, *(len(c) for c in classes))
        lines.append(" " * (width + 2) + "".join(f"{c:>{cell + 1}}" for c in classes))
        for name, row in zip(data["classes"], data["confusion_matrix"], strict=True):
            lines.append(f"{name[:width]:<{width}}  " + "".join(f"{v:>{cell + 1},}" for v in row))
    else:
        data = evaluation.to_json()
        lines.append(
            f"Rows: {data['rows']:,}    MAE: {_num(data['mae'])}    RMSE: {_num(data['rmse'])}"
            f"    R²: {_num(data['r2'])}"
        )
    if baselines:
        lines.append("")
        lines.append(f"Baselines, fitted on {trained_on}:")
        for baseline in baselines:
            lines.append(f"  {compare(evaluation, baseline).headline}")
    return "\n".join(lines)


def _num(value: Any) -> str:
    return "n/a" if value is None else f"{value:.4f}"
