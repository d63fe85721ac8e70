"""Bar charts drawn on the server as inline SVG: no script, no CDN.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described
by a ``<desc>`` that reads out every row ("Regency: 84.0%; ..."), so a screen
reader hears the figures; each bar also has its own ``<title>`` (a tooltip)
and visible text labels. The drawing scales to its container (``viewBox``,
``width="100%"``): one bar per line, the label above it, so it reads at 360 px.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 320
ROW = 40
LABEL_Y = 13
BAR_Y = 18
BAR_HEIGHT = 14
VALUE_ROOM = 56  # room right of the longest bar for its value
BAR_COLOUR = "#1f6f5c"
HIGHLIGHT_COLOUR = "#b3541e"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # the value as shown ("84.0%", "3", "no data")
    highlight: bool = False


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(*, chart_id: str, title: str, bars: list[Bar], scale: float | None = None) -> SafeString:
    """An SVG bar chart of ``bars``, one per row; ``scale`` is the value of a
    full-width bar (default: the largest value)."""
    top = scale if scale else max((bar.value for bar in bars if bar.value is not None), default=0) or 1
    span = WIDTH - VALUE_ROOM
    height = ROW * len(bars) + 4
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    description = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]
    for row, bar in enumerate(bars):
        y = row * ROW
        weight = ' font-weight="700"' if bar.highlight else ""
        parts.append(f"<g><title>{escape(bar.label)}: {escape(bar.text)}</title>")
        parts.append(f'<text x="0" y="{y + LABEL_Y}" font-size="12" fill="#1b1b1b"{weight}>{escape(bar.label)}</text>')
        width = 0.0
        if bar.value is not None and bar.value > 0:
            width = max(1.0, span * min(bar.value, top) / top)
            colour = HIGHLIGHT_COLOUR if bar.highlight else BAR_COLOUR
            parts.append(f'<rect x="0" y="{y + BAR_Y}" width="{_number(width)}" height="{BAR_HEIGHT}" '
                         f'rx="2" fill="{colour}"/>')
        parts.append(f'<text x="{_number(width + 4)}" y="{y + BAR_Y + BAR_HEIGHT - 3}" font-size="12" '
                     f'fill="#1b1b1b"{weight}>{escape(bar.text)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped
