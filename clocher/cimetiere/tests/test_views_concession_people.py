"""Holders' contact details and beneficiaries declared by a holder, from the concession page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from clocher.cimetiere.models import Beneficiary, ConcessionEndReason, Holder
from clocher.cimetiere.tests.factories import ConcessionFactory, PlotFactory
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def concession(commune_a):
    return ConcessionFactory.create(plot=PlotFactory.create(section__cemetery__commune=commune_a))


def _url(name, commune, **kwargs):
    return reverse(f"staff:cimetiere:{name}", kwargs={"commune_slug": commune.slug, **kwargs})


def test_holder_edit_updates_sealed_contact_details(commune_a, agent_a, concession):
    """The edit form is filled with the decrypted details and saves the new ones."""
    holder = Holder.objects.create(
        commune=commune_a, concession=concession, full_name="Paul MARTIN", phone="0102"
    )
    client = signed_in_client(agent_a)
    page = client.get(_url("concession", commune_a, concession=concession.pk)).content.decode()
    assert _url("concession-holder-edit", commune_a, holder=holder.pk) in page
    form = client.get(_url("concession-holder-edit", commune_a, holder=holder.pk)).context["form"]
    assert form["full_name"].value() == "Paul MARTIN"
    response = client.post(
        _url("concession-holder-edit", commune_a, holder=holder.pk),
        {"full_name": "Paul MARTIN", "address": "4 place de l'Église", "phone": "0607"},
    )
    assert response.status_code == 302
    holder.refresh_from_db()
    assert (holder.address, holder.phone, holder.email) == ("4 place de l'Église", "0607", "")
    assert Holder.objects.count() == 1


def test_holder_edit_keeps_typed_values_on_error(commune_a, agent_a, concession):
    """An invalid e-mail is shown on its field and nothing changes."""
    holder = Holder.objects.create(commune=commune_a, concession=concession, full_name="Paul")
    response = signed_in_client(agent_a).post(
        _url("concession-holder-edit", commune_a, holder=holder.pk),
        {"full_name": "Paul MARTIN", "email": "faux"},
    )
    assert response.context["form"].errors["email"] == ["Adresse électronique invalide."]
    assert "Paul MARTIN" in response.content.decode()
    holder.refresh_from_db()
    assert holder.full_name == "Paul"


def test_holder_add_appends_a_holder(commune_a, agent_a, concession):
    """A co-holder named in the act is added after the others."""
    Holder.objects.create(commune=commune_a, concession=concession, full_name="Paul MARTIN")
    signed_in_client(agent_a).post(
        _url("concession-holder-add", commune_a, concession=concession.pk),
        {"full_name": "Anne MARTIN"},
    )
    assert [h.full_name for h in Holder.objects.filter(concession=concession)] == [
        "Paul MARTIN",
        "Anne MARTIN",
    ]


def test_beneficiary_add_records_name_and_relationship(commune_a, agent_a, concession):
    """A beneficiary declared by a holder is recorded and shown on the concession page."""
    client = signed_in_client(agent_a)
    response = client.post(
        _url("concession-beneficiary-add", commune_a, concession=concession.pk),
        {"full_name": "Lucie MARTIN", "relationship": "fille"},
    )
    assert response.status_code == 302
    beneficiary = Beneficiary.objects.get()
    assert (beneficiary.full_name, beneficiary.relationship) == ("Lucie MARTIN", "fille")
    assert "Lucie MARTIN" in client.get(response["Location"]).content.decode()


def test_beneficiary_on_ended_concession_is_refused(commune_a, agent_a, concession):
    """No beneficiary can be declared on an ended concession; nothing is written."""
    concession.ended_on = datetime.date(2020, 1, 1)
    concession.end_reason = ConcessionEndReason.RETROCEDED
    concession.save()
    response = signed_in_client(agent_a).post(
        _url("concession-beneficiary-add", commune_a, concession=concession.pk),
        {"full_name": "Lucie MARTIN"},
    )
    assert response.context["form"].non_field_errors() == [
        "Cette concession a pris fin : on ne peut plus y déclarer d'ayant droit."
    ]
    assert Beneficiary.objects.count() == 0


def test_holder_of_another_concession_cannot_be_reached_through_this_one(commune_a, agent_a):
    """A holder is addressed by its own URL object, resolved in the commune."""
    other = ConcessionFactory.create(plot=PlotFactory.create(section__cemetery__commune=commune_a))
    holder = Holder.objects.create(commune=commune_a, concession=other, full_name="Zoé")
    response = signed_in_client(agent_a).get(
        _url("concession-holder-edit", commune_a, holder=holder.pk)
    )
    assert response.context["concession"] == other
