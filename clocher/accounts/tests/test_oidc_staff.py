"""Staff sign-in with ProConnect, against a fake OpenID Connect provider on 127.0.0.1."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from clocher.accounts.models import User
from clocher.accounts.tests.helpers import follow_provider, totp_code
from clocher.core.audit import AuditAction, AuditEntry
from clocher.core.testing.factories import confirmed_totp_device

pytestmark = pytest.mark.django_db

START = reverse("accounts:oidc-start", kwargs={"provider": "proconnect"})


def test_login_page_offers_proconnect_only_when_configured(client, fake_provider, settings):
    """The ProConnect button appears only when the provider is configured."""
    assert "Se connecter avec ProConnect" in client.get(reverse("accounts:login")).text

    settings.OIDC_PROVIDERS = {}

    assert "Se connecter avec ProConnect" not in client.get(reverse("accounts:login")).text
    assert client.get(START).status_code == 404


def test_start_sends_state_nonce_and_pkce(client, fake_provider):
    """The authorization request carries state, nonce and an S256 PKCE challenge."""
    response = client.get(START)

    query = parse_qs(urlsplit(response["Location"]).query)
    assert response["Location"].startswith(f"{fake_provider.issuer}/authorize?")
    assert query["client_id"] == ["clocher-proconnect"]
    assert query["redirect_uri"] == ["http://127.0.0.1:8000/compte/oidc/proconnect/retour/"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] == [client.session["accounts:oidc"]["state"]]
    assert query["nonce"] == [client.session["accounts:oidc"]["nonce"]]


def test_known_agent_is_signed_in(client, fake_provider, agent_a):
    """An active staff account with the provider's e-mail is signed in, and its subject kept."""
    fake_provider.identity = {"sub": "pc-123", "email": agent_a.email.upper()}

    response = follow_provider(client, client.get(START))

    agent_a.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:after-login")
    assert client.session["_auth_user_id"] == str(agent_a.pk)
    assert agent_a.oidc_subject == "proconnect:pc-123"
    login = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert login.data == {"method": "oidc:proconnect", "second_factor": ""}


def test_subject_matches_after_an_email_change(client, fake_provider, agent_a):
    """Once bound, the subject finds the account even if the provider's e-mail changed."""
    agent_a.oidc_subject = "proconnect:pc-123"
    agent_a.save()
    fake_provider.identity = {"sub": "pc-123", "email": "nouvelle.adresse@example.test"}

    follow_provider(client, client.get(START))

    assert client.session["_auth_user_id"] == str(agent_a.pk)


def test_signed_userinfo_is_accepted(client, fake_provider, agent_a):
    """A userinfo answer signed as a JWT (as ProConnect sends it) is checked and used."""
    fake_provider.identity = {"sub": "pc-1", "email": agent_a.email}
    fake_provider.userinfo_as_jwt = True

    follow_provider(client, client.get(START))

    assert client.session["_auth_user_id"] == str(agent_a.pk)


def test_second_factor_still_required_after_oidc(client, fake_provider, admin_a):
    """ProConnect is a first factor only: an admin with an app is asked the code next."""
    device = confirmed_totp_device(admin_a)
    fake_provider.identity = {"sub": "pc-9", "email": admin_a.email}

    response = follow_provider(client, client.get(START, {"next": "/mairie/agey/"}))

    assert response["Location"] == reverse("accounts:verify")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("accounts:verify"), {"code": totp_code(device)})
    assert response["Location"] == "/compte/apres-connexion/?next=%2Fmairie%2Fagey%2F"
    assert client.session["_auth_user_id"] == str(admin_a.pk)


def test_unknown_user_is_refused_and_not_created(client, fake_provider, db):
    """An identity without a staff account gets a clear refusal; no account is created."""
    fake_provider.identity = {"sub": "pc-404", "email": "inconnu@example.test"}
    count = User.objects.count()

    response = follow_provider(client, client.get(START))

    assert response.status_code == 403
    assert "aucun compte Clocher actif ne correspond" in response.text
    assert "inconnu@example.test" in response.text
    assert User.objects.count() == count
    assert "_auth_user_id" not in client.session
    failed = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.data == {
        "method": "oidc:proconnect",
        "email": "inconnu@example.test",
        "reason": "unknown user",
    }


def test_inactive_user_is_refused(client, fake_provider, agent_a):
    """A deactivated account cannot sign in through the provider."""
    agent_a.is_active = False
    agent_a.save()
    fake_provider.identity = {"sub": "pc-1", "email": agent_a.email}

    response = follow_provider(client, client.get(START))

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_account_bound_to_another_subject_is_not_taken_over(client, fake_provider, agent_a):
    """An e-mail match does not override a subject already bound to the account."""
    agent_a.oidc_subject = "proconnect:original"
    agent_a.save()
    fake_provider.identity = {"sub": "usurpateur", "email": agent_a.email}

    response = follow_provider(client, client.get(START))

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_wrong_state_is_refused(client, fake_provider, agent_a):
    """A callback whose state is not the session's is refused before any token exchange."""
    fake_provider.identity = {"sub": "pc-1", "email": agent_a.email}
    client.get(START)

    response = client.get(
        reverse("accounts:oidc-callback", kwargs={"provider": "proconnect"}),
        {"code": "stolen", "state": "forged"},
    )

    assert response.status_code == 400
    assert "La connexion avec ProConnect n’a pas abouti" in response.text
    assert fake_provider.token_requests == 0
    assert "_auth_user_id" not in client.session
    failed = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.data == {"method": "oidc:proconnect", "reason": "state does not match"}


def test_callback_without_a_flow_is_refused(client, fake_provider, db):
    """A callback in a session that never started a flow is refused."""
    response = client.get(
        reverse("accounts:oidc-callback", kwargs={"provider": "proconnect"}),
        {"code": "x", "state": "y"},
    )

    assert response.status_code == 400


def test_callback_cannot_be_replayed(client, fake_provider, agent_a):
    """The flow is forgotten after its callback: the same answer does not sign in twice."""
    fake_provider.identity = {"sub": "pc-1", "email": agent_a.email}
    answer = client.get(START)
    follow_provider(client, answer)
    client.post(reverse("accounts:logout"))
    callback = AuditEntry.objects.count()

    response = client.get(
        reverse("accounts:oidc-callback", kwargs={"provider": "proconnect"}),
        {"code": "x", "state": "y"},
    )

    assert response.status_code == 400
    assert AuditEntry.objects.count() == callback + 1


@pytest.mark.parametrize("tamper", ["nonce", "signature", "issuer", "audience", "expired"])
def test_invalid_id_token_is_refused(client, fake_provider, agent_a, tamper):
    """An ID token with a wrong nonce, signature, issuer, audience or expiry signs nobody in."""
    fake_provider.identity = {"sub": "pc-1", "email": agent_a.email}
    fake_provider.tamper = tamper

    response = follow_provider(client, client.get(START))

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert "accounts:pending" not in client.session
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN).exists()
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 1


def test_unreachable_provider_gets_a_clear_page(client, fake_provider, settings):
    """When the provider does not answer, the person is told so (503), not shown an error 500."""
    settings.OIDC_PROVIDERS["proconnect"]["discovery_url"] = "http://127.0.0.1:9/absent"

    response = client.get(START)

    assert response.status_code == 503
    assert "Le service ProConnect ne répond pas" in response.text


def test_citizen_provider_cannot_sign_in_staff(client, fake_provider, db):
    """FranceConnect is not offered on the staff side."""
    assert (
        client.get(reverse("accounts:oidc-start", kwargs={"provider": "franceconnect"})).status_code
        == 404
    )
