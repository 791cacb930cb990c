"""The preprocessing a runtime without string ops cannot do, written out and redone in Python.

LiteRT's interpreter and onnxruntime cannot run TextVectorization's string ops, nor a
StringLookup's hash table in ONNX. Such an export holds only the numeric part of the model
(token ids or one-hot columns in), and ``preprocessing.json`` beside it holds the vocabulary
and the rules. :class:`Preprocessing` reads that file (validated, size-limited) and turns raw
texts or column values into the numeric part's inputs with nothing but the standard library
and numpy, the way a deployment would. The export's parity check runs it before the runtime,
so a rule written here that differs from TensorFlow's shows as a failed check, not as a
silently worse model on a phone.

The text rules copy TensorFlow's semantics: RE2 regexes (``\\w`` and ``\\d`` are ASCII), ASCII
lowering for Keras's own standardisations and Unicode lowering for the workbench's, splitting
on ASCII whitespace, n-grams joined by one space.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from workbench.core.errors import FileRejected
from workbench.core.safe_json import read_json

#: preprocessing.json is refused above this size (a 20,000-token vocabulary of bigrams is
#: about 0.5 MB; a million tokens would still fit).
MAX_RULES_BYTES = 64 * 1024 * 1024
RULES_FILE = "preprocessing.json"
RULES_VERSION = 1

# The ASCII punctuation TensorFlow strips or splits off (the same class as Keras's default).
_PUNCTUATION = re.compile(r"[!\"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~']")
_URL = re.compile(r"(?:https?://|www\.)[^\t\n\f\r ]+")  # RE2's \S: not [\t\n\f\r ]
_USER = re.compile(r"@\w+", re.ASCII)
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*", re.ASCII)
_WHITESPACE = re.compile(r"[ \t\n\v\f\r]+")  # what tf.strings.split splits on


def _ascii_lower(text: str) -> str:
    """tf.strings.lower without an encoding: only A-Z change."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def _split_punctuation(text: str) -> str:
    return _PUNCTUATION.sub(lambda m: f" {m.group(0)} ", text)


def _with_markers(text: str) -> str:
    text = _URL.sub(" xxurl ", text.lower())
    text = _USER.sub(" xxuser ", text)
    return _split_punctuation(_NUMBER.sub(" xxnum ", text))


#: Each standardisation TextVectorization may use, as plain Python.
STANDARDIZE: dict[str, Any] = {
    "none": lambda text: text,
    "lower": _ascii_lower,
    "strip_punctuation": lambda text: _PUNCTUATION.sub("", text),
    "lower_and_strip_punctuation": lambda text: _PUNCTUATION.sub("", _ascii_lower(text)),
    "lower_and_split_punctuation": lambda text: _split_punctuation(text.lower()),
    "lower_with_markers": _with_markers,
}


class TextRules(BaseModel):
    """How a TextVectorization layer turns one string into numbers."""

    model_config = ConfigDict(extra="forbid")

    input: str = Field(max_length=200)
    standardize: Literal[tuple(STANDARDIZE)]  # type: ignore[valid-type]
    split: Literal["whitespace", "character", "none"]
    ngrams: list[int] = Field(default_factory=list, max_length=8)
    output_mode: Literal["int", "multi_hot", "count"]
    sequence_length: int | None = Field(default=None, ge=1, le=100_000)
    width: int = Field(ge=1, le=10_000_000)
    vocabulary: list[str] = Field(max_length=10_000_000)
    oov_index: int = Field(ge=0)
    numeric_input: str = Field(max_length=200)

    @cached_property
    def index(self) -> dict[str, int]:
        """Token -> its id (built once: a deployment answers one text at a time)."""
        return {token: i for i, token in enumerate(self.vocabulary)}

    def tokens(self, text: str) -> list[str]:
        """The string's tokens after standardising, splitting and n-grams."""
        text = STANDARDIZE[self.standardize](text)
        if self.split == "whitespace":
            words = [w for w in _WHITESPACE.split(text) if w]
        elif self.split == "character":
            words = list(text)
        else:
            words = [text]
        if not self.ngrams:
            return words
        out: list[str] = []
        for n in self.ngrams:
            out.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
        return out

    def encode(self, texts: list[str]) -> np.ndarray:
        """Token ids (rows x sequence length, 0 padding after) or multi-hot / count rows."""
        index = self.index
        if self.output_mode == "int":
            ids = [[index.get(t, self.oov_index) for t in self.tokens(s)] for s in texts]
            length = self.sequence_length or max((len(r) for r in ids), default=1) or 1
            out = np.zeros((len(texts), length), dtype=np.int64)
            for row, values in enumerate(ids):
                values = values[:length]
                out[row, : len(values)] = values
            return out
        out = np.zeros((len(texts), self.width), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in self.tokens(text):
                column = index.get(token, self.oov_index)
                out[row, column] = 1.0 if self.output_mode == "multi_hot" else out[row, column] + 1
        return out


class ColumnRules(BaseModel):
    """A categorical column: its vocabulary and how its index reaches the network."""

    model_config = ConfigDict(extra="forbid")

    input: str = Field(max_length=200)
    vocabulary: list[str] = Field(max_length=1_000_000)
    oov_index: int = Field(ge=0)
    output_mode: Literal["int", "one_hot", "multi_hot"]
    numeric_input: str = Field(max_length=200)

    @cached_property
    def index(self) -> dict[str, int]:
        """Value -> its index (built once)."""
        return {token: i for i, token in enumerate(self.vocabulary)}

    def encode(self, values: Any) -> np.ndarray:
        """Each value's index (rows x 1, int64) or one-hot row (float32)."""
        index = self.index
        flat = [str(v) for v in np.asarray(values, dtype=object).reshape(-1)]
        ids = np.array([index.get(v, self.oov_index) for v in flat], dtype=np.int64)
        if self.output_mode == "int":
            return ids.reshape(-1, 1)
        out = np.zeros((len(ids), len(self.vocabulary)), dtype=np.float32)
        out[np.arange(len(ids)), ids] = 1.0
        return out


class Preprocessing(BaseModel):
    """Everything between a raw input and the exported numeric part (preprocessing.json)."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = RULES_VERSION
    text: TextRules | None = None
    columns: list[ColumnRules] = Field(default_factory=list, max_length=10_000)
    passthrough: list[str] = Field(default_factory=list, max_length=10_000)
    fill: dict[str, float] = Field(default_factory=dict)
    note: str = Field(default="", max_length=2000)

    def numeric_inputs(self, raw: Any) -> dict[str, np.ndarray]:
        """The numeric part's inputs (by name) from the full model's raw inputs: a list of
        strings for text, or a dict of column arrays for tables."""
        out: dict[str, np.ndarray] = {}
        if self.text is not None:
            texts = raw if not isinstance(raw, dict) else raw[self.text.input]
            strings = [as_text(t) for t in np.asarray(texts, dtype=object).reshape(-1)]
            out[self.text.numeric_input] = self.text.encode(strings)
        for column in self.columns:
            values = [as_text(v) for v in np.asarray(raw[column.input], dtype=object).reshape(-1)]
            out[column.numeric_input] = column.encode(values)
        for name in self.passthrough:
            out[name] = np.asarray(raw[name], dtype=np.float32)
        return out

    def save(self, path: str | Path) -> Path:
        """Write the rules as JSON (UTF-8, one file)."""
        path = Path(path)
        path.write_text(self.model_dump_json(indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> Preprocessing:
        """Read and validate a preprocessing.json; a bad file is refused naming the field."""
        path = Path(path)
        data = read_json(path, MAX_RULES_BYTES)
        try:
            return cls.model_validate(data)
        except ValueError as exc:
            raise FileRejected(path, f"is not a valid {RULES_FILE}: {_first_error(exc)}") from None


def as_text(value: Any) -> str:
    """A string from a runtime's bytes (UTF-8) or any other value."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"{where}: {first.get('msg', '')}"
    return str(exc).splitlines()[0]
