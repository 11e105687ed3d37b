"""Capacity forecast: places available, places coming back, burial rate, year the cemetery fills."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clocher.cimetiere.forecast import cemetery_forecasts
from clocher.cimetiere.models import (
    Burial,
    Cemetery,
    Concession,
    ConcessionKind,
    ConcessionRenewal,
    Deceased,
    Plot,
    PlotKind,
    Section,
)
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)


def _cemetery(commune, name="Cimetière communal"):
    cemetery = Cemetery.objects.create(commune=commune, name=name)
    section = Section.objects.create(commune=commune, cemetery=cemetery, name="A")
    return cemetery, section


def _plot(section, number, kind=PlotKind.CONCESSION_GROUND, capacity=2):
    return Plot.objects.create(
        commune=section.commune,
        cemetery=section.cemetery,
        section=section,
        number=number,
        kind=kind,
        capacity=capacity,
    )


def _bury(plot, day, concession=None):
    deceased = Deceased.objects.create(commune=plot.commune, last_name=f"Défunt {plot.number}")
    Burial.objects.create(
        commune=plot.commune, deceased=deceased, plot=plot, concession=concession, buried_on=day
    )


def _concession(plot, act_date):
    return Concession.objects.create(
        commune=plot.commune, plot=plot, act_date=act_date, kind=ConcessionKind.THIRTY_YEARS
    )


@pytest.fixture
def village_cemetery(commune_a):
    cemetery, section = _cemetery(commune_a)
    _plot(section, "1")  # free: 2 places
    _bury(_plot(section, "2"), datetime.date(1990, 1, 1))  # occupied without a known concession
    _bury(_plot(section, "3", PlotKind.COMMON_GROUND, 1), datetime.date(2019, 1, 1))  # reusable
    _bury(_plot(section, "4", PlotKind.COMMON_GROUND, 1), datetime.date(2024, 3, 1))  # 2029
    _concession(_plot(section, "5"), datetime.date(1994, 3, 1))  # repossessable since 2026-03-01
    p6 = _plot(section, "6")
    _bury(p6, datetime.date(2021, 8, 1), _concession(p6, datetime.date(2000, 1, 10)))
    p7 = _plot(section, "7")
    renewed = _concession(p7, datetime.date(1990, 5, 1))
    ConcessionRenewal.objects.create(
        commune=commune_a,
        concession=renewed,
        decided_on=datetime.date(2020, 4, 1),
        period_start=datetime.date(2020, 5, 1),
        kind=ConcessionKind.THIRTY_YEARS,
    )
    _bury(p7, datetime.date(2022, 5, 1), renewed)
    _bury(p7, datetime.date(2023, 7, 1), renewed)
    _plot(section, "Ossuaire", PlotKind.OSSUARY, 50)  # holds no place
    return cemetery


def test_forecast_counts_places_rate_and_the_year_it_fills(commune_a, village_cemetery):
    """12 places, 5 available, 0.8 burials a year, half the expiries renewed: full in 2034."""
    (forecast,) = cemetery_forecasts(commune_a, today=TODAY)
    assert forecast.places_total == 12
    assert forecast.places_available == 5
    assert forecast.burials_per_year == pytest.approx(0.8)
    assert forecast.renewal_rate == pytest.approx(0.5)
    assert forecast.freed_by_year == {2029: 1.0, 2032: 1.0, 2052: 1.0}
    assert forecast.freed_within(10, today=TODAY) == pytest.approx(2.0)
    assert forecast.full_in_year == 2034


def test_forecast_without_recent_burials_never_fills(commune_a):
    """A cemetery with no burial in the last five years is not filling up."""
    _, section = _cemetery(commune_a, "Ancien cimetière")
    _bury(_plot(section, "1"), datetime.date(1980, 1, 1))
    (forecast,) = cemetery_forecasts(commune_a, today=TODAY)
    assert (forecast.is_filling, forecast.full_in_year, forecast.renewal_rate) == (
        False,
        None,
        None,
    )


def test_forecast_assumes_every_concession_renewed_without_history(commune_a):
    """With no decided expiry in the window, no place is counted on a future expiry."""
    _, section = _cemetery(commune_a)
    plot = _plot(section, "1")
    _bury(plot, datetime.date(2025, 1, 1), _concession(plot, datetime.date(2010, 1, 1)))
    (forecast,) = cemetery_forecasts(commune_a, today=TODAY)
    assert forecast.renewal_rate is None
    assert forecast.freed_by_year == {2042: 0.0}


def test_forecast_page_shows_each_cemetery(
    commune_a, agent_a, village_cemetery, django_assert_max_num_queries
):
    """An agent reads the forecast as a table, in a bounded number of queries."""
    client = signed_in_client(agent_a)
    url = reverse("staff:cimetiere:forecast", kwargs={"commune_slug": commune_a.slug})
    with django_assert_max_num_queries(25):
        response = client.get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert '<caption id="forecast-caption">' in content and "Cimetière communal" in content
    (expected,) = cemetery_forecasts(commune_a, today=timezone.localdate())
    assert expected.full_in_year is not None
    assert f"{expected.full_in_year} (dans" in content


def test_forecast_page_needs_a_signed_in_member(client, commune_a):
    """Anonymous visitors are sent to the sign-in page."""
    url = reverse("staff:cimetiere:forecast", kwargs={"commune_slug": commune_a.slug})
    response = client.get(url)
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]
