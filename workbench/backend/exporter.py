"""One export from start to end: write the format, prove it, describe it, then publish it.

Everything is written into a hidden ``.NAME.partial`` folder beside the output and renamed
into place at the end, so a crash or a refusal never leaves half an export under the name a
person asked for. A failed parity check still publishes the folder (its parity.json says
FAILED, for whoever investigates) and raises :class:`~workbench.core.exports.ParityFailed`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from workbench.backend import export_formats, parity
from workbench.backend.evaluation import model_inputs
from workbench.backend.export_graph import ExportRefused
from workbench.backend.predictor import Predictor
from workbench.core.errors import DataError, WorkbenchError
from workbench.core.exports import DEFAULT_CHECK_ROWS, FORMATS, ExportResult, ParityFailed
from workbench.core.model_card import card_markdown, data_fingerprint
from workbench.core.parity import PARITY_FILE
from workbench.core.runs import MODEL_FILE

Progress = Callable[[float, str], None]
#: Rows a whole conversion with string inputs must answer like Keras before it is kept.
PROBE_ROWS = 64


def resolve_model(path: str | Path) -> Path:
    """A .keras file, or the folder holding model.keras (what ``train --output`` writes)."""
    path = Path(path)
    if path.is_dir():
        path = path / MODEL_FILE
    if not path.is_file():
        raise DataError(f"{path}: no model found. Give a .keras file or the folder holding it.")
    return path


def check_output(output: str | Path) -> Path:
    """The output folder, refused when something already has that name."""
    output = Path(output)
    if output.exists() or output.is_symlink():
        raise ExportRefused(
            f"{output} already exists; the export will not overwrite it. Choose a new "
            "folder name, or delete the old export first."
        )
    if not output.parent.is_dir():
        raise ExportRefused(f"{output.parent}: no such folder to export into.")
    return output


def export_model(
    model_path: str | Path,
    fmt: str,
    output: str | Path,
    check: str | Path | None = None,
    data_options: dict[str, Any] | None = None,
    rows: int = DEFAULT_CHECK_ROWS,
    progress: Progress | None = None,
) -> ExportResult:
    """Export the model in ``fmt`` to the new folder ``output`` and check its parity on
    ``rows`` rows of the validation split (or of ``check``)."""
    say = progress or (lambda fraction, text: None)
    if fmt not in FORMATS:
        raise ExportRefused(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    source = resolve_model(model_path)
    output = check_output(output)
    say(0.02, "Opening the model")
    predictor = Predictor.load(source)
    say(0.08, "Reading the rows to check on")
    sample = _check_rows(source, predictor, check, data_options or {}, rows)
    partial = output.with_name(f".{output.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        inputs = model_inputs(predictor, sample.dataset, sample.rows)
        arrays = parity.raw_arrays(predictor.model, inputs)

        def run_check(written: Any, count: int | None = None) -> Any:
            part = {k: v[:count] for k, v in arrays.items()} if count else arrays
            rows = sample.rows[:count] if count else sample.rows
            return parity.check(
                written,
                predictor.model,
                predictor.meta,
                part,
                rows,
                sample.description,
                predictor.threshold,
                timed=count is None,
            )

        say(0.15, f"Writing {FORMATS[fmt][0]}")
        written = export_formats.write(
            fmt,
            predictor.model,
            predictor.meta,
            partial,
            source,
            probe=lambda whole: run_check(whole, PROBE_ROWS).passed,
        )
        say(0.55, f"Checking parity in {FORMATS[fmt][2]}")
        report = run_check(written)
        final_model = output / written.path.relative_to(partial)
        report.path = str(final_model)  # where it will be once the folder is published
        say(0.8, "Writing the model card")
        scores = _scores(predictor, sample)
        facts = _facts(source, predictor, written, report, sample, scores)
        (partial / PARITY_FILE).write_text(json.dumps(report.to_json(), indent=1) + "\n")
        (partial / "model.json").write_text(json.dumps(facts, indent=1, default=str) + "\n")
        (partial / "MODEL_CARD.md").write_text(card_markdown(facts), encoding="utf-8")
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    partial.rename(output)
    files = sorted(p for p in output.rglob("*") if p.is_file())
    say(1.0, "Exported")
    result = ExportResult(fmt, output, final_model, report, files, list(written.notes))
    if not report.passed:
        raise ParityFailed(report)
    return result


@dataclass
class _Sample:
    """The rows the parity check runs on and what they are; the training run's project,
    data and split when known (the model card's scores come from them)."""

    dataset: Any
    rows: np.ndarray
    description: str
    project: Any = None
    train_data: Any = None
    split: Any = None


def _check_rows(
    source: Path, predictor: Predictor, check: Any, options: dict[str, Any], rows: int
) -> _Sample:
    from workbench.core.checks import row_count
    from workbench.core.datasets import load_dataset
    from workbench.core.evaluation.sources import split_of

    project, data = _training_project(source, predictor)
    split = split_of(project.training, data) if project is not None else None
    if check is not None:
        meta = predictor.meta
        dataset = load_dataset(
            check,
            options.get("kind") or meta.get("kind"),
            text_column=options.get("text_column") or meta.get("text_column") or None,
            label_column=options.get("label_column") or meta.get("label_column") or None,
            task=options.get("task") or (meta.get("task") if meta.get("kind") != "text" else None),
            x_name=options.get("x_name") or "x",
            y_name=options.get("y_name") or "y",
        )
        count = min(rows, row_count(dataset))
        if count == 0:
            raise DataError(f"{check}: no rows to check the export on.")
        chosen = np.arange(count, dtype=np.int64)
        return _Sample(
            dataset, chosen, f"the first {count:,} rows of {check}", project, data, split
        )
    if project is None:
        raise DataError(
            f"{source}: the workbench cannot tell which data this model was trained on (no "
            "run record or project.json beside it), so there is no validation split to check "
            "the export on; give --check DATA with rows like the training data."
        )
    part = "validation" if len(split.val) else "training"
    chosen = (split.val if len(split.val) else split.train)[:rows]
    where = f"{len(chosen):,} rows of the {part} split of {project.dataset.path}"
    return _Sample(data, np.asarray(chosen, dtype=np.int64), where, project, data, split)


def _training_project(source: Path, predictor: Predictor) -> tuple[Any, Any]:
    """(project, dataset) of the run that made the model (its run record, else the
    project.json beside it) when its data is still there and of the model's kind; else
    (None, None)."""
    from workbench.core.datasets import load_spec
    from workbench.core.evaluation.sources import run_of_model
    from workbench.core.project import Project

    record = run_of_model(source)
    beside = source.parent / "project.json"
    try:
        if record is not None:
            project = Project.from_dict(record.project)
        elif beside.is_file():
            project = Project.load(beside)
        else:
            return None, None
        data = load_spec(project.dataset)
    except (WorkbenchError, OSError, ValueError):
        return None, None
    if data.kind != predictor.kind:
        return None, None
    return project, data


def _scores(predictor: Predictor, sample: _Sample) -> dict[str, Any]:
    """Validation and test scores, and the baselines on the validation rows, computed as
    the Evaluate tab computes them; empty when the training split is unknown."""
    from workbench.backend.evaluation import evaluate, fit_baselines

    if sample.project is None:
        return {}
    data, split = sample.train_data, sample.split
    out: dict[str, Any] = {}
    for part, rows in (("validation", split.val), ("test", split.test)):
        if len(rows):
            out[part] = _headline(evaluate(predictor, data, rows).to_json())
    if len(split.val):
        try:
            baselines = fit_baselines(predictor, data, split.train, split.val)
        except WorkbenchError:
            baselines = []
        out["baselines"] = [_headline(b.to_json()) for b in baselines]
    return out


HEADLINE = ("name", "rows", "accuracy", "macro_f1", "roc_auc", "log_loss", "mae", "rmse", "r2")


def _headline(scores: dict[str, Any]) -> dict[str, Any]:
    return {k: scores[k] for k in HEADLINE if k in scores and scores[k] is not None}


def _facts(
    source: Path,
    predictor: Predictor,
    written: Any,
    report: Any,
    sample: _Sample,
    scores: dict[str, Any],
) -> dict[str, Any]:
    """Everything MODEL_CARD.md and model.json say, as plain JSON values."""
    import keras
    import tensorflow as tf

    import workbench

    meta = predictor.meta
    project = sample.project
    data_path = str(project.dataset.path) if project is not None else None
    facts: dict[str, Any] = {
        "format": written.format,
        "format_title": FORMATS[written.format][0],
        "model_file": written.path.name,
        "exported": datetime.now(UTC).isoformat(timespec="seconds"),
        "source_model": str(source),
        "versions": {
            "workbench": workbench.__version__,
            "keras": keras.__version__,
            "tensorflow": tf.__version__,
        },
        "kind": predictor.kind,
        "task": predictor.task,
        "inputs": written.inputs,
        "raw_inputs": _raw_inputs(meta),
        "preprocessing": _preprocessing_facts(written),
        "classes": predictor.class_names,
        "threshold": meta.get("threshold"),
        "target": meta.get("label_column") if predictor.task == "regression" else None,
        "output": _output_facts(predictor),
        "scores": scores,
        "training_data": data_fingerprint(data_path) if data_path else None,
        "settings": project.to_dict()["training"] if project is not None else None,
        "layers": [layer.kind for layer in project.layers] if project is not None else None,
        "parity": report.to_json(),
        "notes": list(written.notes),
        "converter": written.converter,
    }
    return facts


def _raw_inputs(meta: dict[str, Any]) -> list[str]:
    kind = meta.get("kind")
    if kind == "text":
        return ["one raw text (string) per row"]
    if kind == "tabular":
        fill = meta.get("fill") or {}
        out = []
        for column, how in (meta.get("features") or {}).items():
            name = (meta.get("inputs") or {}).get(column, column)
            if how == "numeric":
                gap = f"; a missing value becomes {fill[column]:.6g}" if column in fill else ""
                out.append(f"{name}: the number in column {column!r}{gap}")
            else:
                out.append(f"{name}: the text in column {column!r}, stripped; missing -> ''")
        return out
    if kind == "images":
        height, width = meta.get("image_size", [0, 0])
        return [f"image: {height}x{width} RGB pixels, values 0-255 (float32), resized by you"]
    shape = meta.get("x_shape")
    return [f"x: one sample of shape {tuple(shape) if shape else 'as trained'} (float32)"]


def _preprocessing_facts(written: Any) -> dict[str, Any]:
    rules = written.rules
    if rules is None:
        return {"where": "inside the model"}
    facts: dict[str, Any] = {"where": "preprocessing.json, before the model"}
    if rules.text is not None:
        t = rules.text
        facts["text"] = {
            "standardize": t.standardize,
            "split": t.split,
            "ngrams": t.ngrams,
            "output_mode": t.output_mode,
            "sequence_length": t.sequence_length,
            "vocabulary_size": len(t.vocabulary),
            "feeds": t.numeric_input,
        }
    if rules.columns:
        facts["columns"] = {
            c.input: f"{len(c.vocabulary)} values -> {c.output_mode}" for c in rules.columns
        }
    return facts


def _output_facts(predictor: Predictor) -> str:
    if predictor.task == "regression":
        target = predictor.meta.get("label_column") or "the target"
        return f"One value of {target}, in the units of that column of the training data."
    names = predictor.class_names
    if len(names) == 2:
        return (
            f"One probability, of class {names[1]!r} (the other class is {names[0]!r}); "
            f"{names[1]!r} when it reaches {predictor.threshold:g}."
        )
    return f"{len(names)} probabilities, one per class, in the order of the classes below."
