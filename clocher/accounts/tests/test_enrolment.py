"""Enrolling an authenticator app: forced for admins, signers and operator staff only."""

from __future__ import annotations

import base64

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clocher.accounts.tests.helpers import password_step, totp_code
from clocher.core.audit import AuditAction, AuditEntry
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["admin_a", "elected_a", "operator_admin", "operator_support"])
def test_enrolment_is_forced_for_roles_that_require_it(client, who, request):
    """Commune admins, elected officials and operator staff must enrol before being signed in."""
    user = request.getfixturevalue(who)

    response = password_step(client, user)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:enrol")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:after-login")).status_code == 302


@pytest.mark.parametrize("who", ["agent_a", "technician_a", "outsider"])
def test_enrolment_is_not_forced_for_other_staff(client, who, request):
    """Agents and technicians without a device are signed in after their password."""
    user = request.getfixturevalue(who)

    response = password_step(client, user)

    assert response["Location"] == reverse("accounts:after-login")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_enrolment_page_shows_qr_code_and_secret(client, admin_a):
    """The page shows an inline SVG QR code and the base32 secret to type by hand."""
    password_step(client, admin_a)

    response = client.get(reverse("accounts:enrol"))

    device = TOTPDevice.objects.get(user=admin_a, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert response.status_code == 200
    assert '<svg role="img" width="' in response.text
    assert 'class="qr-code"' in response.text
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in response.text
    assert "FreeOTP" in response.text
    assert "<script>" not in response.text


def test_reloading_the_page_keeps_the_same_secret(client, admin_a):
    """A reload does not invalidate a QR code already scanned."""
    password_step(client, admin_a)
    client.get(reverse("accounts:enrol"))
    client.get(reverse("accounts:enrol"))

    assert TOTPDevice.objects.filter(user=admin_a).count() == 1


def test_confirming_enrolment_signs_in_and_shows_ten_recovery_codes(client, admin_a):
    """The first right code confirms the app, signs in verified and shows 10 recovery codes once."""
    password_step(client, admin_a, next="/mairie/agey/")
    client.get(reverse("accounts:enrol"))
    device = TOTPDevice.objects.get(user=admin_a)

    response = client.post(reverse("accounts:enrol"), {"code": totp_code(device)})

    device.refresh_from_db()
    tokens = list(StaticToken.objects.filter(device__user=admin_a).values_list("token", flat=True))
    assert response.status_code == 200
    assert device.confirmed is True
    assert len(tokens) == 10
    for token in tokens:
        assert f"{token[:5]}-{token[5:]}" in response.text
    assert "ne seront plus jamais affichés" in response.text
    assert "/compte/apres-connexion/?next=%2Fmairie%2Fagey%2F" in response.text
    assert client.session["_auth_user_id"] == str(admin_a.pk)
    assert client.session["otp_device_id"] == device.persistent_id
    enrolled = AuditEntry.objects.get(action=AuditAction.TOTP_ENROLLED)
    assert enrolled.actor == admin_a


def test_wrong_code_at_enrolment_is_an_error_on_the_field(client, admin_a):
    """A wrong first code keeps the app unconfirmed and says why, tied to the field."""
    password_step(client, admin_a)
    client.get(reverse("accounts:enrol"))
    device = TOTPDevice.objects.get(user=admin_a)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("accounts:enrol"), {"code": wrong})

    device.refresh_from_db()
    assert response.status_code == 200
    assert 'id="id_code_error"' in response.text
    assert device.confirmed is False
    assert "_auth_user_id" not in client.session
    assert not AuditEntry.objects.filter(action=AuditAction.TOTP_ENROLLED).exists()
    assert StaticToken.objects.filter(device__user=admin_a).count() == 0


def test_agent_can_enrol_from_the_security_page(agent_a):
    """A signed-in agent may enrol voluntarily; afterwards the code is asked at each sign-in."""
    client = signed_in_client(agent_a, verified=False)
    assert "Non activée." in client.get(reverse("accounts:security")).text
    client.get(reverse("accounts:enrol"))
    device = TOTPDevice.objects.get(user=agent_a)

    response = client.post(reverse("accounts:enrol"), {"code": totp_code(device)})

    assert response.status_code == 200
    assert client.session["otp_device_id"] == device.persistent_id
    assert "Activée" in client.get(reverse("accounts:security")).text
    client.post(reverse("accounts:logout"))
    assert password_step(client, agent_a)["Location"] == reverse("accounts:verify")


def test_enrolment_without_password_goes_back_to_login(client, db):
    """The enrolment page is not reachable anonymously."""
    response = client.get(reverse("accounts:enrol"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert TOTPDevice.objects.count() == 0
