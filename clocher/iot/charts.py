"""Time-series charts drawn as SVG on the server: no script, no external asset.

``line_chart`` returns the markup of one chart (``role="img"`` named by its ``<title>`` and
``<desc>``): a frame, the time axis and the value axis with their graduations, the series as a
polyline and a dot per point. The page gives the same numbers as a table beside it, so the
drawing is never the only way in. Colours come from attributes (no ``style``: strict CSP).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 640
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 36
LINE_COLOUR = "#1f5fa8"
AXIS_COLOUR = "#4f5861"
GRID_COLOUR = "#d5d9de"
TEXT_COLOUR = "#1b1f23"
MAX_DOTS = 400
PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Point:
    time: datetime
    value: float


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round graduations covering ``[low, high]`` (1, 2 or 5 × a power of 10)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0]
    if high < low:
        low, high = high, low
    if high == low:
        padding = abs(low) * 0.1 or 1.0
        low, high = low - padding, high + padding
    raw_step = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= raw_step)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    steps = round((last - first) / step)
    return [round(first + index * step, 10) for index in range(steps + 1)]


def _number(value: float) -> str:
    if value == int(value):
        return number_format(int(value))
    return number_format(round(value, 3), use_l10n=True)


def _time_label(moment: datetime, span_seconds: float) -> str:
    local = moment.astimezone(PARIS)
    if span_seconds <= 2 * 86400:
        return local.strftime("%H:%M")
    if span_seconds <= 40 * 86400:
        return local.strftime("%d/%m")
    return local.strftime("%m/%Y")


def line_chart(
    points: Sequence[Point],
    *,
    start: datetime,
    end: datetime,
    title: str,
    description: str,
    unit: str,
    chart_id: str,
) -> SafeString:
    """The SVG of ``points`` (oldest first) over ``[start, end]``; with no point, an empty frame
    that says so."""
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
        f'<rect class="chart-frame" x="{LEFT}" y="{TOP}" width="{plot_width}" '
        f'height="{plot_height}" fill="#ffffff" stroke="{GRID_COLOUR}"/>',
    ]
    span = max((end - start).total_seconds(), 1.0)
    if not points:
        nothing = escape(_("Aucune mesure sur cette période"))
        parts.append(
            f'<text class="chart-empty" x="{LEFT + plot_width / 2:.1f}" '
            f'y="{TOP + plot_height / 2:.1f}" text-anchor="middle" fill="{TEXT_COLOUR}">'
            f"{nothing}</text>"
        )
        parts.append("</svg>")
        return mark_safe("".join(parts))  # noqa: S308 (every text is escaped above)

    values = [point.value for point in points]
    ticks = nice_ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]
    value_span = (high - low) or 1.0

    def x_of(moment: datetime) -> float:
        offset = (moment - start).total_seconds() / span
        return LEFT + min(max(offset, 0.0), 1.0) * plot_width

    def y_of(value: float) -> float:
        return TOP + plot_height - (value - low) / value_span * plot_height

    # Value axis: graduations, grid lines, unit.
    parts.append(f'<g class="chart-y-axis" fill="{TEXT_COLOUR}" font-size="11">')
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_width}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(_number(tick))}</text>'
        )
    if unit:
        parts.append(f'<text x="4" y="{TOP - 4 if TOP > 12 else 12}">{escape(unit)}</text>')
    parts.append("</g>")
    # Time axis: five graduations from start to end.
    parts.append(f'<g class="chart-x-axis" fill="{TEXT_COLOUR}" font-size="11">')
    parts.append(
        f'<line x1="{LEFT}" x2="{LEFT + plot_width}" y1="{TOP + plot_height}" '
        f'y2="{TOP + plot_height}" stroke="{AXIS_COLOUR}"/>'
    )
    for index in range(5):
        moment = start + (end - start) * index / 4
        x = x_of(moment)
        anchor = "start" if index == 0 else "end" if index == 4 else "middle"
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP + plot_height}" '
            f'y2="{TOP + plot_height + 4}" stroke="{AXIS_COLOUR}"/>'
            f'<text x="{x:.1f}" y="{HEIGHT - 12}" text-anchor="{anchor}">'
            f"{escape(_time_label(moment, span))}</text>"
        )
    parts.append("</g>")
    parts.append(
        f'<line class="chart-axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_height}" '
        f'stroke="{AXIS_COLOUR}"/>'
    )
    # The series.
    coordinates = [(x_of(point.time), y_of(point.value)) for point in points]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
    parts.append(
        f'<polyline class="chart-line" points="{path}" fill="none" stroke="{LINE_COLOUR}" '
        'stroke-width="2"/>'
    )
    if len(coordinates) <= MAX_DOTS:
        parts.append(f'<g class="chart-points" fill="{LINE_COLOUR}">')
        parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>' for x, y in coordinates)
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text is escaped above)
