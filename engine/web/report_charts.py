"""Bar charts of the internal-control report, laid out on the server as SVG coordinates.

The templates draw each chart as inline SVG without script or style attributes, so the page
keeps its strict content security policy and the downloaded file needs nothing else. Every
chart stands next to a table with the same numbers, so the chart is never the only source.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# The drawing area in SVG user units; the SVG scales to the width of its container.
WIDTH = 640
BAR_AREA_HEIGHT = 180
TOP = 12
LEFT = 40
LABEL_SPACE = 28
LEGEND_SPACE = 24
TICKS = 4
# The width of one character of an axis label, an estimate for 12-unit sans-serif text; a
# label longer than its group is cut to fit, and the table under the chart has it whole.
CHARACTER_WIDTH = 7


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    value: int
    title: str


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class AxisLabel:
    x: float
    text: str


@dataclass(frozen=True)
class BarChart:
    title: str
    width: int
    height: int
    baseline: float
    left: int
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[AxisLabel]
    series_names: list[str]


def bar_chart(title: str, labels: list[str], series: list[list[int]],
              series_names: list[str]) -> BarChart:
    """Lay out one group of bars per label, one bar per series in each group.

    `series[i][j]` is the value of series i at label j. The value axis starts at 0 and ends
    at a round number at least as large as the largest value.
    """
    largest = max((value for values in series for value in values), default=0)
    top_value = _round_up(largest)
    baseline = TOP + BAR_AREA_HEIGHT
    group_width = (WIDTH - LEFT) / max(len(labels), 1)
    bar_width = group_width * 0.8 / max(len(series), 1)

    bars = []
    for index, label in enumerate(labels):
        start = LEFT + group_width * index + group_width * 0.1
        for number, values in enumerate(series):
            value = values[index]
            height = BAR_AREA_HEIGHT * value / top_value
            name = series_names[number] if number < len(series_names) else ""
            bars.append(Bar(round(start + bar_width * number, 1), round(baseline - height, 1),
                            round(bar_width - 1, 1), round(height, 1), number, value,
                            f"{label}, {name}: {value}" if name else f"{label}: {value}"))
    ticks = [Tick(round(baseline - BAR_AREA_HEIGHT * step / TICKS, 1),
                  top_value * step // TICKS) for step in range(TICKS + 1)]
    fitting = max(int(group_width / CHARACTER_WIDTH) - 1, 3)
    axis_labels = [AxisLabel(round(LEFT + group_width * (index + 0.5), 1),
                             label if len(label) <= fitting else label[:fitting - 1] + "…")
                   for index, label in enumerate(labels)]
    height = int(baseline + LABEL_SPACE + (LEGEND_SPACE if len(series_names) > 1 else 0))
    return BarChart(title, WIDTH, height, baseline, LEFT, bars, ticks, axis_labels,
                    series_names)


def _round_up(value: int) -> int:
    """Return the smallest multiple of TICKS times 1, 2 or 5 times a power of ten that is at
    least `value`, so the axis ticks are whole, round numbers."""
    if value <= TICKS:
        return TICKS
    magnitude = 10 ** int(math.log10(value / TICKS))
    for factor in (1, 2, 5, 10):
        if TICKS * magnitude * factor >= value:
            return TICKS * magnitude * factor
    return TICKS * magnitude * 10
