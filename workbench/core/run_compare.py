"""Comparing runs: their settings side by side, the best one, and every history as one CSV.

Reads :class:`~workbench.core.runs.RunRecord` objects only (plain JSON on disk), so the Runs
tab, the CLI and a script compare runs the same way. No Qt, no TensorFlow.
"""

from __future__ import annotations

import csv
import io
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from workbench.core.atomic import atomic_write_text
from workbench.core.errors import SaveFailed, WorkbenchError
from workbench.core.project import Project
from workbench.core.runs import RunRecord

#: Metrics where a larger value is better; every other metric (losses, errors) is minimised.
HIGHER_IS_BETTER = ("accuracy", "auc", "precision", "recall")
DEFAULT_METRIC = "val_loss"
CSV_FIRST_COLUMNS = ("run_id", "run_name", "status", "parent", "epoch")


def higher_is_better(metric: str) -> bool:
    """True for accuracy-like metrics ('val_binary_accuracy', 'auc'), False for losses."""
    name = metric.removeprefix("val_").removeprefix("test_")
    return any(word in name for word in HIGHER_IS_BETTER)


def best_value(record: RunRecord, metric: str) -> float | None:
    """The best value a run reached for a metric over its epochs (None when never reported)."""
    values = [
        float(entry[metric])
        for entry in record.history
        if isinstance(entry.get(metric), int | float) and math.isfinite(float(entry[metric]))
    ]
    if not values:
        value = record.metrics.get(metric)
        if isinstance(value, int | float) and math.isfinite(float(value)):
            return float(value)
        return None
    return max(values) if higher_is_better(metric) else min(values)


def best_run(records: Iterable[RunRecord], metric: str = DEFAULT_METRIC) -> str | None:
    """The id of the run with the best value of ``metric`` (None when no run has it)."""
    scored = [(best_value(r, metric), r.id) for r in records]
    scored = [(value, run_id) for value, run_id in scored if value is not None]
    if not scored:
        return None
    pick = max if higher_is_better(metric) else min
    return pick(scored, key=lambda item: item[0])[1]


def metric_names(records: Iterable[RunRecord]) -> list[str]:
    """Every per-epoch metric any of the runs reported: validation ones first, then sorted."""
    names: set[str] = set()
    for record in records:
        # Epochs of a run share their keys: collect them at C speed, then check each key
        # not yet known for one numeric value (a run's tab refresh reads every run).
        for key in set().union(*record.history) - names - {"epoch"}:
            if any(_is_number(entry.get(key)) for entry in record.history):
                names.add(key)
    return sorted(names, key=lambda n: (not n.startswith("val_"), n))


def curve(record: RunRecord, metric: str) -> tuple[list[float], list[float]]:
    """(epochs, values) of one metric of one run, 1-based epochs."""
    xs, ys = [], []
    for number, entry in enumerate(record.history, start=1):
        value = entry.get(metric)
        if _is_number(value):
            xs.append(float(entry.get("epoch", number)))
            ys.append(float(value))
    return xs, ys


# -- settings --------------------------------------------------------------------------------


def project_of(record: RunRecord) -> Project | None:
    """The project a run trained (None when its saved settings cannot be read)."""
    try:
        return Project.from_dict(record.project) if record.project else None
    except WorkbenchError:
        return None


def settings(record: RunRecord) -> dict[str, str]:
    """A run's settings as flat 'name' -> 'value' text, layers included, for diffs.

    Layers appear as ``layer 2`` -> ``LSTM`` and ``layer 2 units`` -> ``64``, so two stacks
    differ exactly where a layer or one of its settings does.
    """
    project = project_of(record)
    if project is None:
        return {}
    out: dict[str, str] = {}
    for name, value in asdict(project.dataset).items():
        out[f"data {name.replace('_', ' ')}"] = _text(value)
    for name, value in asdict(project.training).items():
        out[name.replace("_", " ")] = _text(value)
    for number, layer in enumerate(project.layers, start=1):
        out[f"layer {number}"] = layer.kind
        for name, value in layer.params.items():
            out[f"layer {number} {name.replace('_', ' ')}"] = _text(value)
    return out


@dataclass
class DiffRow:
    """One setting of two runs; ``differs`` marks the rows to highlight."""

    name: str
    left: str
    right: str

    @property
    def differs(self) -> bool:
        """True when the two runs used different values (or only one had the setting)."""
        return self.left != self.right


MISSING = "—"


def settings_diff(left: RunRecord, right: RunRecord) -> list[DiffRow]:
    """Every setting of two runs side by side, in the left run's order, then the right's."""
    a, b = settings(left), settings(right)
    names = list(a) + [name for name in b if name not in a]
    return [DiffRow(name, a.get(name, MISSING), b.get(name, MISSING)) for name in names]


def stack_text(record: RunRecord) -> str:
    """'Embedding(10000, 64) → LSTM(64) → Dense(1, sigmoid)' (vectoriser left out)."""
    project = project_of(record)
    if project is None:
        return ""
    return " → ".join(
        layer.describe() for layer in project.layers if layer.kind != "TextVectorization"
    )


def when(record: RunRecord) -> str:
    """The run's start as 'YYYY-MM-DD HH:MM' in local time."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(record.created))


# -- CSV -------------------------------------------------------------------------------------


def history_csv(records: Sequence[RunRecord]) -> str:
    """Every run's history as CSV text: one row per run and epoch.

    Columns: run id, name, status, parent (the run it continued), epoch; the run's training
    settings as ``setting_<name>`` (``setting_layers`` is the stack in words); then every
    metric any run reported, empty where a run did not.
    """
    metrics = metric_names(records)
    settings = [_setting_columns(record) for record in records]
    names = list(dict.fromkeys(name for entry in settings for name in entry))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CSV_FIRST_COLUMNS, *names, *metrics])
    for record, values in zip(records, settings, strict=True):
        for number, entry in enumerate(record.history, start=1):
            row: list[Any] = [record.id, record.name, record.status, record.parent]
            row.append(entry.get("epoch", number))
            row += [values.get(name, "") for name in names]
            row += [_csv_number(entry.get(m)) for m in metrics]
            writer.writerow(row)
    return buffer.getvalue()


def _setting_columns(record: RunRecord) -> dict[str, Any]:
    project = project_of(record)
    values: dict[str, Any] = asdict(project.training) if project else {}
    values = {k: ";".join(map(str, v)) if isinstance(v, list) else v for k, v in values.items()}
    values["layers"] = stack_text(record)
    return {f"setting_{name}": value for name, value in values.items()}


def write_history_csv(records: Sequence[RunRecord], path: str | Path) -> Path:
    """Write :func:`history_csv` atomically; returns the path written."""
    target = Path(path)
    try:
        atomic_write_text(target, history_csv(records))
    except SaveFailed as exc:  # names the file and the reason (a full disk, a read-only folder)
        raise SaveFailed(exc.path, f"could not write the runs' history: {exc.problem}") from None
    return target


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _csv_number(value: Any) -> str:
    return repr(float(value)) if _is_number(value) else ""


def _text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value) or MISSING
    return str(value)
