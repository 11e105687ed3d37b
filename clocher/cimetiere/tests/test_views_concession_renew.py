"""Renewing a concession (L2223-15): new period from the previous expiry, refusals shown."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clocher.cimetiere.legal_clock import add_months, add_years
from clocher.cimetiere.models import ConcessionKind, ConcessionRenewal, Holder, PlotKind, Tariff
from clocher.cimetiere.tests.factories import ConcessionFactory, PlotFactory
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


def _concession(commune, *, expires_in_months, kind=ConcessionKind.THIRTY_YEARS):
    today = timezone.localdate()
    concession = ConcessionFactory.create(
        plot=PlotFactory.create(section__cemetery__commune=commune),
        number="C-30",
        kind=kind,
        act_date=add_years(add_months(today, expires_in_months), -30),
    )
    Holder.objects.create(commune=commune, concession=concession, full_name="Paul MARTIN")
    return concession


def _url(name, commune, concession):
    return reverse(
        f"staff:cimetiere:{name}",
        kwargs={"commune_slug": commune.slug, "concession": concession.pk},
    )


def test_renew_page_shows_dates_tariff_and_who_may_ask(commune_a, agent_a):
    """The page shows expiry, window end, new period, tariff and that the holder stays."""
    concession = _concession(commune_a, expires_in_months=3)
    Tariff.objects.create(
        commune=commune_a,
        plot_kind=PlotKind.CONCESSION_GROUND,
        kind=ConcessionKind.THIRTY_YEARS,
        price=Decimal("480.00"),
        valid_from=datetime.date(2020, 1, 1),
        deliberation_reference="DCM-2020-3",
    )
    response = signed_in_client(agent_a).get(_url("concession-renew", commune_a, concession))
    text = response.content.decode()
    assert response.status_code == 200
    assert "480,00 €" in text or "480.00 €" in text
    assert "DCM-2020-3" in text
    assert "Renouvelable jusqu&#x27;au" in text or "Renouvelable jusqu'au" in text
    assert "le nom du titulaire de la concession ne change pas" in text
    assert "Paul MARTIN" in text


def test_renewal_starts_at_the_previous_expiry(commune_a, agent_a):
    """A renewal decided today starts at the previous expiry, whatever today is."""
    concession = _concession(commune_a, expires_in_months=3)
    today = timezone.localdate()
    expiry = add_months(today, 3)
    response = signed_in_client(agent_a).post(
        _url("concession-renew", commune_a, concession),
        {
            "kind": "thirty_years",
            "requested_by": "Lucie MARTIN",
            "requester_relationship": "petite-fille",
            "decided_on": today.isoformat(),
        },
    )
    assert response.status_code == 302
    renewal = ConcessionRenewal.objects.get(concession=concession)
    assert renewal.period_start == expiry
    assert renewal.decided_on == today
    assert renewal.requested_by == "Lucie MARTIN"
    assert renewal.recorded_by == agent_a
    assert [h.full_name for h in Holder.objects.filter(concession=concession)] == ["Paul MARTIN"]


def test_too_early_is_refused_on_the_decision_date(commune_a, agent_a):
    """More than 12 months before expiry the renewal is refused; nothing is written."""
    concession = _concession(commune_a, expires_in_months=30)
    client = signed_in_client(agent_a)
    assert (
        "Trop tôt pour renouveler"
        in client.get(_url("concession-renew", commune_a, concession)).content.decode()
    )
    response = client.post(
        _url("concession-renew", commune_a, concession),
        {"kind": "thirty_years", "decided_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200
    [error] = response.context["form"].errors["decided_on"]
    assert error.startswith("Trop tôt pour renouveler : la concession expire le ")
    assert error.endswith("(L2223-15).")
    assert ConcessionRenewal.objects.count() == 0


def test_too_late_is_refused(commune_a, agent_a):
    """After the two-year window the renewal is refused; nothing is written."""
    concession = _concession(commune_a, expires_in_months=-30)
    response = signed_in_client(agent_a).post(
        _url("concession-renew", commune_a, concession),
        {"kind": "thirty_years", "decided_on": timezone.localdate().isoformat()},
    )
    [error] = response.context["form"].errors["decided_on"]
    assert error.startswith("Trop tard pour renouveler : le délai de deux ans après l'échéance")
    assert ConcessionRenewal.objects.count() == 0


def test_perpetual_is_refused(commune_a, agent_a):
    """A perpetual concession does not renew: the page says so and offers no form."""
    concession = _concession(commune_a, expires_in_months=0, kind=ConcessionKind.PERPETUAL)
    client = signed_in_client(agent_a)
    response = client.get(_url("concession-renew", commune_a, concession))
    assert (
        "Une concession perpétuelle n&#x27;expire pas : elle ne se renouvelle pas (L2223-14)."
        in response.content.decode()
    )
    assert 'name="decided_on"' not in response.content.decode()
    response = client.post(
        _url("concession-renew", commune_a, concession),
        {"kind": "thirty_years", "decided_on": timezone.localdate().isoformat()},
    )
    assert response.context["form"].non_field_errors() == [
        "Une concession perpétuelle n'expire pas : elle ne se renouvelle pas (L2223-14)."
    ]
    assert ConcessionRenewal.objects.count() == 0


def test_concession_page_links_renewal_and_letter_when_expiring(commune_a, agent_a):
    """An expiring concession offers the renewal and the letter; a young one neither."""
    client = signed_in_client(agent_a)
    expiring = _concession(commune_a, expires_in_months=3)
    young = _concession(commune_a, expires_in_months=200)
    for concession, offered in ((expiring, True), (young, False)):
        text = client.get(_url("concession", commune_a, concession)).content.decode()
        assert (_url("concession-renew", commune_a, concession) in text) is offered
        assert (_url("document-renewal-letter", commune_a, concession) in text) is offered
