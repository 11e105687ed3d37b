"""Commune settings: the town hall's details, changed by its admin and journaled."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.core.models import AuditEntry
from clocher.core.models.audit import AuditAction
from clocher.core.testing.clients import signed_in_client
from clocher.tenancy.models import Commune

pytestmark = pytest.mark.django_db

VALID = {
    "address": "2 place de l'Église\n21410 Agey",
    "phone": "03 80 00 00 01",
    "email": "mairie@agey.test",
    "opening_hours": "Mardi 14 h – 18 h",
    "population": "312",
}


def _url(commune):
    return reverse("staff:backoffice:settings", kwargs={"commune_slug": commune.slug})


def test_form_shows_current_values(commune_a, admin_a):
    """GET pre-fills the form with the commune's details."""
    response = signed_in_client(admin_a).get(_url(commune_a))
    assert response.status_code == 200
    assert response.context["form"].initial["population"] == 500


def test_admin_updates_details_and_it_is_journaled(commune_a, admin_a):
    """A valid POST saves every field and writes COMMUNE_UPDATED with the changed fields."""
    response = signed_in_client(admin_a).post(_url(commune_a), VALID)
    assert response.status_code == 302
    commune = Commune.objects.get(pk=commune_a.pk)
    assert (
        commune.address,
        commune.phone,
        commune.email,
        commune.opening_hours,
        commune.population,
    ) == (VALID["address"], VALID["phone"], VALID["email"], VALID["opening_hours"], 312)
    entry = AuditEntry.objects.get(action=AuditAction.COMMUNE_UPDATED)
    assert entry.commune_id == commune_a.pk
    assert entry.actor_id == admin_a.pk
    assert sorted(entry.data["fields"]) == [
        "address",
        "email",
        "opening_hours",
        "phone",
        "population",
    ]


def test_bad_input_is_tied_to_fields_and_kept(commune_a, admin_a):
    """A bad e-mail and a negative population: errors on their fields, input kept, nothing saved."""
    response = signed_in_client(admin_a).post(
        _url(commune_a), {**VALID, "email": "mairie@", "population": "-3"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"email", "population"}
    assert 'value="mairie@"' in content
    assert 'href="#id_email"' in content
    assert Commune.objects.get(pk=commune_a.pk).email == ""
    assert not AuditEntry.objects.filter(action=AuditAction.COMMUNE_UPDATED).exists()


def test_denied_post_changes_nothing(commune_a, agent_a):
    """An agent posting the settings gets 403 and the commune is unchanged."""
    response = signed_in_client(agent_a).post(_url(commune_a), VALID)
    assert response.status_code == 403
    assert Commune.objects.get(pk=commune_a.pk).phone == ""
    assert not AuditEntry.objects.filter(action=AuditAction.COMMUNE_UPDATED).exists()
