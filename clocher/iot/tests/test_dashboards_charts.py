"""SVG charts drawn on the server."""

from __future__ import annotations

import datetime
import re

from clocher.iot.charts import Point, line_chart, nice_ticks

START = datetime.datetime(2024, 3, 5, 0, 0, tzinfo=datetime.UTC)
END = START + datetime.timedelta(hours=24)


def _chart(points: list[Point], **kwargs: str) -> str:
    options = {"title": "co2 de Salle 3", "description": "Moyenne par heure", "unit": "ppm"}
    options.update(kwargs)
    return str(line_chart(points, start=START, end=END, chart_id="c1", **options))


def test_chart_draws_one_dot_per_point_on_a_polyline():
    """Three points give a polyline of three coordinates and three dots."""
    points = [
        Point(START + datetime.timedelta(hours=h), v) for h, v in ((0, 400), (12, 800), (23, 600))
    ]
    svg = _chart(points)
    assert svg.count("<circle ") == 3
    polyline = re.search(r'<polyline class="chart-line" points="([^"]+)"', svg)
    assert polyline is not None
    assert len(polyline.group(1).split()) == 3
    # First point at the left edge of the plot area, the highest value at its top.
    assert polyline.group(1).split()[0].startswith("64.0,")
    assert polyline.group(1).split()[1].endswith(",16.0")


def test_chart_is_an_image_named_by_its_title_and_description():
    """The SVG has role img, a title and a description it points to."""
    svg = _chart([Point(START, 1.0)])
    assert svg.startswith(
        '<svg class="chart" id="c1" role="img" aria-labelledby="c1-title c1-desc"'
    )
    assert '<title id="c1-title">co2 de Salle 3</title>' in svg
    assert '<desc id="c1-desc">Moyenne par heure</desc>' in svg
    assert "<script" not in svg
    assert "style=" not in svg


def test_chart_axes_carry_round_graduations_and_times():
    """Value ticks are round numbers covering the data, time ticks are Paris hours."""
    points = [Point(START, 400.0), Point(START + datetime.timedelta(hours=6), 1150.0)]
    svg = _chart(points)
    y_labels = re.findall(r'text-anchor="end">([^<]+)</text>', svg.split('class="chart-x-axis"')[0])
    assert y_labels == ["400", "600", "800", "1000", "1200"]
    assert ">01:00</text>" in svg  # 00:00 UTC is 01:00 in Paris in March
    assert ">ppm</text>" in svg


def test_chart_without_data_says_so():
    """An empty series draws the frame and a message, no line."""
    svg = _chart([])
    assert "Aucune mesure sur cette période" in svg
    assert "<polyline" not in svg
    assert "<circle" not in svg


def test_chart_escapes_its_texts():
    """A device name with markup is escaped in the title."""
    svg = _chart([], title="<b>Salle</b> & co")
    assert "&lt;b&gt;Salle&lt;/b&gt; &amp; co" in svg
    assert "<b>" not in svg


def test_nice_ticks_of_a_flat_series():
    """A constant value still gets a readable scale around it."""
    assert nice_ticks(20.0, 20.0) == [18.0, 19.0, 20.0, 21.0, 22.0]
    assert nice_ticks(0.0, 0.0) == [-1.0, -0.5, 0.0, 0.5, 1.0]
