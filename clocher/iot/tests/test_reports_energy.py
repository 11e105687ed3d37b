"""Energy and water report: a month against the same month last year from the day roll-ups,
normalised by heating degree-days from an outdoor temperature sensor."""

from __future__ import annotations

import datetime

import pytest

from clocher.iot.reports import energy
from clocher.iot.reports.common import ReportPeriod
from clocher.iot.reports.energy import DELTA, INDEX, DayRollup, daily_consumption
from clocher.iot.tests.reports_support import at, make_device, readings

pytestmark = pytest.mark.django_db

MARCH_2025 = ReportPeriod.month(2025, 3)
AFTER = at("2025-04-10", "12:00")
LINKY = {"energy_base": "Wh", "current": "A"}
WATER = {"volume": "m3"}
TEMPERATURE = {"temperature": "°C", "humidity": "%"}


def _daily_temperatures(device, first: datetime.date, days: int, low: float, high: float):
    values = []
    for index in range(days):
        day = (first + datetime.timedelta(days=index)).isoformat()
        values += [(at(day, "06:00"), low), (at(day, "15:00"), high)]
    readings(device, "temperature", values)


@pytest.fixture
def town_hall(commune_a):
    """A Linky (Wh index) and a water meter (m³ index) at the town hall, both years."""
    linky = make_device(commune_a, LINKY, "Linky mairie", building="Mairie", site="Bourg")
    readings(
        linky,
        "energy_base",
        [
            (at("2024-02-29", "22:00"), 500_000.0),
            (at("2024-03-31", "20:00"), 580_000.0),
            (at("2025-02-28", "23:00"), 1_000_000.0),
            (at("2025-03-01", "12:00"), 1_010_000.0),
            (at("2025-03-15", "12:00"), 1_050_000.0),
            (at("2025-03-31", "20:00"), 1_100_000.0),
            (at("2025-04-01", "08:00"), 1_200_000.0),  # April: not counted
        ],
    )
    water = make_device(commune_a, WATER, "Compteur d'eau mairie", building="Mairie")
    readings(
        water,
        "volume",
        [
            (at("2024-02-29", "22:00"), 50.0),
            (at("2024-03-31", "20:00"), 70.0),
            (at("2025-02-28", "22:00"), 100.0),
            (at("2025-03-31", "20:00"), 130.0),
        ],
    )
    return linky, water


def test_index_and_delta_daily_consumption():
    """An index grows from the previous day's last value; after a reset (lower index) the day's
    own range counts; deltas are summed."""
    days = [
        DayRollup(datetime.date(2025, 3, 1), 100.0, 150.0, 250.0, 150.0),
        DayRollup(datetime.date(2025, 3, 2), 5.0, 20.0, 25.0, 20.0),
        DayRollup(datetime.date(2025, 3, 4), 26.0, 30.0, 56.0, 30.0),
    ]
    assert daily_consumption(days, INDEX, baseline=90.0) == {
        datetime.date(2025, 3, 1): 60.0,
        datetime.date(2025, 3, 2): 15.0,
        datetime.date(2025, 3, 4): 10.0,
    }
    assert daily_consumption(days, INDEX)[datetime.date(2025, 3, 1)] == 50.0
    assert daily_consumption(days, DELTA)[datetime.date(2025, 3, 2)] == 25.0


def test_degree_days_of_a_day():
    """DJU = max(0, 18 − (Tmin + Tmax) / 2)."""
    assert energy.degree_days(2.0, 10.0) == 12.0
    assert energy.degree_days(15.0, 25.0) == 0.0


def test_month_against_last_year_normalised_by_degree_days(town_hall, commune_a):
    """100 kWh against 80 kWh (+25 %); per degree-day 100/372 against 80/248 (−16,7 %); water
    30 m³ against 20 m³ (+50 %), not normalised."""
    outdoor = make_device(commune_a, TEMPERATURE, "Température extérieure", site="Bourg")
    _daily_temperatures(outdoor, datetime.date(2025, 3, 1), 31, 2.0, 10.0)
    _daily_temperatures(outdoor, datetime.date(2024, 3, 1), 31, 6.0, 14.0)
    report = energy.compute(commune_a, MARCH_2025, now=AFTER)
    assert not report.compared.is_partial
    [place] = report.places
    assert place.place == "Mairie"
    electricity, water = place.families["electricity"], place.families["water"]
    assert (electricity.current, electricity.previous) == pytest.approx((100.0, 80.0))
    assert electricity.variation == pytest.approx(0.25)
    assert (len(electricity.current_days), len(electricity.previous_days)) == (3, 1)
    assert (place.degree_days.current, place.degree_days.previous) == (372.0, 248.0)
    assert place.degree_days.sensor == outdoor
    assert place.degree_days.unavailable_reason == ""
    assert place.corrected_variation("electricity") == pytest.approx((100 / 372) / (80 / 248) - 1)
    assert (water.current, water.previous, water.variation) == pytest.approx((30.0, 20.0, 0.5))
    assert place.corrected_variation("water") is None
    document = energy.document(report, with_charts=False)
    rows = document.sections[0].tables[0].rows
    assert rows[0] == [
        "Mairie",
        "Électricité (kWh)",
        "100,0",
        "80,0",
        "+25,0 %",
        "3 / 1",
        "-16,7 %",
    ]
    assert rows[1][:5] == ["Mairie", "Eau (m³)", "30,0", "20,0", "+50,0 %"]
    assert rows[1][6] == "sans objet"


def test_no_outdoor_temperature_says_why(town_hall, commune_a):
    """An indoor sensor does not count as weather; without an outdoor one the page says so."""
    indoor = make_device(commune_a, TEMPERATURE, "Température salle du conseil", building="Mairie")
    _daily_temperatures(indoor, datetime.date(2025, 3, 1), 31, 19.0, 21.0)
    report = energy.compute(commune_a, MARCH_2025, now=AFTER)
    [place] = report.places
    assert place.degree_days.sensor is None
    assert "aucun capteur de température extérieure" in place.degree_days.unavailable_reason
    assert place.corrected_variation("electricity") is None
    document = energy.document(report, with_charts=False)
    assert document.sections[0].tables[0].rows[0][6] == "—"
    assert "aucun capteur de température extérieure" in document.text()


def test_incomplete_temperatures_prevent_normalising(town_hall, commune_a):
    """Ten days of outdoor temperature last year are not enough (90 % of the days needed)."""
    outdoor = make_device(commune_a, TEMPERATURE, "Station météo", site="Bourg")
    _daily_temperatures(outdoor, datetime.date(2025, 3, 1), 31, 2.0, 10.0)
    _daily_temperatures(outdoor, datetime.date(2024, 3, 1), 10, 6.0, 14.0)
    [place] = energy.compute(commune_a, MARCH_2025, now=AFTER).places
    assert "températures incomplètes (31 jours sur 31 cette année, 10 sur 31" in (
        place.degree_days.unavailable_reason
    )


def test_month_under_way_compares_the_same_complete_days(town_hall, commune_a):
    """On 16 March, 1–15 March 2025 is compared with 1–15 March 2024."""
    report = energy.compute(commune_a, MARCH_2025, now=at("2025-03-16", "09:00"))
    assert report.compared.is_partial
    assert len(report.compared.current) == len(report.compared.previous) == 15
    [place] = report.places
    electricity = place.families["electricity"]
    assert electricity.current == pytest.approx(50.0)  # 10 kWh on the 1st, 40 by the 15th
    assert electricity.previous_days == set()
    assert electricity.variation is None


def test_other_communes_and_household_meters_are_left_out(town_hall, commune_a, commune_b):
    """Commune B's meter and a household meter of A are not in A's report."""
    other = make_device(commune_b, WATER, "Compteur B", building="Mairie")
    readings(other, "volume", [(at("2025-03-02"), 1.0), (at("2025-03-20"), 900.0)])
    household = make_device(commune_a, WATER, "Compteur foyer", building="Mairie", is_personal=True)
    readings(household, "volume", [(at("2025-03-02"), 1.0), (at("2025-03-20"), 900.0)])
    report = energy.compute(commune_a, MARCH_2025, now=AFTER)
    assert {meter.device.name for meter in report.meters} == {
        "Linky mairie",
        "Compteur d'eau mairie",
    }
    assert report.places[0].families["water"].current == pytest.approx(30.0)
