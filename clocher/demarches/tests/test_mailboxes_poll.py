"""Polling a mailbox over a real IMAP connection (a local test server): each message stored once,
sealed in the vault, marked read only once stored; failures recorded in French, never raised."""

from __future__ import annotations

import datetime
import hashlib
import socket
from pathlib import Path

import pytest

from clocher.core.vault import read_file, read_file_name
from clocher.demarches import imap_client
from clocher.demarches.models import Mailbox, MailItem, MailItemStatus
from clocher.demarches.services.mailboxes import mailbox_poll, mailbox_test_connection
from clocher.demarches.tests.imap_server import ImapTestServer

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = 's3cret "quoted"'  # a quote in it: imaplib must quote it on the wire
FIXTURE_NAMES = [
    "plain.eml",
    "multipart_attachment.eml",
    "latin1_quoted_printable.eml",
    "no_message_id.eml",
    "html_only.eml",
]


@pytest.fixture
def server():
    with ImapTestServer(users={"accueil@agey": 's3cret "quoted"'}) as running:
        yield running


def _mailbox(commune, server, *, password=PASSWORD, **extra):
    mailbox = Mailbox(
        commune=commune,
        label="Accueil",
        host="127.0.0.1",
        port=server.port,
        use_ssl=False,
        username="accueil@agey",
        **extra,
    )
    mailbox.password = password
    mailbox.save()
    return mailbox


def _raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_poll_stores_every_unread_message_and_marks_it_read(commune_a, server):
    """Five fixtures in, five items out, all marked \\Seen on the server; no error."""
    uids = [server.add_message(_raw(name)) for name in FIXTURE_NAMES]
    mailbox = _mailbox(commune_a, server)
    result = mailbox_poll(mailbox=mailbox)
    assert result.errors == []
    assert len(result.stored) == 5
    assert all(server.is_seen(uid) for uid in uids)
    subjects = sorted(item.subject for item in MailItem.objects.all())
    assert subjects == [
        "Demande d'acte de naissance à Agey",
        "Lampadaire éteint rue Haute",
        "Nid-de-poule chemin des Vignes",
        "Réservation de la salle des fêtes",
        "Sans identifiant",
    ]
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""
    assert mailbox.last_polled_at is not None


def test_polling_twice_stores_once(commune_a, server):
    """A message seen again (marked unread meanwhile, or resent with the same Message-ID) is
    not stored a second time, and is marked read again."""
    uid = server.add_message(_raw("plain.eml"))
    mailbox = _mailbox(commune_a, server)
    mailbox_poll(mailbox=mailbox)
    server.messages[0].flags.clear()  # someone marked it unread in their mail client
    server.add_message(_raw("plain.eml"))  # the same message delivered twice
    second = mailbox_poll(mailbox=mailbox)
    assert second.stored == []
    assert second.already_stored == 2
    assert MailItem.objects.count() == 1
    assert server.is_seen(uid)
    assert mailbox_poll(mailbox=mailbox).already_stored == 0  # nothing unread any more


def test_read_messages_are_left_alone(commune_a, server):
    """Only UNSEEN messages are fetched."""
    server.add_message(_raw("plain.eml"), seen=True)
    result = mailbox_poll(mailbox=_mailbox(commune_a, server))
    assert result.stored == []
    assert MailItem.objects.count() == 0


def test_item_keeps_sender_dates_and_sealed_original(commune_a, server):
    """Sender with name, server's reception date, the raw .eml sealed in the vault."""
    received = datetime.datetime(2026, 11, 4, 8, 31, 5, tzinfo=datetime.UTC)
    server.add_message(_raw("plain.eml"), internal_date=received)
    [item] = mailbox_poll(mailbox=_mailbox(commune_a, server)).stored
    item = MailItem.objects.get(pk=item.pk)
    assert item.sender == "Camille Martín <camille.martin@example.test>"
    assert item.received_at == received
    assert item.status == MailItemStatus.TO_TRIAGE
    assert item.message_key == hashlib.sha256(b"20261104093000.4242@example.test").hexdigest()
    assert item.raw is not None
    assert read_file(item.raw) == _raw("plain.eml")
    assert item.raw.content_type == "message/rfc822"


def test_attachments_are_checked_by_content_and_sealed(commune_a, server):
    """Image and PDF checked and kept, another document kept as a download, a file lying about
    its type not extracted — and the text says so."""
    server.add_message(_raw("multipart_attachment.eml"))
    [item] = mailbox_poll(mailbox=_mailbox(commune_a, server)).stored
    item = MailItem.objects.get(pk=item.pk)
    kept = {
        read_file_name(vault_file): vault_file.content_type for vault_file in item.attachments.all()
    }
    assert kept == {
        "trou.png": "image/png",
        "plan.pdf": "application/pdf",
        "courrier.odt": "application/octet-stream",
    }
    assert "photo.jpg" not in kept
    assert item.body.endswith(
        "[Pièce jointe « photo.jpg » non reprise : Ce fichier n'est pas d'un type accepté "
        "(formats acceptés : JPEG, PNG, WebP, PDF). Elle reste dans le message d'origine.]"
    )
    png = next(f for f in item.attachments.all() if f.content_type == "image/png")
    assert read_file(png).startswith(b"\x89PNG")


def test_sealed_values_are_not_readable_in_the_database(commune_a, server):
    """Sender, subject and body are encrypted at rest."""
    server.add_message(_raw("plain.eml"))
    mailbox_poll(mailbox=_mailbox(commune_a, server))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sender, subject, body FROM demarches_mailitem")
        row = cursor.fetchone()
    assert all("camille" not in str(value).lower() for value in row)
    assert all("Lampadaire" not in str(value) for value in row)


def test_wrong_password_is_recorded_in_french(commune_a, server):
    """An authentication failure lands on last_error, the worker goes on."""
    server.add_message(_raw("plain.eml"))
    mailbox = _mailbox(commune_a, server, password="faux")
    result = mailbox_poll(mailbox=mailbox)
    assert result.stored == []
    mailbox.refresh_from_db()
    assert mailbox.last_error.startswith(
        "Le serveur IMAP a refusé l'identifiant ou le mot de passe"
    )
    assert not server.is_seen(1)


def test_unreachable_server_is_recorded_in_french(commune_a):
    """Nobody listening on the port: a clear message, no exception."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox(
        commune=commune_a, label="Morte", host="127.0.0.1", port=port, use_ssl=False, username="x"
    )
    mailbox.password = "x"
    mailbox.save()
    result = mailbox_poll(mailbox=mailbox)
    assert result.errors == [
        f"Le serveur 127.0.0.1 refuse la connexion sur le port {port} : vérifiez le port "
        "(993 en SSL/TLS, 143 sinon)."
    ]
    mailbox.refresh_from_db()
    assert mailbox.last_error == result.errors[0]


def test_unknown_folder_is_recorded(commune_a, server):
    """A folder that does not exist is named in the error."""
    mailbox = _mailbox(commune_a, server, folder="Archives")
    assert mailbox_poll(mailbox=mailbox).errors == [
        "Le dossier « Archives » n'existe pas sur le serveur IMAP."
    ]


def test_one_unreadable_message_does_not_stop_the_others(commune_a, server):
    """A message the server refuses to give stays unread; the others are stored."""
    first = server.add_message(_raw("plain.eml"))
    broken = server.add_message(_raw("html_only.eml"))
    last = server.add_message(_raw("no_message_id.eml"))
    server.refuse_fetch_of.add(broken)
    mailbox = _mailbox(commune_a, server)
    result = mailbox_poll(mailbox=mailbox)
    assert len(result.stored) == 2
    assert (server.is_seen(first), server.is_seen(broken), server.is_seen(last)) == (
        True,
        False,
        True,
    )
    mailbox.refresh_from_db()
    assert mailbox.last_error == (
        f"Le serveur n'a pas donné le message n° {broken} ; il reste non lu et sera réessayé."
    )


def test_message_failing_to_store_stays_unread(commune_a, server, monkeypatch):
    """If storing fails (a bug, a full disk), nothing is marked read and nothing half-stored."""
    from clocher.demarches.services import mailboxes

    server.add_message(_raw("plain.eml"))
    ok = server.add_message(_raw("html_only.eml"))

    real_store = mailboxes.store_file

    def failing_store(**kwargs):
        if kwargs.get("content_type") == "message/rfc822" and b"Lampadaire" in kwargs["data"]:
            raise OSError("disque plein")
        return real_store(**kwargs)

    monkeypatch.setattr(mailboxes, "store_file", failing_store)
    result = mailbox_poll(mailbox=_mailbox(commune_a, server))
    assert [item.subject for item in result.stored] == ["Réservation de la salle des fêtes"]
    assert not server.is_seen(1)
    assert server.is_seen(ok)
    assert result.errors == [
        "Le message n° 1 n'a pas pu être enregistré (OSError) ; il reste non lu sur le serveur "
        "et sera réessayé."
    ]


def test_connection_lost_midway_keeps_what_was_stored(commune_a, server):
    """The server hangs up on the second message: the first is kept, the error recorded."""
    first = server.add_message(_raw("plain.eml"))
    second = server.add_message(_raw("html_only.eml"))
    server.drop_on_fetch_of.add(second)
    mailbox = _mailbox(commune_a, server)
    result = mailbox_poll(mailbox=mailbox)
    assert [item.subject for item in result.stored] == ["Lampadaire éteint rue Haute"]
    assert server.is_seen(first) and not server.is_seen(second)
    assert len(result.errors) == 1
    assert result.errors[0].startswith("La connexion avec le serveur IMAP a été interrompue")


def test_clear_text_to_a_remote_server_is_refused(commune_a, server, monkeypatch):
    """Without SSL nor STARTTLS, the password is never sent to a server off this machine."""
    monkeypatch.setattr(imap_client, "is_loopback", lambda host: False)
    mailbox = _mailbox(commune_a, server)
    result = mailbox_poll(mailbox=mailbox)
    assert result.errors[0].startswith(
        f"Le serveur 127.0.0.1 n'offre pas de connexion chiffrée sur le port {server.port}"
    )
    assert not any(command.split()[1] == "LOGIN" for command in server.commands)


def test_connection_test_counts_unread_without_touching_them(commune_a, server):
    """The "test the connection" button logs in and counts, reads nothing, stores nothing."""
    server.add_message(_raw("plain.eml"))
    server.add_message(_raw("html_only.eml"), seen=True)
    report = mailbox_test_connection(mailbox=_mailbox(commune_a, server))
    assert report.is_ok
    assert report.unseen_count == 1
    assert report.message == "Connexion réussie : 1 message(s) non lu(s) dans « INBOX »."
    assert not server.is_seen(1)
    assert MailItem.objects.count() == 0


def test_password_is_never_logged_by_the_test_server(commune_a, server):
    """(Harness) the server's command log leaves the password out."""
    mailbox_test_connection(mailbox=_mailbox(commune_a, server))
    assert all("s3cret" not in command for command in server.commands)
