"""The distribution of a question's answers as an inline SVG (no script, no CDN), drawn the
way the staff home draws its month chart: horizontal bars, each with its count printed, so
that it reads without colour."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def distribution_chart(counts: Sequence[tuple[str, int]], *, title: str, width: int = 560,
                       bar_height: int = 22) -> str:
    label_w, gap, top = 150, 6, 8
    height = top + len(counts) * (bar_height + gap) + 4
    total = sum(n for _, n in counts)
    largest = max((n for _, n in counts), default=0)
    room = width - label_w - 110
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
             f'viewBox="0 0 {width} {height}" class="chart survey-chart">'
             f'<title>{escape(title)}</title>']
    for index, (label, count) in enumerate(counts):
        y = top + index * (bar_height + gap)
        size = int(room * count / largest) if largest else 0
        share = f"{round(100 * count / total)} %" if total else "0 %"
        text = f"{count} ({share})"
        parts.append(f'<text x="{label_w - 8}" y="{y + bar_height * 0.7:.0f}" font-size="13" '
                     f'text-anchor="end" fill="#222">{escape(label[:24])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{max(size, 1)}" height="{bar_height}" '
                     f'fill="#2f6690" rx="3"><title>{escape(label)} : {escape(text)}</title></rect>')
        parts.append(f'<text x="{label_w + max(size, 1) + 6}" y="{y + bar_height * 0.7:.0f}" '
                     f'font-size="13" fill="#222">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)
