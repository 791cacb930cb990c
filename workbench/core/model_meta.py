"""What prediction needs besides the network, stored inside every saved model: its schema.

A model file is shared like a project, so the metadata (``workbench.json`` in the .keras
archive) is validated before any of it is used: the kind and task, the class names, and for
each kind what reading its raw input needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic

from workbench.core.audio import MAX_CLIP_SECONDS, MAX_RATE, MIN_RATE
from workbench.core.errors import FileRejected
from workbench.core.kinds import KINDS, TASKS
from workbench.core.project import MAX_TEXT
from workbench.core.safe_json import loads
from workbench.core.schemas import STRICT, validate

MAX_META_BYTES = 16 * 2**20
MAX_CLASSES = 100_000
MAX_FEATURES = 10_000
MAX_CLIP_SAMPLES = int(MAX_CLIP_SECONDS * MAX_RATE)

_Text = Annotated[str, pydantic.StringConstraints(max_length=MAX_TEXT)]
_Size = Annotated[int, pydantic.Field(ge=1, le=65_536)]


class ModelMeta(pydantic.BaseModel):
    """The ``workbench.json`` entry of a saved model."""

    model_config = STRICT
    kind: Literal[KINDS] = "text"  # type: ignore[valid-type]
    task: Literal[TASKS] = "classification"  # type: ignore[valid-type]
    class_names: Annotated[list[_Text], pydantic.Field(max_length=MAX_CLASSES)] = []
    text_column: _Text = ""
    label_column: _Text = ""
    features: Annotated[
        dict[_Text, Literal["numeric", "categorical"]], pydantic.Field(max_length=MAX_FEATURES)
    ] = {}
    inputs: Annotated[dict[_Text, _Text], pydantic.Field(max_length=MAX_FEATURES)] = {}
    fill: Annotated[dict[_Text, float], pydantic.Field(max_length=MAX_FEATURES)] = {}
    image_size: Annotated[list[_Size], pydantic.Field(min_length=2, max_length=2)] | None = None
    x_shape: Annotated[list[_Size], pydantic.Field(max_length=8)] | None = None
    # audio: the model takes clip_samples of mono float32 at sample_rate Hz
    sample_rate: Annotated[int, pydantic.Field(ge=MIN_RATE, le=MAX_RATE)] | None = None
    clip_samples: Annotated[int, pydantic.Field(ge=1, le=MAX_CLIP_SAMPLES)] | None = None
    # Two classes: the positive class (the second) is predicted from this probability on;
    # chosen on the Evaluate tab, honoured by every prediction.
    threshold: Annotated[float, pydantic.Field(ge=0.0, le=1.0, allow_inf_nan=False)] | None = None

    @pydantic.model_validator(mode="after")
    def _complete(self) -> ModelMeta:
        if self.kind == "tabular":
            if not self.features:
                raise ValueError("a table model's metadata names no feature columns")
            unnamed = [c for c in self.features if c not in self.inputs]
            if unnamed:
                raise ValueError(f"feature column {unnamed[0]!r} has no model input")
        if self.kind == "images" and self.image_size is None:
            raise ValueError("an image model's metadata has no image_size")
        if self.kind == "audio" and (self.sample_rate is None or self.clip_samples is None):
            raise ValueError("an audio model's metadata has no sample_rate or clip_samples")
        if self.kind == "npz" and self.x_shape is None:
            raise ValueError("an array model's metadata has no x_shape")
        if self.task == "classification" and len(set(self.class_names)) != len(self.class_names):
            raise ValueError("class_names has the same name twice")
        if self.threshold is not None and (
            self.task != "classification" or len(self.class_names) != 2
        ):
            raise ValueError("a threshold is for a model of two classes")
        return self


def read_meta(raw: bytes, source: str | Path) -> dict[str, Any]:
    """Validated metadata as a plain dict (unset fields left out), or FileRejected."""
    if len(raw) > MAX_META_BYTES:
        raise FileRejected(source, f"larger than {MAX_META_BYTES >> 20} MiB; not model metadata.")
    meta = validate(ModelMeta, loads(raw, source), source)
    return meta.model_dump(exclude_none=True)
