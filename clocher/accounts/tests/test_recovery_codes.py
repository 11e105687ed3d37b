"""Recovery codes replace the authenticator app once each."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken

from clocher.accounts import services
from clocher.accounts.tests.helpers import password_step
from clocher.core.audit import AuditAction, AuditEntry
from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.factories import confirmed_totp_device

pytestmark = pytest.mark.django_db


def test_recovery_code_signs_in_once(client, admin_a):
    """A recovery code (typed with its dash, in capitals) is accepted once, then consumed."""
    confirmed_totp_device(admin_a)
    codes = services.recovery_codes_regenerate(user=admin_a)
    typed = f"{codes[0][:5]}-{codes[0][5:]}".upper()
    password_step(client, admin_a)

    response = client.post(reverse("accounts:verify"), {"code": typed})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin_a.pk)
    assert StaticToken.objects.filter(device__user=admin_a).count() == 9
    assert not StaticToken.objects.filter(token=codes[0]).exists()


def test_used_recovery_code_is_refused(client, admin_a):
    """The same recovery code does not work a second time."""
    confirmed_totp_device(admin_a)
    codes = services.recovery_codes_regenerate(user=admin_a)
    password_step(client, admin_a)
    client.post(reverse("accounts:verify"), {"code": codes[0]})
    client.post(reverse("accounts:logout"))
    password_step(client, admin_a)

    response = client.post(reverse("accounts:verify"), {"code": codes[0]})

    assert response.status_code == 200
    assert 'id="id_code_error"' in response.text
    assert "_auth_user_id" not in client.session
    assert StaticToken.objects.filter(device__user=admin_a).count() == 9
    failed = AuditEntry.objects.get(action=AuditAction.TOTP_FAILED)
    assert failed.data == {"kind": "recovery_code", "throttled": False}


def test_regenerating_replaces_all_codes(admin_a):
    """New codes from the security page replace the old ones, shown once."""
    old = services.recovery_codes_regenerate(user=admin_a)
    client = signed_in_client(admin_a)

    response = client.post(reverse("accounts:recovery-codes"))

    new = set(StaticToken.objects.filter(device__user=admin_a).values_list("token", flat=True))
    assert response.status_code == 200
    assert len(new) == 10
    assert new.isdisjoint(old)
