"""Rules for fitting the layer stack to newly loaded data, without Qt.

When data of another kind, task or class count arrives, an untouched stack is replaced by the
default model for that data; an edited one is replaced only if the person agrees, otherwise
only its output layer and the text vectorizer's sequence length follow the data. These rules
decide and describe; the Model tab's controller asks the question and records the undo step.
"""

from __future__ import annotations

from typing import Any

from workbench.core.layers import LayerSpec

#: How the data kinds are named in messages.
KIND_NAMES = {
    "text": "text",
    "tabular": "feature table",
    "images": "image",
    "npz": "array",
    "audio": "audio",
}

Signature = list[tuple[str, dict[str, Any]]]


def stack_signature(layers: list[LayerSpec]) -> Signature:
    """What the stack is, to tell later whether the person has edited it."""
    return [(layer.kind, dict(layer.params)) for layer in layers]


def sequence_length(layers: list[LayerSpec]) -> int | None:
    """The text vectorizer's output length, or None without one (or for a bag of words,
    which has no length)."""
    for layer in layers:
        if layer.kind == "TextVectorization":
            if layer.params.get("output_mode", "int") != "int":
                return None
            return int(layer.params.get("output_sequence_length", 0))
    return None


def fit_target(dataset: Any, classes: int) -> tuple[str, str, int]:
    """What a stack is fitted for: (kind, task, number of classes)."""
    return (dataset.kind, dataset.task, classes)


def head(layers: list[LayerSpec]) -> str:
    """The output layer in words ('' for an empty stack)."""
    return layers[-1].describe() if layers else ""


def describe_changes(
    before_head: str,
    before_length: int | None,
    layers: list[LayerSpec],
    task: str,
    classes: int,
) -> list[str]:
    """What fitting changed, as phrases for the status bar."""
    changes = []
    now = head(layers)
    if now != before_head:
        if task == "classification":
            changes.append(f"output layer → {now} for {classes} classes")
        else:
            changes.append(f"output layer → {now} for regression")
    length = sequence_length(layers)
    if length is not None and length != before_length:
        changes.append(f"sequence length → {length} words")
    return changes


class NoData:
    """Stands in for a data set before one is loaded (text templates with default sizes,
    the Predict tab's text page for a run's model)."""

    kind = "text"

    def __init__(self, task: str = "classification") -> None:
        self.task = task

    def class_names(self) -> list[str]:
        """Two classes, as the text templates assume."""
        return ["0", "1"]
