"""The concession page: holders and beneficiaries decrypted, renewals, legal dates, burials."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from clocher.cimetiere.models import (
    Beneficiary,
    ConcessionKind,
    ConcessionRenewal,
    Holder,
)
from clocher.cimetiere.tests.factories import BurialFactory, ConcessionFactory, PlotFactory
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


def test_concession_page_shows_people_renewals_and_dates(commune_a, agent_a):
    """The holder's sealed name and address are shown in clear to the commune's agent."""
    concession = ConcessionFactory.create(
        plot=PlotFactory.create(section__cemetery__commune=commune_a),
        number="C-12",
        kind=ConcessionKind.FIFTY_YEARS,
        act_date=datetime.date(1960, 4, 1),
    )
    Holder.objects.create(
        commune=commune_a, concession=concession, full_name="Paul MARTIN", address="2 rue Basse"
    )
    Beneficiary.objects.create(
        commune=commune_a, concession=concession, full_name="Lucie MARTIN", relationship="fille"
    )
    ConcessionRenewal.objects.create(
        commune=commune_a,
        concession=concession,
        decided_on=datetime.date(2009, 12, 1),
        period_start=datetime.date(2010, 4, 1),
        kind=ConcessionKind.THIRTY_YEARS,
    )
    BurialFactory.create(plot=concession.plot, concession=concession)
    response = signed_in_client(agent_a).get(
        reverse("staff:cimetiere:concession", args=[commune_a.slug, concession.pk])
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Paul MARTIN" in content and "2 rue Basse" in content
    assert "Lucie MARTIN — fille" in content
    assert "nouvelle période trentenaire à partir du 1 avril 2010" in content
    assert "1 avril 2040" in content  # renewed for 30 years from the previous expiry
    assert response.context["clock"].expires_on == datetime.date(2040, 4, 1)


def test_operator_staff_reading_holders_is_journaled_for_the_commune(commune_a, operator_admin):
    """Operator staff see the holder, and the read goes to the commune's access journal."""
    from clocher.core.models.audit import AuditAction, AuditEntry

    concession = ConcessionFactory.create(
        plot=PlotFactory.create(section__cemetery__commune=commune_a)
    )
    Holder.objects.create(commune=commune_a, concession=concession, full_name="Paul MARTIN")
    response = signed_in_client(operator_admin).get(
        reverse("staff:cimetiere:concession", args=[commune_a.slug, concession.pk])
    )
    assert "Paul MARTIN" in response.content.decode()
    reads = AuditEntry.objects.filter(
        commune=commune_a, action=AuditAction.PERSONAL_DATA_READ, actor=operator_admin
    )
    assert reads.count() == 1
