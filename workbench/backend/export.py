"""Saving and opening models: a plain .keras file, with what prediction needs inside it.

Class names, the kind of data and its column encodings travel as an extra ``workbench.json``
entry in the .keras zip, which Keras ignores, so ``keras.models.load_model`` opens the file
as usual and nothing can get lost between a model and a side file.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from workbench.backend import custom_layers  # noqa: F401 (registers the workbench's layers)
from workbench.backend.model_file import load_keras, read_entry
from workbench.backend.runtime import ensure_loaded
from workbench.core.atomic import atomic_path
from workbench.core.errors import FileRejected
from workbench.core.model_meta import MAX_META_BYTES, read_meta

ensure_loaded()

META_ENTRY = "workbench.json"


def save_model_with_meta(model, meta: dict[str, Any], path: str | Path) -> Path:
    """Write atomically (hidden temp file, fsync, rename) so a crash never leaves half a
    model; a full disk raises SaveFailed naming the file, and the previous file stays."""
    path = Path(path)
    if path.suffix != ".keras":
        path = path.with_suffix(".keras")
    with atomic_path(path, suffix=".keras") as tmp:  # Keras wants the .keras suffix
        model.save(tmp)
        with zipfile.ZipFile(tmp, "a") as archive:
            archive.writestr(META_ENTRY, json.dumps(meta))
    return path


def save_threshold(path: str | Path, threshold: float | None) -> dict[str, Any]:
    """Store the decision threshold in a saved model's metadata (None removes it); the
    archive is rewritten atomically with every other entry unchanged. Returns the new
    metadata."""
    path = Path(path)
    _, meta = load_model_with_meta(path)  # the file is checked as any model is
    if threshold is None:
        meta.pop("threshold", None)
    else:
        meta["threshold"] = float(threshold)
    read_meta(json.dumps(meta).encode(), f"{path} ({META_ENTRY})")  # valid before written
    with (
        atomic_path(path, suffix=".keras") as tmp,
        zipfile.ZipFile(path) as source,
        zipfile.ZipFile(tmp, "w") as target,
    ):
        for entry in source.infolist():
            if entry.filename != META_ENTRY:
                target.writestr(entry, source.read(entry))
        target.writestr(META_ENTRY, json.dumps(meta))
    return meta


def load_model_with_meta(path: str | Path) -> tuple[Any, dict[str, Any]]:
    """Open a .keras model in safe mode with its validated metadata.

    A plain Keras model without metadata is taken as a text model when it reads strings, and
    refused otherwise (nothing says how to prepare its input). Metadata that does not match
    the network (another number of classes) is refused too.
    """
    path = Path(path)
    model = load_keras(path)
    raw = read_entry(path, META_ENTRY, MAX_META_BYTES)
    meta = read_meta(raw, f"{path} ({META_ENTRY})") if raw is not None else {}
    input_dtypes = [str(getattr(t, "dtype", "")) for t in model.inputs]
    if raw is None and input_dtypes != ["string"]:
        raise FileRejected(
            path,
            "has no Training Workbench metadata and does not take text, so the workbench "
            "cannot tell how to prepare its input; train it in the workbench or import it "
            "with Model > Import Keras model.",
        )
    units = int(model.outputs[0].shape[-1] or 0)
    if meta.get("task") != "regression":
        expected = 2 if units == 1 else units
        names = meta.get("class_names") or [str(i) for i in range(expected)]
        if len(names) != expected:
            raise FileRejected(
                path,
                f"its metadata names {len(names)} classes but the network has {units} "
                "output(s); the metadata belongs to another model.",
                "class_names",
            )
        meta["class_names"] = names
    meta.setdefault("kind", "text")
    meta.setdefault("task", "classification")
    mismatch = _shape_mismatch(model, meta)
    if mismatch is not None:
        field, problem = mismatch
        raise FileRejected(path, f"{problem}; the metadata belongs to another model.", field)
    return model, meta


def _shape_mismatch(model: Any, meta: dict[str, Any]) -> tuple[str, str] | None:
    """(field, how) the metadata's sample shape (arrays) or image size differs from the
    network's input; None when it fits or the network does not say."""
    if len(model.inputs) != 1:
        return None
    takes = list(model.inputs[0].shape[1:])
    shape, size = meta.get("x_shape"), meta.get("image_size")
    if meta["kind"] == "npz" and shape is not None and None not in takes and takes != shape:
        return "x_shape", (
            f"its metadata says samples of shape {tuple(shape)} but the network takes "
            f"{tuple(takes)}"
        )
    samples = meta.get("clip_samples")
    if meta["kind"] == "audio" and samples is not None and takes not in ([samples], [None]):
        return "clip_samples", (
            f"its metadata says clips of {samples} samples but the network takes {tuple(takes)}"
        )
    known = len(takes) == 3 and None not in takes[:2]
    if meta["kind"] == "images" and size is not None and known and takes[:2] != size:
        return "image_size", (
            f"its metadata says {size[0]}x{size[1]} images but the network takes "
            f"{takes[0]}x{takes[1]}"
        )
    return None
