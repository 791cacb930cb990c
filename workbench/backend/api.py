"""The narrow interface of the backend: everything the GUI's workers and the CLI call.

Kept small and made of plain data (``core`` types in, ``core`` types out) so training could
later move to a child process without touching the views.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.core.datasets import Dataset
from workbench.core.layers import LayerSpec
from workbench.core.listener import TrainingControl, TrainingListener, TrainingOutcome
from workbench.core.project import Project
from workbench.core.summary import Prediction, StackSummary


def load() -> str:
    """Import TensorFlow and Keras (3-5 s); return a short description like 'Keras 3.15.1'."""
    from workbench.backend.runtime import ensure_loaded

    return ensure_loaded()


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
) -> tuple[TrainingOutcome, Predictor]:
    """Fit the project's stack on the dataset; blocks, so call it from a worker thread.

    ``initial_weights`` (per layer, as :func:`import_keras` returns them) start training
    from an imported model's weights wherever the shapes still match.
    """
    from workbench.backend.trainer import Trainer

    trainer = Trainer(project, dataset, output_dir=output_dir, initial_weights=initial_weights)
    outcome = trainer.run(listener, control or TrainingControl())
    return outcome, trainer.predictor()


def import_keras(path: str | Path) -> Any:
    """Layers, weights and left-out layers of a plain Keras .keras model (safe mode)."""
    from workbench.backend.keras_import import import_keras_model

    return import_keras_model(path)


class Predictor:
    """A trained model plus what it needs to read raw inputs (kind, classes, encodings)."""

    def __init__(self, model: Any, meta: dict[str, Any]) -> None:
        self.model = model
        self.meta = dict(meta)

    @property
    def class_names(self) -> list[str]:
        """Output classes (empty for regression)."""
        return list(self.meta.get("class_names", []))

    @property
    def kind(self) -> str:
        """text, tabular, images or npz."""
        return str(self.meta.get("kind", "text"))

    @property
    def task(self) -> str:
        """classification or regression."""
        return str(self.meta.get("task", "classification"))

    @classmethod
    def load(cls, path: str | Path) -> Predictor:
        """Open a saved .keras model (safe mode) with the metadata stored inside it."""
        from workbench.backend.export import load_model_with_meta

        model, meta = load_model_with_meta(path)
        return cls(model, meta)

    def predict(self, texts: list[str]) -> list[Prediction]:
        """Label and class probabilities for each text (text models)."""
        from workbench.backend.predictor import text_inputs

        return self._answer(text_inputs(texts))

    def predict_table(self, frame: Any, source: str = "input") -> list[Prediction]:
        """One answer per row of a DataFrame with the training columns (tabular models)."""
        from workbench.backend.predictor import table_inputs

        return self._answer(table_inputs(self.meta, frame, source))

    def predict_images(self, paths: list[str | Path]) -> tuple[list[Prediction], list[str]]:
        """Answers for the image files that could be read, and which those were."""
        from workbench.backend.predictor import image_inputs

        batch, used = image_inputs(self.meta, paths)
        return self._answer(batch), used

    def predict_arrays(self, x: Any) -> list[Prediction]:
        """Answers for samples shaped like the training x (npz models)."""
        import numpy as np

        return self._answer(np.asarray(x, dtype=np.float32))

    def _answer(self, inputs: Any) -> list[Prediction]:
        from workbench.backend.predictor import probabilities, to_predictions

        if self.task == "regression":
            import numpy as np

            values = np.asarray(self.model.predict(inputs, verbose=0), dtype=np.float64)
            return [Prediction(f"{v:.6g}", {}, value=float(v)) for v in values.reshape(-1)]
        return to_predictions(probabilities(self.model, inputs), self.class_names)

    def save(self, path: str | Path) -> Path:
        """Write the model as a .keras file that plain ``keras.models.load_model`` opens."""
        from workbench.backend.export import save_model_with_meta

        return save_model_with_meta(self.model, self.meta, path)
