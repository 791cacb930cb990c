"""Workbench code an exported training script carries as source, unchanged.

The script splits, encodes, weighs and stops exactly as the workbench does because it runs
the workbench's own functions and classes: their source is copied in (never rewritten by
hand), with the constants they read.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from typing import Any

from workbench.core import epochs, splits, textdata
from workbench.core.layers import LayerSpec
from workbench.core.project import TrainingConfig


def helper_sources() -> str:
    """The workbench's own split and label functions, so the script splits identically."""
    parts = [
        inspect.getsource(splits._take),
        inspect.getsource(splits.split_rows),
        inspect.getsource(textdata._label_str),
        inspect.getsource(textdata.sort_labels),
    ]
    return "\n\n".join(textwrap.dedent(p).strip() for p in parts)


def macro_metric_sources() -> str:
    """The workbench's macro-averaged metric classes, for softmax heads."""
    from workbench.backend import metrics

    parts = [
        metrics._class_indices,
        metrics._MacroRate,
        metrics.MacroPrecision,
        metrics.MacroRecall,
        metrics.OneVsRestAUC,
    ]
    return "\n\n\n".join(textwrap.dedent(inspect.getsource(p)).strip() for p in parts)


def auto_epochs_block(cfg: TrainingConfig) -> str:
    """For epochs "auto": the workbench's rule (its own functions) applied to the split."""
    if cfg.epochs is not None:
        return ""
    parts = [
        f"AUTO_STEP_BUDGET = {epochs.AUTO_STEP_BUDGET!r}",
        f"AUTO_MIN_EPOCHS = {epochs.AUTO_MIN_EPOCHS!r}",
        f"AUTO_MAX_EPOCHS = {epochs.AUTO_MAX_EPOCHS!r}",
        f"AUTO_PATIENCE_STEPS = {epochs.AUTO_PATIENCE_STEPS!r}",
        f"AUTO_PATIENCE_MIN = {epochs.AUTO_PATIENCE_MIN!r}",
        f"AUTO_PATIENCE_MAX = {epochs.AUTO_PATIENCE_MAX!r}",
        *(
            _without_doctest(textwrap.dedent(inspect.getsource(f)).strip())
            for f in (epochs._steps, epochs.auto_epoch_cap, epochs.auto_patience)
        ),
    ]
    patience = (
        ""  # the person's own patience is written into the callback
        if cfg.early_stopping_patience > 0
        else "PATIENCE = auto_patience(len(train_rows), BATCH_SIZE)\n"
    )
    return (
        "\n\n".join(parts)
        + '\n\n\n# Epochs "auto": train until the monitored number has not improved for '
        "PATIENCE epochs\n# (keeping the best epoch's weights), at most EPOCHS.\n"
        f"EPOCHS = auto_epoch_cap(len(train_rows), BATCH_SIZE)\n{patience}"
    )


def _without_doctest(source: str) -> str:
    """A function's source with the examples of its docstring left out."""
    return re.sub(r"\n\s*>>> .*?(?=\n\s*\"\"\")", "", source, flags=re.S)


def table_encoding_sources() -> str:
    """The workbench's long-tail rule and log layer, so the script encodes numbers alike."""
    from workbench.backend import table_encoding as te

    parts = [
        f"SKEW_FOR_LOG = {te.SKEW_FOR_LOG!r}",
        f"MIN_DISTINCT_FOR_LOG = {te.MIN_DISTINCT_FOR_LOG!r}",
        *(
            _without_doctest(textwrap.dedent(inspect.getsource(item)).strip())
            for item in (te.signed_log, te.long_tailed, te.SignedLog)
        ),
    ]
    return "\n\n\n".join(parts)


def custom_layer_sources(layers: list[LayerSpec]) -> str:
    """Source of the workbench's own layer classes and text standardisations the stack
    uses, registered as in the workbench, so the script (and the model it saves) needs
    nothing but Keras."""
    from workbench.backend.custom_layers import CUSTOM_LAYERS
    from workbench.backend.text_standardize import PUNCTUATION, STANDARDIZERS

    used: list[Any] = []
    for spec in layers:
        if spec.type.custom and CUSTOM_LAYERS[spec.kind] not in used:
            used.append(CUSTOM_LAYERS[spec.kind])
        standardize = spec.params.get("standardize") if spec.kind == "TextVectorization" else None
        function = STANDARDIZERS.get(standardize) if isinstance(standardize, str) else None
        if function is not None and function not in used:
            used.append(function)
    sources = [textwrap.dedent(inspect.getsource(item)).strip() for item in used]
    if any(item in STANDARDIZERS.values() for item in used):
        sources.insert(0, f"PUNCTUATION = {PUNCTUATION!r}")
    return "\n\n\n".join(sources)
