"""Sample datasets shipped inside the package (nothing is downloaded at run time)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    """A bundled dataset, its kind and the columns to use."""

    name: str
    title: str
    filename: str
    kind: str = "text"
    text_column: str | None = None
    label_column: str | None = None
    task: str | None = None

    @property
    def path(self) -> Path:
        """The file or folder on disk (plain files in wheel and editable installs alike)."""
        return Path(str(resources.files("workbench.resources").joinpath("samples", self.filename)))


_ALL = (
    Sample(
        "wordnet-topics",
        "Text: WordNet definitions, cognition vs communication (6,922)",
        "wordnet_topics.csv",
        "text",
        "text",
        "label",
    ),
    Sample(
        "penguins",
        "Table: Palmer penguins, species from measurements (344)",
        "penguins.csv",
        "tabular",
        label_column="species",
        task="classification",
    ),
    Sample(
        "penguins-mass",
        "Table: Palmer penguins, body mass in grams (regression, 344)",
        "penguins.csv",
        "tabular",
        label_column="body_mass_g",
        task="regression",
    ),
    Sample(
        "digits", "Images: handwritten digits 0-9, a folder per class (1,797)", "digits", "images"
    ),
    Sample(
        "spoken-digits",
        "Audio: spoken digits 0-9 by six speakers, a folder per digit (360)",
        "spoken_digits",
        "audio",
    ),
    Sample(
        "digits-npz",
        "Arrays: handwritten digits as 8x8 arrays in an .npz (1,797)",
        "digits.npz",
        "npz",
    ),
)
SAMPLES = {sample.name: sample for sample in _ALL}
DEFAULT_SAMPLE = SAMPLES["wordnet-topics"]
