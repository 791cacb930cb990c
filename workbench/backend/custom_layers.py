"""The workbench's own Keras layers: a Transformer encoder block and position embeddings.

Each is one registered, serialisable Keras layer (package "workbench"), so a saved model
opens with ``keras.models.load_model(path, safe_mode=True)`` once this module is imported,
and an exported script can carry the class source unchanged. Both honour padding masks.
"""

from __future__ import annotations

from typing import Any

from workbench.backend.runtime import ensure_loaded

ensure_loaded()
import keras  # noqa: E402
from keras import ops  # noqa: E402

from workbench.backend import table_encoding, text_standardize  # noqa: E402, F401 (registers)


@keras.saving.register_keras_serializable(package="workbench")
class PositionEmbedding(keras.layers.Layer):
    """Adds a learnt vector per position to a sequence of vectors (batch, steps, features).

    Attention itself ignores word order; this gives each step its place. The number of
    positions is the incoming sequence length, fixed when the layer is built.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, input_shape: Any) -> None:
        steps, features = input_shape[-2], input_shape[-1]
        if steps is None or features is None:
            raise ValueError(
                "PositionEmbedding needs a fixed sequence length; set the vectorizer's "
                "sequence length."
            )
        self.positions = self.add_weight(
            name="positions",
            shape=(int(steps), int(features)),
            initializer="uniform",
            trainable=True,
        )

    def call(self, inputs: Any) -> Any:
        return inputs + ops.cast(self.positions, inputs.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


@keras.saving.register_keras_serializable(package="workbench")
class TransformerEncoder(keras.layers.Layer):
    """One Transformer encoder block over a sequence (batch, steps, features).

    Multi-head self-attention, then a two-layer feed-forward network, each added back to
    its input (residual) and followed by layer normalisation; dropout after both. Padding
    steps (from a masking Embedding) are never attended to, and the mask passes on.
    """

    def __init__(
        self,
        num_heads: int = 2,
        key_dim: int = 32,
        ff_dim: int = 64,
        dropout: float = 0.1,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.num_heads = int(num_heads)
        self.key_dim = int(key_dim)
        self.ff_dim = int(ff_dim)
        self.dropout_rate = float(dropout)
        self.supports_masking = True
        self.attention = keras.layers.MultiHeadAttention(
            num_heads=self.num_heads, key_dim=self.key_dim, dropout=self.dropout_rate
        )
        self.ff_hidden = keras.layers.Dense(self.ff_dim, activation="relu")
        self.ff_out: keras.layers.Dense | None = None
        self.norm_attention = keras.layers.LayerNormalization(epsilon=1e-6)
        self.norm_ff = keras.layers.LayerNormalization(epsilon=1e-6)
        self.drop_attention = keras.layers.Dropout(self.dropout_rate)
        self.drop_ff = keras.layers.Dropout(self.dropout_rate)

    def build(self, input_shape: Any) -> None:
        features = input_shape[-1]
        if features is None:
            raise ValueError("TransformerEncoder needs a known number of features per step.")
        self.ff_out = keras.layers.Dense(int(features))
        self.attention.build(input_shape, input_shape)
        self.norm_attention.build(input_shape)
        self.ff_hidden.build(input_shape)
        self.ff_out.build((*input_shape[:-1], self.ff_dim))
        self.norm_ff.build(input_shape)

    def call(self, inputs: Any, mask: Any = None, training: Any = None) -> Any:
        attention_mask = None
        if mask is not None:  # every query may look only at real (non-padding) steps
            attention_mask = ops.expand_dims(ops.cast(mask, "bool"), axis=1)
        attended = self.attention(inputs, inputs, attention_mask=attention_mask, training=training)
        x = self.norm_attention(inputs + self.drop_attention(attended, training=training))
        assert self.ff_out is not None
        ff = self.ff_out(self.ff_hidden(x))
        return self.norm_ff(x + self.drop_ff(ff, training=training))

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return mask

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "ff_dim": self.ff_dim,
            "dropout": self.dropout_rate,
        }


#: Catalog kind -> class, for the model builder and the script export.
CUSTOM_LAYERS: dict[str, type[keras.layers.Layer]] = {
    "PositionEmbedding": PositionEmbedding,
    "TransformerEncoder": TransformerEncoder,
}
