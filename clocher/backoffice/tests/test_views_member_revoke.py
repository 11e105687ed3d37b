"""Revoking a role: a confirmation page, then a journaled POST; never the last admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.core.models import AuditEntry
from clocher.core.models.audit import AuditAction
from clocher.core.testing.clients import signed_in_client
from clocher.tenancy.models import Membership, Role

pytestmark = pytest.mark.django_db


def _url(commune, membership):
    return reverse(
        "staff:backoffice:member-revoke",
        kwargs={"commune_slug": commune.slug, "membership": membership.pk},
    )


def _membership(user, commune):
    return Membership.objects.get(user=user, commune=commune)


def test_get_asks_for_confirmation_and_changes_nothing(commune_a, admin_a, agent_a):
    """GET shows the question and a POST form; the role is still there."""
    membership = _membership(agent_a, commune_a)
    response = signed_in_client(admin_a).get(_url(commune_a, membership))
    assert response.status_code == 200
    assert "Voulez-vous retirer le rôle « Agent »" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_post_revokes_and_journals(commune_a, admin_a, agent_a):
    """POST removes the role and writes ROLE_REVOKED."""
    membership = _membership(agent_a, commune_a)
    response = signed_in_client(admin_a).post(_url(commune_a, membership))
    assert response.status_code == 302
    assert response["Location"] == f"/mairie/{commune_a.slug}/membres/"
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.ROLE_REVOKED, target=f"user:{agent_a.pk}"
        ).count()
        == 1
    )


def test_denied_post_changes_nothing(commune_a, agent_a, technician_a):
    """An agent cannot revoke a role: 403, the role stays, nothing journaled."""
    membership = _membership(technician_a, commune_a)
    response = signed_in_client(agent_a).post(_url(commune_a, membership))
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.ROLE_REVOKED).exists()


def test_other_communes_membership_is_not_found(commune_a, admin_a, admin_b, commune_b):
    """A membership id of commune B in commune A's URL answers 404 and stays."""
    membership = _membership(admin_b, commune_b)
    response = signed_in_client(admin_a).post(_url(commune_a, membership))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_last_admin_cannot_be_revoked(commune_a, admin_a):
    """The only commune admin's role cannot be removed (the commune would be locked out)."""
    membership = _membership(admin_a, commune_a)
    response = signed_in_client(admin_a).post(_url(commune_a, membership))
    assert response.status_code == 409
    assert "seul administrateur de la commune" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk, role=Role.COMMUNE_ADMIN).exists()
