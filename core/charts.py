"""Bar charts drawn on the server as SVG geometry: no script, no CDN, nothing the CSP must allow.

A template draws the bars from ``BarChart`` and puts the same figures in a table under the chart,
which is what a screen reader reads; the picture is for the eye.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Room for the value axis on the left and the labels underneath, in SVG user units.
LEFT, BOTTOM, TOP = 40, 28, 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    # Every label under 30 bars would overlap: only some are written.
    show_label: bool


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    # Horizontal lines with their values: (y, value).
    gridlines: list[tuple[float, int]]
    baseline: float
    left: int
    total: int


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, … that is at least ``value`` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def bar_chart(
    points: list[tuple[str, int]], *, width: int = 640, height: int = 180, labels: int = 12
) -> BarChart:
    """One bar per ``(label, value)``, scaled to the largest value rounded up to a round number."""
    top = _nice_ceiling(max((value for _label, value in points), default=0))
    plot_width = width - LEFT
    plot_height = height - BOTTOM - TOP
    baseline = TOP + plot_height
    slot = plot_width / max(len(points), 1)
    every = max(1, math.ceil(len(points) / labels))
    bars = []
    for index, (label, value) in enumerate(points):
        bar_height = plot_height * value / top
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.15, 2),
                y=round(baseline - bar_height, 2),
                width=round(slot * 0.7, 2),
                height=round(bar_height, 2),
                label=label,
                value=value,
                show_label=index % every == 0 or index == len(points) - 1,
            )
        )
    gridlines = [(round(baseline - plot_height * n / 2, 2), top * n // 2) for n in (0, 1, 2)]
    return BarChart(
        width=width,
        height=height,
        bars=bars,
        gridlines=gridlines,
        baseline=baseline,
        left=LEFT,
        total=sum(value for _label, value in points),
    )
