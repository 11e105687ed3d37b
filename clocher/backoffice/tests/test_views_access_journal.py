"""The access journal: what operator staff decrypted of the commune's personal data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.core import audit, vault
from clocher.core.context import acting_as
from clocher.core.models.audit import AuditAction
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


def _url(commune):
    return reverse("staff:backoffice:access-journal", kwargs={"commune_slug": commune.slug})


def test_operator_decryption_appears_with_person_place_and_date(commune_a, admin_a, operator_admin):
    """A decryption by operator staff is listed with who, what and when."""
    sealed = vault.seal(
        commune_a.pk, "jeanne@example.test", context="accounts.CitizenAccount.email"
    )
    with acting_as(operator_admin):
        vault.open_sealed(commune_a.pk, sealed, context="accounts.CitizenAccount.email")
    response = signed_in_client(admin_a).get(_url(commune_a))
    content = response.content.decode()
    assert response.status_code == 200
    assert [row["place"] for row in response.context["rows"]] == [
        "Compte d’un habitant — adresse e-mail"
    ]
    assert operator_admin.email in content
    assert '<th scope="col">Date</th>' in content


def test_only_this_communes_entries_are_listed(commune_a, commune_b, admin_a, operator_admin):
    """Reads of commune B's data never appear in commune A's journal."""
    audit.log(
        AuditAction.PERSONAL_DATA_READ,
        actor=operator_admin,
        commune=commune_b,
        target="core.VaultFile.content:abc",
        data={"path": "/mairie/beire/secret/"},
    )
    response = signed_in_client(admin_a).get(_url(commune_a))
    assert response.context["rows"] == []
    assert "/mairie/beire/secret/" not in response.content.decode()
    assert "Aucun accès du personnel de l’opérateur" in response.content.decode()


def test_journal_is_paginated_newest_first(commune_a, admin_a, operator_admin):
    """Sixty entries: fifty on the first page, newest first, ten on the second."""
    for index in range(60):
        audit.log(
            AuditAction.PERSONAL_DATA_READ,
            actor=operator_admin,
            commune=commune_a,
            target="core.VaultFile.content:x",
            data={"path": f"/mairie/agey/page-{index}/"},
        )
    client = signed_in_client(admin_a)
    first = client.get(_url(commune_a))
    second = client.get(_url(commune_a), {"page": 2})
    assert len(first.context["rows"]) == 50
    assert first.context["rows"][0]["path"] == "/mairie/agey/page-59/"
    assert len(second.context["rows"]) == 10
    assert second.context["rows"][-1]["path"] == "/mairie/agey/page-0/"
    assert "Page 2 sur 2" in second.content.decode()
