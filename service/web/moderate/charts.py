"""Bar charts as inline SVG, built on the server: numbers and escaped labels only, no script, no style.

No viewBox: a viewBox scales the text with the chart, and a 560-unit chart drawn 320 px wide made 11-unit
labels about 6 px. Instead the chart is as wide as its box, bars and labels are placed in percent of that width
and the height is in pixels, so text keeps the stylesheet's size (13 px) at any width. To fit fourteen days into
a phone-width box, the axis shows the day of the month (the full date is in each bar's <title>) and values are
written short (17, 1.2k; the <title> keeps the exact value).
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

HEIGHT, BOTTOM, TOP = 180, 24, 18
"""Pixels: the chart's height, the axis labels' band below the bars and the values' band above them."""


def short(value: float) -> str:
    """A value as the chart writes it above its bar: whole numbers, thousands as "1.2k"."""
    if abs(value) >= 1000:
        return f"{value / 1000:.1f}k".replace(".0k", "k")
    return f"{value:.0f}"


def bar_chart(labels: Sequence[str], values: Sequence[float], name: str) -> Markup:
    """One bar per label, scaled to the largest value, each with its value and a <title> for screen readers.

    A label "MM-DD" is shown as its day ("DD") under the bar; its <title> reads "MM-DD: value".
    """
    count = max(len(values), 1)
    peak = max([*values, 1])
    slot = 100 / count
    bars = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = (HEIGHT - BOTTOM - TOP) * value / peak
        x = index * slot + slot * 0.15
        y = HEIGHT - BOTTOM - height
        bars.append(Markup(
            '<g><title>{label}: {exact}</title>'
            '<rect class="bar bar-{name}" x="{x:.2f}%" y="{y:.1f}" width="{w:.2f}%" height="{h:.1f}"></rect>'
            '<text class="value" x="{cx:.2f}%" y="{ty:.1f}" text-anchor="middle">{shown}</text>'
            '<text class="label" x="{cx:.2f}%" y="{ly}" text-anchor="middle">{day}</text></g>'
        ).format(label=escape(label), exact=f"{value:g}", shown=short(value), name=escape(name), x=x, y=y,
                 w=slot * 0.7, h=height, cx=x + slot * 0.35, ty=y - 4, ly=HEIGHT - 7,
                 day=escape(label.rpartition("-")[2])))
    return Markup('<svg class="chart" width="100%" height="{h}" role="img" aria-label="{name}" '
                  'xmlns="http://www.w3.org/2000/svg">{bars}</svg>').format(
        h=HEIGHT, name=escape(name), bars=Markup("").join(bars))
