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
from workbench.backend.runtime import ensure_loaded
from workbench.core.atomic import atomic_path
from workbench.core.errors import WorkbenchError

ensure_loaded()
import keras  # noqa: E402

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


def load_model_with_meta(path: str | Path) -> tuple[Any, dict[str, Any]]:
    """Open a .keras model in safe mode; a plain Keras text model gets default metadata."""
    path = Path(path)
    if not path.is_file():
        raise WorkbenchError(f"{path}: model file not found.")
    if not zipfile.is_zipfile(path):
        raise WorkbenchError(f"{path}: not a .keras model file (it is not a zip archive).")
    try:
        model = keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as exc:  # Keras raises many kinds for a damaged archive
        raise WorkbenchError(f"{path}: cannot open this model ({exc}).") from None
    meta: dict[str, Any] = {}
    with zipfile.ZipFile(path) as archive:
        if META_ENTRY in archive.namelist():
            meta = json.loads(archive.read(META_ENTRY).decode("utf-8"))
    if not meta.get("class_names") and meta.get("task") != "regression":
        units = int(model.outputs[0].shape[-1])
        meta["class_names"] = [str(i) for i in range(2 if units == 1 else units)]
    meta.setdefault("kind", "text")
    meta.setdefault("task", "classification")
    return model, meta
