"""Sample datasets shipped inside the package (nothing is downloaded at run time)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    """A bundled dataset and the columns to use."""

    name: str
    title: str
    filename: str
    text_column: str
    label_column: str

    @property
    def path(self) -> Path:
        """The file on disk (resources are plain files in both wheel and editable installs)."""
        return Path(str(resources.files("workbench.resources").joinpath("samples", self.filename)))


SAMPLES = {
    "wordnet-topics": Sample(
        "wordnet-topics",
        "WordNet definitions: cognition vs communication (6,922 texts)",
        "wordnet_topics.csv",
        "text",
        "label",
    ),
}
DEFAULT_SAMPLE = SAMPLES["wordnet-topics"]
