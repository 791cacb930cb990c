"""Turning a layer stack (core data) into Keras layers, and explaining stacks that don't fit."""

from __future__ import annotations

import math
import warnings
from typing import Any

from workbench.backend.custom_layers import CUSTOM_LAYERS
from workbench.backend.runtime import ensure_loaded
from workbench.backend.text_standardize import standardizer
from workbench.core.errors import ModelConfigError
from workbench.core.layers import LayerSpec
from workbench.core.summary import LayerSummary, StackSummary
from workbench.core.templates import head_for

ensure_loaded()
import keras  # noqa: E402


def make_layer(spec: LayerSpec, name: str | None = None) -> keras.layers.Layer:
    """One Keras layer for one spec (unadapted, unbuilt): the catalog names the class and
    its arguments, so every palette layer is built the same way."""
    if spec.kind == "Bidirectional":  # a wrapper: most arguments belong to the inner layer
        p = spec.params
        cls = keras.layers.LSTM if p["layer"] == "LSTM" else keras.layers.GRU
        inner = cls(p["units"], return_sequences=p["return_sequences"], dropout=p["dropout"])
        return keras.layers.Bidirectional(inner, merge_mode=p["merge_mode"], name=name)
    if spec.type.custom:
        return CUSTOM_LAYERS[spec.kind](**spec.keras_kwargs(), name=name)
    cls = getattr(keras.layers, spec.type.keras_class, None)
    if cls is None:
        raise ModelConfigError(f"{spec.kind} is not a layer this Keras version provides.")
    kwargs = spec.keras_kwargs()
    if spec.kind == "TextVectorization":  # the workbench's own ones are functions
        kwargs["standardize"] = standardizer(kwargs["standardize"])
    return cls(**kwargs, name=name)


def _shape(tensor: Any) -> str:
    """Like Keras prints shapes: (None, 32), and (None,) for one raw value per sample."""
    dims = ["None" if d is None else str(d) for d in tensor.shape]
    return f"({dims[0]},)" if len(dims) == 1 else "(" + ", ".join(dims) + ")"


_NEEDS_SEQUENCE = {
    "LSTM",
    "GRU",
    "SimpleRNN",
    "Bidirectional",
    "Conv1D",
    "MaxPooling1D",
    "AveragePooling1D",
    "GlobalMaxPooling1D",
    "GlobalAveragePooling1D",
    "SpatialDropout1D",
    "PositionEmbedding",
    "TransformerEncoder",
}
_NEEDS_IMAGE = {
    "Conv2D",
    "SeparableConv2D",
    "MaxPooling2D",
    "AveragePooling2D",
    "GlobalMaxPooling2D",
    "GlobalAveragePooling2D",
    "Resizing",
    "RandomFlip",
    "RandomRotation",
    "RandomZoom",
}


def _kind_of(tensor: Any) -> str:
    dtype = str(tensor.dtype)
    if "string" in dtype:
        return "text"
    return "whole numbers" if dtype.startswith(("int", "uint")) else "numbers"


def _input_problem(spec: LayerSpec, incoming: Any) -> str | None:
    """Inputs Keras would accept symbolically but that fail or mean nothing when training."""
    kind, got = _kind_of(incoming), _shape(incoming)
    if spec.kind == "StringLookup" and kind != "text":
        return (
            f"StringLookup reads text but gets {kind} {got}. Use it as the first layer on "
            "text data; for word indices from TextVectorization use IntegerLookup."
        )
    if spec.kind == "IntegerLookup" and kind != "whole numbers":
        return (
            f"IntegerLookup needs whole numbers (such as word indices from TextVectorization) "
            f"but gets {kind} {got}."
        )
    if spec.kind == "Normalization" and kind == "text":
        return (
            f"Normalization needs numbers but gets text {got}. Turn the text into numbers "
            "first (TextVectorization, or StringLookup with a one-hot output)."
        )
    if spec.kind == "Normalization" and len(incoming.shape) < 2:
        return f"Normalization needs at least one feature per sample but gets {got}."
    if spec.kind == "Reshape":
        return _reshape_problem(spec, incoming)
    if spec.kind == "MelSpectrogram" and (kind == "text" or len(incoming.shape) != 2):
        return (
            f"MelSpectrogram reads raw waveforms (batch, samples) but gets {kind} {got}. "
            "Put it first on audio data."
        )
    return None


def _reshape_problem(spec: LayerSpec, incoming: Any) -> str | None:
    dims = list(incoming.shape[1:])
    if any(d is None for d in dims):
        return None  # only known at run time
    size = math.prod(dims)
    target = list(spec.params["target_shape"])
    known = math.prod(v for v in target if v != -1)
    shown = ", ".join(str(v) for v in target)
    if -1 in target:
        if size % known == 0:
            return None
        return (
            f"Reshape cannot spread {size} values per sample ({_shape(incoming)}) over "
            f"sizes {shown}: {size} is not a multiple of {known}. Pick sizes whose product "
            f"divides {size}."
        )
    if known == size:
        return None
    return (
        f"Reshape to {shown} needs {known} values per sample, but its input "
        f"{_shape(incoming)} has {size}. Choose sizes whose product is {size} "
        f"(or use -1 once for 'the rest')."
    )


def _explain(spec: LayerSpec, incoming: Any, exc: Exception) -> str:
    """A readable reason a layer cannot take its input."""
    rank = len(incoming.shape)
    if spec.kind in _NEEDS_SEQUENCE and rank != 3:
        got = _shape(incoming)
        if rank == 2 and str(incoming.dtype).startswith("int"):
            return (
                f"{spec.kind} needs a sequence of vectors (batch, steps, features) but gets "
                f"word indices {got}. Put an Embedding layer before it."
            )
        return (
            f"{spec.kind} needs a sequence (batch, steps, features) but gets {got}. "
            "Place it before the pooling/Flatten layer, or turn on return sequences in "
            "the recurrent layer above it."
        )
    if spec.kind in _NEEDS_IMAGE and rank != 4:
        return (
            f"{spec.kind} needs images (batch, height, width, channels) but gets "
            f"{_shape(incoming)}. Use it on image data, before Flatten or global pooling."
        )
    if spec.kind == "Embedding" and rank != 2:
        return f"Embedding needs word indices (batch, steps) but gets {_shape(incoming)}."
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{spec.describe()} cannot take input {_shape(incoming)}: {message}"


def _note(spec: LayerSpec, caught: list[warnings.WarningMessage]) -> str | None:
    """Turn Keras's build-time warnings into advice shown on the layer."""
    for item in caught:
        text = str(item.message)
        if "does not support masking" in text:
            return (
                f"{spec.kind} ignores the padding mask, so padding counts as words from "
                "here on. Fine for convolutions; for recurrent layers keep them before it."
            )
        return text.strip().splitlines()[0]
    return None


def _stack_rules(layers: list[LayerSpec], kind: str) -> list[tuple[int | None, str]]:
    """Problems Keras would only report at fit time (or never)."""
    errors: list[tuple[int | None, str]] = []
    if not layers:
        first = "a TextVectorization layer" if kind == "text" else "layers from the palette"
        return [(None, f"The model has no layers. Add {first} to start.")]
    if kind == "text" and layers[0].kind not in ("TextVectorization", "StringLookup"):
        errors.append(
            (
                0,
                "Text data needs a TextVectorization layer first, to turn words into numbers "
                "(or StringLookup, when each text is one category).",
            )
        )
    max_tokens = None
    for index, layer in enumerate(layers):
        if layer.kind == "TextVectorization":
            if kind != "text":
                errors.append((index, f"TextVectorization reads text, but this data is {kind}."))
            elif index != 0:
                errors.append((index, "TextVectorization must be the first layer."))
            max_tokens = layer.params["max_tokens"]
        if layer.kind == "Embedding" and max_tokens and layer.params["input_dim"] < max_tokens:
            errors.append(
                (
                    index,
                    f"Vocabulary size {layer.params['input_dim']} is smaller than the "
                    f"vectorizer's {max_tokens}: word indices would fall outside the table. "
                    f"Set it to at least {max_tokens}.",
                )
            )
    return errors


def _rate_rules(layers: list[LayerSpec], rate: int) -> list[tuple[int | None, str]]:
    """A spectrogram computed at another rate than the waveform's puts every band at the
    wrong pitch, and nothing would fail: say so on the layer."""
    return [
        (
            index,
            f"MelSpectrogram's sample rate is {layer.params['sampling_rate']:,} Hz but the "
            f"clips are {rate:,} Hz: set it to {rate:,} (or change the rate on the Data tab).",
        )
        for index, layer in enumerate(layers)
        if layer.kind == "MelSpectrogram" and layer.params.get("sampling_rate") != rate
    ]


def _head_rule(
    layers: list[LayerSpec], output: Any, num_classes: int, task: str
) -> tuple[int, str] | None:
    last = len(layers) - 1
    units, activation, _ = head_for(num_classes, task)
    want = f"Dense({units}, {activation})"
    if len(output.shape) != 2:
        return (
            last,
            f"The model must end with one vector per sample, but ends with "
            f"{_shape(output)}. Add a global pooling layer or Flatten (or turn off return "
            "sequences).",
        )
    head = layers[-1]
    if (
        head.kind != "Dense"
        or head.params["units"] != units
        or head.params["activation"] != activation
    ):
        why = (
            "this is regression" if task == "regression" else f"the data has {num_classes} classes"
        )
        return (last, f"Because {why}, the last layer must be {want}.")
    return None


def _input_block(adapter: Any | None) -> tuple[Any, Any]:
    if adapter is None:  # no data yet: the text stack's raw-string input
        inputs = keras.Input(shape=(), dtype="string", name="text")
        return inputs, inputs
    return adapter.input_block()


def summarize_stack(
    layers: list[LayerSpec],
    num_classes: int | None = None,
    adapter: Any | None = None,
) -> StackSummary:
    """Build symbolically, layer by layer, recording shapes, parameter counts and errors.

    With an adapter, the data's own input block (encodings) comes first and the head is
    judged against its task; without one, the stack is read as a text model.
    """
    summary = StackSummary()
    kind = adapter.dataset.kind if adapter is not None else "text"
    task = adapter.task if adapter is not None else "classification"
    if adapter is not None:
        num_classes = len(adapter.class_names)
    summary.errors.extend(_stack_rules(layers, kind))
    if kind == "audio":
        summary.errors.extend(_rate_rules(layers, int(adapter.dataset.sample_rate)))
    try:
        _, tensor = _input_block(adapter)
    except Exception as exc:  # a dataset the encodings cannot take
        summary.errors.append((None, f"The data cannot be encoded: {exc}"))
        return summary
    summary.input_shape = _shape(tensor)
    broken = False
    for index, spec in enumerate(layers):
        row = LayerSummary(index, spec.describe())
        summary.layers.append(row)
        problems = spec.problems()
        if problems:
            row.error = " ".join(problems)
            summary.errors.append((index, row.error))
            broken = True
            continue
        if broken:
            row.output_shape = "?"
            continue
        problem = _input_problem(spec, tensor)
        if problem:
            row.error = problem
            summary.errors.append((index, problem))
            broken = True
            continue
        try:
            layer = make_layer(spec)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                tensor = layer(tensor)
            row.note = _note(spec, caught)
        except Exception as exc:  # Keras raises ValueError/TypeError/IndexError alike
            row.error = _explain(spec, tensor, exc)
            summary.errors.append((index, row.error))
            broken = True
            continue
        row.output_shape = _shape(tensor)
        row.params = int(layer.count_params()) if layer.built else 0
        summary.total_params += row.params
        summary.trainable_params += sum(math.prod(w.shape) for w in layer.trainable_weights)
    if not broken and layers and (num_classes or task == "regression"):
        head = _head_rule(layers, tensor, num_classes or 0, task)
        if head:
            summary.errors.append(head)
            summary.layers[head[0]].error = head[1]
    for index, message in summary.errors:
        if index is not None and summary.layers[index].error is None:
            summary.layers[index].error = message
    return summary


def build_model(layers: list[LayerSpec], adapter: Any, train_rows: Any) -> keras.Model:
    """The trainable model: the data's input block (statistics from the training rows),
    then the person's layers. Raises ModelConfigError for a stack that cannot work."""
    summary = summarize_stack(layers, adapter=adapter)
    if not summary.ok:
        index, message = summary.errors[0]
        raise ModelConfigError(summary.first_error() or message, index)
    inputs, tensor = adapter.input_block(train_rows)
    for index, spec in enumerate(layers):
        tensor = make_layer(spec, name=f"{spec.kind.lower()}_{index + 1}")(tensor)
    tensor = adapter.output_block(tensor, train_rows)
    return keras.Model(inputs, tensor, name="workbench_model")
