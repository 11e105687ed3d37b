"""The citizen writes to the town hall from the tracking page; agents are told by e-mail."""

import pytest
from django.core import mail
from django.urls import reverse

from clocher.core.models import VaultFile
from clocher.demarches.models import EventKind, Family, RequestEvent, RequestFile
from clocher.demarches.services.citizen import agents_to_notify
from clocher.demarches.tests.factories import grant, make_procedure, submit
from clocher.demarches.tests.support_public import jpeg_bytes, upload


def _track(submitted):
    return reverse(
        "public:demarches:track",
        kwargs={"commune_slug": submitted.request.commune.slug, "token": submitted.token},
    )


@pytest.mark.django_db
def test_a_message_is_journaled_and_agents_of_the_family_are_told(
    client, commune_a, agent_a, admin_a, django_capture_on_commit_callbacks
):
    """The message is visible in the journal; agents granted the family get a mail without it."""
    grant(agent_a, commune_a, Family.GENERAL)
    grant(admin_a, commune_a, Family.SOCIAL)
    submitted = submit(make_procedure(commune_a))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _track(submitted),
            {"action": "message", "message-body": "Le trou s'est agrandi."},
        )
    assert response.status_code == 302
    event = RequestEvent.objects.get(kind=EventKind.MESSAGE_FROM_CITIZEN)
    assert event.is_visible_to_citizen
    assert event.body == "Le trou s'est agrandi."
    assert [message.to for message in mail.outbox] == [[agent_a.email]]
    assert submitted.request.number in mail.outbox[0].subject
    assert "agrandi" not in mail.outbox[0].body
    page = client.get(_track(submitted)).content.decode()
    assert "Votre message a été transmis à la mairie." in page
    assert "Le trou s&#x27;est agrandi." in page


@pytest.mark.django_db
def test_only_the_assigned_agent_is_told_when_there_is_one(commune_a, agent_a, admin_a):
    """With an assigned agent who still holds the family, only they are told."""
    grant(agent_a, commune_a, Family.GENERAL)
    grant(admin_a, commune_a, Family.GENERAL)
    request = submit(make_procedure(commune_a)).request
    assert {user.pk for user in agents_to_notify(request)} == {agent_a.pk, admin_a.pk}
    request.assigned_to = admin_a
    request.save()
    assert [user.pk for user in agents_to_notify(request)] == [admin_a.pk]


@pytest.mark.django_db
def test_a_message_with_a_photo_stores_it_in_the_family(client, commune_a):
    """An attached photo is checked, sealed under the family, and linked to the message."""
    submitted = submit(make_procedure(commune_a))
    response = client.post(
        _track(submitted),
        {
            "action": "message",
            "message-body": "",
            "message-attachment": upload("trou.jpg", jpeg_bytes(width=400, height=300)),
        },
    )
    assert response.status_code == 302
    stored = RequestFile.objects.get(request=submitted.request)
    assert stored.from_citizen and stored.family == Family.GENERAL
    assert stored.vault_file.compartment == Family.GENERAL
    assert RequestEvent.objects.get(kind=EventKind.MESSAGE_FROM_CITIZEN).file_id == stored.pk
    assert "trou.jpg" in client.get(_track(submitted)).content.decode()


@pytest.mark.django_db
def test_a_refused_attachment_keeps_the_message(client, commune_a):
    """A text file is refused with a message; the typed text is still there; nothing stored."""
    submitted = submit(make_procedure(commune_a))
    response = client.post(
        _track(submitted),
        {
            "action": "message",
            "message-body": "Voici le document.",
            "message-attachment": upload("doc.pdf", b"juste du texte", "application/pdf"),
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ce fichier n&#x27;est pas d&#x27;un type accepté" in content
    assert "Voici le document." in content
    assert not RequestEvent.objects.filter(kind=EventKind.MESSAGE_FROM_CITIZEN).exists()
    assert not VaultFile.objects.exists()


@pytest.mark.django_db
def test_an_empty_or_huge_message_is_refused(client, commune_a):
    """No text and no file, or a text over the limit: an error on the field, nothing written."""
    submitted = submit(make_procedure(commune_a))
    empty = client.post(_track(submitted), {"action": "message", "message-body": "  "})
    assert "Écrivez votre message ou joignez un document." in empty.content.decode()
    huge = client.post(_track(submitted), {"action": "message", "message-body": "x" * 6000})
    assert huge.status_code == 200
    assert not RequestEvent.objects.filter(kind=EventKind.MESSAGE_FROM_CITIZEN).exists()
