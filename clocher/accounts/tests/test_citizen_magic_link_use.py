"""Using a citizen sign-in link: confirmation by POST, single use, expiry, per commune."""

from __future__ import annotations

import time

import pytest
from django.core import signing
from django.urls import reverse

from clocher.accounts import services
from clocher.accounts.models import CitizenAccount
from clocher.accounts.tests.helpers import ask_magic_link, link_in
from clocher.core.audit import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def _space(commune):
    return reverse("public:citizen:space", kwargs={"commune_slug": commune.slug})


def _link_for(client, commune, mailoutbox, email="habitant@example.test"):
    ask_magic_link(client, commune, email)
    return link_in(mailoutbox[-1])


def test_opening_the_link_asks_for_confirmation_without_signing_in(client, commune_a, mailoutbox):
    """GET (what a mail scanner does) shows a button and signs nobody in."""
    link = _link_for(client, commune_a, mailoutbox)

    response = client.get(link)

    assert response.status_code == 200
    assert "Me connecter" in response.text
    assert 'method="post"' in response.text
    assert f"citizen:{commune_a.pk}" not in client.session
    assert CitizenAccount.objects.get().last_login_at is None


def test_confirming_signs_in_and_shows_my_space(client, commune_a, mailoutbox):
    """POST signs the citizen in for this commune; Mon espace shows their address."""
    link = _link_for(client, commune_a, mailoutbox)
    token = link.split("jeton=", 1)[1]

    response = client.post(
        reverse("public:citizen:link", kwargs={"commune_slug": "agey"}), {"jeton": token}
    )

    account = CitizenAccount.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _space(commune_a)
    assert client.session[f"citizen:{commune_a.pk}"] == account.pk
    space = client.get(_space(commune_a))
    assert space.status_code == 200
    assert "Mon espace" in space.text
    assert "habitant@example.test" in space.text
    used = AuditEntry.objects.get(action=AuditAction.MAGIC_LINK_USED)
    assert used.commune == commune_a
    assert used.target == f"CitizenAccount:{account.pk}"
    assert "habitant@example.test" not in used.canonical()


def test_link_works_only_once(client, commune_a, mailoutbox):
    """After use, the same link (and any older one) is refused."""
    older = _link_for(client, commune_a, mailoutbox)
    link = _link_for(client, commune_a, mailoutbox)
    client.post(link)

    again = client.post(link)
    stale = client.get(older)

    assert again.status_code == stale.status_code == 400
    assert "Ce lien a déjà servi" in again.text
    assert AuditEntry.objects.filter(action=AuditAction.MAGIC_LINK_USED).count() == 1


def test_expired_link_is_refused(client, commune_a, monkeypatch, settings):
    """A link older than MAGIC_LINK_MAX_AGE is refused with its own message."""
    account = services.citizen_account_for_email(commune=commune_a, email="habitant@example.test")
    past = signing.b62_encode(int(time.time()) - settings.MAGIC_LINK_MAX_AGE - 5)
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: past)
    token = services.magic_link_token(account)
    monkeypatch.undo()

    response = client.post(
        reverse("public:citizen:link", kwargs={"commune_slug": "agey"}), {"jeton": token}
    )

    assert response.status_code == 400
    assert "Ce lien a expiré" in response.text
    assert f"citizen:{commune_a.pk}" not in client.session
    account.refresh_from_db()
    assert account.last_login_at is None


def test_link_of_another_commune_is_refused(client, commune_a, commune_b, mailoutbox):
    """A link made for Agey does not open an account at Beire."""
    link = _link_for(client, commune_a, mailoutbox)

    response = client.post(link.replace("/communes/agey/", "/communes/beire/"))

    assert response.status_code == 400
    assert f"citizen:{commune_b.pk}" not in client.session
    assert f"citizen:{commune_a.pk}" not in client.session


@pytest.mark.parametrize("token", ["", "abc", "eyJhIjoxfQ:1abc:forged"])
def test_tampered_link_is_refused(client, commune_a, token):
    """A missing or forged token gets a clear page, never a 500."""
    url = reverse("public:citizen:link", kwargs={"commune_slug": "agey"})

    response = client.get(url, {"jeton": token})

    assert response.status_code == 400
    assert "Lien de connexion non valable" in response.text


def test_my_space_requires_signing_in(client, commune_a):
    """Mon espace without a session leads to the form asking the e-mail."""
    response = client.get(_space(commune_a))

    assert response.status_code == 302
    assert response["Location"] == reverse("public:citizen:login", kwargs={"commune_slug": "agey"})


def test_signing_in_at_one_commune_does_not_open_another(client, commune_a, commune_b, mailoutbox):
    """The citizen session is per commune."""
    client.post(_link_for(client, commune_a, mailoutbox))

    assert client.get(_space(commune_b)).status_code == 302


def test_sign_out(client, commune_a, mailoutbox):
    """The sign-out button ends the citizen session of this commune."""
    client.post(_link_for(client, commune_a, mailoutbox))

    response = client.post(reverse("public:citizen:logout", kwargs={"commune_slug": "agey"}))

    assert response.status_code == 302
    assert f"citizen:{commune_a.pk}" not in client.session
    assert client.get(_space(commune_a)).status_code == 302
