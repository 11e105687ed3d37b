"""mailbox_save: a commune's mailbox settings, the password sealed and kept when left empty."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from clocher.core.models import AuditEntry
from clocher.demarches.models import Mailbox
from clocher.demarches.services.mailboxes import MailboxInput, mailbox_save
from clocher.demarches.tests.factories import make_procedure

pytestmark = pytest.mark.django_db


def _input(**changes: Any) -> MailboxInput:
    values: dict[str, Any] = {
        "label": "Accueil",
        "host": "imap.example.test",
        "port": 993,
        "use_ssl": True,
        "username": "accueil@agey.example.test",
        "password": "mot-de-passe-secret",
        "folder": "INBOX",
    }
    values.update(changes)
    return MailboxInput(**values)


def test_creates_a_mailbox_with_its_password_sealed(commune_a, admin_a):
    """The password is readable through the model, never in the database, and journaled."""
    mailbox = mailbox_save(commune=commune_a, actor=admin_a, data=_input())
    assert Mailbox.objects.get(pk=mailbox.pk).password == "mot-de-passe-secret"
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM demarches_mailbox WHERE id = %s", [mailbox.pk])
        stored = cursor.fetchone()[0]
    assert "mot-de-passe-secret" not in str(stored)
    entry = AuditEntry.objects.filter(target=f"demarches.Mailbox:{mailbox.pk}").get()
    assert entry.data == {
        "change": "mailbox_created",
        "host": "imap.example.test",
        "password_changed": True,
        "is_active": True,
    }
    assert "mot-de-passe-secret" not in str(entry.data)


def test_empty_password_on_update_keeps_the_current_one(commune_a, admin_a):
    """Editing the settings without retyping the password keeps it."""
    mailbox = mailbox_save(commune=commune_a, actor=admin_a, data=_input())
    mailbox_save(
        commune=commune_a,
        actor=admin_a,
        data=_input(password="", host="imap2.example.test", port=143, use_ssl=False),
        mailbox=mailbox,
    )
    mailbox.refresh_from_db()
    assert (mailbox.host, mailbox.port, mailbox.use_ssl) == ("imap2.example.test", 143, False)
    assert mailbox.password == "mot-de-passe-secret"


def test_new_mailbox_needs_a_password_and_valid_settings(commune_a, admin_a):
    """Every problem is reported on its field; nothing is saved."""
    with pytest.raises(ValidationError) as refused:
        mailbox_save(
            commune=commune_a,
            actor=admin_a,
            data=_input(label=" ", host="imap example", port=0, password="", folder="Reçus"),
        )
    assert refused.value.message_dict == {
        "label": ["Donnez un nom à cette boîte."],
        "host": ["Indiquez le nom du serveur IMAP, par exemple imap.example.fr."],
        "port": ["Le port est un nombre entre 1 et 65535."],
        "password": ["Indiquez le mot de passe de la boîte."],
        "folder": ["Indiquez le dossier en lettres sans accent, par exemple INBOX."],
    }
    assert Mailbox.objects.count() == 0


def test_default_procedure_must_be_of_the_commune(commune_a, commune_b, admin_a):
    """A procedure of another commune cannot be the default one."""
    foreign = make_procedure(commune_b)
    with pytest.raises(ValidationError) as refused:
        mailbox_save(commune=commune_a, actor=admin_a, data=_input(default_procedure=foreign))
    assert refused.value.message_dict == {"default_procedure": ["Cette démarche est introuvable."]}
    own = make_procedure(commune_a)
    mailbox = mailbox_save(commune=commune_a, actor=admin_a, data=_input(default_procedure=own))
    assert mailbox.default_procedure == own
