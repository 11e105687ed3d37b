"""School air quality report: shares of occupied time above 800 and 1,500 ppm per classroom and
school day, from the measurements, and the classrooms to ventilate now."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clocher.iot.reports import air_quality
from clocher.iot.reports.common import ReportPeriod
from clocher.iot.tests.reports_support import at, make_device, readings

pytestmark = pytest.mark.django_db

CO2 = {"co2": "ppm", "temperature": "°C"}
WEEK_10 = ReportPeriod.week(2025, 10)  # Monday 3 to Sunday 9 March 2025
AFTER = at("2025-03-20", "12:00")


@pytest.fixture
def classroom(commune_a):
    device = make_device(commune_a, CO2, "CO2 classe des grands", building="École du bourg")
    readings(
        device,
        "co2",
        [
            (at("2025-03-03", "08:00"), 600.0),
            (at("2025-03-03", "09:30"), 900.0),
            (at("2025-03-03", "11:00"), 1600.0),
            (at("2025-03-03", "12:00"), 700.0),
            (at("2025-03-03", "16:20"), 1000.0),
            (at("2025-03-05", "08:30"), 1200.0),
            (at("2025-03-05", "11:00"), 500.0),
            (at("2025-03-05", "13:00"), 2000.0),  # Wednesday afternoon: no school
            (at("2025-03-08", "10:00"), 3000.0),  # Saturday
        ],
    )
    return device


def test_school_days_are_weekdays_with_a_short_wednesday_and_no_holiday():
    """Week 10: five school days, Wednesday until noon; Easter week 2025 loses its Monday."""
    days = air_quality.school_days(WEEK_10)
    assert [day.day.isoformat() for day in days] == [
        "2025-03-03",
        "2025-03-04",
        "2025-03-05",
        "2025-03-06",
        "2025-03-07",
    ]
    assert days[2].window == (at("2025-03-05", "08:30"), at("2025-03-05", "12:00"))
    assert days[0].occupied_seconds == 8 * 3600
    easter_week = air_quality.school_days(ReportPeriod.week(2025, 17))
    assert [day.day.weekday() for day in easter_week] == [1, 2, 3, 4]
    today = air_quality.school_days(WEEK_10, now=at("2025-03-04", "10:00"))
    assert [day.day.day for day in today] == [3, 4]
    assert today[1].window[1] == at("2025-03-04", "10:00")


def test_shares_per_school_day_are_time_weighted(classroom, commune_a):
    """Monday: 2 h 40 above 800 ppm and 1 h above 1,500 ppm out of 6 h 40 measured (a 1 h 20 gap
    and the reading straddling 16:30); Wednesday: 2 h 30 out of 3 h 30; no other day measured."""
    report = air_quality.compute(commune_a, WEEK_10, now=AFTER)
    [room] = report.classrooms
    monday, tuesday, wednesday = room.days[:3]
    assert monday.covered_seconds == 24000
    assert monday.share_above_good == pytest.approx(0.4)
    assert monday.share_above_action == pytest.approx(0.15)
    assert monday.coverage == pytest.approx(24000 / 28800)
    assert monday.maximum == 1600.0
    assert (tuesday.covered_seconds, tuesday.share_above_good) == (0, None)
    assert wednesday.covered_seconds == 3.5 * 3600
    assert wednesday.share_above_good == pytest.approx(2.5 / 3.5)
    assert wednesday.share_above_action == 0
    assert wednesday.maximum == 1200.0
    total = room.total
    assert (total.covered_seconds, total.above_good_seconds, total.above_action_seconds) == (
        36600,
        18600,
        3600,
    )
    assert room.measured_days == 2
    assert total.maximum == 1600.0


def test_the_document_shows_the_shares_and_cites_the_texts(classroom, commune_a):
    """The synthesis row of the classroom and the decree and arrêté in the sources."""
    report = air_quality.compute(commune_a, WEEK_10, now=AFTER)
    document = air_quality.document(report, with_charts=False)
    synthesis = document.sections[1].tables[0]
    assert synthesis.rows == [
        [
            "CO2 classe des grands",
            "École du bourg",
            "2 / 5",
            "10,2",
            "29 %",  # 36,600 s measured out of 127,800 s of school time
            "50,8 %",  # 18,600 / 36,600
            "9,8 %",  # 3,600 / 36,600
            "1\xa0600",
        ]
    ]
    text = document.text()
    assert "Décret n° 2022-1689 du 27 décembre 2022" in text
    assert "Arrêté du 27 décembre 2022" in text
    assert "03/03/2025" in text


def test_only_the_commune_and_the_chosen_building(classroom, commune_a, commune_b):
    """Another commune's classroom and a classroom of another building are left out."""
    other = make_device(commune_b, CO2, "CO2 ailleurs", building="École du bourg")
    readings(other, "co2", [(at("2025-03-03", "09:00"), 2500.0)])
    town_hall = make_device(commune_a, CO2, "CO2 mairie", building="Mairie")
    readings(town_hall, "co2", [(at("2025-02-03", "09:00"), 500.0)])
    make_device(commune_a, CO2, "CO2 jamais entendu", building="Cantine")
    household = make_device(commune_a, CO2, "CO2 chez un habitant", is_personal=True)
    readings(household, "co2", [(at("2025-03-03", "09:00"), 2500.0)])
    assert air_quality.places(commune_a) == ["Mairie", "École du bourg"]
    report = air_quality.compute(commune_a, WEEK_10, now=AFTER, place="École du bourg")
    assert [room.device.name for room in report.classrooms] == ["CO2 classe des grands"]
    everything = air_quality.compute(commune_a, WEEK_10, now=AFTER)
    assert [room.device.name for room in everything.classrooms] == [
        "CO2 mairie",
        "CO2 classe des grands",
    ]


def test_ventilate_now_lists_recent_values_above_1500_ppm(commune_a):
    """A recent 1,650 ppm is listed; an old 1,800 ppm and a recent 1,400 ppm are not."""
    now = at("2025-03-04", "10:00")
    recent = make_device(commune_a, CO2, "Salle 1", building="École")
    readings(recent, "co2", [(now - datetime.timedelta(hours=2), 900.0)])
    readings(recent, "co2", [(now - datetime.timedelta(minutes=20), 1650.0)])
    stale = make_device(commune_a, CO2, "Salle 2", building="École")
    readings(stale, "co2", [(now - datetime.timedelta(hours=4), 1800.0)])
    calm = make_device(commune_a, CO2, "Salle 3", building="École")
    readings(calm, "co2", [(now - datetime.timedelta(minutes=5), 1400.0)])
    report = air_quality.compute(commune_a, WEEK_10, now=now)
    assert [(item.device.name, item.value) for item in report.ventilate_now] == [
        ("Salle 1", 1650.0)
    ]
    section = air_quality.document(report, with_charts=False).sections[0]
    assert section.heading == "Aérer maintenant"
    assert section.is_warning
    assert section.tables[0].rows[0][:3] == ["Salle 1", "École", "1\xa0650"]


def test_a_month_over_many_classrooms_takes_three_queries(commune_a):
    """Classrooms, their measurements, their latest values: three queries for 12 classrooms and
    a month of readings every 20 minutes."""
    start = at("2025-03-03", "00:00")
    for number in range(12):
        device = make_device(commune_a, CO2, f"Salle {number}", building="École")
        readings(
            device,
            "co2",
            [
                (start + datetime.timedelta(minutes=20 * step), 500.0 + (step % 40) * 30)
                for step in range(3 * 24 * 7)
            ],
        )
    with CaptureQueriesContext(connection) as queries:
        report = air_quality.compute(commune_a, ReportPeriod.month(2025, 3), now=AFTER)
    assert len(report.classrooms) == 12
    assert len(queries) == 3
