"""Legal clock: expiry, expiring, renewal window and repossession dates on their boundaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from clocher.cimetiere.legal_clock import ConcessionState, add_years, concession_clock
from clocher.cimetiere.models import ConcessionKind, ConcessionRenewal
from clocher.cimetiere.tests.factories import ConcessionFactory

pytestmark = pytest.mark.django_db


def _clock(concession, today):
    return concession_clock(concession, today=today, burials=[], renewals=[])


def test_thirty_year_dates(commune_a):
    """A 30-year concession of 15/05/2000 expires on 15/05/2030, repossessable from 15/05/2032."""
    concession = ConcessionFactory.create(plot__section__cemetery__commune=commune_a)
    clock = _clock(concession, date(2020, 1, 1))
    assert clock.expires_on == date(2030, 5, 15)
    assert clock.renewal_window_ends_on == date(2032, 5, 14)
    assert clock.repossessable_from == date(2032, 5, 15)
    assert clock.state == ConcessionState.ACTIVE


def test_expiring_starts_twelve_months_before_expiry(commune_a):
    """Active the day before the 12-month mark, expiring on it."""
    concession = ConcessionFactory.create(plot__section__cemetery__commune=commune_a)
    assert _clock(concession, date(2029, 5, 14)).state == ConcessionState.ACTIVE
    assert _clock(concession, date(2029, 5, 15)).state == ConcessionState.EXPIRING


def test_expiry_day_opens_the_renewal_window(commune_a):
    """Expiring the day before expiry; in the renewal window on the expiry day."""
    concession = ConcessionFactory.create(plot__section__cemetery__commune=commune_a)
    assert _clock(concession, date(2030, 5, 14)).state == ConcessionState.EXPIRING
    assert _clock(concession, date(2030, 5, 15)).state == ConcessionState.RENEWAL_WINDOW


def test_repossessable_after_two_full_years(commune_a):
    """Still in the window on its last day; repossessable the day after (L2223-15)."""
    concession = ConcessionFactory.create(plot__section__cemetery__commune=commune_a)
    assert _clock(concession, date(2032, 5, 14)).state == ConcessionState.RENEWAL_WINDOW
    assert _clock(concession, date(2032, 5, 15)).state == ConcessionState.REPOSSESSABLE


@pytest.mark.parametrize("years", [5, 10, 15])
def test_temporary_concession_durations(commune_a, years):
    """A temporary concession expires after its own duration."""
    concession = ConcessionFactory.create(
        plot__section__cemetery__commune=commune_a,
        kind=ConcessionKind.TEMPORARY,
        duration_years=years,
        act_date=date(2010, 3, 1),
    )
    expires = date(2010 + years, 3, 1)
    assert _clock(concession, date(2010, 3, 1)).expires_on == expires
    assert _clock(concession, expires - timedelta(days=1)).state == ConcessionState.EXPIRING
    assert _clock(concession, expires).state == ConcessionState.RENEWAL_WINDOW


def test_fifty_year_concession(commune_a):
    """A 50-year concession expires 50 years after its act."""
    concession = ConcessionFactory.create(
        plot__section__cemetery__commune=commune_a,
        kind=ConcessionKind.FIFTY_YEARS,
        act_date=date(1980, 7, 1),
    )
    assert _clock(concession, date(2020, 1, 1)).expires_on == date(2030, 7, 1)


def test_centenary_concession(commune_a):
    """An old centenary concession expires 100 years after its act."""
    concession = ConcessionFactory.create(
        plot__section__cemetery__commune=commune_a,
        kind=ConcessionKind.CENTENARY,
        act_date=date(1925, 11, 2),
    )
    clock = _clock(concession, date(2025, 11, 1))
    assert clock.expires_on == date(2025, 11, 2)
    assert clock.state == ConcessionState.EXPIRING
    assert _clock(concession, date(2025, 11, 2)).state == ConcessionState.RENEWAL_WINDOW


def test_perpetual_concession_never_expires(commune_a):
    """A perpetual concession has no expiry, window or repossession date, even after 200 years."""
    concession = ConcessionFactory.create(
        plot__section__cemetery__commune=commune_a,
        kind=ConcessionKind.PERPETUAL,
        act_date=date(1850, 1, 1),
    )
    clock = _clock(concession, date(2050, 1, 1))
    assert clock.state == ConcessionState.PERPETUAL
    assert clock.expires_on is None
    assert clock.renewal_window_ends_on is None
    assert clock.repossessable_from is None


def test_leap_day_act_in_a_common_year(commune_a):
    """An act of 29/02/2000 for 15 years expires on 28/02/2015 (no 29 February that year)."""
    concession = ConcessionFactory.create(
        plot__section__cemetery__commune=commune_a,
        kind=ConcessionKind.TEMPORARY,
        duration_years=15,
        act_date=date(2000, 2, 29),
    )
    clock = _clock(concession, date(2015, 2, 27))
    assert clock.expires_on == date(2015, 2, 28)
    assert clock.repossessable_from == date(2017, 2, 28)
    assert clock.state == ConcessionState.EXPIRING
    assert _clock(concession, date(2015, 2, 28)).state == ConcessionState.RENEWAL_WINDOW


def test_leap_day_act_in_a_leap_year(commune_a):
    """An act of 29/02/1996 for 30 years expires on 28/02/2026, and 12 years later on 29/02/2008."""
    concession = ConcessionFactory.create(
        plot__section__cemetery__commune=commune_a, act_date=date(1996, 2, 29)
    )
    assert _clock(concession, date(2020, 1, 1)).expires_on == date(2026, 2, 28)
    assert add_years(date(1996, 2, 29), 12) == date(2008, 2, 29)


def test_unknown_act_date_is_active_without_dates(commune_a):
    """Without an act date nothing can be computed: active, no dates."""
    concession = ConcessionFactory.create(plot__section__cemetery__commune=commune_a, act_date=None)
    clock = _clock(concession, date(2024, 1, 1))
    assert clock.state == ConcessionState.ACTIVE
    assert clock.expires_on is None


def test_ended_concession(commune_a):
    """A concession with ended_on is ended, whatever its dates."""
    concession = ConcessionFactory.create(
        plot__section__cemetery__commune=commune_a, ended_on=date(2024, 1, 1)
    )
    assert _clock(concession, date(2024, 6, 1)).state == ConcessionState.ENDED


def test_renewals_chain_from_each_expiry(commune_a):
    """Two renewals: each new period starts at the previous expiry, whatever the decision day."""
    concession = ConcessionFactory.create(
        plot__section__cemetery__commune=commune_a,
        kind=ConcessionKind.TEMPORARY,
        duration_years=15,
        act_date=date(1990, 4, 10),
    )
    first = ConcessionRenewal(
        decided_on=date(2006, 1, 5),
        period_start=date(2005, 4, 10),
        kind=ConcessionKind.THIRTY_YEARS,
    )
    second = ConcessionRenewal(
        decided_on=date(2034, 9, 1),
        period_start=date(2035, 4, 10),
        kind=ConcessionKind.TEMPORARY,
        duration_years=10,
    )
    clock = concession_clock(
        concession, today=date(2040, 1, 1), burials=[], renewals=[second, first]
    )
    assert clock.period_start == date(2035, 4, 10)
    assert clock.expires_on == date(2045, 4, 10)
    assert clock.state == ConcessionState.ACTIVE
