"""Brute-force lockout: five wrong passwords for one account from one address lock it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.accounts.tests.helpers import password_step
from clocher.core.audit import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def _fail(client, user, times):
    return [password_step(client, user, password=f"wrong-{i}") for i in range(times)]


def test_four_failures_do_not_lock(client, agent_a):
    """Below the limit, the form answers normally and the right password still works."""
    responses = _fail(client, agent_a, 4)

    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    assert password_step(client, agent_a).status_code == 302
    assert client.session["_auth_user_id"] == str(agent_a.pk)


def test_fifth_failure_locks_with_a_clear_page(client, agent_a):
    """The fifth failure answers 429 with a French page saying when to retry."""
    responses = _fail(client, agent_a, 5)

    locked = responses[-1]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert "Compte temporairement verrouillé" in locked.text
    assert "Vous pourrez réessayer dans 15 minutes, à partir de" in locked.text
    assert locked["Retry-After"] == "900"


def test_right_password_is_refused_while_locked(client, agent_a):
    """Once locked, even the right password does not sign in."""
    _fail(client, agent_a, 5)

    response = password_step(client, agent_a)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "accounts:pending" not in client.session


def test_lockout_is_journaled_once(client, agent_a):
    """Each failure is journaled with the e-mail tried; the lockout itself once."""
    _fail(client, agent_a, 5)
    password_step(client, agent_a)

    failures = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failures.count() == 6
    assert {entry.data["email"] for entry in failures} == {agent_a.email}
    assert [entry.data["locked"] for entry in failures] == [False] * 5 + [True]
    lockout = AuditEntry.objects.get(action=AuditAction.LOCKOUT)
    assert lockout.data == {"email": agent_a.email}
    assert lockout.ip_address == "127.0.0.1"


def test_lock_is_per_account(client, agent_a, admin_a):
    """Locking one account does not lock another one from the same address."""
    _fail(client, agent_a, 5)

    response = password_step(client, admin_a)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:enrol")
