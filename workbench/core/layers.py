"""The layer catalog: which layers a person can stack, and the typed parameters of each.

The catalog is data, so the model form, validation, JSON and code export all read one source.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from typing import Any

ACTIVATIONS = ("relu", "sigmoid", "softmax", "tanh", "gelu", "elu", "selu", "swish", "linear")
RECURRENT_ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")


@dataclass(frozen=True)
class ParamSpec:
    """One editable parameter of a layer type."""

    name: str
    kind: str  # "int" | "float" | "bool" | "choice"
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


@dataclass(frozen=True)
class LayerType:
    """A kind of layer in the palette."""

    name: str
    description: str
    params: tuple[ParamSpec, ...] = ()
    category: str = "Core"

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


def _units(default: int) -> ParamSpec:
    return ParamSpec("units", "int", default, minimum=1, maximum=65536, help="Size of the output.")


def _return_sequences() -> ParamSpec:
    return ParamSpec(
        "return_sequences",
        "bool",
        False,
        help="Output every time step (needed before another recurrent layer or a pooling layer).",
    )


def _dropout(name: str = "dropout", label: str = "") -> ParamSpec:
    return ParamSpec(name, "float", 0.0, label=label, minimum=0.0, maximum=0.95)


def _conv2d() -> tuple[ParamSpec, ...]:
    """Settings shared by the image convolutions (Conv2D, SeparableConv2D)."""
    return (
        ParamSpec("filters", "int", 32, minimum=1, maximum=65536),
        ParamSpec("kernel_size", "int", 3, label="Kernel size", minimum=1, maximum=64),
        ParamSpec("strides", "int", 1, minimum=1, maximum=64),
        ParamSpec("padding", "choice", "same", choices=("valid", "same")),
        ParamSpec("activation", "choice", "relu", choices=ACTIVATIONS),
    )


def _pool(default: int = 2) -> ParamSpec:
    return ParamSpec(
        "pool_size",
        "int",
        default,
        label="Pool size",
        minimum=1,
        maximum=64,
        help="Window size; 2 halves the length (or each side of an image).",
    )


def _rate(default: float) -> ParamSpec:
    return ParamSpec(
        "rate",
        "float",
        default,
        minimum=0.0,
        maximum=0.95,
        help="Share of inputs set to zero while training.",
    )


_MORE: tuple[LayerType, ...] = (
    LayerType(
        "SimpleRNN",
        "The plainest recurrent layer: fast, but forgets long-range context.",
        (_units(32), _return_sequences(), _dropout()),
        category="Recurrent",
    ),
    LayerType(
        "SeparableConv2D",
        "A cheaper Conv2D: filters each channel, then mixes channels (fewer parameters).",
        _conv2d(),
        category="Convolution",
    ),
    LayerType(
        "MaxPooling1D",
        "Keeps the largest value in each window of a sequence.",
        (_pool(),),
        category="Pooling",
    ),
    LayerType(
        "AveragePooling1D", "Averages each window of a sequence.", (_pool(),), category="Pooling"
    ),
    LayerType(
        "AveragePooling2D", "Averages each window of an image.", (_pool(),), category="Pooling"
    ),
    LayerType(
        "GlobalMaxPooling2D",
        "Keeps the largest value of each channel over the image.",
        category="Pooling",
    ),
    LayerType(
        "SpatialDropout1D",
        "Drops whole feature channels of a sequence while training (better for embeddings).",
        (_rate(0.2),),
        category="Regularization",
    ),
    LayerType(
        "LayerNormalization",
        "Normalises each sample's features; common in recurrent and attention models.",
        category="Regularization",
    ),
    LayerType(
        "Activation",
        "Applies an activation function on its own.",
        (ParamSpec("activation", "choice", "relu", choices=ACTIVATIONS),),
        category="Core",
    ),
    LayerType(
        "Rescaling",
        "Multiplies and shifts every value, e.g. 1/255 to bring pixels into 0..1.",
        (
            ParamSpec("scale", "float", 1.0, minimum=-1e9, maximum=1e9),
            ParamSpec("offset", "float", 0.0, minimum=-1e9, maximum=1e9),
        ),
        category="Preprocessing",
    ),
    LayerType(
        "Resizing",
        "Resizes images to a fixed height and width.",
        (
            ParamSpec("height", "int", 64, minimum=1, maximum=4096),
            ParamSpec("width", "int", 64, minimum=1, maximum=4096),
        ),
        category="Preprocessing",
    ),
    LayerType(
        "RandomFlip",
        "Augmentation: flips images at random while training (does nothing when predicting).",
        (
            ParamSpec(
                "mode",
                "choice",
                "horizontal",
                choices=("horizontal", "vertical", "horizontal_and_vertical"),
            ),
        ),
        category="Preprocessing",
    ),
    LayerType(
        "RandomRotation",
        "Augmentation: rotates images at random by up to this fraction of a full turn.",
        (ParamSpec("factor", "float", 0.05, minimum=0.0, maximum=1.0),),
        category="Preprocessing",
    ),
    LayerType(
        "RandomZoom",
        "Augmentation: zooms images in or out at random by up to this fraction.",
        (ParamSpec("height_factor", "float", 0.1, label="Zoom", minimum=0.0, maximum=0.9),),
        category="Preprocessing",
    ),
)


_CATALOG: tuple[LayerType, ...] = (
    LayerType(
        "TextVectorization",
        "Turns raw text into a sequence of word indices; the vocabulary is learnt from the "
        "training split only.",
        (
            ParamSpec(
                "max_tokens",
                "int",
                10000,
                label="Vocabulary size",
                minimum=2,
                maximum=2_000_000,
                help="Most frequent words kept; others map to [UNK].",
            ),
            ParamSpec(
                "output_sequence_length",
                "int",
                100,
                label="Sequence length",
                minimum=1,
                maximum=100_000,
                help="Texts are cut or padded to this many words.",
            ),
            ParamSpec(
                "standardize",
                "choice",
                "lower_and_strip_punctuation",
                none_value="none",
                choices=("lower_and_strip_punctuation", "lower", "strip_punctuation", "none"),
            ),
            ParamSpec(
                "ngrams",
                "int",
                1,
                label="N-grams",
                minimum=1,
                maximum=5,
                none_value=1,
                help="Also count runs of up to this many words (1: single words only).",
            ),
        ),
        category="Text",
    ),
    LayerType(
        "Embedding",
        "Learns a vector for every word index. Masking lets recurrent layers skip padding.",
        (
            ParamSpec(
                "input_dim",
                "int",
                10000,
                label="Vocabulary size",
                minimum=2,
                maximum=2_000_000,
                help="Must be at least the vectorizer's vocabulary.",
            ),
            ParamSpec("output_dim", "int", 64, label="Vector size", minimum=1, maximum=4096),
            ParamSpec(
                "mask_zero",
                "bool",
                True,
                label="Mask padding",
                help="Treat index 0 (padding) as absent; keep on for LSTM/GRU.",
            ),
        ),
        category="Text",
    ),
    LayerType(
        "LSTM",
        "Long short-term memory recurrent layer.",
        (
            _units(64),
            _return_sequences(),
            _dropout(),
            _dropout("recurrent_dropout", "Recurrent dropout"),
        ),
        category="Recurrent",
    ),
    LayerType(
        "GRU",
        "Gated recurrent unit layer: lighter than an LSTM, often as good.",
        (
            _units(64),
            _return_sequences(),
            _dropout(),
            _dropout("recurrent_dropout", "Recurrent dropout"),
        ),
        category="Recurrent",
    ),
    LayerType(
        "Bidirectional",
        "Runs a recurrent layer forwards and backwards and joins the two outputs.",
        (
            ParamSpec("layer", "choice", "LSTM", label="Recurrent layer", choices=("LSTM", "GRU")),
            _units(32),
            _return_sequences(),
            ParamSpec("merge_mode", "choice", "concat", choices=("concat", "sum", "mul", "ave")),
            _dropout(),
        ),
        category="Recurrent",
    ),
    LayerType(
        "Conv1D",
        "1-D convolution over a sequence (n-gram detectors for text).",
        (
            ParamSpec("filters", "int", 64, minimum=1, maximum=65536),
            ParamSpec("kernel_size", "int", 5, label="Kernel size", minimum=1, maximum=4096),
            ParamSpec("strides", "int", 1, minimum=1, maximum=4096),
            ParamSpec("padding", "choice", "valid", choices=("valid", "same", "causal")),
            ParamSpec("activation", "choice", "relu", choices=ACTIVATIONS),
        ),
        category="Convolution",
    ),
    LayerType(
        "Conv2D",
        "2-D convolution over an image: learns local patterns such as edges and strokes.",
        _conv2d(),
        category="Convolution",
    ),
    LayerType(
        "MaxPooling2D",
        "Keeps the largest value in each window: halves an image's size with pool size 2.",
        (ParamSpec("pool_size", "int", 2, label="Pool size", minimum=1, maximum=64),),
        category="Pooling",
    ),
    LayerType(
        "GlobalAveragePooling2D", "Averages each channel over the whole image.", category="Pooling"
    ),
    LayerType(
        "BatchNormalization",
        "Normalises activations batch by batch; steadies and speeds up training.",
        category="Regularization",
    ),
    LayerType(
        "GlobalMaxPooling1D",
        "Keeps the largest value of each channel over the sequence.",
        category="Pooling",
    ),
    LayerType(
        "GlobalAveragePooling1D",
        "Averages each channel over the sequence (honours masks).",
        category="Pooling",
    ),
    LayerType(
        "Flatten", "Flattens everything but the batch axis into one vector.", category="Core"
    ),
    LayerType(
        "Dense",
        "Fully connected layer.",
        (_units(64), ParamSpec("activation", "choice", "relu", choices=ACTIVATIONS)),
        category="Core",
    ),
    LayerType(
        "Dropout",
        "Randomly zeroes a fraction of inputs while training, against overfitting.",
        (ParamSpec("rate", "float", 0.5, minimum=0.0, maximum=0.95),),
        category="Regularization",
    ),
)

CATALOG: dict[str, LayerType] = {layer.name: layer for layer in (*_CATALOG, *_MORE)}
_ids = itertools.count(1)


def layer_type(kind: str) -> LayerType:
    """Look up a layer type, with a message naming the known ones."""
    try:
        return CATALOG[kind]
    except KeyError:
        known = ", ".join(CATALOG)
        raise KeyError(f"Unknown layer type {kind!r}; known types: {known}") from None


@dataclass
class LayerSpec:
    """One layer in a person's stack: its type and the values of its parameters."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    uid: int = field(default_factory=lambda: next(_ids), compare=False)

    def __post_init__(self) -> None:
        merged = layer_type(self.kind).defaults()
        merged.update(self.params)
        self.params = merged

    @property
    def type(self) -> LayerType:
        """The catalog entry of this layer."""
        return layer_type(self.kind)

    def problems(self) -> list[str]:
        """Parameter values out of range or of the wrong type, worded for the user."""
        found = []
        for spec in self.type.params:
            problem = spec.check(self.params.get(spec.name))
            if problem:
                found.append(problem)
        unknown = set(self.params) - {spec.name for spec in self.type.params}
        found.extend(f"{self.kind} has no parameter {name!r}." for name in sorted(unknown))
        return found

    def describe(self) -> str:
        """A one-line label like ``Dense(1, sigmoid)``."""
        p = self.params
        inner = {
            "TextVectorization": lambda: f"{p['max_tokens']}, len {p['output_sequence_length']}",
            "Embedding": lambda: f"{p['input_dim']}, {p['output_dim']}",
            "LSTM": lambda: f"{p['units']}",
            "GRU": lambda: f"{p['units']}",
            "Bidirectional": lambda: f"{p['layer']}({p['units']})",
            "Conv1D": lambda: f"{p['filters']}, {p['kernel_size']}, {p['activation']}",
            "Dense": lambda: f"{p['units']}, {p['activation']}",
            "Dropout": lambda: f"{p['rate']:g}",
            "Conv2D": lambda: f"{p['filters']}, {p['kernel_size']}, {p['activation']}",
            "MaxPooling2D": lambda: f"{p['pool_size']}",
        }.get(self.kind)
        return f"{self.kind}({inner() if inner else ''})"

    def keras_kwargs(self) -> dict[str, Any]:
        """The constructor arguments of the Keras layer, as plain values (for building the
        layer and for writing it into an exported script)."""
        out = {}
        for spec in self.type.params:
            value = self.params[spec.name]
            out[spec.name] = None if value == spec.none_value else value
        return out

    def copy(self) -> LayerSpec:
        """A copy with its own uid and parameter dict."""
        return LayerSpec(self.kind, copy.deepcopy(self.params))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": self.kind, "params": dict(self.params)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LayerSpec:
        """Inverse of :meth:`to_dict`."""
        return cls(str(data["kind"]), dict(data.get("params", {})))
