"""Charts for the offline report as inline SVG text, drawn from numbers with nothing but string
formatting, so the report needs no plotting library, no script and no network to read.

Every string that comes from the data (class names, titles) goes through :func:`esc`: SVG
text inside HTML is parsed like HTML, so a class named ``<script>`` must arrive as text.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
FONT = "font-family:sans-serif"
MAX_CURVE_POINTS = 600  # per curve: enough for the eye, small enough for a big test set
MAX_SCATTER_POINTS = 5000
LABEL_CHARS = 14  # class names on axes and legends are cut to this many characters


def clean(value: object) -> str:
    """``value`` as text XML can hold: control characters dropped, lone surrogates (from
    undecodable file names) replaced."""
    text = str(value).encode("utf-8", "replace").decode("utf-8")
    return "".join(
        ch for ch in text if ch in "\t\n" or unicodedata.category(ch) not in ("Cc", "Cs")
    )


def esc(value: object) -> str:
    """A stranger's string, safe inside HTML or SVG text and attributes."""
    return html.escape(clean(value), quote=True)


def short(name: object, limit: int = LABEL_CHARS) -> str:
    """A label cut to ``limit`` characters, not yet escaped. The cut is in the middle (an
    ellipsis marks it): names that share a start, as class names often do, still differ."""
    text = clean(name)
    if len(text) <= limit:
        return text
    tail = (limit - 1) // 3
    return text[: limit - 1 - tail] + "…" + (text[-tail:] if tail else "")


def num(value: float) -> str:
    """A coordinate: short, and never 'nan' or 'inf' in the markup."""
    return f"{value:.1f}" if np.isfinite(value) else "0"


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2 or 5 times a power of ten) inside [lo, hi]."""
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(count, 1)
    power = 10 ** np.floor(np.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = np.ceil(lo / step) * step
    ticks = np.arange(first, hi + step * 1e-9, step)
    return [0.0 if abs(t) < step * 1e-9 else float(t) for t in ticks]


def tick_text(value: float) -> str:
    """A tick value, as short as its size allows (grouped thousands, no exponent below a
    billion)."""
    if value == int(value) and abs(value) < 1e9:
        return f"{int(value):,}"
    if 1e-4 <= abs(value) < 1e9:
        return f"{value:,.6f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


def _open(width: float, height: float, label: str) -> str:
    return (
        f'<svg class="chart" width="{num(width)}" height="{num(height)}" '
        f'viewBox="0 0 {num(width)} {num(height)}" role="img" aria-label="{esc(label)}" '
        f'style="{FONT}">'
    )


def thin(xs: np.ndarray, ys: np.ndarray, limit: int = MAX_CURVE_POINTS) -> tuple:
    """At most ``limit`` points of a curve, evenly spaced along it, ends kept."""
    if len(xs) <= limit:
        return xs, ys
    keep = np.unique(np.linspace(0, len(xs) - 1, limit).round().astype(np.int64))
    return xs[keep], ys[keep]


def subsample(n: int, limit: int = MAX_SCATTER_POINTS) -> np.ndarray:
    """Positions of at most ``limit`` of ``n`` points, the same ones every time."""
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, size=limit, replace=False))


@dataclass(frozen=True)
class Frame:
    """A plot area: data ranges mapped onto pixels (y grows upwards)."""

    left: float
    top: float
    width: float
    height: float
    x0: float
    x1: float
    y0: float
    y1: float

    def x(self, value: float) -> float:
        span = (self.x1 - self.x0) or 1.0
        return self.left + (value - self.x0) / span * self.width

    def y(self, value: float) -> float:
        span = (self.y1 - self.y0) or 1.0
        return self.top + self.height - (value - self.y0) / span * self.height

    def axes(self, x_label: str, y_label: str, x_ticks: Sequence[float], y_ticks: Sequence[float]):
        """Frame, grid lines, tick labels and axis titles."""
        right, bottom = self.left + self.width, self.top + self.height
        parts = [
            f'<rect x="{num(self.left)}" y="{num(self.top)}" width="{num(self.width)}" '
            f'height="{num(self.height)}" fill="#fff" stroke="#444"/>'
        ]
        for t in x_ticks:
            px = self.x(t)
            parts.append(
                f'<line x1="{num(px)}" y1="{num(self.top)}" x2="{num(px)}" y2="{num(bottom)}" '
                f'stroke="#e4e4e4"/><text x="{num(px)}" y="{num(bottom + 14)}" font-size="10" '
                f'text-anchor="middle">{esc(tick_text(t))}</text>'
            )
        for t in y_ticks:
            py = self.y(t)
            parts.append(
                f'<line x1="{num(self.left)}" y1="{num(py)}" x2="{num(right)}" y2="{num(py)}" '
                f'stroke="#e4e4e4"/><text x="{num(self.left - 5)}" y="{num(py + 3)}" '
                f'font-size="10" text-anchor="end">{esc(tick_text(t))}</text>'
            )
        parts.append(
            f'<text x="{num(self.left + self.width / 2)}" y="{num(bottom + 32)}" font-size="12" '
            f'text-anchor="middle">{esc(x_label)}</text>'
        )
        cy = self.top + self.height / 2
        parts.append(
            f'<text x="14" y="{num(cy)}" font-size="12" text-anchor="middle" '
            f'transform="rotate(-90 14 {num(cy)})">{esc(y_label)}</text>'
        )
        return "".join(parts)

    def polyline(self, xs: np.ndarray, ys: np.ndarray, colour: str, dash: bool = False) -> str:
        xs, ys = thin(np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64))
        ok = np.isfinite(xs) & np.isfinite(ys)
        points = " ".join(
            f"{num(self.x(a))},{num(self.y(b))}" for a, b in zip(xs[ok], ys[ok], strict=True)
        )
        style = ' stroke-dasharray="4 3"' if dash else ""
        return (
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.6"{style}/>'
        )


def _title(x: float, text: str) -> str:
    return (
        f'<text x="{num(x)}" y="18" font-size="14" font-weight="bold" text-anchor="middle">'
        f"{esc(text)}</text>"
    )


def _legend(x: float, y: float, entries: Sequence[tuple[str, str]]) -> tuple[str, float]:
    """Coloured entries one under another; the markup and the height it takes."""
    step = 15 if len(entries) <= 20 else 12
    size = 11 if len(entries) <= 20 else 9
    parts = []
    for i, (label, colour) in enumerate(entries):
        ly = y + i * step
        parts.append(
            f'<rect x="{num(x)}" y="{num(ly - 8)}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{num(x + 14)}" y="{num(ly + 1)}" font-size="{size}">{esc(label)}</text>'
        )
    return "".join(parts), len(entries) * step


UNIT_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)


def curves_chart(
    title: str,
    x_label: str,
    y_label: str,
    curves: Sequence[tuple[str, np.ndarray, np.ndarray]],
    diagonal: bool = False,
) -> str:
    """Curves in the unit square (ROC, precision-recall), one colour each, legend at the
    right; ``curves`` holds (legend text, xs, ys)."""
    plot = 300.0
    frame = Frame(60, 30, plot, plot, 0.0, 1.0, 0.0, 1.0)
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(curves))]
    legend, legend_height = _legend(
        frame.left + plot + 20, frame.top + 8, [(c[0], colours[i]) for i, c in enumerate(curves)]
    )
    width = frame.left + plot + 20 + 190
    height = max(frame.top + plot + 45, frame.top + legend_height + 20)
    parts = [_open(width, height, title), _title(width / 2, title)]
    parts.append(frame.axes(x_label, y_label, UNIT_TICKS, UNIT_TICKS))
    if diagonal:
        parts.append(frame.polyline(np.array([0.0, 1.0]), np.array([0.0, 1.0]), "#999", True))
    for (_, xs, ys), colour in zip(curves, colours, strict=True):
        parts.append(frame.polyline(xs, ys, colour))
    if not curves:
        parts.append(
            f'<text x="{num(frame.x(0.5))}" y="{num(frame.y(0.5))}" font-size="12" '
            'text-anchor="middle">No curve: the rows hold fewer than two classes</text>'
        )
    parts.append(legend)
    parts.append("</svg>")
    return "".join(parts)


def reliability_chart(
    confidence: np.ndarray, accuracy: np.ndarray, counts: np.ndarray, ece: float | None
) -> str:
    """Accuracy against confidence per bin, bars over the diagonal of perfect calibration."""
    bins = len(counts)
    plot = 300.0
    frame = Frame(60, 30, plot, plot, 0.0, 1.0, 0.0, 1.0)
    ece_text = "n/a" if ece is None else f"{ece:.3f}"
    title = f"Reliability (ECE {ece_text})"
    width, height = frame.left + plot + 30, frame.top + plot + 45
    parts = [_open(width, height, title), _title(width / 2, title)]
    parts.append(frame.axes("confidence of the answer", "share right", UNIT_TICKS, UNIT_TICKS))
    for b in range(bins):
        if not counts[b]:
            continue
        x0, x1 = frame.x(b / bins), frame.x((b + 1) / bins)
        top = frame.y(float(accuracy[b]))
        parts.append(
            f'<rect x="{num(x0 + 1)}" y="{num(top)}" width="{num(x1 - x0 - 2)}" '
            f'height="{num(frame.y(0.0) - top)}" fill="#1f77b4" fill-opacity="0.75">'
            f"<title>{esc(f'{b / bins:.1f}-{(b + 1) / bins:.1f}')}: {int(counts[b])} rows, "
            f"{esc(f'{accuracy[b]:.1%}')} right, mean confidence "
            f"{esc(f'{confidence[b]:.3f}')}</title></rect>"
            f'<circle cx="{num(frame.x(float(confidence[b])))}" cy="{num(top)}" r="2.5" '
            'fill="#d62728"/>'
        )
    parts.append(frame.polyline(np.array([0.0, 1.0]), np.array([0.0, 1.0]), "#999", True))
    parts.append("</svg>")
    return "".join(parts)


def _blue(share: float) -> str:
    """White for 0, a deep blue for 1."""
    share = float(np.clip(share, 0.0, 1.0))
    r = round(255 - share * (255 - 31))
    g = round(255 - share * (255 - 90))
    b = round(255 - share * (255 - 160))
    return f"rgb({r},{g},{b})"


def confusion_chart(matrix: np.ndarray, names: Sequence[str]) -> str:
    """Counts in cells shaded by the share of their true class's row; true classes down the
    left, predicted classes along the bottom. Many classes get smaller cells, shorter labels
    and no printed counts (each cell's tooltip still says them)."""
    n = len(names)
    matrix = np.asarray(matrix)
    totals = matrix.sum(axis=1)
    cell = float(np.clip(480 / max(n, 1), 10, 56))
    font = float(np.clip(cell * 0.32, 6, 12))
    limit = LABEL_CHARS if n <= 20 else 12
    labels = [short(name, limit) for name in names]
    label_px = max((len(s) for s in labels), default=1) * font * 0.62 + 10
    left, top = 40 + label_px, 34.0
    grid = cell * n
    width = left + grid + 20
    height = top + grid + label_px + 30
    title = "Confusion matrix"
    parts = [_open(width, height, title), _title(width / 2, title)]
    for t in range(n):
        for p in range(n):
            count = int(matrix[t, p])
            share = count / totals[t] if totals[t] else 0.0
            x, y = left + p * cell, top + t * cell
            tip = f"true {clean(names[t])}, predicted {clean(names[p])}: {count} ({share:.1%})"
            parts.append(
                f'<rect x="{num(x)}" y="{num(y)}" width="{num(cell)}" height="{num(cell)}" '
                f'fill="{_blue(share)}" stroke="#ccc" stroke-width="0.5">'
                f"<title>{esc(tip)}</title></rect>"
            )
            if cell >= 18:
                colour = "#fff" if share > 0.55 else "#111"
                parts.append(
                    f'<text x="{num(x + cell / 2)}" y="{num(y + cell / 2 + font / 3)}" '
                    f'font-size="{num(font)}" text-anchor="middle" fill="{colour}">'
                    f"{count}</text>"
                )
    for i, label in enumerate(labels):
        centre = i * cell + cell / 2
        parts.append(
            f'<text x="{num(left - 4)}" y="{num(top + centre + font / 3)}" '
            f'font-size="{num(font)}" text-anchor="end"><title>{esc(names[i])}</title>'
            f"{esc(label)}</text>"
        )
        bx, by = left + centre + font / 3, top + grid + 4
        parts.append(
            f'<text x="{num(bx)}" y="{num(by)}" font-size="{num(font)}" text-anchor="end" '
            f'transform="rotate(-90 {num(bx)} {num(by)})"><title>{esc(names[i])}</title>'
            f"{esc(label)}</text>"
        )
    parts.append(
        f'<text x="12" y="{num(top + grid / 2)}" font-size="12" text-anchor="middle" '
        f'transform="rotate(-90 12 {num(top + grid / 2)})">true class</text>'
        f'<text x="{num(left + grid / 2)}" y="{num(height - 8)}" font-size="12" '
        'text-anchor="middle">predicted class</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _nice_range(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    if lo == hi:
        pad = abs(lo) * 0.1 or 1.0
        return lo - pad, hi + pad
    pad = (hi - lo) * 0.04
    return lo - pad, hi + pad


def scatter_chart(actual: np.ndarray, predicted: np.ndarray) -> str:
    """Predicted against actual, at most 5,000 points (the same ones each time), with the
    line where they are equal."""
    actual = np.asarray(actual, dtype=np.float64)
    predicted = np.asarray(predicted, dtype=np.float64)
    keep = subsample(len(actual))
    xs, ys = actual[keep], predicted[keep]
    ok = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[ok], ys[ok]
    lo, hi = _nice_range(np.concatenate([xs, ys]))
    plot = 320.0
    frame = Frame(70, 30, plot, plot, lo, hi, lo, hi)
    title = "Predicted vs actual"
    if len(actual) > len(keep):
        title += f" ({len(keep):,} of {len(actual):,} rows)"
    width, height = frame.left + plot + 30, frame.top + plot + 45
    ticks = nice_ticks(lo, hi)
    parts = [_open(width, height, title), _title(width / 2, title)]
    parts.append(frame.axes("actual", "predicted", ticks, ticks))
    parts.append(frame.polyline(np.array([lo, hi]), np.array([lo, hi]), "#999", True))
    radius = 2.2 if len(xs) <= 1000 else 1.4
    parts.append('<g fill="#1f77b4" fill-opacity="0.5">')
    parts.extend(
        f'<circle cx="{num(frame.x(a))}" cy="{num(frame.y(b))}" r="{radius}"/>'
        for a, b in zip(xs, ys, strict=True)
    )
    parts.append("</g></svg>")
    return "".join(parts)


def histogram_chart(values: np.ndarray, title: str, x_label: str, bins: int = 30) -> str:
    """Counts of ``values`` in equal-width bins."""
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    lo, hi = _nice_range(values)
    counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
    top_count = max(int(counts.max()) if len(counts) else 0, 1)
    frame = Frame(70, 30, 360.0, 240.0, lo, hi, 0.0, top_count * 1.05)
    width, height = frame.left + frame.width + 30, frame.top + frame.height + 45
    y_ticks = [t for t in nice_ticks(0.0, float(top_count)) if t == int(t)]
    parts = [_open(width, height, title), _title(width / 2, title)]
    parts.append(frame.axes(x_label, "rows", nice_ticks(lo, hi), y_ticks))
    for count, a, b in zip(counts, edges[:-1], edges[1:], strict=True):
        if not count:
            continue
        x0, x1, top = frame.x(a), frame.x(b), frame.y(float(count))
        parts.append(
            f'<rect x="{num(x0)}" y="{num(top)}" width="{num(max(x1 - x0 - 1, 0.5))}" '
            f'height="{num(frame.y(0.0) - top)}" fill="#1f77b4" fill-opacity="0.8">'
            f"<title>{esc(f'{a:.4g} to {b:.4g}')}: {int(count)} rows</title></rect>"
        )
    parts.append("</svg>")
    return "".join(parts)
