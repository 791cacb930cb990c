"""The narrow interface of the backend: everything the GUI's workers and the CLI call.

Kept small and made of plain data (``core`` types in, ``core`` types out) so training could
later move to a child process without touching the views.
"""

from __future__ import annotations

from pathlib import Path

from workbench.core.layers import LayerSpec
from workbench.core.listener import TrainingControl, TrainingListener, TrainingOutcome
from workbench.core.project import Project
from workbench.core.summary import Prediction, StackSummary
from workbench.core.textdata import TextTable


def load() -> str:
    """Import TensorFlow and Keras (3-5 s); return a short description like 'Keras 3.15.1'."""
    from workbench.backend.runtime import ensure_loaded

    return ensure_loaded()


def summarize(layers: list[LayerSpec], num_classes: int | None = None) -> StackSummary:
    """Build the stack symbolically: shape and parameters per layer, errors on the culprit."""
    from workbench.backend.model_builder import summarize_stack

    return summarize_stack(layers, num_classes)


def train(
    project: Project,
    table: TextTable,
    listener: TrainingListener,
    control: TrainingControl | None = None,
    output_dir: str | Path | None = None,
) -> tuple[TrainingOutcome, Predictor]:
    """Fit the project's stack on the table; blocks, so call it from a worker thread."""
    from workbench.backend.trainer import Trainer

    trainer = Trainer(project, table, output_dir=output_dir)
    outcome = trainer.run(listener, control or TrainingControl())
    return outcome, trainer.predictor()


class Predictor:
    """A trained model plus its class names; answers for raw texts."""

    def __init__(self, model, class_names: list[str]) -> None:
        self.model = model
        self.class_names = list(class_names)

    @classmethod
    def load(cls, path: str | Path) -> Predictor:
        """Open a saved .keras model (safe mode) with the class names stored beside it."""
        from workbench.backend.export import load_model_with_classes

        model, class_names = load_model_with_classes(path)
        return cls(model, class_names)

    def predict(self, texts: list[str]) -> list[Prediction]:
        """Label and class probabilities for each text."""
        from workbench.backend.predictor import predict_texts

        return predict_texts(self.model, self.class_names, texts)

    def save(self, path: str | Path) -> Path:
        """Write the model as a .keras file that plain ``keras.models.load_model`` opens."""
        from workbench.backend.export import save_model_with_classes

        return save_model_with_classes(self.model, self.class_names, path)
