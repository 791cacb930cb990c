"""Comparing runs: their settings side by side, the best one, and every history as one CSV.

A run's "best" value is its value at the kept epoch (:func:`kept_epoch`): the epoch whose
weights its model keeps, as the Train tab reports it; runs are ranked within one data set.

Reads :class:`~workbench.core.runs.RunRecord` objects only (plain JSON on disk), so the Runs
tab, the CLI and a script compare runs the same way. No Qt, no TensorFlow.
"""

from __future__ import annotations

import csv
import io
import math
import os
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


@dataclass(frozen=True)
class KeptEpoch:
    """The epoch whose weights a run's model keeps, and the values it logged.

    That is the run's "best" epoch everywhere a person reads one (the Train headline, the
    Runs table, the CLI): the best epoch by the watched metric when *restore best weights*
    is on (the trainer records it as ``best_epoch``), else the last finished epoch.
    """

    number: int | None  # the epoch as numbered in the history; None before one finished
    metrics: dict[str, float]  # what that epoch logged
    note: str = ""  # when the epoch is inferred (a run.json that does not name it), how

    @property
    def inferred(self) -> bool:
        """True when run.json did not say which epoch is kept and it was worked out."""
        return bool(self.note)


def kept_epoch(record: RunRecord) -> KeptEpoch:
    """The epoch whose weights ``record``'s model keeps (see :class:`KeptEpoch`).

    Runs recorded before ``best_epoch`` was saved are read as the trainer would have kept
    them: the best epoch by the watched metric (``val_loss`` unless the run watched another),
    and :attr:`KeptEpoch.note` says so.
    """
    history = record.history
    if not history:
        return KeptEpoch(None, {})
    numbered = [(_epoch_number(entry, n), entry) for n, entry in enumerate(history, start=1)]
    training = record.project.get("training") if isinstance(record.project, dict) else None
    training = training if isinstance(training, dict) else {}
    if training.get("restore_best_weights", True) is False:
        number, entry = numbered[-1]
        return KeptEpoch(number, _numbers(entry))
    for number, entry in numbered:
        if record.best_epoch is not None and number == record.best_epoch:
            return KeptEpoch(number, _numbers(entry))
    # No (usable) best_epoch: an older run.json. Choose as the trainer does.
    monitor = training.get("early_stopping_monitor")
    candidates = [monitor] if isinstance(monitor, str) else []
    for name in (*candidates, DEFAULT_METRIC, "loss"):
        scored = [(float(e[name]), n, e) for n, e in numbered if _finite(e.get(name))]
        if scored:
            higher = "accuracy" in name  # the trainer's own rule
            pick = max if higher else min
            _, number, entry = pick(scored, key=lambda item: item[0])
            # min/max return the first of equal values, as the trainer keeps the first.
            which = "highest" if higher else "lowest"
            return KeptEpoch(
                number,
                _numbers(entry),
                f"run.json does not say which epoch was kept (an older run): taken as epoch "
                f"{number}, the {which} {name}",
            )
    number, entry = numbered[-1]
    return KeptEpoch(
        number,
        _numbers(entry),
        f"run.json does not say which epoch was kept (an older run): taken as the last, "
        f"epoch {number}",
    )


def kept_value(record: RunRecord, metric: str) -> float | None:
    """A metric's value at the run's kept epoch (:func:`kept_epoch`), None when not a number.

    A metric no epoch logged (``test_accuracy``, scored once at the end) comes from the
    run's final metrics.
    """
    kept = kept_epoch(record)
    if metric in kept.metrics or any(metric in entry for entry in record.history):
        value = kept.metrics.get(metric)
    else:
        value = record.metrics.get(metric)
    return float(value) if _finite(value) else None


#: What a run's test part is summed up by, first found first: accuracy, else MAE, else loss.
HELD_OUT_METRICS = ("test_accuracy", "test_mae", "test_loss")


def held_out_score(record: RunRecord) -> tuple[str, float] | None:
    """(name, value) of the run's main test metric (scored once at the end on the rows held
    out from training and validation), or None when the run held none out."""
    for name in HELD_OUT_METRICS:
        value = record.metrics.get(name)
        if _finite(value):
            return name, float(value)
    return None


def best_run(records: Iterable[RunRecord], metric: str = DEFAULT_METRIC) -> str | None:
    """The id of the run whose kept epoch has the best ``metric`` (None when no run has it).

    Compares the runs given, whatever data they trained on; :func:`best_runs` compares only
    runs on the same data.
    """
    scored = [(kept_value(r, metric), r.id) for r in records]
    scored = [(value, run_id) for value, run_id in scored if value is not None]
    if not scored:
        return None
    pick = max if higher_is_better(metric) else min
    return pick(scored, key=lambda item: item[0])[1]


def best_runs(records: Iterable[RunRecord], metric: str = DEFAULT_METRIC) -> dict[str, str]:
    """The best run (:func:`best_run`) of each data set: {:func:`data_key`: run id}.

    Runs whose data is unknown (no readable project) are compared with none.
    """
    groups: dict[str, list[RunRecord]] = {}
    for record in records:
        key = data_key(record)
        if key:
            groups.setdefault(key, []).append(record)
    best = {key: best_run(group, metric) for key, group in groups.items()}
    return {key: run_id for key, run_id in best.items() if run_id is not None}


def data_path(record: RunRecord) -> str:
    """The data file or folder the run trained on, as the project names it ('' if unknown)."""
    dataset = record.project.get("dataset") if isinstance(record.project, dict) else None
    path = dataset.get("path") if isinstance(dataset, dict) else None
    return path if isinstance(path, str) else ""


def data_key(record: RunRecord) -> str:
    """What identifies a run's data set for comparisons: its normalised path ('' unknown)."""
    path = data_path(record)
    return os.path.normpath(path) if path else ""


def data_name(record: RunRecord) -> str:
    """The data file or folder's name ('imdb.csv'), '' when unknown."""
    key = data_key(record)
    return Path(key).name or key


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
        out[name.replace("_", " ")] = "auto" if value is None else _text(value)  # None: auto
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
    values = {k: "auto" if v is None else v for k, v in values.items()}  # test_fraction: auto
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


def _finite(value: Any) -> bool:
    return _is_number(value) and math.isfinite(float(value))


def _numbers(entry: dict[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in entry.items() if _is_number(v) and k != "epoch"}


def _epoch_number(entry: dict[str, Any], position: int) -> int:
    number = entry.get("epoch")
    return int(number) if _is_number(number) else position


def _csv_number(value: Any) -> str:
    return repr(float(value)) if _is_number(value) else ""


def _text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value) or MISSING
    return str(value)
