"""Small bar charts drawn on the server as inline SVG: no JavaScript, readable on a tablet.

Each bar carries a <title> (shown on hover and read by screen readers), and the
page shows the same numbers in a table under the chart.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

WIDTH, HEIGHT, TOP, BOTTOM = 600, 140, 14, 18  # viewBox units; labels go in TOP and BOTTOM


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str
    bad: bool


@dataclass(frozen=True)
class Chart:
    title: str
    bars: List[Bar]
    labels: List[Tuple[float, str]]  # x of the centre, text: the last day and every seventh before it
    top_label: str  # the largest value, written at the top
    width: int = WIDTH
    height: int = HEIGHT


def bar_chart(title: str, days: Sequence[dt.date], values: Sequence[float], shown: Callable[[float], str],
              bad_above: Optional[float] = None) -> Chart:
    """One bar per day, scaled to the largest value; a bar over `bad_above` is drawn as bad."""
    if len(days) != len(values):
        raise ValueError("one value per day")
    step = WIDTH / max(len(days), 1)
    room = HEIGHT - TOP - BOTTOM
    peak = max(values, default=0) or 1
    bars, labels = [], []
    for index, (day, value) in enumerate(zip(days, values)):
        height = room * value / peak
        x = index * step
        bars.append(Bar(round(x + step * 0.15, 1), round(TOP + room - height, 1), round(step * 0.7, 1),
                        round(height, 1), f"{day.month}月{day.day}日：{shown(value)}",
                        bad_above is not None and value > bad_above))
        if (len(days) - 1 - index) % 7 == 0:
            labels.append((round(x + step / 2, 1), f"{day.month}/{day.day}"))
    return Chart(title, bars, labels, shown(max(values, default=0)))


@dataclass(frozen=True)
class ShareChart:
    """Shares (0..1) per week with a dashed reference line, such as the TSA's 97.5% within 60 s."""

    title: str
    bars: List[Bar]
    labels: List[Tuple[float, str]]
    reference_y: float  # where the reference line is drawn
    reference_label: str
    width: int = WIDTH
    height: int = HEIGHT


def share_chart(title: str, labels: Sequence[str], values: Sequence[Optional[float]], reference: float,
                reference_label: str) -> ShareChart:
    """One bar per period on a 0–100% scale; a bar under the reference is drawn as bad, a period with no
    alerts has no bar (and says so in its title)."""
    if len(labels) != len(values):
        raise ValueError("one value per label")
    step = WIDTH / max(len(labels), 1)
    room = HEIGHT - TOP - BOTTOM
    bars, marks = [], []
    for index, (label, value) in enumerate(zip(labels, values)):
        height = room * (value or 0.0)
        x = index * step
        shown = "没有求助" if value is None else f"{value * 100:.1f}%"
        bars.append(Bar(round(x + step * 0.15, 1), round(TOP + room - height, 1), round(step * 0.7, 1),
                        round(height, 1), f"{label}：{shown}", value is not None and value < reference))
        marks.append((round(x + step / 2, 1), label.split("第", 1)[-1]))
    return ShareChart(title, bars, marks, round(TOP + room * (1 - reference), 1), reference_label)
