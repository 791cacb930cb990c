"""Bring a model made with plain Keras into the editor: its layers become catalog layers
with their settings, and its weights can seed training.

Only what the catalog can represent comes in; anything else is named in the result so the
person sees exactly what was not taken, rather than a model that silently differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.backend import custom_layers  # noqa: F401 (registers the workbench's layers)
from workbench.backend.model_file import load_keras
from workbench.backend.runtime import ensure_loaded
from workbench.backend.text_standardize import STANDARDIZERS
from workbench.core.errors import WorkbenchError
from workbench.core.layers import CATALOG, LayerSpec, from_keras_value

ensure_loaded()

_SKIPPED_QUIETLY = {"InputLayer"}


@dataclass
class ImportedModel:
    """Layers read from a .keras file, their weights, and what could not be brought in."""

    layers: list[LayerSpec]
    weights: list[list[Any]]  # per imported layer, Keras weight arrays (may be empty)
    unknown: list[str] = field(default_factory=list)  # "name (Class)" of layers left out
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every layer of the file came in."""
        return not self.unknown


def _spec_from_layer(layer: Any) -> tuple[LayerSpec | None, list[str]]:
    """The catalog spec for one Keras layer, and settings that had to be left out."""
    kind = type(layer).__name__
    config = layer.get_config()
    if kind == "Bidirectional":
        inner = layer.forward_layer
        inner_config = inner.get_config()
        spec = LayerSpec(
            "Bidirectional",
            {
                "layer": "GRU" if type(inner).__name__ == "GRU" else "LSTM",
                "units": int(inner_config["units"]),
                "return_sequences": bool(inner_config["return_sequences"]),
                "dropout": float(inner_config.get("dropout", 0.0)),
                "merge_mode": config.get("merge_mode") or "concat",
            },
        )
        return spec, []
    if kind not in CATALOG:
        return None, []
    params: dict[str, Any] = {}
    dropped: list[str] = []
    for param in CATALOG[kind].params:
        if param.name not in config:
            continue
        value = config[param.name]
        value = from_keras_value(kind, param.name, value)
        if callable(value) and getattr(value, "__name__", None) in STANDARDIZERS:
            value = value.__name__  # the workbench's own standardisations, by catalog name
        if value is None and param.none_value != "__never__":
            value = param.none_value
        if param.kind != "shape" and isinstance(value, list | tuple) and len(set(value)) == 1:
            value = value[0]  # kernel_size (3, 3) -> 3
        if isinstance(value, dict) or (param.kind == "choice" and value not in param.choices):
            dropped.append(f"{layer.name}.{param.name}={value!r}")
            continue
        params[param.name] = value
    spec = LayerSpec(kind, params)
    bad = spec.problems()
    if bad:
        dropped.extend(f"{layer.name}: {problem}" for problem in bad)
        kept = {k: v for k, v in params.items() if CATALOG[kind].param(k).check(v) is None}
        spec = LayerSpec(kind, kept)
    return spec, dropped


def import_keras_model(path: str | Path) -> ImportedModel:
    """Read a Sequential (or single-chain functional) .keras model in safe mode."""
    path = Path(path)
    model = load_keras(path)
    layers, weights, unknown, notes = [], [], [], []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in _SKIPPED_QUIETLY:
            continue
        spec, dropped = _spec_from_layer(layer)
        if spec is None:
            unknown.append(f"{layer.name} ({kind})")
            continue
        layers.append(spec)
        weights.append([w.numpy() if hasattr(w, "numpy") else w for w in layer.get_weights()])
        notes.extend(f"Setting not carried over: {d}" for d in dropped)
    if not layers:
        raise WorkbenchError(f"{path}: none of the model's layers is one the editor knows.")
    return ImportedModel(layers, weights, unknown, notes)
