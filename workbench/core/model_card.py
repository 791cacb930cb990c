"""The model card beside each export: what goes in, what comes out, how good, from what.

``model.json`` holds the facts; ``MODEL_CARD.md`` says them for a person. Both come from
one dict the exporter gathers, so they cannot disagree.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

#: Files hashed for an image folder at most (beyond that the hash names the count it covered).
MAX_HASHED_FILES = 100_000


def data_fingerprint(path: str | Path) -> dict[str, Any]:
    """The training data's path, SHA-256 and size; a folder is hashed over its files'
    relative paths and contents, in sorted order."""
    path = Path(path)
    digest = hashlib.sha256()
    size = 0
    try:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())[:MAX_HASHED_FILES]
            for file in files:
                digest.update(str(file.relative_to(path)).encode("utf-8") + b"\0")
                size += _feed(digest, file)
            return {
                "path": str(path),
                "sha256": digest.hexdigest(),
                "bytes": size,
                "files": len(files),
            }
        size = _feed(digest, path)
    except OSError as exc:
        return {"path": str(path), "sha256": None, "problem": str(exc)}
    return {"path": str(path), "sha256": digest.hexdigest(), "bytes": size}


def _feed(digest: Any, file: Path) -> int:
    size = 0
    with open(file, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return size


def _score_line(name: str, scores: dict[str, Any]) -> str:
    parts = []
    for key, title, fmt in (
        ("accuracy", "accuracy", "{:.1%}"),
        ("macro_f1", "macro F1", "{:.3f}"),
        ("roc_auc", "ROC AUC", "{:.3f}"),
        ("mae", "MAE", "{:.4g}"),
        ("rmse", "RMSE", "{:.4g}"),
        ("r2", "R²", "{:.3f}"),
    ):
        if scores.get(key) is not None:
            parts.append(f"{title} {fmt.format(scores[key])}")
    rows = f" ({scores['rows']:,} rows)" if scores.get("rows") else ""
    return f"| {name}{rows} | {', '.join(parts) or 'n/a'} |"


def card_markdown(facts: dict[str, Any]) -> str:
    """MODEL_CARD.md from the exporter's facts."""
    lines = [
        f"# Model card: {facts['format_title']} export",
        "",
        f"Exported {facts['exported']} by Training Workbench {facts['versions']['workbench']} "
        f"(Keras {facts['versions']['keras']}, TensorFlow {facts['versions']['tensorflow']}) "
        f"from `{facts['source_model']}`.",
        "",
        f"A {facts['task']} model for {facts['kind']} data. Model file: `{facts['model_file']}`.",
        "",
        "## Inputs",
        "",
        "What the model was trained on, per row:",
        "",
        *[f"- {line}" for line in facts["raw_inputs"]],
        "",
        "What the exported file takes:",
        "",
        "| name | type | shape |",
        "|---|---|---|",
        *[f"| `{i['name']}` | {i['dtype']} | {_shape(i['shape'])} |" for i in facts["inputs"]],
        "",
    ]
    prep = facts["preprocessing"]
    if prep["where"] == "inside the model":
        lines += ["Preprocessing: inside the model; give it the raw inputs above.", ""]
    else:
        lines += [
            "Preprocessing: **outside the model**, in `preprocessing.json`. This runtime "
            "cannot run string operations, so the file holds the numeric part only. Apply "
            "the rules to each raw input, then feed the results by name:",
            "",
        ]
        if "text" in prep:
            t = prep["text"]
            ngrams = f", n-grams {t['ngrams']}" if t["ngrams"] else ""
            length = f", {t['sequence_length']} ids per text" if t["sequence_length"] else ""
            lines.append(
                f"- text: standardise `{t['standardize']}`, split on {t['split']}{ngrams}, "
                f"look up in the {t['vocabulary_size']:,}-token vocabulary, output "
                f"{t['output_mode']}{length} -> input `{t['feeds']}`"
            )
        for column, how in prep.get("columns", {}).items():
            lines.append(f"- column `{column}`: {how}")
        lines.append("")
    lines += ["## Output", "", facts["output"], ""]
    if facts["classes"]:
        lines += ["Classes, in output order: " + ", ".join(f"`{c}`" for c in facts["classes"]), ""]
    scores = facts.get("scores") or {}
    lines += ["## How good", ""]
    if scores:
        lines += ["| measured on | scores |", "|---|---|"]
        for part in ("validation", "test"):
            if part in scores:
                lines.append(_score_line(f"{part} split", scores[part]))
        for baseline in scores.get("baselines", []):
            name = f"baseline: {baseline.get('name', '?')} (validation)"
            lines.append(_score_line(name, baseline))
        lines.append("")
    else:
        lines += ["Not known: the model came without the run that trained it.", ""]
    parity = facts["parity"]
    verdict = "passed" if parity["passed"] else "**FAILED: do not deploy**"
    agreement = parity["label_agreement"]
    lines += [
        "## Parity with Keras",
        "",
        f"Check {verdict} on {parity['rows']:,} rows ({parity['check_data']}), run in "
        f"{parity['runtime']}: "
        + (f"labels agree on {agreement:.2%}, " if agreement is not None else "")
        + f"largest difference {parity['max_abs_diff']:.3g}; "
        f"{parity['runtime_ms_per_row']:.3g} ms per row against {parity['keras_ms_per_row']:.3g} "
        "ms in Keras. Details: `parity.json`.",
        "",
    ]
    data = facts.get("training_data")
    lines += ["## Training data and settings", ""]
    if data:
        sha = data.get("sha256") or "unreadable"
        lines.append(f"- Data: `{data['path']}` (SHA-256 `{sha}`, {data.get('bytes', 0):,} bytes)")
    else:
        lines.append("- Data: not known")
    if facts.get("layers"):
        lines.append("- Layers: " + " → ".join(facts["layers"]))
    settings = facts.get("settings") or {}
    if settings:
        shown = ", ".join(f"{k} {v}" for k, v in settings.items() if v not in (None, "", []))
        lines.append(f"- Settings: {shown}")
    for note in facts.get("notes", []):
        lines += ["", f"Note: {note}"]
    return "\n".join(lines) + "\n"


def _shape(shape: list[Any]) -> str:
    dims = ("batch" if i == 0 and d is None else str(d) for i, d in enumerate(shape))
    return "(" + ", ".join(dims) + ")"
