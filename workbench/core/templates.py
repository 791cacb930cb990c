"""Default layer stacks that learn out of the box.

The text template is the classic Keras classifier with the defaults that make it work in
Keras 3: the Embedding masks padding (TextVectorization pads at the end, and an unmasked
LSTM would finish every text on a run of zeros), the sequence length comes from the data,
and the vocabulary is adapted on the training split only (done by the backend).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from statistics import median
from typing import Any

from workbench.core.layers import LayerSpec

DEFAULT_MAX_TOKENS = 10000
DEFAULT_SEQUENCE_LENGTH = 100
#: How the text templates clean texts (workbench.backend.text_standardize): the best mean
#: validation accuracy of the three compared on six public text sets (README.md,
#: Measurements: defaults against baselines).
DEFAULT_STANDARDIZE = "lower_with_markers"
#: The bag-of-n-grams template: words and word pairs, the most frequent BOW_MAX_TOKENS.
BOW_MAX_TOKENS = 20000
BOW_NGRAMS = 2
BOW_UNITS = 64
BOW_DROPOUT = 0.5
#: Google's text-classification guide: below this many texts per word of the median text,
#: n-gram models beat sequence models (developers.google.com/machine-learning/guides/
#: text-classification, step 2.5).
SEQUENCE_MODEL_RATIO = 1500


def head_for(num_classes: int, task: str = "classification") -> tuple[int, str, str]:
    """(units, activation, loss) of the output layer for the task and number of labels."""
    if task == "regression":
        return 1, "linear", "mean_squared_error"
    if num_classes <= 2:
        return 1, "sigmoid", "binary_crossentropy"
    return num_classes, "softmax", "sparse_categorical_crossentropy"


def _vectorizer(sequence_length: int, max_tokens: int = DEFAULT_MAX_TOKENS) -> LayerSpec:
    """The first layer of every sequence template: raw text to word indices."""
    return LayerSpec(
        "TextVectorization",
        {
            "max_tokens": max_tokens,
            "output_sequence_length": sequence_length,
            "standardize": DEFAULT_STANDARDIZE,
        },
    )


def text_classifier(
    num_classes: int = 2,
    sequence_length: int = DEFAULT_SEQUENCE_LENGTH,
    max_tokens: int = DEFAULT_MAX_TOKENS,
) -> list[LayerSpec]:
    """TextVectorization -> Embedding(masked) -> LSTM(64) -> Dense head."""
    units, activation, _ = head_for(num_classes)
    return [
        _vectorizer(sequence_length, max_tokens),
        LayerSpec("Embedding", {"input_dim": max_tokens, "output_dim": 64, "mask_zero": True}),
        LayerSpec("LSTM", {"units": 64}),
        LayerSpec("Dense", {"units": units, "activation": activation}),
    ]


def bag_of_ngrams(num_classes: int = 2, max_tokens: int = BOW_MAX_TOKENS) -> list[LayerSpec]:
    """TextVectorization (multi-hot words and word pairs) -> Dense(64) -> Dropout -> head.

    An n-gram model: the strong, fast choice for short texts and few rows, where a
    sequence model has too little data to learn word order from. The hidden layer learns
    in a few epochs what a linear model over the same n-grams needs a hundred for
    (measured: tests/benchmarks/defaults_public.py).
    """
    units, activation, _ = head_for(num_classes)
    return [
        LayerSpec(
            "TextVectorization",
            {
                "max_tokens": max_tokens,
                "output_sequence_length": DEFAULT_SEQUENCE_LENGTH,
                "standardize": DEFAULT_STANDARDIZE,
                "ngrams": BOW_NGRAMS,
                "output_mode": "multi_hot",
            },
        ),
        LayerSpec("Dense", {"units": BOW_UNITS, "activation": "relu"}),
        LayerSpec("Dropout", {"rate": BOW_DROPOUT}),
        LayerSpec("Dense", {"units": units, "activation": activation}),
    ]


def mlp(num_classes: int = 2, task: str = "classification") -> list[LayerSpec]:
    """Dense layers for a feature table or a vector of numbers (inputs are encoded first)."""
    units, activation, _ = head_for(num_classes, task)
    return [
        LayerSpec("Dense", {"units": 64, "activation": "relu"}),
        LayerSpec("Dropout", {"rate": 0.1}),
        LayerSpec("Dense", {"units": 32, "activation": "relu"}),
        LayerSpec("Dense", {"units": units, "activation": activation}),
    ]


def image_cnn(num_classes: int = 2, image_side: int = 64) -> list[LayerSpec]:
    """Two conv blocks, then a small dense head; global pooling for larger images."""
    units, activation, _ = head_for(num_classes)
    reduce = LayerSpec("Flatten") if image_side <= 64 else LayerSpec("GlobalAveragePooling2D")
    return [
        LayerSpec("Conv2D", {"filters": 32, "kernel_size": 3}),
        LayerSpec("MaxPooling2D", {"pool_size": 2}),
        LayerSpec("Conv2D", {"filters": 64, "kernel_size": 3}),
        LayerSpec("MaxPooling2D", {"pool_size": 2}),
        reduce,
        LayerSpec("Dense", {"units": 64, "activation": "relu"}),
        LayerSpec("Dropout", {"rate": 0.3}),
        LayerSpec("Dense", {"units": units, "activation": activation}),
    ]


def mel_frontend(rate: int) -> dict[str, int]:
    """MelSpectrogram settings for a sample rate: 25 ms windows every 10 ms, 64 bands."""
    window = max(16, round(0.025 * rate))
    return {
        "num_mel_bins": 64,
        "sampling_rate": int(rate),
        "sequence_length": window,
        "sequence_stride": max(1, round(0.010 * rate)),
        "fft_length": 1 << (window - 1).bit_length(),
    }


def audio_mel_cnn(num_classes: int = 2, rate: int = 16000) -> list[LayerSpec]:
    """Log-mel CNN: MelSpectrogram -> Normalization -> three conv blocks -> Dense -> head.

    The spectrogram is computed inside the model from the raw waveform, and its
    normalisation is learnt from the training split. No batch normalisation: with the few
    hundred clips people often have, its running averages (Keras's momentum 0.99) lag for
    dozens of epochs, and the spoken digits validated at chance for 20 epochs with it.
    Flatten keeps where in time and pitch a pattern occurs, which global pooling lost
    (0.49 against 0.86 validation accuracy on the spoken digits).
    """
    units, activation, _ = head_for(num_classes)
    front = mel_frontend(rate)
    blocks = []
    for filters in (32, 64, 64):
        blocks += [
            LayerSpec("Conv2D", {"filters": filters, "kernel_size": 3}),
            LayerSpec("MaxPooling2D", {"pool_size": 2}),
        ]
    return [
        LayerSpec("MelSpectrogram", front),
        LayerSpec("Reshape", {"target_shape": [front["num_mel_bins"], -1, 1]}),
        LayerSpec("Normalization", {"axis": "all values"}),
        *blocks,
        LayerSpec("Flatten"),
        LayerSpec("Dropout", {"rate": 0.3}),
        LayerSpec("Dense", {"units": 128, "activation": "relu"}),
        LayerSpec("Dropout", {"rate": 0.5}),
        LayerSpec("Dense", {"units": units, "activation": activation}),
    ]


#: Batch normalisation's running averages settle in tens of steps, not hundreds (Keras's
#: 0.99), so a small audio folder validates with statistics that match its training.
BN_MOMENTUM = 0.9


def audio_wave_cnn(num_classes: int = 2) -> list[LayerSpec]:
    """1-D convolutions straight on the waveform (after M5, Dai et al. 2017): a wide first
    filter with a stride of 4, then small filters, each block pooled by 4."""
    units, activation, _ = head_for(num_classes)
    layers = [
        LayerSpec("Reshape", {"target_shape": [-1, 1]}),
        LayerSpec("Normalization", {"axis": "all values"}),
        LayerSpec("Conv1D", {"filters": 32, "kernel_size": 80, "strides": 4, "padding": "same"}),
        LayerSpec("BatchNormalization", {"momentum": BN_MOMENTUM}),
        LayerSpec("MaxPooling1D", {"pool_size": 4}),
    ]
    for filters in (32, 64, 64):
        layers += [
            LayerSpec("Conv1D", {"filters": filters, "kernel_size": 3, "padding": "same"}),
            LayerSpec("BatchNormalization", {"momentum": BN_MOMENTUM}),
            LayerSpec("MaxPooling1D", {"pool_size": 4}),
        ]
    return [
        *layers[:-1],  # the last block is pooled globally instead
        LayerSpec("GlobalAveragePooling1D"),
        LayerSpec("Dense", {"units": units, "activation": activation}),
    ]


def fit_sample_rate(layers: list[LayerSpec], rate: int) -> bool:
    """Make every MelSpectrogram read the data's sample rate, keeping its windows the same
    length in time; True when something changed."""
    changed = False
    for layer in layers:
        if layer.kind == "MelSpectrogram" and layer.params.get("sampling_rate") != rate:
            old = int(layer.params.get("sampling_rate") or rate)
            for name in ("sequence_length", "sequence_stride"):
                value = layer.params.get(name)
                if value:
                    layer.params[name] = max(1, round(value * rate / old))
            window = layer.params.get("sequence_length", 16)
            fft = int(layer.params.get("fft_length", 16))
            while fft < window:
                fft *= 2
            layer.params["fft_length"] = fft
            layer.params["sampling_rate"] = int(rate)
            changed = True
    return changed


def default_layers(dataset: Any) -> list[LayerSpec]:
    """The template that learns out of the box for this dataset's kind and task."""
    return TEMPLATES[default_template(dataset)[0]].build(dataset)


def default_template(dataset: Any) -> tuple[str, str]:
    """(template name, why) of the default for this data: for text, a bag of n-grams or a
    sequence model by Google's rule of texts per word (:data:`SEQUENCE_MODEL_RATIO`)."""
    if dataset.kind == "text":
        return text_family(dataset)
    if dataset.kind == "images" or (dataset.kind == "npz" and dataset.x.ndim >= 3):
        return "image-cnn", "images: a small CNN"
    if dataset.kind == "audio":
        return "audio-mel-cnn", "audio: a CNN on log-mel spectrograms computed in the model"
    return "mlp", "a feature table or vectors: an MLP over the encoded inputs"


def text_family(dataset: Any) -> tuple[str, str]:
    """Bag of n-grams or a sequence model for these texts, and why, in words.

    Word order pays only with many texts per word of text: below SEQUENCE_MODEL_RATIO
    (texts / median words per text) the n-gram model is as good or better and much faster.
    """
    lengths = dataset.token_lengths()
    rows = len(lengths)
    words = max(1.0, float(median(lengths.tolist()))) if rows else 1.0
    ratio = rows / words
    shown = f"{rows:,} texts of {words:g} words (median): {ratio:,.0f} texts per word"
    if ratio < SEQUENCE_MODEL_RATIO:
        return "bow", f"{shown}, under {SEQUENCE_MODEL_RATIO:,}: word counts beat word order"
    return "seed-lstm", f"{shown}, {SEQUENCE_MODEL_RATIO:,} or more: enough to learn word order"


def fit_head(layers: list[LayerSpec], num_classes: int, task: str = "classification") -> bool:
    """Make the last Dense layer match the labels; True when something changed.

    Only touches a stack whose last layer is a Dense output head, so a person's own
    unusual ending is left for validation to explain rather than silently rewritten.
    """
    if not layers or layers[-1].kind != "Dense":
        return False
    units, activation, _ = head_for(num_classes, task)
    head = layers[-1].params
    if head.get("units") == units and head.get("activation") == activation:
        return False
    head["units"], head["activation"] = units, activation
    return True


def fit_sequence_length(layers: list[LayerSpec], sequence_length: int) -> bool:
    """Set the vectorizer's sequence length to the one suggested by the data."""
    for layer in layers:
        if layer.kind == "TextVectorization":
            if layer.params.get("output_mode", "int") != "int":
                return False  # a bag of words has no sequence length
            if layer.params["output_sequence_length"] == sequence_length:
                return False
            layer.params["output_sequence_length"] = sequence_length
            return True
    return False


def bidirectional_gru(num_classes: int = 2, sequence_length: int = DEFAULT_SEQUENCE_LENGTH):
    """Text: a masked embedding read in both directions by a GRU."""
    units, activation, _ = head_for(num_classes)
    return [
        _vectorizer(sequence_length),
        LayerSpec("Embedding", {"input_dim": DEFAULT_MAX_TOKENS, "output_dim": 64}),
        LayerSpec("Bidirectional", {"layer": "GRU", "units": 32}),
        LayerSpec("Dropout", {"rate": 0.3}),
        LayerSpec("Dense", {"units": units, "activation": activation}),
    ]


def text_cnn(num_classes: int = 2, sequence_length: int = DEFAULT_SEQUENCE_LENGTH):
    """Text: n-gram detectors (Conv1D) and max pooling; fast, and good on short texts."""
    units, activation, _ = head_for(num_classes)
    return [
        _vectorizer(sequence_length),
        LayerSpec(
            "Embedding", {"input_dim": DEFAULT_MAX_TOKENS, "output_dim": 64, "mask_zero": False}
        ),
        LayerSpec("Conv1D", {"filters": 64, "kernel_size": 3, "padding": "same"}),
        LayerSpec("GlobalMaxPooling1D"),
        LayerSpec("Dropout", {"rate": 0.3}),
        LayerSpec("Dense", {"units": units, "activation": activation}),
    ]


def text_transformer(num_classes: int = 2, sequence_length: int = DEFAULT_SEQUENCE_LENGTH):
    """Text: a masked embedding with positions, one Transformer encoder block, then the
    average over the words (padding left out)."""
    units, activation, _ = head_for(num_classes)
    return [
        _vectorizer(sequence_length),
        LayerSpec("Embedding", {"input_dim": DEFAULT_MAX_TOKENS, "output_dim": 64}),
        LayerSpec("PositionEmbedding"),
        LayerSpec("TransformerEncoder", {"num_heads": 2, "key_dim": 32, "ff_dim": 64}),
        LayerSpec("GlobalAveragePooling1D"),
        LayerSpec("Dropout", {"rate": 0.3}),
        LayerSpec("Dense", {"units": units, "activation": activation}),
    ]


@dataclass(frozen=True)
class Template:
    """A named starting stack and the kinds of data it is for."""

    name: str
    title: str
    kinds: tuple[str, ...]
    build: Callable[[Any], list[LayerSpec]]


def _classes(data: Any) -> int:
    if getattr(data, "task", "classification") != "classification":
        return 0
    names = data.class_names() if callable(data.class_names) else data.class_names
    return len(names)


def _length(data: Any) -> int:
    return (
        data.suggested_sequence_length()
        if hasattr(data, "suggested_sequence_length")
        else (DEFAULT_SEQUENCE_LENGTH)
    )


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            "bow",
            "Text: bag of n-grams (words and word pairs -> Dense); fast, strong on short texts",
            ("text",),
            lambda d: bag_of_ngrams(_classes(d)),
        ),
        Template(
            "seed-lstm",
            "Seed LSTM (masked): the classic Keras classifier, with masking",
            ("text",),
            lambda d: text_classifier(_classes(d), _length(d)),
        ),
        Template(
            "bigru",
            "Text: bidirectional GRU",
            ("text",),
            lambda d: bidirectional_gru(_classes(d), _length(d)),
        ),
        Template(
            "text-cnn",
            "Text: convolutional (Conv1D + max pooling)",
            ("text",),
            lambda d: text_cnn(_classes(d), _length(d)),
        ),
        Template(
            "transformer",
            "Text: Transformer encoder (attention, with word positions)",
            ("text",),
            lambda d: text_transformer(_classes(d), _length(d)),
        ),
        Template(
            "mlp",
            "Table or vectors: MLP (classifier or regressor, by the task)",
            ("tabular", "npz"),
            lambda d: mlp(_classes(d), getattr(d, "task", "classification")),
        ),
        Template(
            "image-cnn",
            "Images: small CNN",
            ("images", "npz"),
            lambda d: image_cnn(_classes(d), _image_side(d)),
        ),
        Template(
            "audio-mel-cnn",
            "Audio: CNN on log-mel spectrograms (MelSpectrogram in the model)",
            ("audio",),
            lambda d: audio_mel_cnn(_classes(d), getattr(d, "sample_rate", 16000)),
        ),
        Template(
            "audio-wave-cnn",
            "Audio: 1-D convolutions on the raw waveform",
            ("audio",),
            lambda d: audio_wave_cnn(_classes(d)),
        ),
    )
}
#: Names earlier versions used, still accepted by ``--template``.
TEMPLATE_ALIASES = {
    "text-lstm": "seed-lstm",
    "text-bigru": "bigru",
    "text-transformer": "transformer",
    "mlp-classifier": "mlp",
    "mlp-regressor": "mlp",
}


def _image_side(data: Any) -> int:
    if getattr(data, "kind", "") == "npz":
        return max(data.x.shape[1:3])
    return max(getattr(data, "image_size", (64, 64)))


def template_for(name: str, kind: str) -> Template:
    """The template called ``name`` (or an old alias), or ValueError naming those that fit
    ``kind``."""
    template = TEMPLATES.get(TEMPLATE_ALIASES.get(name, name))
    fitting = ", ".join(t.name for t in templates_for(kind))
    if template is None:
        raise ValueError(f"No template {name!r}; for {kind} data choose one of: {fitting}.")
    if kind not in template.kinds:
        raise ValueError(
            f"Template {template.name!r} is for {', '.join(template.kinds)} data, not {kind}; "
            f"choose one of: {fitting}."
        )
    return template


def templates_for(kind: str) -> list[Template]:
    """The templates that fit a kind of data, in menu order."""
    return [t for t in TEMPLATES.values() if kind in t.kinds]
