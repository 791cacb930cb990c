"""Default layer stacks that learn out of the box.

The text template is the classic Keras classifier with the defaults that make it work in
Keras 3: the Embedding masks padding (TextVectorization pads at the end, and an unmasked
LSTM would finish every text on a run of zeros), the sequence length comes from the data,
and the vocabulary is adapted on the training split only (done by the backend).
"""

from __future__ import annotations

from workbench.core.layers import LayerSpec

DEFAULT_MAX_TOKENS = 10000
DEFAULT_SEQUENCE_LENGTH = 100


def head_for(num_classes: int) -> tuple[int, str, str]:
    """(units, activation, loss) of the output layer for ``num_classes`` labels."""
    if num_classes <= 2:
        return 1, "sigmoid", "binary_crossentropy"
    return num_classes, "softmax", "sparse_categorical_crossentropy"


def text_classifier(
    num_classes: int = 2,
    sequence_length: int = DEFAULT_SEQUENCE_LENGTH,
    max_tokens: int = DEFAULT_MAX_TOKENS,
) -> list[LayerSpec]:
    """TextVectorization -> Embedding(masked) -> LSTM(64) -> Dense head."""
    units, activation, _ = head_for(num_classes)
    return [
        LayerSpec(
            "TextVectorization",
            {"max_tokens": max_tokens, "output_sequence_length": sequence_length},
        ),
        LayerSpec("Embedding", {"input_dim": max_tokens, "output_dim": 64, "mask_zero": True}),
        LayerSpec("LSTM", {"units": 64}),
        LayerSpec("Dense", {"units": units, "activation": activation}),
    ]


def fit_head(layers: list[LayerSpec], num_classes: int) -> bool:
    """Make the last Dense layer match the labels; True when something changed.

    Only touches a stack whose last layer is a Dense output head, so a person's own
    unusual ending is left for validation to explain rather than silently rewritten.
    """
    if not layers or layers[-1].kind != "Dense":
        return False
    units, activation, _ = head_for(num_classes)
    head = layers[-1].params
    if head.get("units") == units and head.get("activation") == activation:
        return False
    head["units"], head["activation"] = units, activation
    return True


def fit_sequence_length(layers: list[LayerSpec], sequence_length: int) -> bool:
    """Set the vectorizer's sequence length to the one suggested by the data."""
    for layer in layers:
        if layer.kind == "TextVectorization":
            if layer.params["output_sequence_length"] == sequence_length:
                return False
            layer.params["output_sequence_length"] = sequence_length
            return True
    return False
