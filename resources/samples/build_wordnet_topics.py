"""Rebuild ``wordnet_topics.csv`` from WordNet 3.0 (Debian package ``wordnet-base``).

Run once by a maintainer, not at install or run time: the CSV it writes is what ships.
Each row is one WordNet noun definition (the gloss without its quoted examples) and the
lexicographer file it belongs to: ``cognition`` (ideas, knowledge, beliefs) or
``communication`` (language, messages, documents). The definitions are real lexicographers'
prose, so a model has to learn vocabulary rather than spot a template keyword.

    apt-get install wordnet-base && python resources/samples/build_wordnet_topics.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

DATA_NOUN = Path("/usr/share/wordnet/data.noun")
LEXFILES = {9: "cognition", 10: "communication"}
PER_CLASS_CAP = 4000
SEED = 20261128


def read_definitions(path: Path) -> dict[str, list[str]]:
    """Definitions per label, deduplicated, in file order."""
    by_label: dict[str, list[str]] = {label: [] for label in LEXFILES.values()}
    seen: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("  ") or " | " not in line:
                continue  # licence header
            head, gloss = line.split(" | ", 1)
            label = LEXFILES.get(int(head.split()[1]))
            text = gloss.strip().split('; "')[0].strip().strip(";").strip()
            if label is None or len(text.split()) < 3 or text in seen:
                continue
            seen.add(text)
            by_label[label].append(text)
    return by_label


def main() -> None:
    rng = random.Random(SEED)
    rows = []
    for label, texts in read_definitions(DATA_NOUN).items():
        rng.shuffle(texts)
        rows.extend((text, label) for text in texts[:PER_CLASS_CAP])
    rng.shuffle(rows)
    out = Path(__file__).with_name("wordnet_topics.csv")
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {out}")


if __name__ == "__main__":
    main()
