"""River level report: rising rate, threshold crossings with interpolated times, escalation."""

from __future__ import annotations

import datetime

import pytest

from clocher.iot.reports import river
from clocher.iot.reports.common import ReportPeriod
from clocher.iot.tests.reports_support import at, make_device, readings

pytestmark = pytest.mark.django_db

LEVEL = {"level": "m"}
MINUTES_30 = datetime.timedelta(minutes=30)
START = at("2025-03-04", "10:00")
FLOOD = [0.90, 0.95, 1.05, 1.20, 1.60, 1.40, 0.90]


def test_rising_rate_is_the_slope_of_the_last_three_hours():
    """1.0, 1.1, 1.2, 1.3 m an hour apart: +10 cm/h; an older reading is ignored."""
    now = at("2025-03-04", "12:00")
    values = [(now - datetime.timedelta(hours=5), 3.0)] + [
        (now - datetime.timedelta(hours=3 - index), 1.0 + 0.1 * index) for index in range(4)
    ]
    assert river.rising_rate(values, now=now) == pytest.approx(10.0)
    assert river.rising_rate(values[:1], now=now) is None


def test_crossings_are_interpolated_between_readings():
    """Readings every 30 min from 10:00: vigilance (1 m) from 10:45 (0.95 → 1.05) to 12:54
    (1.40 → 0.90), alert (1.5 m) from 11:52:30 (1.20 → 1.60) to 12:15 (1.60 → 1.40)."""
    values = [(START + MINUTES_30 * index, level) for index, level in enumerate(FLOOD)]
    [vigilance] = river.crossings(values, 1.0, river.VIGILANCE, since=START)
    assert vigilance.started_at == at("2025-03-04", "10:45")
    assert vigilance.ended_at == at("2025-03-04", "12:54")
    assert vigilance.peak == 1.60
    [alert] = river.crossings(values, 1.5, river.ALERT, since=START)
    assert alert.started_at == at("2025-03-04", "11:52:30")
    assert alert.ended_at == at("2025-03-04", "12:15")
    assert river.crossings(values, 1.0, river.VIGILANCE, since=at("2025-03-04", "13:00")) == []
    ongoing = river.crossings(values[:5], 1.0, river.VIGILANCE, since=START)
    assert ongoing[0].ended_at is None
    already = river.crossings(values[3:], 1.0, river.VIGILANCE, since=START)
    assert already[0].started_at == START + MINUTES_30 * 3


def test_report_lists_gauges_crossings_and_who_is_notified(
    commune_a, commune_b, admin_a, agent_a, technician_a, elected_a, admin_b
):
    """The gauge's current level and rate, two crossings, agents and technicians at vigilance,
    the administrators too at alert; nobody of commune B."""
    gauge = make_device(commune_a, LEVEL, "Niveau de l'Ouche", site="Pont de la mairie")
    rising = FLOOD[:5]  # up to the peak, 1.60 m at 12:00
    readings(
        gauge, "level", [(START + MINUTES_30 * index, level) for index, level in enumerate(rising)]
    )
    other = make_device(commune_b, LEVEL, "Jauge B")
    readings(other, "level", [(START, 9.0)])
    now = START + MINUTES_30 * 4 + datetime.timedelta(minutes=5)
    report = river.compute(commune_a, ReportPeriod.week(2025, 10), now=now)
    [state] = report.gauges
    assert (state.current, state.status) == (1.60, "alert")
    assert [(c.level, c.ended_at) for c in state.crossings] == [
        ("vigilance", None),
        ("alert", None),
    ]
    # Slope of (0 h, 0.90), (0.5, 0.95), (1, 1.05), (1.5, 1.20), (2, 1.60): 0.825 / 2.5 m/h.
    assert state.rate_cm_per_hour == pytest.approx(33.0)
    recipients = {item.level: item for item in report.recipients}
    assert recipients["vigilance"].names == sorted(
        [agent_a.get_full_name(), technician_a.get_full_name()]
    )
    assert recipients["alert"].names == [admin_a.get_full_name()]
    document = river.document(report, with_charts=False)
    rows = document.sections[1].tables[0].rows
    assert rows[0][:4] == [
        "Niveau de l'Ouche",
        "vigilance (1,00 m)",
        "04/03/2025 10:45",
        "en cours",
    ]
    assert document.sections[0].is_warning
    assert document.sections[0].tables[0].rows[0][2:] == [
        "1,60",
        "04/03/2025 12:00",
        "+33,0 cm/h",
        "1,60",
        "alerte",
    ]
    assert admin_a.get_full_name() in rows[1][5]
    assert agent_a.get_full_name() in rows[1][5]
    assert admin_a.get_full_name() not in rows[0][5]
    assert "Jauge B" not in document.text()
    assert "valeurs par défaut" in document.text()


def test_thresholds_and_gauge_chosen_on_the_page(commune_a):
    """With vigilance at 1.3 m and alert at 2 m, one crossing; another gauge is filtered out."""
    gauge = make_device(commune_a, LEVEL, "Niveau de l'Ouche")
    readings(
        gauge, "level", [(START + MINUTES_30 * index, level) for index, level in enumerate(FLOOD)]
    )
    brook = make_device(commune_a, LEVEL, "Niveau du ruisseau")
    readings(brook, "level", [(START, 3.0)])
    meter = make_device(commune_a, {"level": "m", "volume": "m3"}, "Compteur (profil SenML)")
    readings(meter, "volume", [(START, 3.0)])
    assert [device.name for device in river.gauges(commune_a)] == [
        "Niveau de l'Ouche",
        "Niveau du ruisseau",
    ]
    report = river.compute(
        commune_a,
        ReportPeriod.week(2025, 10),
        now=at("2025-03-20"),
        vigilance=1.3,
        alert=2.0,
        gauge=gauge.pk,
    )
    [state] = report.gauges
    assert [(c.level, c.peak) for c in state.crossings] == [("vigilance", 1.60)]
    assert not report.thresholds_are_default
    rows = river.document(report, with_charts=False).sections[1].tables[0].rows
    # Up at 11:37:30 (1.20 → 1.60 at 1.30), down at 12:36 (1.40 → 0.90 at 1.30).
    assert rows[0][2:4] == ["04/03/2025 11:37", "04/03/2025 12:36"]
