"""What the person is working on, in one Qt-free place that the window's tabs follow.

The session holds the project being edited, the data set loaded for it and its summary, the
model that predicts (a run's or the one just trained) and whether a run is training. Every
change goes through a method here, which emits one event (psygnal, as napari's evented
models do); views subscribe to the events rather than to each other. That is how opening new
data clears, in one place, every result that belonged to the old data: the model trained on
other inputs, the last run's headline and curves.

The session never imports Qt or TensorFlow: the CLI, a test or a future child-process
trainer can hold one as well as the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psygnal import Signal

from workbench.core.audio import DEFAULT_RATE
from workbench.core.kinds import AUGMENTED_BY_DEFAULT
from workbench.core.project import DatasetSpec, Project


@dataclass(frozen=True)
class ModelSource:
    """Where the model that predicts came from, in words the Predict tab shows."""

    #: "run 3", "the model just trained (run 4)", "model.keras"
    name: str = ""
    #: The run it was recorded as, when it came from a run.
    run_id: str | None = None
    #: The data file or folder it was trained on ("" when unknown).
    data_path: str = ""

    def describe(self) -> str:
        """'run 3 (trained on imdb.csv)' for the Predict tab's label."""
        if not self.name:
            return ""
        if self.data_path:
            return f"{self.name} (trained on {Path(self.data_path).name})"
        return self.name


class Session:
    """The window's one source of truth about data, model and runs. Not thread-safe: only
    the GUI thread (or one CLI thread) changes it; workers hand their results back first."""

    #: New data is in use: (dataset, summary). Emitted after the project's data spec changed.
    data_changed = Signal(object, object)
    #: The model that predicts changed: (predictor or None, ModelSource).
    predictor_changed = Signal(object, object)
    #: The results shown for the last run no longer apply (new data): (reason).
    results_cleared = Signal(str)
    #: A run started (True) or ended (False).
    training_changed = Signal(bool)

    def __init__(self, project: Project | None = None) -> None:
        self.project = project if project is not None else Project()
        self.dataset: Any = None  # TextTable | TabularTable | ImageFolder | ArrayData
        self.summary: dict[str, Any] = {}
        self.predictor: Any = None
        self.source = ModelSource()
        self.last_run_id: str | None = None
        self.training = False

    # -- data --------------------------------------------------------------------------

    def set_dataset(self, dataset: Any, summary: dict[str, Any]) -> bool:
        """Use ``dataset`` from now on; returns True when it is another file than before.

        A model trained on other inputs stops predicting, and the last run's results are
        cleared when the file changes, so no tab shows them as if they were about this data.
        """
        old = self.dataset
        new_file = old is None or Path(str(old.path)) != Path(str(dataset.path))
        other_inputs = new_file or not same_inputs(old, dataset)
        if self.predictor is not None and other_inputs:
            self.set_predictor(None)
        if old is not None and other_inputs:
            name = Path(str(old.path)).name
            self.results_cleared.emit(
                f"The last results belong to {name}."
                if new_file
                else f"The last results belong to other settings of {name}."
            )
        self.dataset = dataset
        self.summary = summary
        task = dataset.task
        self.project.dataset = DatasetSpec(
            str(dataset.path),
            getattr(dataset, "text_column", "") or "",
            getattr(dataset, "label_column", "") or getattr(dataset, "y_name", "") or "",
            dataset.kind,
            task,
            self._augment(dataset.kind),
            *audio_settings(dataset),
        )
        self.data_changed.emit(dataset, summary)
        return new_file

    def _augment(self, kind: str) -> bool:
        """The project's augmentation setting for data of the same kind; else the kind's
        default (on for audio)."""
        spec = self.project.dataset
        if spec.kind == kind and spec.path:
            return spec.augment
        return kind in AUGMENTED_BY_DEFAULT

    @property
    def num_classes(self) -> int | None:
        """Output units the data asks for: its classes, 1 for regression, None before data."""
        if self.dataset is None:
            return None
        return len(self.class_counts()) if self.dataset.task == "classification" else 1

    def class_counts(self) -> dict[str, int]:
        """Rows per class of the loaded data (empty for regression or before any data)."""
        if self.dataset is None or self.dataset.task != "classification":
            return {}
        return dict(self.summary.get("classes", {}))

    # -- model and runs ------------------------------------------------------------------

    def set_predictor(self, predictor: Any, source: ModelSource | None = None) -> None:
        """The model the Predict tab uses (None: none until one is trained or opened)."""
        self.predictor = predictor
        self.source = source if (predictor is not None and source is not None) else ModelSource()
        if source is not None and source.run_id:
            self.last_run_id = source.run_id
        self.predictor_changed.emit(predictor, self.source)

    def set_training(self, training: bool) -> None:
        """A run started or ended."""
        if training != self.training:
            self.training = training
            self.training_changed.emit(training)

    def data_matches(self, spec: dict[str, Any]) -> bool:
        """Whether the loaded data is the file and kind a run's saved settings name."""
        data = self.dataset
        if data is None or data.kind != spec.get("kind"):
            return False
        return Path(str(data.path)) == Path(str(spec.get("path", "")))


def same_inputs(old: Any, new: Any) -> bool:
    """Whether a model trained on ``old`` takes and answers for ``new``'s inputs."""
    if old is None or old.kind != new.kind or old.task != new.task:
        return False
    if new.kind == "tabular":
        return old.feature_types == new.feature_types and old.label_column == new.label_column
    if new.kind == "images":
        return tuple(old.image_size) == tuple(new.image_size)
    if new.kind == "npz":
        return (old.x_name, old.y_name) == (new.x_name, new.y_name)
    if new.kind == "audio":
        return (old.sample_rate, old.clip_samples) == (new.sample_rate, new.clip_samples)
    return True


def audio_settings(dataset: Any) -> tuple[int, float]:
    """(sample_rate, clip_seconds) as a project keeps them: 0 where the default applies (16
    kHz; the length the data suggests), so a project follows its folder as it grows."""
    if dataset.kind != "audio":
        return 0, 0.0
    rate = 0 if dataset.sample_rate == DEFAULT_RATE else int(dataset.sample_rate)
    seconds = 0.0 if dataset.clip_seconds == dataset.auto_seconds else dataset.clip_seconds
    return rate, float(seconds)


__all__ = ["ModelSource", "Session", "audio_settings", "same_inputs"]
