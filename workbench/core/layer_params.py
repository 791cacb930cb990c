"""The typed parameters of layer types: what a layer setting may hold, and how a form
reads and shows it. The catalog itself (which layers, with which parameters) is in
:mod:`workbench.core.layers`.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from typing import Any

#: How TextVectorization cleans texts: Keras's own four, and two of the workbench's that
#: split punctuation off instead of deleting it (workbench.backend.text_standardize).
STANDARDIZE_CHOICES = (
    "lower_and_strip_punctuation",
    "lower_and_split_punctuation",
    "lower_with_markers",
    "lower",
    "strip_punctuation",
    "none",
)
ACTIVATIONS = ("relu", "sigmoid", "softmax", "tanh", "gelu", "elu", "selu", "swish", "linear")
RECURRENT_ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")


@dataclass(frozen=True)
class ParamSpec:
    """One editable parameter of a layer type."""

    name: str
    kind: str  # "int" | "float" | "bool" | "choice" | "shape" (a list of whole numbers)
    default: Any
    label: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    none_value: Any = "__never__"  # this value is passed to Keras as None (e.g. ngrams 1)

    @property
    def title(self) -> str:
        """The label shown in forms."""
        return self.label or self.name.replace("_", " ").capitalize()

    def check(self, value: Any) -> str | None:
        """Return a readable problem with ``value``, or None when it is acceptable."""
        if self.kind == "shape":
            return _shape_problem(self.title, value)
        if self.kind == "bool":
            return None if isinstance(value, bool) else f"{self.title} must be on or off."
        if self.kind == "choice":
            if value in self.choices:
                return None
            return f"{self.title} must be one of {', '.join(self.choices)} (got {value!r})."
        numeric = (int,) if self.kind == "int" else (int, float)
        if isinstance(value, bool) or not isinstance(value, numeric):
            kind = "a whole number" if self.kind == "int" else "a number"
            return f"{self.title} must be {kind} (got {value!r})."
        if self.minimum is not None and value < self.minimum:
            return f"{self.title} must be at least {self.minimum:g} (got {value:g})."
        if self.maximum is not None and value > self.maximum:
            return f"{self.title} must be at most {self.maximum:g} (got {value:g})."
        return None

    def parse(self, text: str) -> Any:
        """The value a person typed, or ValueError with the reason (in words for them).

        Used by text fields; the result still goes through :meth:`check`.
        """
        text = text.strip()
        if not text:
            raise ValueError(f"{self.title} is required: {self.expects()}.")
        if self.kind == "shape":
            parts = [p for p in re.split(r"[\s,x×()\[\]]+", text) if p]
            try:
                return [int(p) for p in parts]
            except ValueError:
                raise ValueError(
                    f"{self.title} must be whole numbers separated by commas, like 8, 8 "
                    f"(got {text!r})."
                ) from None
        if self.kind in ("int", "float"):
            cleaned = text.replace(",", "") if self.kind == "int" else text
            try:
                return int(cleaned) if self.kind == "int" else float(cleaned)
            except ValueError:
                raise ValueError(f"{self.title} must be {self.expects()} (got {text!r}).") from None
        if self.kind == "bool":
            return text.lower() in ("1", "true", "yes", "on")
        return text

    def expects(self) -> str:
        """What a valid value looks like, for messages."""
        if self.kind == "shape":
            return "whole numbers separated by commas, like 8, 8 (one -1 means 'the rest')"
        if self.kind in ("int", "float"):
            kind = "a whole number" if self.kind == "int" else "a number"
            low, high = self.minimum, self.maximum
            if low is not None and high is not None:
                return f"{kind} from {low:,g} to {high:,g}"
            return kind
        if self.kind == "choice":
            return f"one of {', '.join(self.choices)}"
        return "on or off"

    def format(self, value: Any) -> str:
        """The text a field shows for ``value`` (inverse of :meth:`parse`)."""
        if self.kind == "shape" and isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return str(value)


def _shape_problem(title: str, value: Any) -> str | None:
    """Why a target shape cannot be used, or None."""
    if not isinstance(value, list | tuple) or not value:
        return f"{title} needs at least one size, like 8, 8."
    if any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        return f"{title} must be whole numbers, like 8, 8 (got {value!r})."
    if any(v == 0 or v < -1 for v in value):
        return f"{title}: every size must be 1 or more (or -1 once for 'the rest'); got {value}."
    if list(value).count(-1) > 1:
        return f"{title} can use -1 ('the rest') only once; got {value}."
    if len(value) > 8:
        return f"{title} can have at most 8 sizes; got {len(value)}."
    if math.prod(abs(v) for v in value) > 2**31:
        return f"{title} is too large."
    return None


@dataclass(frozen=True)
class LayerType:
    """A kind of layer in the palette."""

    name: str
    description: str
    params: tuple[ParamSpec, ...] = ()
    category: str = "Core"
    custom: bool = False  # one of the workbench's own registered layers, not keras.layers

    @property
    def keras_class(self) -> str:
        """The ``keras.layers`` class this type builds (the same name, by design)."""
        return self.name

    def param(self, name: str) -> ParamSpec:
        """The spec of one parameter, by name."""
        for spec in self.params:
            if spec.name == name:
                return spec
        raise KeyError(f"{self.name} has no parameter {name!r}")

    def defaults(self) -> dict[str, Any]:
        """A fresh dict of default parameter values."""
        return {spec.name: copy.copy(spec.default) for spec in self.params}


def units_param(default: int) -> ParamSpec:
    return ParamSpec("units", "int", default, minimum=1, maximum=65536, help="Size of the output.")


def return_sequences_param() -> ParamSpec:
    return ParamSpec(
        "return_sequences",
        "bool",
        False,
        help="Output every time step (needed before another recurrent layer or a pooling layer).",
    )


def dropout_param(name: str = "dropout", label: str = "") -> ParamSpec:
    return ParamSpec(name, "float", 0.0, label=label, minimum=0.0, maximum=0.95)


def conv2d_params() -> tuple[ParamSpec, ...]:
    """Settings shared by the image convolutions (Conv2D, SeparableConv2D)."""
    return (
        ParamSpec("filters", "int", 32, minimum=1, maximum=65536),
        ParamSpec("kernel_size", "int", 3, label="Kernel size", minimum=1, maximum=64),
        ParamSpec("strides", "int", 1, minimum=1, maximum=64),
        ParamSpec("padding", "choice", "same", choices=("valid", "same")),
        ParamSpec("activation", "choice", "relu", choices=ACTIVATIONS),
    )


def pool_param(default: int = 2) -> ParamSpec:
    return ParamSpec(
        "pool_size",
        "int",
        default,
        label="Pool size",
        minimum=1,
        maximum=64,
        help="Window size; 2 halves the length (or each side of an image).",
    )


def rate_param(default: float) -> ParamSpec:
    return ParamSpec(
        "rate",
        "float",
        default,
        minimum=0.0,
        maximum=0.95,
        help="Share of inputs set to zero while training.",
    )
