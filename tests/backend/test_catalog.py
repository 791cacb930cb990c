"""Every layer in the palette builds, with its default settings, to the expected shape."""

import keras
import pytest

from workbench.backend.model_builder import make_layer
from workbench.core.layers import CATALOG, LayerSpec

SEQUENCE = (10, 8)  # steps, features
IMAGE = (16, 16, 3)
VECTOR = (8,)

# kind: (input shape without the batch, expected output shape without the batch)
EXPECTED = {
    "TextVectorization": ("text", (100,)),
    "Embedding": ("indices", (10, 64)),
    "LSTM": (SEQUENCE, (64,)),
    "GRU": (SEQUENCE, (64,)),
    "SimpleRNN": (SEQUENCE, (32,)),
    "Bidirectional": (SEQUENCE, (64,)),  # two directions of 32, concatenated
    "Conv1D": (SEQUENCE, (6, 64)),  # valid padding, kernel 5
    "MaxPooling1D": (SEQUENCE, (5, 8)),
    "AveragePooling1D": (SEQUENCE, (5, 8)),
    "GlobalMaxPooling1D": (SEQUENCE, (8,)),
    "GlobalAveragePooling1D": (SEQUENCE, (8,)),
    "SpatialDropout1D": (SEQUENCE, SEQUENCE),
    "Conv2D": (IMAGE, (16, 16, 32)),  # same padding
    "SeparableConv2D": (IMAGE, (16, 16, 32)),
    "MaxPooling2D": (IMAGE, (8, 8, 3)),
    "AveragePooling2D": (IMAGE, (8, 8, 3)),
    "GlobalMaxPooling2D": (IMAGE, (3,)),
    "GlobalAveragePooling2D": (IMAGE, (3,)),
    "Resizing": (IMAGE, (64, 64, 3)),
    "RandomFlip": (IMAGE, IMAGE),
    "RandomRotation": (IMAGE, IMAGE),
    "RandomZoom": (IMAGE, IMAGE),
    "Rescaling": (IMAGE, IMAGE),
    "Flatten": (IMAGE, (16 * 16 * 3,)),
    "Dense": (VECTOR, (64,)),
    "Dropout": (VECTOR, VECTOR),
    "Activation": (VECTOR, VECTOR),
    "BatchNormalization": (VECTOR, VECTOR),
    "LayerNormalization": (VECTOR, VECTOR),
    "Normalization": (VECTOR, VECTOR),
    "StringLookup": ("text", (1000,)),  # one-hot, padded to the vocabulary size
    "IntegerLookup": ("indices", (1000,)),  # multi-hot over the word indices
    "Reshape": (VECTOR, (8, 1)),
    "PositionEmbedding": (SEQUENCE, SEQUENCE),
    "TransformerEncoder": (SEQUENCE, SEQUENCE),
    "MelSpectrogram": ((16000,), (64, 101)),  # 1 s at 16 kHz: 64 bands, 10 ms frames
}


def test_the_expectations_cover_the_whole_catalog():
    assert set(EXPECTED) == set(CATALOG)


@pytest.mark.parametrize("kind", sorted(CATALOG))
def test_layer_builds_with_its_defaults(kind):
    incoming, expected = EXPECTED[kind]
    if incoming == "text":
        tensor = keras.Input(shape=(), dtype="string")
    elif incoming == "indices":
        tensor = keras.Input(shape=(10,), dtype="int64")
    else:
        tensor = keras.Input(shape=incoming)
    out = make_layer(LayerSpec(kind))(tensor)
    assert tuple(out.shape[1:]) == expected


def test_keras_arguments_translate_sentinels_to_none():
    kwargs = LayerSpec("TextVectorization", {"standardize": "none", "ngrams": 1}).keras_kwargs()
    assert kwargs["standardize"] is None and kwargs["ngrams"] is None
    assert LayerSpec("TextVectorization", {"ngrams": 2}).keras_kwargs()["ngrams"] == 2


def test_reshape_and_normalization_arguments_are_spelled_for_keras():
    assert LayerSpec("Reshape", {"target_shape": [28, 28, 1]}).keras_kwargs() == {
        "target_shape": (28, 28, 1)
    }
    assert LayerSpec("Normalization", {"axis": "all values"}).keras_kwargs() == {"axis": None}
    lookup = LayerSpec("IntegerLookup", {"output_mode": "int"}).keras_kwargs()
    assert lookup["pad_to_max_tokens"] is False


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ([-1, -1], "only once"),
        ([0, 8], "1 or more"),
        ([], "at least one size"),
        (["8", 8], "whole numbers"),
    ],
)
def test_impossible_target_shapes_are_refused_in_words(target, reason):
    problems = LayerSpec("Reshape", {"target_shape": target}).problems()
    assert len(problems) == 1 and reason in problems[0] and "Target shape" in problems[0]


def test_every_parameter_says_what_it_does():
    for layer in CATALOG.values():
        for spec in layer.params:
            assert spec.help, f"{layer.name}.{spec.name} has no help"
