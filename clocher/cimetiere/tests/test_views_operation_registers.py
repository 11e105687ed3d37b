"""Urn removal, ash scattering and ossuary forms: each writes its operation and its register."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.cimetiere.models import (
    AshScatteringEntry,
    Container,
    Operation,
    OperationKind,
    OssuaryEntry,
    PlotKind,
)
from clocher.cimetiere.tests.factories import BurialFactory, PlotFactory
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


def _niche_with_urn(commune):
    niche = PlotFactory.create(section__cemetery__commune=commune, kind=PlotKind.COLUMBARIUM_NICHE)
    return niche, BurialFactory.create(plot=niche, container=Container.URN)


def test_ash_scattering_form_writes_the_register_and_empties_the_niche(commune_a, agent_a):
    """Ashes of a niche's urn scattered in the garden."""
    niche, urn = _niche_with_urn(commune_a)
    garden = PlotFactory.create(
        section__cemetery__commune=commune_a, kind=PlotKind.SCATTERING_GARDEN
    )
    response = signed_in_client(agent_a).post(
        reverse("staff:cimetiere:ash-scattering-create", args=[commune_a.slug, niche.pk]),
        {
            "burial": urn.pk,
            "scattered_on": "2025-05-02",
            "garden": garden.pk,
            "requested_by": "Marc LEROY",
        },
    )
    assert response.status_code == 302
    entry = AshScatteringEntry.objects.get()
    urn.refresh_from_db()
    assert (entry.deceased, entry.in_nature, urn.is_present) == (urn.deceased, False, False)


def test_ash_scattering_form_without_garden_or_nature_is_a_field_error(commune_a, agent_a):
    """Neither a garden nor « in nature »: the garden field says so."""
    niche, urn = _niche_with_urn(commune_a)
    response = signed_in_client(agent_a).post(
        reverse("staff:cimetiere:ash-scattering-create", args=[commune_a.slug, niche.pk]),
        {"burial": urn.pk, "scattered_on": "2025-05-02", "requested_by": "Marc LEROY"},
    )
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["garden"]
    assert AshScatteringEntry.objects.count() == 0


def test_urn_removal_form_records_the_operation(commune_a, agent_a, elected_a):
    """The urn leaves the niche with the relative's request and the mayor's authorisation."""
    niche, urn = _niche_with_urn(commune_a)
    response = signed_in_client(agent_a).post(
        reverse("staff:cimetiere:urn-removal-create", args=[commune_a.slug, niche.pk]),
        {
            "burial": urn.pk,
            "requested_by": "Anne PETIT",
            "requester_relationship": "fille",
            "sworn_statement_received": "on",
            "authorised_by": elected_a.pk,
            "authorised_on": "2025-01-02",
            "performed_on": "2025-01-10",
            "attended_by": "Anne PETIT",
            "destination": "Remise à la famille",
        },
    )
    assert response.status_code == 302
    assert Operation.objects.get().kind == OperationKind.URN_REMOVAL


def test_ossuary_form_writes_the_register_without_remains(commune_a, agent_a, elected_a):
    """« No remains found » still writes the name in the ossuary register."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a)
    burial = BurialFactory.create(plot=plot)
    response = signed_in_client(agent_a).post(
        reverse("staff:cimetiere:ossuary-move-create", args=[commune_a.slug, plot.pk]),
        {"burial": burial.pk, "moved_on": "2025-06-01", "authorised_by": elected_a.pk},
    )
    assert response.status_code == 302
    entry = OssuaryEntry.objects.get()
    assert (entry.deceased, entry.remains_found) == (burial.deceased, False)
