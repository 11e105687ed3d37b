"""Repossession after expiry (L2223-15): only from two full years after expiry; history stays."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from clocher.cimetiere.legal_clock import add_months, add_years
from clocher.cimetiere.models import Concession, ConcessionEndReason
from clocher.cimetiere.tests.factories import ConcessionFactory, PlotFactory
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


def _concession(commune, *, expires_in_months):
    today = timezone.localdate()
    return ConcessionFactory.create(
        plot=PlotFactory.create(section__cemetery__commune=commune),
        number="C-7",
        act_date=add_years(add_months(today, expires_in_months), -30),
    )


def _url(name, commune, concession):
    return reverse(
        f"staff:cimetiere:{name}",
        kwargs={"commune_slug": commune.slug, "concession": concession.pk},
    )


def test_repossession_ends_the_concession_and_keeps_it_in_history(commune_a, agent_a):
    """Once repossessable, a confirmed repossession ends it; the plot page still lists it."""
    concession = _concession(commune_a, expires_in_months=-30)
    client = signed_in_client(agent_a)
    assert (
        _url("concession-end", commune_a, concession)
        in client.get(_url("concession", commune_a, concession)).content.decode()
    )
    response = client.post(
        _url("concession-end", commune_a, concession),
        {"on": timezone.localdate().isoformat(), "confirm": "on"},
    )
    assert response.status_code == 302
    concession.refresh_from_db()
    assert concession.ended_on == timezone.localdate()
    assert concession.end_reason == ConcessionEndReason.REPOSSESSED_AFTER_EXPIRY
    plot_page = client.get(response["Location"]).content.decode()
    assert "Concession n° C-7" in plot_page
    assert "Reprise après expiration" in plot_page


def test_repossession_needs_confirmation(commune_a, agent_a):
    """Without the confirmation box nothing is written."""
    concession = _concession(commune_a, expires_in_months=-30)
    response = signed_in_client(agent_a).post(
        _url("concession-end", commune_a, concession), {"on": timezone.localdate().isoformat()}
    )
    assert response.context["form"].errors["confirm"] == [
        "Cochez la case pour confirmer la reprise."
    ]
    assert Concession.objects.get().ended_on is None


def test_repossession_during_the_window_is_refused(commune_a, agent_a):
    """Within two years of expiry the page explains why and a POST writes nothing."""
    concession = _concession(commune_a, expires_in_months=-6)
    client = signed_in_client(agent_a)
    page = client.get(_url("concession-end", commune_a, concession)).content.decode()
    assert "Reprise impossible avant le" in page
    assert (
        _url("concession-end", commune_a, concession)
        not in client.get(_url("concession", commune_a, concession)).content.decode()
    )
    response = client.post(
        _url("concession-end", commune_a, concession),
        {"on": timezone.localdate().isoformat(), "confirm": "on"},
    )
    [error] = response.context["form"].errors["on"]
    assert error.startswith("Reprise impossible avant le ")
    assert error.endswith("deux années entières pour renouveler (L2223-15).")
    assert Concession.objects.get().ended_on is None
