"""Water leak report: minimum night flow above zero for N consecutive nights, and the meters'
own leak and burst flags."""

from __future__ import annotations

import datetime

import pytest

from clocher.iot.models import Uplink, UplinkStatus
from clocher.iot.reports import leaks
from clocher.iot.reports.common import ReportPeriod
from clocher.iot.tests.reports_support import at, make_device, readings

pytestmark = pytest.mark.django_db

WEEK_10 = ReportPeriod.week(2025, 10)  # nights of 3 to 9 March 2025
AFTER = at("2025-03-20", "12:00")
WATER = {"volume": "m3"}
# Night flow in litres per hour for the night ending on each day; None: no readings that night.
NIGHT_FLOW = {3: 0, 4: 2, 5: 2, 6: 2, 7: 0, 8: 3, 9: None}


def _hourly_index(device) -> None:
    """Hourly readings from 2 March 23:00 to 9 March 23:00: 50 L/h in the day, the night flow
    of ``NIGHT_FLOW`` between 01:00 and 06:00."""
    volume = 100.0
    values = []
    moment = at("2025-03-02", "23:00")
    while moment <= at("2025-03-09", "23:00"):
        hour, day = moment.hour, moment.day
        if 1 <= hour <= 6 and day in NIGHT_FLOW:
            flow = NIGHT_FLOW[day]
            if flow is None:
                moment += datetime.timedelta(hours=1)
                continue
            volume += flow / 1000
        else:
            volume += 0.05
        values.append((moment, round(volume, 4)))
        moment += datetime.timedelta(hours=1)
    readings(device, "volume", values)


@pytest.fixture
def meter(commune_a):
    device = make_device(commune_a, WATER, "Compteur d'eau école", building="École")
    _hourly_index(device)
    return device


def test_minimum_night_flow_of_intervals_overlapping_the_night():
    """Only intervals overlapping 02:00–05:00 and no longer than 4 h count; flows in L/h."""
    intervals = [
        (at("2025-03-04", "01:00"), at("2025-03-04", "02:00"), 30.0),  # before the night
        (at("2025-03-04", "02:00"), at("2025-03-04", "03:00"), 4.0),
        (at("2025-03-04", "03:00"), at("2025-03-04", "04:30"), 3.0),  # 2 L/h
        (at("2025-03-04", "04:30"), at("2025-03-04", "06:00"), 12.0),
    ]
    assert leaks.minimum_night_flow(intervals, datetime.date(2025, 3, 4)) == 2.0
    sparse = [(at("2025-03-04", "00:00"), at("2025-03-04", "06:00"), 0.0)]
    assert leaks.minimum_night_flow(sparse, datetime.date(2025, 3, 4)) is None
    assert leaks.intervals_of_index(
        [
            (at("2025-03-04", "02:00"), 10.0),
            (at("2025-03-04", "03:00"), 10.004),
            (at("2025-03-04", "04:00"), 1.0),
        ],
        1000.0,
    ) == [(at("2025-03-04", "02:00"), at("2025-03-04", "03:00"), pytest.approx(4.0))]


def test_three_consecutive_nights_with_flow_raise_a_suspicion(meter, commune_a):
    """Nights 4, 5, 6 March flow at 2 L/h: a run of three; the night without readings breaks the
    run still going."""
    report = leaks.compute(commune_a, WEEK_10, now=AFTER, required=3)
    [found] = report.meters
    assert [night.minimum_flow for night in found.nights] == [0.0, 2.0, 2.0, 2.0, 0.0, 3.0, None]
    assert found.runs == (3, 0)
    assert found.is_suspected
    assert (found.measured_nights, found.nights_with_flow) == (6, 4)
    stricter = leaks.compute(commune_a, WEEK_10, now=AFTER, required=4)
    assert not stricter.meters[0].is_suspected
    document = leaks.document(report, with_charts=False)
    row = document.sections[0].tables[0].rows[0]
    assert row == ["Compteur d'eau école", "École", "6 / 7", "4", "3", "0", "3,0", "Oui"]


def test_nights_not_over_yet_are_not_counted(meter, commune_a):
    """On 6 March at 04:00, the nights of the 3rd, 4th and 5th are over; the 6th is not."""
    report = leaks.compute(commune_a, WEEK_10, now=at("2025-03-06", "04:00"))
    assert [night.day.day for night in report.meters[0].nights] == [3, 4, 5]
    assert report.meters[0].runs == (2, 2)
    assert not report.meters[0].is_suspected


def _uplink(device, received_at, decoded, key):
    return Uplink.objects.create(
        commune=device.commune,
        device=device,
        dev_eui=device.dev_eui,
        source="chirpstack",
        dedup_key=key,
        received_at=received_at,
        decoded=decoded,
        status=UplinkStatus.STORED,
    )


def test_the_meters_own_leak_and_burst_flags_are_listed(commune_a, commune_b):
    """A Qalcosonic frame with the leakage flag and one with burst are listed; a frame without
    flags, one outside the period and one of another commune are not."""
    meter = make_device(commune_a, {"volume": "m³"}, "Compteur Qalcosonic", building="Stade")
    other = make_device(commune_b, {"volume": "m³"}, "Compteur B", building="Stade")
    readings(meter, "volume", [(at("2025-03-04", "06:00"), 12.5)])
    readings(other, "volume", [(at("2025-03-04", "06:00"), 12.5)])
    flags = {"leakage": False, "burst": False, "backflow": False, "low_battery": False}
    _uplink(meter, at("2025-03-04", "06:00"), {**flags, "leakage": True}, "a")
    _uplink(meter, at("2025-03-05", "06:00"), {**flags, "burst": True}, "b")
    _uplink(meter, at("2025-03-06", "06:00"), flags, "c")
    _uplink(meter, at("2025-02-06", "06:00"), {**flags, "leakage": True}, "d")
    _uplink(other, at("2025-03-04", "06:00"), {**flags, "leakage": True}, "e")
    report = leaks.compute(commune_a, WEEK_10, now=AFTER)
    [found] = report.meters
    assert [(alarm.time, alarm.kinds) for alarm in found.alarms] == [
        (at("2025-03-04", "06:00"), ("leakage",)),
        (at("2025-03-05", "06:00"), ("burst",)),
    ]
    rows = leaks.document(report, with_charts=False).sections[1].tables[0].rows
    assert rows == [
        ["Compteur Qalcosonic", "Stade", "04/03/2025 06:00", "fuite"],
        ["Compteur Qalcosonic", "Stade", "05/03/2025 06:00", "rupture de canalisation"],
    ]


def test_flags_sent_as_measurements_count_too(commune_a):
    """A meter sending ``leakage`` as a number above zero (SenML) raises an alarm."""
    meter = make_device(commune_a, {"volume": "m3", "leakage": ""}, "Compteur SenML")
    readings(meter, "volume", [(at("2025-03-04", "03:00"), 3.0)])
    readings(meter, "leakage", [(at("2025-03-04", "03:00"), 1.0), (at("2025-03-05", "03:00"), 0.0)])
    [found] = leaks.compute(commune_a, WEEK_10, now=AFTER).meters
    assert [(alarm.time, alarm.kinds) for alarm in found.alarms] == [
        (at("2025-03-04", "03:00"), ("leakage",))
    ]
