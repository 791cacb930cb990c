"""The model as a deployable function, and its numeric part cut from its string preprocessing.

A runtime without string ops (LiteRT's interpreter, onnxruntime) gets the network from the
outputs of its TextVectorization and StringLookup layers onward, and the layers' rules as a
:class:`~workbench.core.preprocessing.Preprocessing` written beside it. A layer whose rules
cannot be written out (a custom standardisation or split, tf_idf, hashed out-of-vocabulary
buckets) makes the cut impossible, and the export says which layer and what to use instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.backend import custom_layers  # noqa: F401 (registers the workbench's layers)
from workbench.backend.runtime import ensure_loaded
from workbench.backend.text_standardize import STANDARDIZERS
from workbench.core.errors import WorkbenchError
from workbench.core.preprocessing import ColumnRules, Preprocessing, TextRules

ensure_loaded()
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

STRING_LAYERS = ("TextVectorization", "StringLookup")


class ExportRefused(WorkbenchError):
    """A model (or one of its layers) that a format cannot hold; says what to use instead."""


@dataclass(frozen=True)
class NumericPart:
    """The network after its string preprocessing, with its inputs' names in order."""

    model: Any
    input_names: list[str]
    rules: Preprocessing


def input_names(model: Any) -> list[str]:
    """The model's input names as a deployment sees them (the Keras input names)."""
    return [str(t.name) for t in model.inputs]


def serving_function(model: Any, names: list[str] | None = None, batch: int | None = None):
    """A traced function of named tensors -> {"outputs": the model's outputs}; the batch
    dimension is ``batch`` (None: any). Its TensorSpecs carry the names, so a SavedModel
    signature and an ONNX graph take inputs by the names a person knows."""
    names = names or input_names(model)
    specs = [
        tf.TensorSpec((batch, *tuple(t.shape[1:])), t.dtype, name=name)
        for t, name in zip(model.inputs, names, strict=True)
    ]

    struct = getattr(model, "_inputs_struct", None)
    keys = {str(t.name): k for k, t in struct.items()} if isinstance(struct, dict) else None

    def call(*tensors):
        if keys is not None:  # a model built on a dict of inputs is called with one
            inputs = {keys[str(t.name)]: x for t, x in zip(model.inputs, tensors, strict=True)}
        else:
            inputs = tensors[0] if len(tensors) == 1 else list(tensors)
        return {"outputs": model(inputs, training=False)}

    return tf.function(call, input_signature=specs, autograph=False), specs


def string_inputs(model: Any) -> list[str]:
    """Names of the inputs that take strings."""
    return [str(t.name) for t in model.inputs if str(t.dtype) == "string"]


def numeric_part(model: Any, meta: dict[str, Any], fmt: str) -> NumericPart:
    """Cut the model after the layers that read its string inputs; ExportRefused naming the
    layer when a string input goes anywhere else or a layer's rules cannot be written out."""
    consumers = _consumers(model)
    inputs, names = [], []
    text: TextRules | None = None
    columns: list[ColumnRules] = []
    passthrough: list[str] = []
    for tensor in model.inputs:
        name = str(tensor.name)
        if str(tensor.dtype) != "string":
            inputs.append(tensor)
            names.append(name)
            passthrough.append(name)
            continue
        layers = consumers.get(id(tensor), [])
        if len(layers) != 1 or type(layers[0]).__name__ not in STRING_LAYERS:
            used = ", ".join(repr(layer.name) for layer in layers) or "nothing"
            raise ExportRefused(
                f"{_title(fmt)} cannot run string operations, and the text input {name!r} "
                f"goes to {used} rather than to one TextVectorization or StringLookup, so it "
                "cannot be split off; export as SavedModel instead."
            )
        layer = layers[0]
        if type(layer).__name__ == "TextVectorization":
            text = _text_rules(layer, name, fmt)
            numeric = text.numeric_input
        else:
            rules = _column_rules(layer, name, fmt)
            columns.append(rules)
            numeric = rules.numeric_input
        inputs.append(layer.output)
        names.append(numeric)
    fill = {str(k): float(v) for k, v in (meta.get("fill") or {}).items()}
    rules = Preprocessing(
        text=text,
        columns=columns,
        passthrough=passthrough,
        fill=fill,
        note=(
            "Run these rules on each raw input, then feed the results to the model by name. "
            "Missing numbers: use 'fill'. Unknown words or categories map to 'oov_index'."
        ),
    )
    part = keras.Model(inputs, model.outputs, name="numeric_part")
    return NumericPart(part, names, rules)


def _consumers(model: Any) -> dict[int, list[Any]]:
    """Model input tensor id -> the layers that take it directly."""
    wanted = {id(t) for t in model.inputs}
    found: dict[int, list[Any]] = {}
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        for node in getattr(layer, "_inbound_nodes", []):
            for tensor in keras.tree.flatten(node.arguments.args):
                if id(tensor) in wanted:
                    found.setdefault(id(tensor), []).append(layer)
    return found


def _title(fmt: str) -> str:
    return {"litert": "LiteRT", "onnx": "ONNX", "savedmodel": "SavedModel"}.get(fmt, fmt)


def _refuse(layer: Any, fmt: str, what: str) -> ExportRefused:
    return ExportRefused(
        f"{_title(fmt)} cannot run layer {layer.name!r} ({type(layer).__name__}): {what}, "
        "which cannot be written out as rules for another runtime. Export as SavedModel "
        "(it keeps the layer inside), or change the layer's setting and retrain."
    )


def _standardize_name(layer: Any, fmt: str) -> str:
    value = getattr(layer, "_standardize", None)
    if value is None:
        return "none"
    if isinstance(value, str):
        return value
    for name, function in STANDARDIZERS.items():
        if value is function:
            return name
    raise _refuse(layer, fmt, f"its standardisation is a custom function ({value!r})")


def _text_rules(layer: Any, name: str, fmt: str) -> TextRules:
    split = getattr(layer, "_split", None)
    if callable(split):
        raise _refuse(layer, fmt, "its split is a custom function")
    mode = str(layer._output_mode)
    if mode not in ("int", "multi_hot", "count"):
        raise _refuse(layer, fmt, f"its output mode is {mode}")
    if getattr(layer, "_ragged", False):
        raise _refuse(layer, fmt, "it returns ragged rows")
    vocabulary = [str(v) for v in layer.get_vocabulary(include_special_tokens=True)]
    lookup = layer._lookup_layer
    if int(getattr(lookup, "num_oov_indices", 1)) != 1:
        raise _refuse(layer, fmt, "it hashes unknown words into several buckets")
    width = int(layer.output.shape[-1] or len(vocabulary))
    numeric = {"int": "token_ids", "multi_hot": "multi_hot", "count": "token_counts"}[mode]
    return TextRules(
        input=name,
        standardize=_standardize_name(layer, fmt),
        split=split or "none",
        ngrams=list(layer._ngrams or []),
        output_mode=mode,
        sequence_length=layer._output_sequence_length,
        width=width,
        vocabulary=vocabulary,
        oov_index=vocabulary.index(str(lookup.oov_token)),
        numeric_input=numeric,
    )


def _column_rules(layer: Any, name: str, fmt: str) -> ColumnRules:
    mode = str(layer.output_mode)
    if mode not in ("int", "one_hot", "multi_hot"):
        raise _refuse(layer, fmt, f"its output mode is {mode}")
    if int(layer.num_oov_indices) != 1:
        raise _refuse(layer, fmt, "it has several buckets for unknown values")
    vocabulary = [str(v) for v in layer.get_vocabulary(include_special_tokens=True)]
    return ColumnRules(
        input=name,
        vocabulary=vocabulary,
        oov_index=vocabulary.index(str(layer.oov_token)),
        output_mode=mode,
        numeric_input=f"{name}_{'index' if mode == 'int' else 'one_hot'}",
    )
