"""The layer catalog: which layers a person can stack, and the typed parameters of each.

The catalog is data, so the model form, validation, JSON and code export all read one source.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
from dataclasses import dataclass, field
from typing import Any

from workbench.core.layer_params import (  # noqa: F401 (re-exported: one place to import)
    ACTIVATIONS,
    RECURRENT_ACTIVATIONS,
    STANDARDIZE_CHOICES,
    LayerType,
    ParamSpec,
    conv2d_params,
    dropout_param,
    pool_param,
    rate_param,
    return_sequences_param,
    units_param,
)

_MORE: tuple[LayerType, ...] = (
    LayerType(
        "SimpleRNN",
        "The plainest recurrent layer: fast, but forgets long-range context.",
        (units_param(32), return_sequences_param(), dropout_param()),
        category="Recurrent",
    ),
    LayerType(
        "SeparableConv2D",
        "A cheaper Conv2D: filters each channel, then mixes channels (fewer parameters).",
        conv2d_params(),
        category="Convolution",
    ),
    LayerType(
        "MaxPooling1D",
        "Keeps the largest value in each window of a sequence.",
        (pool_param(),),
        category="Pooling",
    ),
    LayerType(
        "AveragePooling1D",
        "Averages each window of a sequence.",
        (pool_param(),),
        category="Pooling",
    ),
    LayerType(
        "AveragePooling2D", "Averages each window of an image.", (pool_param(),), category="Pooling"
    ),
    LayerType(
        "GlobalMaxPooling2D",
        "Keeps the largest value of each channel over the image.",
        category="Pooling",
    ),
    LayerType(
        "SpatialDropout1D",
        "Drops whole feature channels of a sequence while training (better for embeddings).",
        (rate_param(0.2),),
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


def _lookup_params(max_tokens: int, output_mode: str) -> tuple[ParamSpec, ...]:
    """Settings shared by StringLookup and IntegerLookup."""
    return (
        ParamSpec(
            "max_tokens",
            "int",
            max_tokens,
            label="Vocabulary size",
            minimum=2,
            maximum=2_000_000,
            help="Most frequent values kept (learnt from the training split); the rest map "
            "to the out-of-vocabulary index.",
        ),
        ParamSpec(
            "num_oov_indices",
            "int",
            1,
            label="Unknown slots",
            minimum=0,
            maximum=1000,
            help="Indices reserved for values not in the vocabulary (0: unknown values "
            "are an error).",
        ),
        ParamSpec(
            "output_mode",
            "choice",
            output_mode,
            label="Output",
            choices=("int", "one_hot", "multi_hot", "count"),
            help="int: one index per value; one_hot: a 0/1 vector per value; multi_hot/count: "
            "one vector per sample marking (or counting) the values present.",
        ),
    )


_LOOKUPS_AND_SHAPES: tuple[LayerType, ...] = (
    LayerType(
        "Normalization",
        "Scales numbers to mean 0 and variance 1, with statistics learnt from the training "
        "split (on the output of the layers above it). Expects numbers, not text.",
        (
            ParamSpec(
                "axis",
                "choice",
                "per feature",
                label="Statistics",
                choices=("per feature", "all values"),
                help="per feature: a mean and variance for each feature (last axis); all "
                "values: one mean and variance for the whole input.",
            ),
        ),
        category="Preprocessing",
    ),
    LayerType(
        "StringLookup",
        "Maps strings (e.g. a short category text as the first layer on text data) to "
        "indices or one-hot vectors; the vocabulary is learnt from the training split. "
        "Expects text.",
        _lookup_params(1000, "one_hot"),
        category="Preprocessing",
    ),
    LayerType(
        "IntegerLookup",
        "Maps whole numbers (e.g. word indices from TextVectorization) to a vocabulary of the "
        "most frequent ones, learnt from the training split. Expects whole numbers.",
        _lookup_params(1000, "multi_hot"),
        category="Preprocessing",
    ),
    LayerType(
        "Reshape",
        "Rearranges each sample's values into a new shape with the same number of values, "
        "e.g. 784 values into a 28, 28, 1 image, or a vector into steps with -1, 1.",
        (
            ParamSpec(
                "target_shape",
                "shape",
                [-1, 1],
                label="Target shape",
                help="Sizes per sample, without the batch, like 28, 28, 1; -1 once means "
                "'whatever is left'. The product must equal the incoming size.",
            ),
        ),
        category="Core",
    ),
)


_AUDIO: tuple[LayerType, ...] = (
    LayerType(
        "MelSpectrogram",
        "Turns a raw waveform into a log-mel spectrogram (mel bands x time frames, in dB), "
        "as the ear spaces pitch. Put it first on audio data; its sample rate follows the "
        "data's. Follow it with Reshape (bands, -1, 1) for Conv2D.",
        (
            ParamSpec(
                "num_mel_bins",
                "int",
                64,
                label="Mel bands",
                minimum=8,
                maximum=512,
                help="Frequency bands of the output (its height).",
            ),
            ParamSpec(
                "sampling_rate",
                "int",
                16000,
                label="Sample rate (Hz)",
                minimum=4000,
                maximum=48000,
                help="The rate of the waveform it reads: the data's rate (set from the Data tab).",
            ),
            ParamSpec(
                "sequence_length",
                "int",
                400,
                label="Window (samples)",
                minimum=16,
                maximum=16384,
                help="Samples in each analysis window (400 at 16 kHz = 25 ms).",
            ),
            ParamSpec(
                "sequence_stride",
                "int",
                160,
                label="Hop (samples)",
                minimum=1,
                maximum=16384,
                help="Samples between windows: one time frame each (160 at 16 kHz = 10 ms).",
            ),
            ParamSpec(
                "fft_length",
                "int",
                512,
                label="FFT length",
                minimum=16,
                maximum=16384,
                help="Points of each Fourier transform; at least the window.",
            ),
        ),
        category="Audio",
    ),
)


_ATTENTION: tuple[LayerType, ...] = (
    LayerType(
        "PositionEmbedding",
        "Adds a learnt vector for each position to a sequence of word vectors, so attention "
        "knows word order. Put it right after the Embedding (expects (steps, features)).",
        category="Attention",
        custom=True,
    ),
    LayerType(
        "TransformerEncoder",
        "A Transformer encoder block: multi-head self-attention and a feed-forward network, "
        "each with a residual connection and layer normalisation. Expects a sequence of "
        "vectors; skips padding when the Embedding masks it.",
        (
            ParamSpec(
                "num_heads",
                "int",
                2,
                label="Heads",
                minimum=1,
                maximum=64,
                help="Attention heads: each looks for its own kind of relation between words.",
            ),
            ParamSpec(
                "key_dim",
                "int",
                32,
                label="Key size",
                minimum=1,
                maximum=1024,
                help="Size of each head's query and key vectors.",
            ),
            ParamSpec(
                "ff_dim",
                "int",
                64,
                label="Feed-forward size",
                minimum=1,
                maximum=16384,
                help="Width of the hidden layer of the feed-forward network.",
            ),
            ParamSpec(
                "dropout",
                "float",
                0.1,
                minimum=0.0,
                maximum=0.9,
                help="Share of attention weights and outputs dropped while training.",
            ),
        ),
        category="Attention",
        custom=True,
    ),
)


def _vectorizer_kwargs(params: dict[str, Any]) -> dict[str, Any]:
    # A bag of words has no sequence length, and needs a fixed width before adapt().
    if params.get("output_mode", "int") == "int":
        return {}
    return {"output_sequence_length": None, "pad_to_max_tokens": True}


def _lookup_kwargs(params: dict[str, Any]) -> dict[str, Any]:
    # One-hot style outputs need a fixed width before the vocabulary is known.
    return {"pad_to_max_tokens": params["output_mode"] != "int"}


def _mel_kwargs(params: dict[str, Any]) -> dict[str, Any]:
    # Keras clips each batch at (its loudest value - top_db), so one loud clip would change
    # how every other clip in its batch looks: a floor far below -100 dB (where min_power
    # already clips) keeps each clip's spectrogram its own, whatever it is batched with.
    return {"power_to_db": True, "top_db": 1.0e6}


#: Keras arguments that follow from the parameters rather than being one themselves.
_DERIVED: dict[str, Any] = {
    "MelSpectrogram": _mel_kwargs,
    "TextVectorization": _vectorizer_kwargs,
    "StringLookup": _lookup_kwargs,
    "IntegerLookup": _lookup_kwargs,
}
#: Parameter values that are spelled differently for Keras.
_KERAS_VALUES: dict[tuple[str, str], dict[Any, Any]] = {
    ("Normalization", "axis"): {"per feature": -1, "all values": None},
}


def from_keras_value(kind: str, name: str, value: Any) -> Any:
    """The catalog's value for a setting read from a Keras layer's config (the inverse of
    :meth:`LayerSpec.keras_kwargs`); values it cannot represent come back unchanged, so the
    parameter's check names them."""
    spec = layer_type(kind).param(name)
    if spec.kind == "shape" and isinstance(value, list | tuple):
        return [int(v) for v in value]
    if isinstance(value, list | tuple) and len(value) <= 1:
        value = value[0] if value else None  # Normalization keeps axis as a tuple
    for catalog_value, keras_value in (
        (ours, theirs) for ours, theirs in _KERAS_VALUES.get((kind, name), {}).items()
    ):
        if keras_value == value:
            return catalog_value
    return value


#: Layers whose settings are learnt from the training split with adapt().
ADAPTED = ("TextVectorization", "Normalization", "StringLookup", "IntegerLookup")


_CATALOG: tuple[LayerType, ...] = (
    LayerType(
        "TextVectorization",
        "Turns raw text into numbers: a sequence of word indices (Output int, for an "
        "Embedding) or one bag-of-words vector per text (multi_hot, count, for Dense layers); "
        "the vocabulary is learnt from the training split only.",
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
                choices=STANDARDIZE_CHOICES,
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
            ParamSpec(
                "output_mode",
                "choice",
                "int",
                label="Output",
                # no tf_idf: with the fixed width a model needs before adapt(), Keras 3.15
                # saves a model it cannot load again when the vocabulary is not full
                choices=("int", "multi_hot", "count"),
                help="int: a sequence of word indices (for Embedding); multi_hot, count: one "
                "vector per text marking (or counting) the words and n-grams in it, a bag of "
                "words for Dense layers; the sequence length is then unused.",
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
            units_param(64),
            return_sequences_param(),
            dropout_param(),
            dropout_param("recurrent_dropout", "Recurrent dropout"),
        ),
        category="Recurrent",
    ),
    LayerType(
        "GRU",
        "Gated recurrent unit layer: lighter than an LSTM, often as good.",
        (
            units_param(64),
            return_sequences_param(),
            dropout_param(),
            dropout_param("recurrent_dropout", "Recurrent dropout"),
        ),
        category="Recurrent",
    ),
    LayerType(
        "Bidirectional",
        "Runs a recurrent layer forwards and backwards and joins the two outputs.",
        (
            ParamSpec("layer", "choice", "LSTM", label="Recurrent layer", choices=("LSTM", "GRU")),
            units_param(32),
            return_sequences_param(),
            ParamSpec("merge_mode", "choice", "concat", choices=("concat", "sum", "mul", "ave")),
            dropout_param(),
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
        conv2d_params(),
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
        (
            ParamSpec(
                "momentum",
                "float",
                0.99,
                minimum=0.0,
                maximum=0.999,
                help="How slowly the statistics used for predictions follow the batches: "
                "0.99 (Keras's default) needs hundreds of steps to settle; 0.9 suits small "
                "data sets with few steps per epoch.",
            ),
        ),
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
        (units_param(64), ParamSpec("activation", "choice", "relu", choices=ACTIVATIONS)),
        category="Core",
    ),
    LayerType(
        "Dropout",
        "Randomly zeroes a fraction of inputs while training, against overfitting.",
        (ParamSpec("rate", "float", 0.5, minimum=0.0, maximum=0.95),),
        category="Regularization",
    ),
)

_ACTIVATION_HELP = "Function applied to each output; relu for hidden layers."
_FILTERS_HELP = "Number of patterns the layer learns (output channels)."
_STRIDES_HELP = "Step between windows; 2 halves the output size."
_PADDING_HELP = "valid: no padding, the output shrinks; same: pad so the size stays."
_DROPOUT_HELP = "Share of inputs dropped while training, against overfitting."
#: Help for parameters made by shared helpers, or too plain to spell out where defined.
_HELP: dict[tuple[str, str], str] = {
    ("TextVectorization", "standardize"): "How texts are cleaned before splitting into words: "
    "lower_with_markers (the default) makes each URL, @mention and number one marker token "
    "and splits punctuation off; lower_and_split_punctuation only splits it off; Keras's "
    "lower_and_strip_punctuation deletes it, gluing a URL or a contraction into one word.",
    ("Embedding", "output_dim"): "Length of the vector learnt for each word.",
    ("Bidirectional", "layer"): "The recurrent layer run in both directions.",
    ("Bidirectional", "merge_mode"): "How the two directions' outputs are joined.",
    ("Conv1D", "kernel_size"): "Words each detector looks at (an n-gram size).",
    ("Conv2D", "kernel_size"): "Side of the square window each filter looks at.",
    ("SeparableConv2D", "kernel_size"): "Side of the square window each filter looks at.",
    ("MaxPooling2D", "pool_size"): "Window size; 2 halves each side of the image.",
    ("Rescaling", "scale"): "Every value is multiplied by this (1/255 = 0.0039 for pixels).",
    ("Rescaling", "offset"): "Added after scaling (e.g. -1 with scale 1/127.5 gives -1..1).",
    ("Resizing", "height"): "Output image height in pixels.",
    ("Resizing", "width"): "Output image width in pixels.",
    ("RandomFlip", "mode"): "Which flips may be applied.",
    ("RandomRotation", "factor"): "Largest rotation as a fraction of a full turn (0.05 = 18°).",
    ("RandomZoom", "height_factor"): "Largest zoom in or out, as a fraction of the size.",
}
_HELP_BY_NAME = {
    "activation": _ACTIVATION_HELP,
    "filters": _FILTERS_HELP,
    "strides": _STRIDES_HELP,
    "padding": _PADDING_HELP,
    "dropout": _DROPOUT_HELP,
    "recurrent_dropout": "Share of the recurrent state dropped while training.",
    "rate": "Share of inputs set to zero while training.",
}


def _with_help(layer: LayerType) -> LayerType:
    """The layer type with every parameter's one-line help filled in."""
    params = tuple(
        spec
        if spec.help
        else dataclasses.replace(
            spec,
            help=_HELP.get((layer.name, spec.name), _HELP_BY_NAME.get(spec.name, "")),
        )
        for spec in layer.params
    )
    return dataclasses.replace(layer, params=params)


CATALOG: dict[str, LayerType] = {
    layer.name: _with_help(layer)
    for layer in (*_CATALOG, *_MORE, *_LOOKUPS_AND_SHAPES, *_AUDIO, *_ATTENTION)
}
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
        if self.kind == "MelSpectrogram" and not found:
            p = self.params
            if p["fft_length"] < p["sequence_length"]:
                found.append(
                    f"FFT length {p['fft_length']} is shorter than the window "
                    f"({p['sequence_length']} samples); make it at least as long."
                )
        unknown = set(self.params) - {spec.name for spec in self.type.params}
        found.extend(f"{self.kind} has no parameter {name!r}." for name in sorted(unknown))
        return found

    def describe(self) -> str:
        """A one-line label like ``Dense(1, sigmoid)``."""
        p = self.params
        inner = {
            "TextVectorization": lambda: (
                f"{p['max_tokens']}, len {p['output_sequence_length']}"
                if p.get("output_mode", "int") == "int"
                else f"{p['max_tokens']}, {p['output_mode']}"
                + (f", {p['ngrams']}-grams" if p.get("ngrams", 1) > 1 else "")
            ),
            "Embedding": lambda: f"{p['input_dim']}, {p['output_dim']}",
            "LSTM": lambda: f"{p['units']}",
            "GRU": lambda: f"{p['units']}",
            "Bidirectional": lambda: f"{p['layer']}({p['units']})",
            "Conv1D": lambda: f"{p['filters']}, {p['kernel_size']}, {p['activation']}",
            "Dense": lambda: f"{p['units']}, {p['activation']}",
            "Dropout": lambda: f"{p['rate']:g}",
            "Conv2D": lambda: f"{p['filters']}, {p['kernel_size']}, {p['activation']}",
            "MaxPooling2D": lambda: f"{p['pool_size']}",
            "Reshape": lambda: ", ".join(str(v) for v in p["target_shape"]),
            "StringLookup": lambda: f"{p['max_tokens']}, {p['output_mode']}",
            "IntegerLookup": lambda: f"{p['max_tokens']}, {p['output_mode']}",
            "TransformerEncoder": lambda: f"{p['num_heads']} heads, ff {p['ff_dim']}",
            "MelSpectrogram": lambda: f"{p['num_mel_bins']} bands, {p['sampling_rate']} Hz",
        }.get(self.kind)
        return f"{self.kind}({inner() if inner else ''})"

    def keras_kwargs(self) -> dict[str, Any]:
        """The constructor arguments of the Keras layer, as plain values (for building the
        layer and for writing it into an exported script)."""
        out: dict[str, Any] = {}
        for spec in self.type.params:
            value = self.params[spec.name]
            value = None if value == spec.none_value else value
            if spec.kind == "shape":
                value = tuple(value)
            out[spec.name] = _KERAS_VALUES.get((self.kind, spec.name), {}).get(value, value)
        derived = _DERIVED.get(self.kind)
        if derived is not None:
            out.update(derived(self.params))
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
