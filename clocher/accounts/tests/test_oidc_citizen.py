"""Citizen sign-in with FranceConnect into the commune's account, against a fake provider."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.accounts import services
from clocher.accounts.models import CitizenAccount
from clocher.accounts.tests.helpers import follow_provider
from clocher.core.audit import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def _start(client, commune):
    return client.post(
        reverse("public:citizen:oidc-start", kwargs={"commune_slug": commune.slug}),
        {"provider": "franceconnect"},
    )


def test_login_page_offers_franceconnect_when_configured(
    client, fake_provider, commune_a, settings
):
    """The FranceConnect button appears on the citizen form only when configured."""
    url = reverse("public:citizen:login", kwargs={"commune_slug": "agey"})
    assert "Se connecter avec FranceConnect" in client.get(url).text

    settings.OIDC_PROVIDERS = {}

    assert "Se connecter avec FranceConnect" not in client.get(url).text


def test_new_citizen_gets_an_account_and_is_signed_in(client, fake_provider, commune_a):
    """A first FranceConnect sign-in creates the citizen's account in this commune."""
    fake_provider.identity = {"sub": "fc-1", "email": "Habitant@Example.test"}

    response = follow_provider(client, _start(client, commune_a))

    account = CitizenAccount.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("public:citizen:space", kwargs={"commune_slug": "agey"})
    assert account.commune == commune_a
    assert account.email == "habitant@example.test"
    assert client.session[f"citizen:{commune_a.pk}"] == account.pk
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert entry.commune == commune_a
    assert entry.data == {"method": "oidc:franceconnect", "audience": "citizen"}


def test_existing_citizen_finds_their_account(client, fake_provider, commune_a):
    """The same e-mail leads to the account already made by magic link."""
    existing = services.citizen_account_for_email(commune=commune_a, email="habitant@example.test")
    fake_provider.identity = {"sub": "fc-1", "email": "habitant@example.test"}

    follow_provider(client, _start(client, commune_a))

    assert CitizenAccount.objects.count() == 1
    assert client.session[f"citizen:{commune_a.pk}"] == existing.pk


def test_wrong_nonce_signs_no_citizen_in(client, fake_provider, commune_a):
    """A tampered ID token creates no account and opens no session."""
    fake_provider.identity = {"sub": "fc-1", "email": "habitant@example.test"}
    fake_provider.tamper = "nonce"

    response = follow_provider(client, _start(client, commune_a))

    assert response.status_code == 400
    assert CitizenAccount.objects.count() == 0
    assert f"citizen:{commune_a.pk}" not in client.session


def test_staff_provider_is_not_offered_to_citizens(client, fake_provider, commune_a):
    """ProConnect cannot be used for a citizen account."""
    response = client.post(
        reverse("public:citizen:oidc-start", kwargs={"commune_slug": "agey"}),
        {"provider": "proconnect"},
    )

    assert response.status_code == 404


def test_start_is_post_only(client, fake_provider, commune_a):
    """Following a link cannot start a sign-in."""
    response = client.get(reverse("public:citizen:oidc-start", kwargs={"commune_slug": "agey"}))

    assert response.status_code == 405
