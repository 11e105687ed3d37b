"""Staff sign-in with a password, then the code of their authenticator app."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from clocher.accounts.tests.helpers import password_step, totp_code
from clocher.core.audit import AuditAction, AuditEntry
from clocher.core.testing.factories import confirmed_totp_device

pytestmark = pytest.mark.django_db


def test_password_then_code_signs_in_verified(client, admin_a):
    """A correct password leads to the code step; the right code signs in with is_verified()."""
    device = confirmed_totp_device(admin_a)

    response = password_step(client, admin_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:verify")
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("accounts:verify"), {"code": totp_code(device)})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:after-login")
    assert client.session["_auth_user_id"] == str(admin_a.pk)
    assert client.session["otp_device_id"] == device.persistent_id
    login = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert login.actor == admin_a
    assert login.data == {"method": "password", "second_factor": "TOTPDevice"}


def test_code_step_page_asks_for_the_code(client, agent_a):
    """The code step explains what to type; agents with a device are asked too."""
    confirmed_totp_device(agent_a)
    password_step(client, agent_a)

    response = client.get(reverse("accounts:verify"))

    assert response.status_code == 200
    assert "Code à 6 chiffres ou code de secours" in response.text
    assert 'autocomplete="one-time-code"' in response.text


def test_wrong_password_is_refused_and_journaled(client, admin_a):
    """A wrong password keeps the e-mail typed, shows an error and journals the attempt."""
    response = password_step(client, admin_a, password="not the password")

    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.text
    assert f'value="{admin_a.email}"' in response.text
    assert "_auth_user_id" not in client.session
    assert "accounts:pending" not in client.session
    failed = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.data == {"email": admin_a.email, "locked": False}


def test_malformed_email_is_an_error_on_the_field(client, db):
    """An address that is not an e-mail gets a message tied to the field, not a 500."""
    response = client.post(
        reverse("accounts:login"), {"username": "pas-une-adresse", "password": "x"}
    )

    assert response.status_code == 200
    assert 'id="id_username_error"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 0


def test_wrong_code_is_refused_with_an_error_on_the_field(client, admin_a):
    """A wrong code leaves the person signed out, with the error tied to the field, journaled."""
    device = confirmed_totp_device(admin_a)
    password_step(client, admin_a)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("accounts:verify"), {"code": wrong})

    assert response.status_code == 200
    assert 'id="id_code_error"' in response.text
    assert "Ce code n&#x27;est pas valable." in response.text
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action=AuditAction.TOTP_FAILED)
    assert entry.actor == admin_a
    assert entry.data == {"kind": "totp", "throttled": False}


def test_wrong_codes_throttle_further_attempts(client, admin_a):
    """After a wrong code, even the right one is refused until the delay has passed."""
    device = confirmed_totp_device(admin_a)
    password_step(client, admin_a)
    good = totp_code(device)
    client.post(reverse("accounts:verify"), {"code": f"{(int(good) + 1) % 1_000_000:06d}"})

    response = client.post(reverse("accounts:verify"), {"code": good})

    assert response.status_code == 429
    assert "Trop de codes erronés." in response.text
    assert "_auth_user_id" not in client.session
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert AuditEntry.objects.filter(action=AuditAction.TOTP_FAILED).count() == 2


def test_code_step_without_password_goes_back_to_login(client, db):
    """Nobody reaches the code step without a correct password first."""
    response = client.get(reverse("accounts:verify"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")


def test_agent_without_device_is_signed_in_directly(client, agent_a):
    """An agent who has no authenticator app and needs none is signed in after the password."""
    response = password_step(client, agent_a)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:after-login")
    assert client.session["_auth_user_id"] == str(agent_a.pk)
    assert TOTPDevice.objects.filter(user=agent_a).count() == 0
