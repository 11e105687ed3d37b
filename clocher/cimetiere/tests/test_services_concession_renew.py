"""concession_renew: within the legal window, from the previous expiry, at the tariff in force."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from clocher.cimetiere.legal_clock import ConcessionState, LegalRefusal, concession_clock
from clocher.cimetiere.models import ConcessionKind, ConcessionRenewal, Holder, PlotKind, Tariff
from clocher.cimetiere.services.concessions import concession_renew
from clocher.cimetiere.tests.factories import ConcessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def concession(commune_a):
    """A 30-year concession of 15/05/2000: expires 15/05/2030, window until 14/05/2032."""
    concession = ConcessionFactory.create(plot__section__cemetery__commune=commune_a)
    Holder.objects.create(commune=commune_a, concession=concession, full_name="Paul Roy")
    return concession


def _renew(commune, actor, concession, decided_on, **kwargs):
    return concession_renew(
        commune=commune, actor=actor, concession=concession, decided_on=decided_on, **kwargs
    )


def test_renewal_starts_at_the_previous_expiry(commune_a, agent_a, concession):
    """Renewed two months after expiry: the new period still starts at the expiry date."""
    Tariff.objects.create(
        commune=commune_a,
        plot_kind=PlotKind.CONCESSION_GROUND,
        kind=ConcessionKind.THIRTY_YEARS,
        price=Decimal("450.00"),
        valid_from=date(2020, 1, 1),
    )
    renewal = _renew(
        commune_a,
        agent_a,
        concession,
        date(2030, 7, 20),
        requested_by="Anne Roy",
        requester_relationship="petite-fille",
    )
    assert renewal.period_start == date(2030, 5, 15)
    assert renewal.kind == ConcessionKind.THIRTY_YEARS
    assert renewal.price_paid == Decimal("450.00")
    assert renewal.recorded_by == agent_a
    assert renewal.requested_by == "Anne Roy"
    clock = concession_clock(concession, today=date(2030, 7, 21))
    assert clock.expires_on == date(2060, 5, 15)
    assert clock.state == ConcessionState.ACTIVE
    assert [holder.full_name for holder in Holder.objects.filter(concession=concession)] == [
        "Paul Roy"
    ]


def test_renewal_opens_twelve_months_before_expiry(commune_a, agent_a, concession):
    """Refused the day before the 12-month mark, accepted on it."""
    with pytest.raises(LegalRefusal) as refusal:
        _renew(commune_a, agent_a, concession, date(2029, 5, 14))
    assert refusal.value.message == (
        "Trop tôt pour renouveler : la concession expire le 15/05/2030 ; le renouvellement est "
        "possible à partir du 15/05/2029 (L2223-15)."
    )
    assert ConcessionRenewal.objects.count() == 0
    assert _renew(commune_a, agent_a, concession, date(2029, 5, 15)).period_start == date(
        2030, 5, 15
    )


def test_renewal_closes_after_two_full_years(commune_a, agent_a, concession):
    """Accepted on the last day of the window, refused the day after."""
    with pytest.raises(LegalRefusal) as refusal:
        _renew(commune_a, agent_a, concession, date(2032, 5, 15))
    assert refusal.value.message == (
        "Trop tard pour renouveler : le délai de deux ans après l'échéance a pris fin le "
        "14/05/2032 ; la commune peut reprendre le terrain (L2223-15)."
    )
    assert ConcessionRenewal.objects.count() == 0
    assert _renew(commune_a, agent_a, concession, date(2032, 5, 14)).period_start == date(
        2030, 5, 15
    )


def test_renewals_chain(commune_a, agent_a):
    """A temporary concession renewed twice: each period starts at the previous expiry."""
    concession = ConcessionFactory.create(
        plot__section__cemetery__commune=commune_a,
        kind=ConcessionKind.TEMPORARY,
        duration_years=10,
        act_date=date(2004, 2, 29),
    )
    first = _renew(commune_a, agent_a, concession, date(2014, 1, 10))
    assert (first.period_start, first.kind, first.duration_years) == (
        date(2014, 2, 28),
        ConcessionKind.TEMPORARY,
        10,
    )
    second = _renew(
        commune_a, agent_a, concession, date(2024, 3, 1), kind=ConcessionKind.THIRTY_YEARS
    )
    assert second.period_start == date(2024, 2, 28)
    assert concession_clock(concession, today=date(2024, 3, 2)).expires_on == date(2054, 2, 28)


def test_perpetual_is_refused(commune_a, agent_a):
    """A perpetual concession is never renewed."""
    concession = ConcessionFactory.create(
        plot__section__cemetery__commune=commune_a, kind=ConcessionKind.PERPETUAL
    )
    with pytest.raises(LegalRefusal) as refusal:
        _renew(commune_a, agent_a, concession, date(2030, 1, 1))
    assert refusal.value.message == (
        "Une concession perpétuelle n'expire pas : elle ne se renouvelle pas (L2223-14)."
    )
    assert ConcessionRenewal.objects.count() == 0


def test_ended_is_refused(commune_a, agent_a):
    """An ended concession is never renewed."""
    concession = ConcessionFactory.create(
        plot__section__cemetery__commune=commune_a, ended_on=date(2029, 1, 1)
    )
    with pytest.raises(LegalRefusal) as refusal:
        _renew(commune_a, agent_a, concession, date(2030, 1, 1))
    assert (
        refusal.value.message == "Cette concession a pris fin : elle ne peut plus être renouvelée."
    )
    assert ConcessionRenewal.objects.count() == 0


def test_renewal_over_fifteen_years_temporary_is_refused(commune_a, agent_a, concession):
    """Renewing as a 20-year temporary concession is refused."""
    with pytest.raises(LegalRefusal):
        _renew(
            commune_a,
            agent_a,
            concession,
            date(2030, 1, 1),
            kind=ConcessionKind.TEMPORARY,
            duration_years=20,
        )
    assert ConcessionRenewal.objects.count() == 0


def test_unknown_act_date_is_refused(commune_a, agent_a):
    """Without an act date the expiry is unknown: refused with the reason."""
    concession = ConcessionFactory.create(plot__section__cemetery__commune=commune_a, act_date=None)
    with pytest.raises(LegalRefusal) as refusal:
        _renew(commune_a, agent_a, concession, date(2030, 1, 1))
    assert "date de l'acte inconnue" in refusal.value.message
