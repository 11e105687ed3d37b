"""Recycling containers report: fill level from the distance, emptying detection, predicted full
date from the least-squares trend, today's list to collect."""

from __future__ import annotations

import datetime

import pytest

from clocher.iot.reports import containers
from clocher.iot.reports.common import ReportPeriod
from clocher.iot.tests.reports_support import at, make_device, readings

pytestmark = pytest.mark.django_db

UDL = {"distance": "mm", "battery": "%"}
HOURS_12 = datetime.timedelta(hours=12)
START = at("2025-03-03", "06:00")


def _distance_for(fill: float, depth: float = 1600.0) -> float:
    return depth * (1 - fill / 100)


def test_depth_from_the_equipment_field_or_the_default(commune_a):
    """ "profondeur 1,8 m" and "hauteur : 170 cm" are read; anything else gives 1,600 mm."""
    assert containers.depth_of(
        make_device(commune_a, UDL, "A", asset="Colonne, profondeur 1,8 m")
    ) == (
        1800.0,
        True,
    )
    assert containers.depth_of(make_device(commune_a, UDL, "B", asset="hauteur : 170 cm")) == (
        1700.0,
        True,
    )
    assert containers.depth_of(make_device(commune_a, UDL, "C", asset="Colonne 4 m3")) == (
        1600.0,
        False,
    )
    assert containers.fill_percent(400.0, 1600.0) == 75.0
    assert containers.fill_percent(1700.0, 1600.0) == 0.0


def test_predicted_full_date_from_the_readings_since_the_last_emptying(commune_a):
    """Readings 70, 85 then a collection (20) and 30, 40, 50 every 12 h: the trend since the
    collection is 20 points a day, so 90 % is reached 48 h after the 50 % reading."""
    device = make_device(commune_a, UDL, "Conteneur à verre — église", site="Place de l'Église")
    fills = [70.0, 85.0, 20.0, 30.0, 40.0, 50.0]
    readings(
        device,
        "distance",
        [(START + HOURS_12 * index, _distance_for(fill)) for index, fill in enumerate(fills)],
    )
    last = START + HOURS_12 * 5
    now = last + datetime.timedelta(hours=1)
    report = containers.compute(commune_a, ReportPeriod.week(2025, 10), now=now)
    [state] = report.containers
    assert [round(value, 6) for _time, value in state.readings] == fills
    assert state.speed_per_day == pytest.approx(20.0)
    assert state.full_at == last + datetime.timedelta(hours=48)
    assert [(e.time, e.fill_before) for e in state.period_emptyings] == [
        (START + HOURS_12 * 2, pytest.approx(85.0))
    ]
    assert state.to_collect(now)  # full within two days
    assert report.to_collect == [state]
    assert not state.to_collect(now - datetime.timedelta(hours=2))
    document = containers.document(report, with_charts=False)
    assert document.sections[0].is_warning
    assert document.sections[0].tables[0].rows == [
        [
            "Conteneur à verre — église",
            "Place de l'Église",
            "50 %",
            "07/03/2025 18:00",
            "plein sous deux jours",
        ]
    ]
    assert document.sections[2].tables[0].rows == [
        ["Conteneur à verre — église", "Place de l'Église", "1", "85 %"]
    ]


def test_a_full_container_is_to_collect_and_a_flat_one_has_no_date(commune_a):
    """92 % is full now; a level that does not rise has no predicted date."""
    full = make_device(commune_a, UDL, "Plein", site="Stade")
    readings(full, "distance", [(START, _distance_for(80)), (START + HOURS_12, _distance_for(92))])
    flat = make_device(commune_a, UDL, "Stable", site="Stade")
    readings(flat, "distance", [(START, _distance_for(40)), (START + HOURS_12, _distance_for(40))])
    report = containers.compute(commune_a, ReportPeriod.week(2025, 10), now=START + 2 * HOURS_12)
    states = {state.device.name: state for state in report.containers}
    assert states["Plein"].is_full
    assert states["Plein"].full_at == START + HOURS_12
    assert states["Stable"].full_at is None
    assert states["Stable"].speed_per_day == 0.0
    assert [state.device.name for state in report.to_collect] == ["Plein"]


def test_a_fill_level_measurement_is_used_as_is_and_gauges_are_not_containers(commune_a):
    """A ``fill_level`` in % needs no depth; a distance sensor on the river is not a container."""
    sensor = make_device(commune_a, {"fill_level": "%"}, "Colonne papier", site="Stade")
    readings(sensor, "fill_level", [(START, 10.0), (START + HOURS_12, 20.0)])
    gauge = make_device(commune_a, UDL, "Jauge de la rivière", site="Pont")
    readings(gauge, "distance", [(START, 900.0)])
    report = containers.compute(commune_a, ReportPeriod.week(2025, 10), now=START + 2 * HOURS_12)
    [state] = report.containers
    assert state.uses_fill_level
    assert state.current == (START + HOURS_12, 20.0)
    assert state.full_at == START + datetime.timedelta(hours=12 * 8)
