"""Small inline SVG bar charts (no script, no CDN): each bar is labelled with its amount."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape

from ofelia.rules.money import fmt_eur


def bar_chart(bars: Sequence[tuple[str, Decimal]], *, title: str, width: int = 640,
              bar_height: int = 28, fmt: Callable[[Decimal], str] = fmt_eur) -> str:
    """Horizontal bars scaled to the largest value; readable without colour (values printed
    by `fmt`: euros by default)."""
    label_w, gap, top = 170, 10, 34
    height = top + len(bars) * (bar_height + gap) + 10
    largest = max((v for _, v in bars), default=Decimal(0))
    room = width - label_w - 130
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" class="chart"><title>{escape(title)}</title>',
             f'<text x="0" y="18" font-size="15" font-weight="bold" fill="#1f3a5f">{escape(title)}</text>']
    for index, (label, value) in enumerate(bars):
        y = top + index * (bar_height + gap)
        size = int(room * value / largest) if largest > 0 and value > 0 else 0
        parts.append(f'<text x="{label_w - 8}" y="{y + bar_height * 0.68:.0f}" font-size="13" '
                     f'text-anchor="end" fill="#222">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{max(size, 1)}" height="{bar_height}" '
                     f'fill="#2f6690" rx="3"><title>{escape(label)} : {escape(fmt(value))}</title></rect>')
        parts.append(f'<text x="{label_w + max(size, 1) + 6}" y="{y + bar_height * 0.68:.0f}" '
                     f'font-size="13" fill="#222">{escape(fmt(value))}</text>')
    parts.append("</svg>")
    return "".join(parts)
