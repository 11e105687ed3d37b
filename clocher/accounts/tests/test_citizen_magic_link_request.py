"""Asking for a citizen sign-in link: same answer for every address, sealed e-mail, journal."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from clocher.accounts import services
from clocher.accounts.models import CitizenAccount
from clocher.accounts.tests.helpers import ask_magic_link, link_in
from clocher.core.audit import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
SENT = "Si cette adresse est connue, ou s’il s’agit d’une nouvelle adresse"


def _without_csrf(page: str) -> str:
    return CSRF_VALUE.sub("", page)


def test_known_and_new_addresses_get_the_same_answer(client, commune_a, mailoutbox):
    """Nobody can tell from the page whether an address already has an account."""
    services.citizen_account_for_email(commune=commune_a, email="connue@example.test")

    known = ask_magic_link(client, commune_a, "connue@example.test")
    new = ask_magic_link(client, commune_a, "nouvelle@example.test")

    assert known.status_code == new.status_code == 200
    assert SENT in known.text
    assert _without_csrf(known.text) == _without_csrf(new.text)
    assert [m.to for m in mailoutbox] == [["connue@example.test"], ["nouvelle@example.test"]]


def test_new_address_gets_an_account_and_a_link(client, commune_a, mailoutbox):
    """A new address gets its account in this commune and a mail with a one-time link."""
    ask_magic_link(client, commune_a, "Camille.Martin@Example.test ")

    account = CitizenAccount.objects.get()
    assert account.commune == commune_a
    assert account.email == "camille.martin@example.test"
    assert account.last_login_at is None
    assert mailoutbox[0].subject == "Votre lien de connexion — Agey"
    assert link_in(mailoutbox[0]).startswith("/communes/agey/compte/lien/?jeton=")
    assert "ne sert qu'une fois" in mailoutbox[0].body


def test_same_address_reuses_its_account(client, commune_a, commune_b, mailoutbox):
    """Asking twice reuses the account; another commune has its own."""
    ask_magic_link(client, commune_a, "habitant@example.test")
    ask_magic_link(client, commune_a, "HABITANT@example.test")
    ask_magic_link(client, commune_b, "habitant@example.test")

    assert CitizenAccount.objects.filter(commune=commune_a).count() == 1
    assert CitizenAccount.objects.filter(commune=commune_b).count() == 1


def test_email_is_sealed_in_the_database(client, commune_a):
    """The table holds no clear address: the e-mail is ciphertext, looked up by a blind index."""
    ask_magic_link(client, commune_a, "secret.habitant@example.test")

    with connection.cursor() as cursor:
        cursor.execute("SELECT email, email_index FROM accounts_citizenaccount")
        raw_email, index = cursor.fetchone()
    assert b"secret.habitant" not in bytes(raw_email)
    assert "secret.habitant" not in index
    assert len(index) == 64


def test_journal_names_the_account_not_the_address(client, commune_a):
    """MAGIC_LINK_SENT is journaled for the commune by account id, without the address."""
    ask_magic_link(client, commune_a, "habitant@example.test")

    account = CitizenAccount.objects.get()
    entry = AuditEntry.objects.get(action=AuditAction.MAGIC_LINK_SENT)
    assert entry.commune == commune_a
    assert entry.target == f"CitizenAccount:{account.pk}"
    assert entry.actor is None
    assert "habitant@example.test" not in entry.canonical()


def test_invalid_address_is_an_error_on_the_field(client, commune_a, mailoutbox):
    """A malformed address gets a message tied to the field and nothing is sent or created."""
    response = ask_magic_link(client, commune_a, "pas une adresse")

    assert response.status_code == 200
    assert 'id="id_email_error"' in response.text
    assert 'value="pas une adresse"' in response.text
    assert mailoutbox == []
    assert CitizenAccount.objects.count() == 0


def test_mail_failure_gives_the_same_answer(client, commune_a, monkeypatch):
    """If the mail server fails, the visitor still sees the usual answer (and it is logged)."""

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(services, "send_mail", broken)

    response = ask_magic_link(client, commune_a, "habitant@example.test")

    assert response.status_code == 200
    assert SENT in response.text
