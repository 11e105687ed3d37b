"""Decision reports, shared computations: periods, public holidays, time above a threshold,
least-squares slope, runs."""

from __future__ import annotations

import datetime

import pytest

from clocher.iot.reports.common import (
    ReportPeriod,
    easter_sunday,
    exposure_in_windows,
    least_squares_slope,
    longest_run,
    public_holidays,
)
from clocher.iot.tests.reports_support import at

HOUR = datetime.timedelta(hours=1)


def test_month_and_week_periods_have_paris_bounds_and_french_labels():
    """A month runs from Paris midnight of its first day to the next month's; weeks are ISO."""
    march = ReportPeriod.month(2025, 3)
    assert (march.start, march.end) == (at("2025-03-01"), at("2025-04-01"))
    assert march.label == "mars 2025"
    assert march.key == "2025-03"
    assert len(march.days()) == 31
    assert march.previous().key == "2025-02"
    assert ReportPeriod.month(2024, 12).following().key == "2025-01"
    assert march.same_month_last_year().key == "2024-03"
    week = ReportPeriod.week(2025, 10)
    assert (week.first_day, week.last_day) == (datetime.date(2025, 3, 3), datetime.date(2025, 3, 9))
    assert week.key == "2025-W10"
    assert week.label == "semaine 10 de 2025 (du 3 mars 2025 au 9 mars 2025)"
    assert ReportPeriod.week(2025, 1).previous().key == "2024-W52"
    with pytest.raises(ValueError):
        ReportPeriod.week(2021, 53)


def test_french_public_holidays_follow_easter():
    """Easter 2025 is 20 April: Easter Monday 21 April, Ascension 29 May, Whit Monday 9 June."""
    assert easter_sunday(2024) == datetime.date(2024, 3, 31)
    assert easter_sunday(2025) == datetime.date(2025, 4, 20)
    days = public_holidays(2025)
    assert len(days) == 11
    assert {
        datetime.date(2025, 4, 21),
        datetime.date(2025, 5, 29),
        datetime.date(2025, 6, 9),
        datetime.date(2025, 7, 14),
        datetime.date(2025, 11, 11),
    } <= days


def test_exposure_holds_each_reading_until_the_next_within_the_windows():
    """A reading before the window counts from its opening, one straddling the end up to the
    end, and a gap longer than the maximum hold is not measured."""
    window = (at("2025-03-03", "08:30"), at("2025-03-03", "16:30"))
    readings = [
        (at("2025-03-03", "08:00"), 600.0),
        (at("2025-03-03", "09:30"), 900.0),
        (at("2025-03-03", "11:00"), 1600.0),
        (at("2025-03-03", "12:00"), 700.0),  # held 3 h, then 1 h 20 unmeasured
        (at("2025-03-03", "16:20"), 1000.0),  # straddles 16:30: 10 minutes count
    ]
    [result] = exposure_in_windows(readings, [window], (800.0, 1500.0), max_hold=3 * HOUR)
    assert result.covered == 6 * 3600 + 40 * 60
    assert result.above == {800.0: 2 * 3600 + 40 * 60, 1500.0: 3600}
    assert result.maximum == 1600.0


def test_exposure_over_several_windows_and_none_outside_them():
    """Readings between windows (evening, weekend) count nowhere; each window gets its part."""
    windows = [
        (at("2025-03-03", "08:30"), at("2025-03-03", "16:30")),
        (at("2025-03-04", "08:30"), at("2025-03-04", "16:30")),
    ]
    readings = [
        (at("2025-03-03", "16:00"), 900.0),  # 30 min in the first window
        (at("2025-03-03", "20:00"), 2000.0),  # evening: held until 23:00 only
        (at("2025-03-04", "08:00"), 700.0),  # held until 11:00
    ]
    first, second = exposure_in_windows(readings, windows, (800.0,), max_hold=3 * HOUR)
    assert (first.covered, first.above[800.0]) == (1800, 1800)
    assert (second.covered, second.above[800.0], second.maximum) == (2.5 * 3600, 0, 700.0)
    assert exposure_in_windows([], windows, (800.0,), max_hold=HOUR)[0].covered == 0


def test_least_squares_slope_per_hour_and_runs():
    """Slope of exact points; fewer than two distinct times give None; runs of True."""
    start = at("2025-03-03", "00:00")
    points = [(start + HOUR * index, 10 + 2.5 * index) for index in range(4)]
    assert least_squares_slope(points) == (2.5, 10.0)
    assert least_squares_slope(points[:1]) is None
    assert least_squares_slope([points[0], points[0]]) is None
    assert longest_run([True, True, False, True, True, True, False]) == (3, 0)
    assert longest_run([False, True, True]) == (2, 2)
    assert longest_run([]) == (0, 0)
