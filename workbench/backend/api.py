"""The narrow interface of the backend: everything the GUI's workers and the CLI call.

Kept small and made of plain data (``core`` types in, ``core`` types out) so training could
later move to a child process without touching the views. Importing it is cheap: each
function imports the TensorFlow side when called, and ``api.Predictor`` (the class lives in
:mod:`workbench.backend.predictor`) is looked up on first use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.backend.log import log
from workbench.core.datasets import Dataset
from workbench.core.errors import WorkbenchError
from workbench.core.layers import LayerSpec
from workbench.core.listener import TrainingControl, TrainingListener, TrainingOutcome
from workbench.core.project import Project
from workbench.core.runs import RunRecord, RunStore, default_store
from workbench.core.summary import StackSummary

if TYPE_CHECKING:
    from workbench.backend.predictor import Predictor


def load() -> str:
    """Import TensorFlow and Keras (3-5 s); return what the status bar shows, like
    'Keras 3.15.1 (TensorFlow 2.21.0) on CPU (2 cores, 23.4 GiB)'."""
    from workbench.backend.runtime import ensure_loaded

    description = ensure_loaded()
    from workbench.backend.acceleration import describe_devices

    return f"{description} on {describe_devices()}"


def summarize(
    layers: list[LayerSpec], num_classes: int | None = None, dataset: Dataset | None = None
) -> StackSummary:
    """Build the stack symbolically: shape and parameters per layer, errors on the culprit.

    With a dataset, its encodings (normalisation, one-hot, rescaling) come first and the
    head is checked against its task; without one the stack is read as a text model.
    """
    from workbench.backend.adapters import adapter_for
    from workbench.backend.model_builder import summarize_stack

    adapter = adapter_for(dataset) if dataset is not None else None
    return summarize_stack(layers, num_classes, adapter)


def train(
    project: Project,
    dataset: Dataset,
    listener: TrainingListener,
    control: TrainingControl | None = None,
    output_dir: str | Path | None = None,
    initial_weights: list[list[Any]] | None = None,
    store: RunStore | None = None,
    run_name: str = "",
) -> tuple[TrainingOutcome, Predictor]:
    """Fit the project's stack on the dataset; blocks, so call it from a worker thread.

    ``initial_weights`` (per layer, as :func:`import_keras` returns them) start training
    from an imported model's weights wherever the shapes still match. With a ``store`` the
    training is recorded as a run (settings, history, a checkpoint after every epoch,
    model.keras, final status); ``outcome.run_id`` names it.
    """
    from workbench.backend.trainer import Trainer

    trainer = Trainer(project, dataset, output_dir=output_dir, initial_weights=initial_weights)
    keeper = None
    if store is not None:
        from workbench.backend.recording import RunKeeper

        keeper = RunKeeper(store.create(project.to_dict(), name=run_name), listener)
    outcome = _run(trainer, listener, control, keeper)
    return outcome, trainer.predictor()


def resume(
    run: str | RunRecord,
    dataset: Dataset,
    listener: TrainingListener,
    control: TrainingControl | None = None,
    store: RunStore | None = None,
) -> tuple[TrainingOutcome, Predictor]:
    """Continue an interrupted (or stopped) run from its last checkpoint, in the same run.

    Training goes on with epoch N+1 of the epochs the run was set to, with the weights,
    optimizer state, best-so-far and early-stopping counters of epoch N; the run's history
    stays one continuous list. A run killed before its first checkpoint starts over.
    """
    from workbench.backend.checkpoints import latest_checkpoint
    from workbench.backend.recording import RunKeeper
    from workbench.backend.trainer import Trainer

    record = _record(run, store)
    if record.status == "finished":
        raise WorkbenchError(
            f"Run {record.name} ({record.id}) finished; continue it for more epochs instead "
            "of resuming it."
        )
    if record.status == "running" and _alive_elsewhere(record.pid):
        raise WorkbenchError(
            f"Run {record.name} ({record.id}) is still training in process {record.pid}."
        )
    project = Project.from_dict(record.project)
    start = latest_checkpoint(record.checkpoint_path)
    if start is None:
        log(listener, "No checkpoint was saved before the run ended: training starts over.")
    elif project.training.epochs is not None and start.epoch >= project.training.epochs:
        log(listener, f"The checkpoint already holds all {start.epoch} epochs.")
    keeper = RunKeeper(record, listener)
    if start is None:
        record.history = []
    trainer = Trainer(project, dataset)
    return _run(trainer, listener, control, keeper, start), trainer.predictor()


def continue_run(
    run: str | RunRecord,
    dataset: Dataset,
    extra_epochs: int,
    listener: TrainingListener,
    control: TrainingControl | None = None,
    store: RunStore | None = None,
    run_name: str = "",
) -> tuple[TrainingOutcome, Predictor]:
    """Train a finished (or stopped) run's model for ``extra_epochs`` more epochs.

    This makes a NEW run whose ``parent`` is the old one, so the finished run stays as it
    was for comparison. The new run starts from the model the old one kept (the best
    epoch's weights when restore-best was on, else the last epoch's) with the optimizer
    state of its last epoch; epochs are numbered on (N+1 .. N+extra) and the new run's
    history begins with the parent's, so its curves are continuous. It is created in
    ``store``, or next to the parent when no store is given.
    """
    from workbench.backend.checkpoints import Checkpoint, latest_checkpoint
    from workbench.backend.recording import RunKeeper
    from workbench.backend.trainer import Trainer

    if extra_epochs < 1:
        raise WorkbenchError("Continue training needs at least 1 more epoch.")
    parent = _record(run, store)
    if parent.status == "running" and _alive_elsewhere(parent.pid):
        raise WorkbenchError(
            f"Run {parent.name} ({parent.id}) is still training in process {parent.pid}."
        )
    last = latest_checkpoint(parent.checkpoint_path)
    if last is None:
        raise WorkbenchError(
            f"Run {parent.name} ({parent.id}) has no checkpoint to continue from; "
            "train it again instead."
        )
    project = Project.from_dict(parent.project)
    project.training.epochs = last.epoch + extra_epochs
    weights = last.weights
    if project.training.restore_best_weights and last.best_weights is not None:
        weights = last.best_weights
    state = {**last.state, "wait": 0, "target_epochs": project.training.epochs}
    start = Checkpoint(last.epoch, weights, last.optimizer, last.best_weights, state)
    target = store if store is not None else RunStore(parent.path.parent)
    record = target.create(project.to_dict(), name=run_name or f"{parent.name} +{extra_epochs}")
    record.parent = parent.id
    record.history = [dict(entry) for entry in last.state.get("history", [])]
    record.save()
    kept = last.state.get("best_epoch") if weights is last.best_weights else last.epoch
    log(
        listener,
        f"Continuing run {parent.name} from epoch {kept}'s weights for {extra_epochs} more "
        f"epoch(s), as run {record.name}.",
    )
    trainer = Trainer(project, dataset)
    outcome = _run(trainer, listener, control, RunKeeper(record, listener), start)
    return outcome, trainer.predictor()


def dataset_of(run: str | RunRecord, store: RunStore | None = None) -> Dataset:
    """Load the data a run trained on, from the dataset settings saved with it (a run id
    is looked up in ``store``, by default the workspace's)."""
    from workbench.core.datasets import load_spec

    record = _record(run, store)
    spec = Project.from_dict(record.project).dataset
    if not spec.path:
        raise WorkbenchError(f"Run {record.name} ({record.id}) does not say which data it used.")
    return load_spec(spec)


def _record(run: str | RunRecord, store: RunStore | None) -> RunRecord:
    if isinstance(run, RunRecord):
        return run
    return (store or default_store()).get(run)


def _alive_elsewhere(pid: int | None) -> bool:
    import os

    from workbench.core.atomic import pid_alive

    return bool(pid) and pid != os.getpid() and pid_alive(pid)


def _run(
    trainer: Any,
    listener: TrainingListener,
    control: TrainingControl | None,
    keeper: Any,
    start: Any = None,
) -> TrainingOutcome:
    """Run the trainer; a recorded run that raises is marked failed with the reason."""
    if keeper is not None:
        keeper.begin()
    try:
        return trainer.run(listener, control or TrainingControl(), start=start, keeper=keeper)
    except Exception as exc:
        if keeper is not None:
            keeper.fail(str(exc) or type(exc).__name__)
        raise


def evaluate(
    predictor: Predictor,
    dataset: Dataset,
    rows: Any = None,
    progress: Any = None,
    cancel: Any = None,
) -> Any:
    """The model's results (a core ``ClassificationEval`` or ``RegressionEval``) on ``rows``
    of the dataset, predicted in batches; ``progress(fraction)`` and ``cancel() -> bool``
    report and stop it between batches."""
    from workbench.backend.evaluation import evaluate as run

    return run(predictor, dataset, rows, progress, cancel)


def fit_baselines(
    predictor: Predictor,
    dataset: Dataset,
    train_rows: Any,
    eval_rows: Any,
    progress: Any = None,
    cancel: Any = None,
    train_data: Dataset | None = None,
) -> list[Any]:
    """The majority-class (or mean) and linear baselines on the rows the model was
    evaluated on, fitted on ``train_rows`` of ``train_data`` (default: the evaluated
    dataset); cross-fitted on the evaluated rows when ``train_rows`` is None."""
    from workbench.backend.evaluation import fit_baselines as fit

    return fit(predictor, dataset, train_rows, eval_rows, progress, cancel, train_data)


def export_model(
    model_path: str | Path,
    fmt: str,
    output: str | Path,
    check: str | Path | None = None,
    data_options: dict[str, Any] | None = None,
    rows: int | None = None,
    progress: Any = None,
) -> Any:
    """Export a saved model as ``fmt`` (core.exports.FORMATS) into the new folder
    ``output``, prove it with a parity check in its own runtime, and write the model card
    beside it; returns a core ``ExportResult``. Raises ``ParityFailed`` (the folder is
    kept, marked FAILED) or a WorkbenchError naming what is wrong. Blocks: call it from a
    worker; ``progress(fraction, words)`` reports each step."""
    from workbench.backend.exporter import export_model as run
    from workbench.core.exports import DEFAULT_CHECK_ROWS

    return run(model_path, fmt, output, check, data_options, rows or DEFAULT_CHECK_ROWS, progress)


def save_threshold(path: str | Path, threshold: float | None) -> dict[str, Any]:
    """Keep a two-class model's decision threshold in its file; returns the new metadata."""
    from workbench.backend.export import save_threshold as save

    return save(path, threshold)


def text_importance(
    predictor: Predictor, texts: list[str], class_index: Any = None, cancel: Any = None
) -> Any:
    """Per text, (word, start, end, weight): how much removing each word lowers the
    probability of the class (occlusion; forward passes only)."""
    from workbench.backend.explain import text_importance as explain

    return explain(predictor, texts, class_index, cancel=cancel)


def image_saliency(predictor: Predictor, paths: list[str], class_index: Any = None) -> Any:
    """Per image, an (height, width) map of 0..1: where the pixels drove the answer."""
    from workbench.backend.explain import image_saliency as saliency

    return saliency(predictor, paths, class_index)


def feature_importance(
    predictor: Predictor,
    dataset: Dataset,
    rows: Any,
    progress: Any = None,
    cancel: Any = None,
) -> dict[str, float]:
    """Permutation importance of each feature column on ``rows`` (table models)."""
    from workbench.backend.evaluation import true_labels
    from workbench.backend.explain import permutation_importance

    frame = dataset.frame.iloc[rows]  # type: ignore[union-attr]
    truth = true_labels(predictor, dataset, rows)
    return permutation_importance(predictor, frame, truth, cancel=cancel, progress=progress)


def import_keras(path: str | Path) -> Any:
    """Layers, weights and left-out layers of a plain Keras .keras model (safe mode)."""
    from workbench.backend.keras_import import import_keras_model

    return import_keras_model(path)


def __getattr__(name: str) -> Any:
    """``api.Predictor``: imported on first use, so importing this module stays cheap (no
    TensorFlow until a function needs it)."""
    if name == "Predictor":
        from workbench.backend.predictor import Predictor

        return Predictor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
