"""What several callbacks need: the model whose weights are kept."""

from __future__ import annotations

from workbench.backend.runtime import ensure_loaded

ensure_loaded()
import keras  # noqa: E402


class WholeModelCallback(keras.callbacks.Callback):
    """A callback that reads or sets the weights of the whole model.

    ``fit`` may train only a part of the saved model (the layers after a text vectorizer,
    with the same weights); the weights kept and checkpointed are the whole model's.
    """

    def __init__(self, whole: keras.Model | None = None) -> None:
        super().__init__()
        self._whole = whole

    @property
    def weights_model(self) -> keras.Model:
        """The whole model (what is saved and checkpointed), even when fit trains a part."""
        return self._whole if self._whole is not None else self.model
