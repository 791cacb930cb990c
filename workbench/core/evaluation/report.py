"""The offline evaluation report: ``report.html`` and ``metrics.json`` in one folder.

The HTML page holds everything it shows (inline SVG charts drawn by :mod:`.svg`, inline
CSS), no script and no link to anywhere, so it can be mailed, archived or opened on a machine
without a network and still read the same. Every number in it comes from the evaluation and
baseline objects, the ones the Evaluate tab and ``workbench evaluate --json`` use.
``metrics.json`` is strict JSON (no NaN or Infinity, which many parsers refuse).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.atomic import atomic_write_text, make_folder
from workbench.core.evaluation import svg
from workbench.core.evaluation.baselines import Baseline, compare
from workbench.core.evaluation.metrics import ClassificationEval, Evaluation, RegressionEval
from workbench.core.evaluation.svg import esc

REPORT_NAME = "report.html"
METRICS_NAME = "metrics.json"
WORST_ROWS = 20  # rows in the regression report's table of largest errors

_CSS = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
.source { color: #666; font-size: 0.9em; word-break: break-all; }
.headline { font-size: 1.15em; margin: 0.3em 0; }
.beats { color: #1a7f37; } .loses { color: #b42318; }
table { border-collapse: collapse; margin: 0.8em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #f3f3f3; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5em; align-items: flex-start; }
.note { color: #666; font-size: 0.9em; }
"""

# (label, key in to_json(), how to show it)
_CLASSIFICATION_ROWS = (
    ("Accuracy", "accuracy", "percent"),
    ("Macro F1", "macro_f1", "fixed"),
    ("Weighted F1", "weighted_f1", "fixed"),
    ("ROC AUC", "roc_auc", "fixed"),
    ("Average precision", "average_precision", "fixed"),
    ("Log loss", "log_loss", "fixed"),
    ("Expected calibration error", "ece", "fixed"),
)
_REGRESSION_ROWS = (
    ("MAE", "mae", "general"),
    ("RMSE", "rmse", "general"),
    ("R²", "r2", "fixed"),
)


def write_report(
    directory: Path,
    evaluation: Evaluation,
    baselines: list[Baseline],
    title: str,
    source: str,
) -> Path:
    """Write ``report.html`` and ``metrics.json`` into ``directory`` (made when missing),
    each atomically; return the report's path. ``baselines`` go simplest first: the last is
    the one ``metrics.json`` names as ``"baseline"``."""
    directory = Path(directory)
    make_folder(directory)
    atomic_write_text(directory / METRICS_NAME, metrics_json(evaluation, baselines))
    path = directory / REPORT_NAME
    atomic_write_text(path, report_html(evaluation, baselines, title, source))
    return path


def strict(value: Any) -> Any:
    """``value`` with numpy numbers made plain and NaN or infinities made None, so that
    ``json.dumps(..., allow_nan=False)`` accepts it."""
    if isinstance(value, dict):
        return {str(k): strict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strict(v) for v in value]
    if isinstance(value, np.ndarray):
        return strict(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def metrics_document(evaluation: Evaluation, baselines: Sequence[Baseline]) -> dict[str, Any]:
    """The ``metrics.json`` object: the evaluation's own JSON, the most informative baseline
    (the last) and all of them."""
    document = evaluation.to_json()
    document["baseline"] = baselines[-1].to_json() if baselines else None
    document["baselines"] = [b.to_json() for b in baselines]
    return strict(document)


def metrics_json(evaluation: Evaluation, baselines: Sequence[Baseline]) -> str:
    return json.dumps(metrics_document(evaluation, baselines), indent=2, allow_nan=False) + "\n"


# -- HTML --------------------------------------------------------------------------------------


def _format(value: Any, how: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if how == "percent":
        return f"{value:.2%}"
    if how == "fixed":
        return f"{value:.4f}"
    return f"{value:.5g}"


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], caption: str = "") -> str:
    """An HTML table of already escaped cells."""
    parts = ["<table>"]
    if caption:
        parts.append(f"<caption>{caption}</caption>")
    parts.append("<thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead>")
    parts.append("<tbody>")
    parts.extend("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    parts.append("</tbody></table>")
    return "".join(parts)


def _headlines(evaluation: Evaluation, baselines: Sequence[Baseline]) -> str:
    if not baselines:
        return '<p class="headline">No baseline was computed for this evaluation.</p>'
    parts = []
    for baseline in baselines:
        verdict = compare(evaluation, baseline)
        css = "beats" if verdict.beats else "loses"
        parts.append(f'<p class="headline {css}">{esc(verdict.headline)}</p>')
    return "".join(parts)


def _numbers(evaluation: Evaluation, baselines: Sequence[Baseline]) -> str:
    """The scores side by side: the model, then each baseline."""
    ours = strict(evaluation.to_json())
    theirs = [strict(b.to_json()) for b in baselines]
    spec = _CLASSIFICATION_ROWS if isinstance(evaluation, ClassificationEval) else _REGRESSION_ROWS
    head = ["Score", "Model"] + [esc(f"Baseline: {b.name}") for b in baselines]
    rows = [
        [esc(label), _format(ours.get(key), how)] + [_format(t.get(key), how) for t in theirs]
        for label, key, how in spec
    ]
    return _table(head, rows)


def _classification_body(evaluation: ClassificationEval) -> str:
    names = evaluation.class_names
    parts = ['<h2>Confusion matrix</h2><div class="charts">']
    parts.append(svg.confusion_chart(evaluation.confusion, names))
    parts.append("</div>")
    if evaluation.threshold is not None:
        parts.append(
            f'<p class="note">Decided at a threshold of {evaluation.threshold:.3g} on the '
            f"probability of {esc(names[1])}.</p>"
        )
    roc = [
        (f"{svg.short(name)} (AUC {auc:.3f})", fpr, tpr)
        for name, (fpr, tpr, auc) in evaluation.roc_curves().items()
    ]
    pr = [
        (f"{svg.short(name)} (AP {ap:.3f})", recall, precision)
        for name, (recall, precision, ap) in evaluation.pr_curves().items()
    ]
    rel = evaluation.reliability()
    parts.append('<h2>Curves and calibration</h2><div class="charts">')
    parts.append(
        svg.curves_chart(
            "ROC (one class vs the rest)", "false positive rate", "true positive rate", roc, True
        )
    )
    parts.append(svg.curves_chart("Precision-recall", "recall", "precision", pr))
    parts.append(svg.reliability_chart(rel.confidence, rel.accuracy, rel.counts, evaluation.ece()))
    parts.append("</div>")
    per_class = evaluation.per_class()
    rows = [
        [esc(name), f"{s.precision:.4f}", f"{s.recall:.4f}", f"{s.f1:.4f}", str(s.support)]
        for name, s in zip(names, per_class.values(), strict=True)
    ]
    parts.append("<h2>Per class</h2>")
    parts.append(_table(["Class", "Precision", "Recall", "F1", "Rows"], rows))
    return "".join(parts)


def _regression_body(evaluation: RegressionEval) -> str:
    parts = ['<h2>Predictions</h2><div class="charts">']
    parts.append(svg.scatter_chart(evaluation.y_true, evaluation.predicted))
    parts.append(svg.histogram_chart(evaluation.residuals, "Residuals", "predicted minus actual"))
    parts.append("</div>")
    rows = [
        [
            str(int(evaluation.rows[i])),
            _format(float(evaluation.y_true[i]), "general"),
            _format(float(evaluation.predicted[i]), "general"),
            _format(float(evaluation.residuals[i]), "general"),
        ]
        for i in evaluation.worst(WORST_ROWS)
    ]
    parts.append("<h2>Largest errors</h2>")
    parts.append(_table(["Row", "Actual", "Predicted", "Error"], rows))
    return "".join(parts)


def report_html(
    evaluation: Evaluation, baselines: Sequence[Baseline], title: str, source: str
) -> str:
    """The whole page as text (well-formed XML apart from the doctype)."""
    body = (
        _classification_body(evaluation)
        if isinstance(evaluation, ClassificationEval)
        else _regression_body(evaluation)
    )
    task = "classification" if isinstance(evaluation, ClassificationEval) else "regression"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8"/>'
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{esc(title)}</h1>"
        f'<p class="source">Evaluated on {esc(source)}: {evaluation.size:,} rows '
        f"({task}).</p>"
        f"{_headlines(evaluation, baselines)}"
        "<h2>Scores</h2>"
        f"{_numbers(evaluation, baselines)}"
        f"{body}"
        "</body></html>\n"
    )
