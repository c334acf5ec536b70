"""Bar charts as inline SVG, built on the server: numbers and escaped labels only, no script, no style."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT, BOTTOM, TOP = 560, 180, 24, 16


def bar_chart(labels: Sequence[str], values: Sequence[float], name: str) -> Markup:
    """One bar per label, scaled to the largest value, each with its value and a <title> for screen readers."""
    count = max(len(values), 1)
    peak = max([*values, 1])
    slot = WIDTH / count
    bars = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = (HEIGHT - BOTTOM - TOP) * value / peak
        x = index * slot + slot * 0.15
        y = HEIGHT - BOTTOM - height
        shown = f"{value:g}"
        bars.append(Markup(
            '<g><title>{label}: {shown}</title>'
            '<rect class="bar bar-{name}" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}"></rect>'
            '<text class="value" x="{cx:.1f}" y="{ty:.1f}" text-anchor="middle">{shown}</text>'
            '<text class="label" x="{cx:.1f}" y="{ly}" text-anchor="middle">{label}</text></g>'
        ).format(label=escape(label), shown=shown, name=escape(name), x=x, y=y, w=slot * 0.7, h=height,
                 cx=x + slot * 0.35, ty=y - 3, ly=HEIGHT - 8))
    return Markup('<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{name}" '
                  'xmlns="http://www.w3.org/2000/svg">{bars}</svg>').format(
        w=WIDTH, h=HEIGHT, name=escape(name), bars=Markup("").join(bars))
