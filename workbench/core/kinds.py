"""The kinds of data and the tasks the workbench knows, without importing pandas.

The project schema, the model metadata, the CLI's choices and the Data tab read these; the
loaders in :mod:`workbench.core.datasets` (which import pandas) use the same tuples. Keeping
them here lets the window open without paying for pandas until the first file is read.
"""

from __future__ import annotations

KINDS = ("text", "tabular", "images", "npz", "audio")
TASKS = ("classification", "regression")
#: Kinds whose training clips are augmented unless the person turns it off: on spoken words
#: a time shift, gain and noise took the default model from 0.86 to 0.96 validation accuracy
#: (tests/benchmarks/audio_reference.py); images stay as they are unless asked.
AUGMENTED_BY_DEFAULT = ("audio",)
