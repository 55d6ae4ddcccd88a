"""Small SVG charts for the HTML report, written by hand so the report needs no plotting library.

Every builder returns inline SVG as :class:`markupsafe.Markup`, with a ``<title>`` and
``<desc>`` that screen readers announce. The SVG carries no namespace URL and refers to
nothing outside itself, so the report stays one self-contained file. Bars are placed
with percentage coordinates and text keeps its pixel size, so labels stay readable on a
phone instead of shrinking with the chart. The output depends only on the input.

Colours come from the UK Government Analysis Function palette, chosen to stay distinct
for people with colour-vision deficiencies; every chart also prints its numbers as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = [
    "BAR_COLOUR",
    "MUTED_COLOUR",
    "SENTIMENT_COLOURS",
    "SENTIMENT_TEXT_COLOURS",
    "Bar",
    "StackRow",
    "bar_chart",
    "heat_colours",
    "short_label",
    "sparkline",
    "stacked_bars",
]

BAR_COLOUR = "#12436d"
MUTED_COLOUR = "#626a6e"
TEXT_COLOUR = "#0b0c0c"
WHITE = "#ffffff"
#: negative, mixed or neutral, positive: orange, light grey, dark blue (distinct in greyscale too).
SENTIMENT_COLOURS = ("#f46a25", "#cfd2d4", "#12436d")
SENTIMENT_TEXT_COLOURS = (TEXT_COLOUR, TEXT_COLOUR, WHITE)

_HEAT_LOW = (0xF3, 0xF6, 0xF9)
_HEAT_HIGH = (0x12, 0x43, 0x6D)
_FONT = "font-family:inherit"


@dataclass(frozen=True)
class Bar:
    """One bar of a horizontal bar chart."""

    label: str
    #: Length of the bar, 0..1 of the longest possible bar.
    value: float
    #: Printed after the bar, e.g. "120 (23%)".
    text: str
    #: Drawn in grey with a dashed outline, for groups such as "No clear theme".
    muted: bool = False


@dataclass(frozen=True)
class StackRow:
    """One 100% stacked bar: a label and the share (0..1) of each part, in legend order."""

    label: str
    parts: Sequence[float]


def short_label(label: str, limit: int = 42) -> str:
    """Shorten a label to fit on one line of a chart, cutting at a word where possible."""
    label = " ".join(str(label).split())
    if len(label) <= limit:
        return label
    cut = label[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-") + "…"


def _num(x: float) -> str:
    """A coordinate with fixed precision, so output is stable across platforms."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _open(chart_id: str, title: str, desc: str, height: float, extra: str = "") -> str:
    return (
        f'<svg class="chart" width="100%" height="{_num(height)}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false"{extra}>'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def bar_chart(bars: Sequence[Bar], *, chart_id: str, title: str, desc: str) -> Markup:
    """A horizontal bar chart with each label above its bar and the value after it."""
    row_h, bar_h, label_h = 50, 20, 20
    room = 70.0  # per cent of the width the longest bar may take; the rest holds its value
    parts = [_open(chart_id, title, desc, len(bars) * row_h + 4)]
    for i, bar in enumerate(bars):
        y = i * row_h
        width = max(0.0, min(1.0, bar.value)) * room
        fill = MUTED_COLOUR if bar.muted else BAR_COLOUR
        parts.append(f"<g><title>{escape(bar.label)}: {escape(bar.text)}</title>")
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="16" fill="{TEXT_COLOUR}" style="{_FONT}">'
            f"{escape(short_label(bar.label))}</text>"
        )
        dash = ' stroke-dasharray="4 3" fill-opacity="0.35"' if bar.muted else ""
        parts.append(
            f'<rect x="0" y="{y + label_h + 4}" width="{_num(width)}%" height="{bar_h}" '
            f'fill="{fill}" stroke="{fill}"{dash}/>'
        )
        parts.append(
            f'<svg x="{_num(width)}%" y="{y + label_h + 4}" overflow="visible">'
            f'<text x="8" y="15" font-size="15" fill="{TEXT_COLOUR}" style="{_FONT}">'
            f"{escape(bar.text)}</text></svg></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_bars(
    rows: Sequence[StackRow],
    *,
    chart_id: str,
    title: str,
    desc: str,
    colours: Sequence[str] = SENTIMENT_COLOURS,
    text_colours: Sequence[str] = SENTIMENT_TEXT_COLOURS,
    show_labels: bool = True,
) -> Markup:
    """100% stacked horizontal bars, one per row, with each part's share printed inside it."""
    label_h = 22 if show_labels else 0
    bar_h = 26
    row_h = label_h + bar_h + (16 if show_labels else 0)
    out = [_open(chart_id, title, desc, len(rows) * row_h)]
    for i, row in enumerate(rows):
        y = i * row_h
        out.append(f"<g><title>{escape(row.label)}</title>")
        if show_labels:
            out.append(
                f'<text x="0" y="{y + 16}" font-size="16" fill="{TEXT_COLOUR}" style="{_FONT}">'
                f"{escape(short_label(row.label))}</text>"
            )
        total = sum(max(0.0, p) for p in row.parts) or 1.0
        start = 0.0
        bar_y = y + label_h
        for j, part in enumerate(row.parts):
            share = max(0.0, part) / total
            if share <= 0:
                continue
            out.append(
                f'<rect x="{_num(start * 100)}%" y="{bar_y}" width="{_num(share * 100)}%" '
                f'height="{bar_h}" fill="{colours[j % len(colours)]}" stroke="{WHITE}" '
                f'stroke-width="1.5"/>'
            )
            if share >= 0.09:
                out.append(
                    f'<text x="{_num((start + share / 2) * 100)}%" y="{bar_y + 18}" '
                    f'font-size="14" font-weight="700" text-anchor="middle" '
                    f'fill="{text_colours[j % len(text_colours)]}" style="{_FONT}">'
                    f"{round(share * 100)}%</text>"
                )
            start += share
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))


def sparkline(
    values: Sequence[float | None],
    *,
    ymax: float,
    chart_id: str,
    title: str,
    desc: str,
    height: int = 56,
) -> Markup:
    """A small line chart; ``None`` leaves a gap (a period with no responses).

    The drawing stretches to the width of its box while the line keeps its thickness.
    Pass the same ``ymax`` to every sparkline in a set so they can be compared.
    """
    w, h, pad = 240.0, float(height), 4.0
    n = len(values)
    top = ymax if ymax > 0 else 1.0

    def point(i: int, v: float) -> tuple[float, float]:
        x = w / 2 if n == 1 else i * w / (n - 1)
        y = h - pad - (max(0.0, v) / top) * (h - 2 * pad)
        return x, y

    runs: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(point(i, v))
    out = [
        _open(
            chart_id,
            title,
            desc,
            h,
            extra=f' viewBox="0 0 {_num(w)} {_num(h)}" preserveAspectRatio="none"',
        ),
        f'<line x1="0" y1="{_num(h - pad)}" x2="{_num(w)}" y2="{_num(h - pad)}" '
        f'stroke="#b1b4b6" stroke-width="1" vector-effect="non-scaling-stroke"/>',
    ]
    for run in runs:
        if not run:
            continue
        if len(run) == 1:  # a lone period: a short level line so it is still visible
            x, y = run[0]
            run = [(max(0.0, x - 3), y), (min(w, x + 3), y)]
        pts = " ".join(f"{_num(x)},{_num(y)}" for x, y in run)
        base = _num(h - pad)
        area = f"{_num(run[0][0])},{base} {pts} {_num(run[-1][0])},{base}"
        out.append(f'<polygon points="{area}" fill="{BAR_COLOUR}" fill-opacity="0.12"/>')
        out.append(
            f'<polyline points="{pts}" fill="none" stroke="{BAR_COLOUR}" stroke-width="2.5" '
            f'stroke-linejoin="round" stroke-linecap="round" vector-effect="non-scaling-stroke"/>'
        )
    out.append("</svg>")
    return Markup("".join(out))


def _channel(c: int) -> float:
    s = c / 255
    return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4


def _luminance(rgb: tuple[int, int, int]) -> float:
    r, g, b = (_channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def heat_colours(fraction: float) -> tuple[str, str]:
    """Background and text colour for a heat-table cell, ``fraction`` 0 (pale) .. 1 (dark).

    The text is near-black or white, whichever contrasts more. Around the middle of the
    scale neither reaches the 4.5:1 that WCAG AA asks of text, so those backgrounds are
    darkened a step until white text does.
    """
    f = max(0.0, min(1.0, fraction))
    dark_text = _luminance((0x0B, 0x0C, 0x0C))
    while True:
        r, g, b = (round(lo + (hi - lo) * f) for lo, hi in zip(_HEAT_LOW, _HEAT_HIGH, strict=True))
        lum = _luminance((r, g, b))
        on_white = 1.05 / (lum + 0.05)
        on_dark = (lum + 0.05) / (dark_text + 0.05)
        if max(on_white, on_dark) >= 4.5 or f >= 1.0:
            break
        f = min(1.0, f + 0.01)
    return f"#{r:02x}{g:02x}{b:02x}", (WHITE if on_white > on_dark else TEXT_COLOUR)
