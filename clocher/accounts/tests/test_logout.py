"""Signing out."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.accounts.tests.helpers import password_step
from clocher.core.audit import AuditAction, AuditEntry
from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.factories import confirmed_totp_device

pytestmark = pytest.mark.django_db


def test_logout_by_post_signs_out_and_is_journaled(agent_a):
    """POST signs out, journals it and goes to the platform home."""
    client = signed_in_client(agent_a)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action=AuditAction.LOGOUT)
    assert entry.actor == agent_a


def test_logout_by_get_is_refused(agent_a):
    """A link (GET) cannot sign anyone out: only the form's POST does."""
    client = signed_in_client(agent_a)

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert client.session["_auth_user_id"] == str(agent_a.pk)
    assert not AuditEntry.objects.filter(action=AuditAction.LOGOUT).exists()


def test_logout_cancels_a_pending_second_factor(client, admin_a):
    """Cancelling at the code step forgets the password step."""
    confirmed_totp_device(admin_a)
    password_step(client, admin_a)

    client.post(reverse("accounts:logout"))

    assert client.get(reverse("accounts:verify"))["Location"] == reverse("accounts:login")
