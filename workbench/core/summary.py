"""What the backend says about a layer stack and a prediction, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class LayerSummary:
    """One row of the model summary: like a line of ``model.summary()``."""

    index: int
    name: str
    output_shape: str = ""
    params: int = 0
    error: str | None = None
    note: str | None = None  # advice that does not block training


@dataclass
class StackSummary:
    """The whole stack: rows, totals and whether it can be trained."""

    layers: list[LayerSummary] = field(default_factory=list)
    total_params: int = 0
    trainable_params: int = 0
    errors: list[tuple[int | None, str]] = field(default_factory=list)
    input_shape: str = ""  # what the first layer receives, after the data's own encodings

    @property
    def ok(self) -> bool:
        """True when the stack builds and fits the data."""
        return not self.errors

    def first_error(self) -> str | None:
        """The message to show next to a disabled Train button."""
        if not self.errors:
            return None
        index, message = self.errors[0]
        return message if index is None else f"Layer {index + 1}: {message}"


@dataclass
class Prediction:
    """The predicted label of one input and the probability of every class."""

    label: str
    probabilities: dict[str, float]
    value: float | None = None  # regression: the predicted number (label is its text)

    @property
    def confidence(self) -> float:
        """Probability of the predicted label (1.0 for a regression value)."""
        return self.probabilities.get(self.label, 1.0)
