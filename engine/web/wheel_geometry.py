"""Coordinates of the annual wheel's SVG: twelve month sectors and one mark per entry.

The wheel is drawn in a viewBox centred on 0,0. January starts at the top and the months run
clockwise, each sector as wide as the month is long. An entry's mark sits at the angle of its
moment in Oslo time, on a ring of its own kind, and has a shape of its own kind, so the wheel
reads without colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from engine.runtime.timeexpr import OSLO
from engine.services.annual_wheel_timers import (
    CASE_DEADLINE,
    ESCALATION,
    LEGAL_DEADLINE,
    REMINDER,
    REVIEW,
    START,
)

VIEW_RADIUS = 220
INNER_RADIUS = 70
OUTER_RADIUS = 180
LABEL_RADIUS = 200
MARK_SIZE = 8.0

# The ring each kind of entry sits on, from the outside in.
RING_RADIUS = {START: 170, LEGAL_DEADLINE: 152, REVIEW: 134, CASE_DEADLINE: 116,
               REMINDER: 98, ESCALATION: 80}
SHAPES = {START: "circle", LEGAL_DEADLINE: "square", REVIEW: "triangle",
          CASE_DEADLINE: "diamond", REMINDER: "triangle_down", ESCALATION: "cross"}


@dataclass(frozen=True)
class Sector:
    month: int
    path: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    path: str


def year_fraction(moment: datetime, year: int) -> float:
    """Return how far into `year` the Oslo wall-clock time of `moment` lies, from 0 to 1."""
    wall = moment.astimezone(OSLO).replace(tzinfo=None)
    begin = datetime(year, 1, 1)
    length = (datetime(year + 1, 1, 1) - begin).total_seconds()
    return min(max((wall - begin).total_seconds() / length, 0.0), 1.0)


def point(fraction: float, radius: float) -> tuple[float, float]:
    """Return the point at `fraction` of a turn clockwise from the top, `radius` out."""
    angle = 2 * math.pi * fraction - math.pi / 2
    return round(radius * math.cos(angle), 2), round(radius * math.sin(angle), 2)


def sectors(year: int) -> list[Sector]:
    """Return the twelve month sectors of `year`, each as wide as its month is long."""
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    result = []
    for month in range(1, 13):
        first = (date(year, month, 1) - date(year, 1, 1)).days / days
        following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        last = (following - date(year, 1, 1)).days / days
        label_x, label_y = point((first + last) / 2, LABEL_RADIUS)
        result.append(Sector(month, _sector_path(first, last), label_x, label_y))
    return result


def _sector_path(first: float, last: float) -> str:
    outer_start, outer_end = point(first, OUTER_RADIUS), point(last, OUTER_RADIUS)
    inner_start, inner_end = point(first, INNER_RADIUS), point(last, INNER_RADIUS)
    large = 1 if last - first > 0.5 else 0
    return (f"M {inner_start[0]} {inner_start[1]} L {outer_start[0]} {outer_start[1]} "
            f"A {OUTER_RADIUS} {OUTER_RADIUS} 0 {large} 1 {outer_end[0]} {outer_end[1]} "
            f"L {inner_end[0]} {inner_end[1]} "
            f"A {INNER_RADIUS} {INNER_RADIUS} 0 {large} 0 {inner_start[0]} {inner_start[1]} Z")


def mark(moment: datetime, year: int, kind: str) -> Mark:
    """Return the mark of an entry: its kind's shape on its kind's ring."""
    x, y = point(year_fraction(moment, year), RING_RADIUS[kind])
    return Mark(x, y, shape_path(SHAPES[kind], x, y, MARK_SIZE))


def shape_path(shape: str, x: float, y: float, size: float) -> str:
    """Return the path of a shape `size` across, centred on x, y."""
    half = size / 2
    if shape == "square":
        return (f"M {x - half:.2f} {y - half:.2f} h {size:.2f} v {size:.2f} h {-size:.2f} Z")
    if shape == "triangle":
        return (f"M {x:.2f} {y - half * 1.2:.2f} L {x + half * 1.1:.2f} {y + half:.2f} "
                f"L {x - half * 1.1:.2f} {y + half:.2f} Z")
    if shape == "triangle_down":
        return (f"M {x:.2f} {y + half * 1.2:.2f} L {x + half * 1.1:.2f} {y - half:.2f} "
                f"L {x - half * 1.1:.2f} {y - half:.2f} Z")
    if shape == "cross":
        arm = half / 2.5
        return (f"M {x - arm:.2f} {y - half:.2f} h {2 * arm:.2f} v {half - arm:.2f} "
                f"h {half - arm:.2f} v {2 * arm:.2f} h {arm - half:.2f} v {half - arm:.2f} "
                f"h {-2 * arm:.2f} v {arm - half:.2f} h {arm - half:.2f} v {-2 * arm:.2f} "
                f"h {half - arm:.2f} Z")
    if shape == "diamond":
        return (f"M {x:.2f} {y - half * 1.3:.2f} L {x + half:.2f} {y:.2f} "
                f"L {x:.2f} {y + half * 1.3:.2f} L {x - half:.2f} {y:.2f} Z")
    return (f"M {x - half:.2f} {y:.2f} a {half:.2f} {half:.2f} 0 1 0 {size:.2f} 0 "
            f"a {half:.2f} {half:.2f} 0 1 0 {-size:.2f} 0 Z")


def today_line(moment: datetime, year: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """Return the ends of the line that marks `moment` across the month ring."""
    fraction = year_fraction(moment, year)
    return point(fraction, INNER_RADIUS), point(fraction, OUTER_RADIUS)
