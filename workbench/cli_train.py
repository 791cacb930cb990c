"""``workbench train``: train the default (or a named) template on a data set, as a run."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.cli_shared import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    each,
    emit,
    load,
    metric_list,
    positive_int,
)
from workbench.core import templates
from workbench.core.errors import WorkbenchError
from workbench.core.options import CLASS_WEIGHTS, LOSSES, METRICS, MONITORS, OPTIMIZERS, SCHEDULES
from workbench.core.project import DEVICES
from workbench.core.samples import DEFAULT_SAMPLE, SAMPLES
from workbench.core.splits import AUTO_TEST_HELP
from workbench.core.templates import TEMPLATES


def add_parser(sub: argparse._SubParsersAction, data_options: Callable) -> None:
    """Register the subcommand and its options."""
    train = sub.add_parser(
        "train",
        help="train the default template for a dataset (recorded as a run)",
        description="Train and record the run (settings, history, a checkpoint per epoch, "
        "model) in the workspace; `workbench runs` lists runs.",
    )
    source = train.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", type=Path, help="a CSV/TSV/JSONL file, a folder, or an .npz")
    source.add_argument(
        "--resume",
        metavar="RUN_ID",
        help="continue an interrupted or stopped run from its last checkpoint "
        "(its own data and settings; other options are ignored)",
    )
    source.add_argument(
        "--sample",
        nargs="?",
        const=DEFAULT_SAMPLE.name,
        choices=sorted(SAMPLES),
        help=f"train on a bundled sample (default {DEFAULT_SAMPLE.name})",
    )
    data_options(train)
    add_training_options(train)
    train.add_argument(
        "--output",
        type=Path,
        default=Path("workbench-model"),
        help="folder for model.keras and project.json (default: %(default)s)",
    )
    train.add_argument("--name", default="", help="a name for the run (default: run N)")
    train.add_argument("--json", action="store_true", help="one JSON object per line")


def add_training_options(parser: argparse.ArgumentParser) -> None:
    """The Train tab's settings as flags (``train``, and ``sweep`` where they stay fixed
    for every trial)."""
    parser.add_argument(
        "--epochs",
        type=_epochs,
        default=None,
        metavar="auto|N",
        help="passes over the training data; auto (default): until the validation loss stops "
        "improving, at most a number taken from the data size; N: exactly N",
    )
    parser.add_argument(
        "--template",
        metavar="NAME",
        help="the starting model (default: chosen from the data, and the log says why): "
        + ", ".join(f"{t.name}" for t in TEMPLATES.values()),
    )
    parser.add_argument(
        "--batch-size", type=positive_int, default=32, help="samples per step (default 32)"
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=1e-3,
        help="step size of the optimizer (default 0.001)",
    )
    parser.add_argument(
        "--optimizer",
        choices=OPTIMIZERS.names,
        default="adam",
        help="how weights are updated (default adam): " + each(OPTIMIZERS),
    )
    parser.add_argument("--momentum", type=float, default=0.0, help="sgd: momentum (default 0)")
    parser.add_argument(
        "--nesterov", action="store_true", help="sgd: Nesterov momentum (looks one step ahead)"
    )
    parser.add_argument(
        "--loss",
        choices=LOSSES.names,
        default="auto",
        help="what training minimises (default auto: the usual one for the task and head)",
    )
    parser.add_argument(
        "--metrics",
        type=metric_list,
        default=[],
        metavar="NAMES",
        help=f"extra metrics, comma-separated: {', '.join(METRICS.names)} (accuracy or mae always)",
    )
    parser.add_argument(
        "--monitor",
        choices=MONITORS.names,
        default="val_loss",
        help="what picks the best epoch and drives early stopping (default val_loss)",
    )
    parser.add_argument(
        "--device",
        choices=DEVICES,
        default="auto",
        help="where to train: auto (a GPU if there is one), cpu, gpu, all_gpus (mirrored)",
    )
    parser.add_argument(
        "--mixed-precision",
        action="store_true",
        help="GPU: float16 compute with float32 weights (ignored on the CPU)",
    )
    parser.add_argument(
        "--no-restore-best",
        action="store_true",
        help="keep the last epoch's weights instead of the best epoch's",
    )
    parser.add_argument(
        "--schedule",
        choices=SCHEDULES.names,
        default="constant",
        help="learning-rate schedule (default constant): " + each(SCHEDULES),
    )
    parser.add_argument(
        "--early-stopping",
        type=int,
        default=0,
        metavar="PATIENCE",
        help="stop after this many epochs without a better --monitor value (default 0: off; "
        "with --epochs auto, auto chooses one from the data size)",
    )
    parser.add_argument(
        "--class-weights",
        choices=CLASS_WEIGHTS.names,
        default="auto",
        help="balanced: rare classes weigh as much as common ones; auto (default): balanced "
        "when the largest class has 20x the rows of the smallest or more",
    )
    parser.add_argument(
        "--clip-norm", type=float, default=0.0, help="clip gradients to this norm (0: off)"
    )
    parser.add_argument(
        "--validation-fraction",
        type=float,
        default=0.2,
        help="share of rows held out to validate after every epoch (default 0.2)",
    )
    parser.add_argument(
        "--test-fraction",
        type=float,
        help="share of rows held out and scored once at the end (default: auto; "
        + AUTO_TEST_HELP.removeprefix("Auto: ").replace("%", "%%").rstrip(".")
        + ")",
    )
    parser.add_argument(
        "--seed", type=int, default=42, help="makes the split, weights and order repeatable"
    )
    parser.add_argument(
        "--sequence-length",
        type=positive_int,
        help="text: words per text (default: suggested from the data)",
    )
    parser.add_argument(
        "--augment",
        action=argparse.BooleanOptionalAction,
        help="images: random flips, rotations and zooms (default off); audio: time shift, "
        "gain and noise (default on)",
    )


class _PrintListener:
    """Prints one line (or one JSON object) per epoch, and the trainer's log lines."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.epochs = 0

    def on_plan(self, plan) -> None:
        first = self.epochs == 0
        self.epochs = plan.epochs
        if first and plan.class_names and not self.as_json:
            print(f"Classes: {', '.join(plan.class_names)}", flush=True)

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
            + ", ".join(f"{k} {v:.4g}" for k, v in logs.items())
            + f", {samples_per_second:.0f} samples/s"
        )
        emit(self.as_json, event, text)

    def on_log(self, message: str) -> None:
        emit(self.as_json, {"event": "log", "message": message}, message)


def _training_config(args: argparse.Namespace) -> Any:
    from workbench.core.project import TrainingConfig

    training = TrainingConfig(
        optimizer=args.optimizer,
        learning_rate=args.learning_rate,
        epochs=args.epochs,
        batch_size=args.batch_size,
        validation_fraction=args.validation_fraction,
        seed=args.seed,
        test_fraction=args.test_fraction,
        momentum=args.momentum,
        schedule=args.schedule,
        early_stopping_patience=args.early_stopping,
        class_weights=args.class_weights,
        clip_norm=args.clip_norm,
        loss=args.loss,
        metrics=list(args.metrics),
        nesterov=args.nesterov,
        early_stopping_monitor=args.monitor,
        restore_best_weights=not args.no_restore_best,
        device=args.device,
        mixed_precision=args.mixed_precision,
    )
    training.check()
    return training


def _epochs(value: str) -> int | None:
    if value.strip().lower() == "auto":
        return None
    try:
        return positive_int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be auto or a whole number, got {value}") from None


def _template(args: argparse.Namespace, dataset: Any) -> tuple[str, str]:
    """(name, why) of the template to train: --template, or the data's default."""
    if not args.template:
        return templates.default_template(dataset)
    try:
        chosen = templates.template_for(args.template, dataset.kind).name
    except ValueError as exc:
        raise WorkbenchError(f"--template: {exc}") from None
    return chosen, "chosen with --template"


def cmd_train(args: argparse.Namespace) -> int:
    """Train the default template of the data's kind, record the run and save the model."""
    from workbench.core.runs import default_store

    if args.resume:
        return _resume(args)
    project, dataset, name = build_project(args)
    from workbench.backend import api

    output: Path = args.output
    outcome, _ = api.train(
        project,
        dataset,
        _PrintListener(args.json),
        output_dir=output,
        store=default_store(),
        run_name=args.name,
    )
    project.save(output / "project.json")
    return _report(args.json, outcome, name)


def build_project(args: argparse.Namespace) -> tuple[Any, Any, str]:
    """(project, dataset, template name) from ``--data``/``--sample``, the data flags and
    the training flags; says which template it chose and why."""
    from workbench.core.kinds import AUGMENTED_BY_DEFAULT
    from workbench.core.project import DatasetSpec, Project
    from workbench.core.session import audio_settings

    sample = SAMPLES[args.sample] if args.sample else None
    path = sample.path if sample else args.data
    dataset = load(args, path, sample)
    training = _training_config(args)
    spec = DatasetSpec(
        str(path),
        getattr(dataset, "text_column", ""),
        getattr(dataset, "label_column", ""),
        kind=dataset.kind,
        task=dataset.task,
        augment=(dataset.kind in AUGMENTED_BY_DEFAULT) if args.augment is None else args.augment,
    )
    spec.sample_rate, spec.clip_seconds = audio_settings(dataset)
    name, why = _template(args, dataset)
    project = Project(spec, templates.TEMPLATES[name].build(dataset), training)
    emit(
        args.json,
        {"event": "template", "template": name, "reason": why},
        f"Template: {name} ({why}).",
    )
    if args.sequence_length:
        templates.fit_sequence_length(project.layers, args.sequence_length)

    return project, dataset, name


def _resume(args: argparse.Namespace) -> int:
    """``train --resume RUN_ID``: the run's own data and settings, from its last checkpoint.

    A damaged run (run.json, the settings in it, its checkpoint) is refused in one line.
    """
    from workbench.backend import api
    from workbench.core.project import Project
    from workbench.core.runs import RUN_FILE, default_store

    store = default_store()
    record = store.get(args.resume)  # no such run, or a damaged run.json: one line
    try:
        Project.from_dict(record.project)
    except WorkbenchError as exc:
        raise WorkbenchError(
            f"{record.path / RUN_FILE}: the settings saved with run {record.id} cannot be used "
            f"({exc}); train it again as a new run."
        ) from None
    outcome, _ = api.resume(record, api.dataset_of(record), _PrintListener(args.json), store=store)
    return _report(args.json, outcome)


def _report(as_json: bool, outcome: Any, template: str | None = None) -> int:
    """The last line of a training: best epoch and where things are, or what went wrong."""
    if outcome.error:  # diverged: the last good weights were saved, but say what happened
        emit(
            as_json,
            {
                "event": "error",
                "message": outcome.error,
                "model": outcome.model_path,
                "run_id": outcome.run_id,
            },
            f"Stopped early: {outcome.error}",
        )
        print(f"workbench: error: {outcome.error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    from workbench.core.outcome import describe_test

    best = {k: v for k, v in outcome.best_metrics.items() if k.startswith("val_")}
    test = (
        {**outcome.test_metrics, "test_rows": outcome.test_samples} if outcome.test_metrics else {}
    )
    done = {
        "event": "done",
        **best,
        **test,
        "best_epoch": outcome.best_epoch,
        "epochs": outcome.epochs_completed,
        "epochs_setting": "auto" if outcome.auto_epochs else outcome.epochs_completed,
        "epochs_text": outcome.epochs_text(),
        **({"template": template} if template else {}),
        "samples_per_second": round(outcome.samples_per_second or 0.0, 1),
        "model": outcome.model_path,
        "run_id": outcome.run_id,
    }
    emit(
        as_json,
        done,
        f"{outcome.epochs_text().capitalize()}. Best epoch {outcome.best_epoch}: "
        + ", ".join(f"{k} {v:.4g}" for k, v in best.items())
        + f". Model saved to {outcome.model_path}. Run {outcome.run_id}."
        + (f"\n{describe_test(outcome)}." if test else ""),
    )
    return EXIT_OK
