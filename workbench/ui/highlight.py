"""Texts with the words that drove a model's answer highlighted, as Qt rich text.

Shared by the Evaluate tab's sample browser and the Predict tab: one colour rule, so green
means the same on both.
"""

from __future__ import annotations

import html

#: Per word of a text: (word, start, end, weight), as ``api.text_importance`` returns them.
WordWeights = list[tuple[str, int, int, float]]

LEGEND = "Green words pushed the model towards its answer; red ones pushed it away."


def highlighted_html(text: str, weights: WordWeights, predicted: str = "") -> str:
    """``text`` as HTML, each weighted word on green (pushed towards the predicted class)
    or red (pushed away), as strong as its weight relative to the text's strongest."""
    top = max((abs(w) for *_, w in weights), default=0.0)
    if top <= 0:
        return html.escape(text)
    parts, at = [], 0
    for _word, start, end, weight in sorted(weights, key=lambda w: w[1]):
        if start < at:
            continue
        parts.append(html.escape(text[at:start]))
        alpha = abs(weight) / top
        if alpha >= 0.08:
            colour = "46,160,67" if weight > 0 else "220,50,47"
            tip = f"{'towards' if weight > 0 else 'away from'} {predicted}".strip()
            parts.append(
                f'<span style="background-color: rgba({colour},{0.15 + 0.6 * alpha:.2f})" '
                f'title="{html.escape(tip)}">{html.escape(text[start:end])}</span>'
            )
        else:
            parts.append(html.escape(text[start:end]))
        at = end
    parts.append(html.escape(text[at:]))
    return "".join(parts)
