"""The security page (second factor status, recovery codes) is for the signed-in person only."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken

from clocher.accounts import services
from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.factories import confirmed_totp_device

pytestmark = pytest.mark.django_db

SECURITY = reverse("accounts:security")
RECOVERY = reverse("accounts:recovery-codes")


def test_anonymous_is_sent_to_login(client, db):
    """Nobody signed in: the login page, for both the page and the regeneration."""
    assert client.get(SECURITY)["Location"] == f"{reverse('accounts:login')}?next={SECURITY}"
    assert client.post(RECOVERY)["Location"].startswith(reverse("accounts:login"))


def test_session_without_its_second_factor_is_sent_to_login(admin_a):
    """An admin signed in without their code cannot regenerate recovery codes."""
    confirmed_totp_device(admin_a)
    codes = services.recovery_codes_regenerate(user=admin_a)
    client = signed_in_client(admin_a, verified=False)

    response = client.post(RECOVERY)

    assert response.status_code == 302
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(codes)


def test_page_shows_status_and_codes_left(admin_a):
    """A verified person sees that the app is on and how many recovery codes are left."""
    services.recovery_codes_regenerate(user=admin_a)
    client = signed_in_client(admin_a)

    response = client.get(SECURITY)

    assert response.status_code == 200
    assert "Activée" in response.text
    assert "Il vous reste 10 codes de secours." in response.text


def test_regeneration_needs_post(admin_a):
    """A link cannot replace the recovery codes."""
    codes = services.recovery_codes_regenerate(user=admin_a)

    response = signed_in_client(admin_a).get(RECOVERY)

    assert response.status_code == 405
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(codes)
