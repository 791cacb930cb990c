"""Text standardisations that keep the pieces Keras's default throws away.

Keras's default (``lower_and_strip_punctuation``) deletes punctuation, so a URL, an
@mention, a number with its unit or a contraction becomes one token seen once
(``https://t.co/xyz`` -> ``httpstcoxyz``). These keep the words apart instead:

- ``lower_and_split_punctuation``: lower case; every punctuation mark becomes a token of
  its own (``don't!`` -> ``don ' t !``), so words are split where a tokenizer like
  scikit-learn's splits them and ``!`` or ``?`` can still count.
- ``lower_with_markers``: as above, but a URL, an @mention and a number first become one
  marker each (``xxurl``, ``xxuser``, ``xxnum``): one frequent token instead of thousands
  seen once.

Each is one registered, serialisable Keras function (package "workbench"), so a saved
model opens with ``keras.models.load_model(path, safe_mode=True)`` once this module is
imported, and an exported script carries the function's source unchanged.
"""

from __future__ import annotations

from typing import Any

from workbench.backend.runtime import ensure_loaded

ensure_loaded()
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

#: The ASCII punctuation Keras's own default strips (RE2 syntax).
PUNCTUATION = r"[!\"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~']"


@keras.saving.register_keras_serializable(package="workbench")
def lower_and_split_punctuation(text: Any) -> Any:
    """Lower case, with each punctuation mark made a separate token."""
    text = tf.strings.lower(text, encoding="utf-8")
    return tf.strings.regex_replace(text, PUNCTUATION, r" \0 ")


@keras.saving.register_keras_serializable(package="workbench")
def lower_with_markers(text: Any) -> Any:
    """Lower case; URLs, @mentions and numbers as markers; punctuation split off."""
    text = tf.strings.lower(text, encoding="utf-8")
    text = tf.strings.regex_replace(text, r"(?:https?://|www\.)\S+", " xxurl ")
    text = tf.strings.regex_replace(text, r"@\w+", " xxuser ")
    text = tf.strings.regex_replace(text, r"\d+(?:[.,:]\d+)*", " xxnum ")
    return tf.strings.regex_replace(text, PUNCTUATION, r" \0 ")


#: The catalog's names (workbench.core.layers) of the standardisations Keras lacks.
STANDARDIZERS: dict[str, Any] = {
    "lower_and_split_punctuation": lower_and_split_punctuation,
    "lower_with_markers": lower_with_markers,
}


def standardizer(name: Any) -> Any:
    """What TextVectorization's ``standardize`` gets for the catalog's ``name``: one of
    these functions, or Keras's own name (or None) unchanged."""
    return STANDARDIZERS.get(name, name) if isinstance(name, str) else name
