"""Triage of received e-mails: convert into a request (Channel.EMAIL) or dismiss."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied

from clocher.core.models import VaultFile
from clocher.core.vault import read_file, read_file_name
from clocher.demarches.models import (
    Channel,
    EventKind,
    Family,
    Mailbox,
    MailItem,
    MailItemStatus,
    Request,
    RequestFile,
)
from clocher.demarches.services.mailboxes import (
    MailTriageError,
    mail_item_convert,
    mail_item_dismiss,
    mailbox_poll,
    sender_address,
)
from clocher.demarches.services.submission import SubmissionRefused
from clocher.demarches.tests.factories import grant, make_procedure
from clocher.demarches.tests.imap_server import ImapTestServer

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
ROAD = {"topic": "road", "details": "Nid-de-poule chemin des Vignes.", "full_name": "D. Roux"}


def _received(commune, name: str) -> MailItem:
    """The fixture ``name`` received in a mailbox of ``commune`` (over IMAP)."""
    with ImapTestServer(users={"mairie": "secret"}) as server:
        server.add_message((FIXTURES / name).read_bytes())
        mailbox = Mailbox(
            commune=commune,
            label="Accueil",
            host="127.0.0.1",
            port=server.port,
            use_ssl=False,
            username="mairie",
        )
        mailbox.password = "secret"
        mailbox.save()
        [item] = mailbox_poll(mailbox=mailbox).stored
    return MailItem.objects.get(pk=item.pk)


@pytest.fixture
def item(commune_a):
    return _received(commune_a, "multipart_attachment.eml")


@pytest.fixture
def procedure(commune_a, agent_a):
    grant(agent_a, commune_a, Family.ROADS)
    return make_procedure(commune_a, slug="voirie", family=Family.ROADS)


def _sealed_path(vault_file: VaultFile) -> Path:
    return Path(settings.MEDIA_ROOT) / vault_file.storage_path


def test_convert_creates_an_email_request_with_the_attachments(
    item, procedure, agent_a, django_capture_on_commit_callbacks
):
    """The agent fills the form; the photo goes into the photo field, the rest and the original
    message are attached, all sealed for the family; the item keeps only its link."""
    originals = [*item.attachments.all(), item.raw]
    with django_capture_on_commit_callbacks(execute=True):
        submitted = mail_item_convert(
            item=item,
            actor=agent_a,
            procedure=procedure,
            data=ROAD,
            email=sender_address(item),
        )
    request = Request.objects.get(pk=submitted.request.pk)
    assert request.channel == Channel.EMAIL
    assert request.entered_by == agent_a
    assert request.received_at == item.received_at
    assert request.email == "dominique.roux@example.test"
    assert request.values["topic"] == "road"
    [photo] = request.values["photo"]
    assert "name" not in photo  # the name stays sealed in the vault
    assert read_file_name(VaultFile.objects.get(pk=photo["file"])) == "trou.png"
    files = {
        (request_file.field_name, read_file_name(request_file.vault_file))
        for request_file in RequestFile.objects.filter(request=request)
    }
    assert files == {
        ("photo", "trou.png"),
        ("", "plan.pdf"),
        ("", "courrier.odt"),
        ("", _eml_name(request)),
    }
    for request_file in RequestFile.objects.filter(request=request):
        assert request_file.vault_file.compartment == "roads"
        assert request_file.from_citizen is True
    eml = RequestFile.objects.get(request=request, vault_file__content_type="message/rfc822")
    assert read_file(eml.vault_file) == (FIXTURES / "multipart_attachment.eml").read_bytes()
    item.refresh_from_db()
    assert item.status == MailItemStatus.CONVERTED
    assert item.request == request
    assert item.triaged_by == agent_a
    assert (item.sender, item.subject, item.body, item.raw) == ("", "", "", None)
    assert item.attachments.count() == 0
    assert not VaultFile.objects.filter(pk__in=[f.pk for f in originals]).exists()
    assert not any(_sealed_path(f).exists() for f in originals)
    submitted_event = request.events.get(kind=EventKind.SUBMITTED)
    assert submitted_event.data == {"channel": "email"}


def _eml_name(request: Request) -> str:
    eml = RequestFile.objects.get(request=request, vault_file__content_type="message/rfc822")
    name = read_file_name(eml.vault_file)
    assert name.startswith("courriel-") and name.endswith(".eml")
    return name


def test_hidden_file_field_sends_every_attachment_to_the_request(item, procedure, agent_a):
    """When the photo field is not shown (another topic), the photo is attached to the request."""
    data = {**ROAD, "topic": "lighting"}
    submitted = mail_item_convert(
        item=item, actor=agent_a, procedure=procedure, data=data, email="d@example.test"
    )
    request = submitted.request
    assert "photo" not in request.values
    assert set(
        RequestFile.objects.filter(request=request).values_list("field_name", flat=True)
    ) == {""}
    assert RequestFile.objects.filter(request=request).count() == 4


def test_forged_file_references_are_ignored(item, procedure, agent_a, commune_a):
    """File values sent by the caller are dropped: only the e-mail's attachments are used."""
    from clocher.core.vault import store_file

    other = store_file(
        commune=commune_a, data=b"\x89PNG secret", name="x.png", content_type="image/png"
    )
    data = {**ROAD, "photo": [{"file": str(other.pk), "name": "x.png", "size": 10}]}
    submitted = mail_item_convert(
        item=item, actor=agent_a, procedure=procedure, data=data, email="d@example.test"
    )
    assert [
        read_file_name(VaultFile.objects.get(pk=ref["file"]))
        for ref in submitted.request.values["photo"]
    ] == ["trou.png"]
    assert not RequestFile.objects.filter(vault_file=other).exists()


def test_agent_without_the_family_cannot_convert(item, commune_a, agent_a):
    """A procedure of a family not granted to the agent is refused; nothing changes."""
    social = make_procedure(commune_a, slug="ccas", family=Family.SOCIAL)
    with pytest.raises(PermissionDenied):
        mail_item_convert(item=item, actor=agent_a, procedure=social, data=ROAD, email="")
    item.refresh_from_db()
    assert item.status == MailItemStatus.TO_TRIAGE
    assert Request.objects.count() == 0


def test_invalid_form_changes_nothing_and_leaves_no_file(item, procedure, agent_a):
    """A refused submission keeps the item as it was and removes the copies it made."""
    vault_files_before = set(VaultFile.objects.values_list("pk", flat=True))
    sealed_before = set(Path(settings.MEDIA_ROOT).rglob("*.sealed"))
    with pytest.raises(SubmissionRefused) as refused:
        mail_item_convert(
            item=item,
            actor=agent_a,
            procedure=procedure,
            data={"topic": "road"},
            email="pas-une-adresse",
        )
    assert set(refused.value.errors) == {"details", "full_name", "email"}
    item.refresh_from_db()
    assert item.status == MailItemStatus.TO_TRIAGE
    assert item.subject == "Nid-de-poule chemin des Vignes"
    assert item.attachments.count() == 3
    assert Request.objects.count() == 0
    assert set(VaultFile.objects.values_list("pk", flat=True)) == vault_files_before
    assert set(Path(settings.MEDIA_ROOT).rglob("*.sealed")) == sealed_before


def test_an_item_is_converted_only_once(item, procedure, agent_a):
    """A second conversion (or a dismissal) after the first is refused."""
    mail_item_convert(item=item, actor=agent_a, procedure=procedure, data=ROAD, email="")
    stale = MailItem.objects.get(pk=item.pk)
    with pytest.raises(MailTriageError):
        mail_item_convert(item=stale, actor=agent_a, procedure=procedure, data=ROAD, email="")
    with pytest.raises(MailTriageError):
        mail_item_dismiss(item=stale, actor=agent_a)
    assert Request.objects.count() == 1


def test_dismiss_keeps_the_message_and_records_who(item, agent_a):
    """A dismissed e-mail leaves the list to triage; its text stays readable."""
    mail_item_dismiss(item=item, actor=agent_a)
    item.refresh_from_db()
    assert item.status == MailItemStatus.DISMISSED
    assert item.triaged_by == agent_a
    assert item.triaged_at is not None
    assert item.subject == "Nid-de-poule chemin des Vignes"


def test_sender_address_reads_the_stored_sender(commune_a):
    """The request's e-mail is prefilled with the sender's address, not their name."""
    item = _received(commune_a, "latin1_quoted_printable.eml")
    assert item.sender == "Renée Léger <renee.leger@example.test>"
    assert sender_address(item) == "renee.leger@example.test"
