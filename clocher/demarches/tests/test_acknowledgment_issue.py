"""Issuing the acknowledgment: once per request, PDF sealed in the vault, journal entry, e-mail
with the tracking link and the PDF; a paper acknowledgment for a counter request."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from clocher.core.vault import read_file
from clocher.demarches.models import Acknowledgment, Channel, EventKind, RequestEvent
from clocher.demarches.services.acknowledgment import (
    acknowledgment_issue,
    acknowledgment_issue_for,
)
from clocher.demarches.services.submission import request_submit
from clocher.demarches.services.tracking import tracking_path
from clocher.demarches.tests.factories import make_procedure, submit

pytestmark = pytest.mark.django_db


def _events(request, kind):
    return RequestEvent.objects.filter(request=request, kind=kind)


def test_issue_freezes_mentions_and_seals_the_pdf(commune_a):
    """The acknowledgment keeps its mentions; its PDF is sealed under the family's sub-key."""
    request = submit(make_procedure(commune_a, family="social")).request
    acknowledgment = acknowledgment_issue(request=request, send_email=False)
    assert acknowledgment.document is not None
    assert acknowledgment.mentions["number"] == request.number
    assert acknowledgment.family == "social"
    assert acknowledgment.document.compartment == "social"
    assert acknowledgment.document.content_type == "application/pdf"
    assert read_file(acknowledgment.document).startswith(b"%PDF")


def test_issue_is_idempotent(commune_a, django_capture_on_commit_callbacks):
    """A second call returns the same acknowledgment: no second PDF, entry or e-mail."""
    request = submit(make_procedure(commune_a)).request
    with django_capture_on_commit_callbacks(execute=True):
        first = acknowledgment_issue(request=request)
    with django_capture_on_commit_callbacks(execute=True):
        second = acknowledgment_issue(request=request)
    assert second.pk == first.pk
    assert second.document_id == first.document_id
    assert Acknowledgment.objects.filter(request=request).count() == 1
    assert _events(request, EventKind.ACKNOWLEDGED).count() == 1
    assert len(mail.outbox) == 1


def test_journal_entry_is_visible_to_the_citizen(commune_a):
    """The journal says the acknowledgment was sent, and the citizen sees it."""
    request = submit(make_procedure(commune_a)).request
    acknowledgment_issue(request=request, send_email=False)
    event = _events(request, EventKind.ACKNOWLEDGED).get()
    assert event.is_visible_to_citizen is True
    assert event.actor_label == "Mairie (envoi automatique)"
    assert event.data == {"emailed": False, "channel": "web", "late": False}


def test_email_carries_number_link_mentions_and_pdf(commune_a, django_capture_on_commit_callbacks):
    """The citizen gets a French e-mail with the number, the full link, the mentions, the PDF."""
    submitted = submit(make_procedure(commune_a), email="camille@example.test")
    request = submitted.request
    with django_capture_on_commit_callbacks(execute=True):
        acknowledgment = acknowledgment_issue(request=request)
    [message] = mail.outbox
    assert message.to == ["camille@example.test"]
    assert message.reply_to == ["mairie@example.test"]
    assert message.subject == (
        f"Accusé de réception de votre demande n° {request.number} — commune de Agey"
    )
    link = settings.SITE_URL + tracking_path(commune_a, submitted.token)
    assert link.startswith("http")
    assert f"\n{link}\n" in message.body
    assert f"Numéro de suivi : {request.number}" in message.body
    assert "SERVICE CHARGÉ DU DOSSIER" in message.body
    assert "Secrétariat de mairie" in message.body
    assert "sera réputée acceptée" in message.body
    assert "VOIES ET DÉLAIS DE RECOURS" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert filename == f"accuse-de-reception-{request.number}.pdf"
    assert mimetype == "application/pdf"
    assert acknowledgment.document is not None
    assert content == read_file(acknowledgment.document)
    acknowledgment.refresh_from_db()
    assert acknowledgment.emailed_at is not None


def test_counter_request_gets_a_paper_acknowledgment(
    commune_a, agent_a, django_capture_on_commit_callbacks
):
    """Without an e-mail (counter), the PDF is made for printing and nothing is sent."""
    request = request_submit(
        procedure=make_procedure(commune_a),
        data={"topic": "road", "details": "Trou", "full_name": "Jean Sans Courriel"},
        channel=Channel.COUNTER,
        actor=agent_a,
    ).request
    with django_capture_on_commit_callbacks(execute=True):
        acknowledgment = acknowledgment_issue(request=request)
    assert mail.outbox == []
    assert acknowledgment.emailed_at is None
    assert acknowledgment.document is not None
    assert read_file(acknowledgment.document).startswith(b"%PDF")
    assert acknowledgment.mentions["channel"] == Channel.COUNTER
    assert _events(request, EventKind.ACKNOWLEDGED).get().data["emailed"] is False


def test_email_that_never_left_is_sent_again(commune_a, django_capture_on_commit_callbacks):
    """Issued without its e-mail (e.g. the mail server was down), a new call sends it once."""
    request = submit(make_procedure(commune_a)).request
    acknowledgment_issue(request=request, send_email=False)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        acknowledgment_issue(request=request)
    with django_capture_on_commit_callbacks(execute=True):
        acknowledgment_issue(request=request)
    assert len(mail.outbox) == 1


def test_task_body_issues_and_ignores_gone_requests(commune_a):
    """The task issues the acknowledgment; an unknown or wiped request is left alone."""
    request = submit(make_procedure(commune_a)).request
    issued = acknowledgment_issue_for(request.pk)
    assert issued is not None and issued.request_id == request.pk
    assert acknowledgment_issue_for(999_999) is None
    other = submit(request.procedure).request
    other.anonymised_at = timezone.now()
    other.save(update_fields=["anonymised_at"])
    assert acknowledgment_issue_for(other.pk) is None
    assert not Acknowledgment.objects.filter(request=other).exists()


def test_late_acknowledgment_is_flagged(commune_a):
    """Issued more than seven days after receipt (R112-11-2), the entry says it was late."""
    request = request_submit(
        procedure=make_procedure(commune_a),
        data={"topic": "road", "details": "x", "full_name": "Jean"},
        email="jean@example.test",
        received_at=timezone.now() - datetime.timedelta(days=8),
    ).request
    acknowledgment_issue(request=request, send_email=False)
    assert _events(request, EventKind.ACKNOWLEDGED).get().data["late"] is True


def test_mail_server_down_loses_nothing(commune_a, monkeypatch, django_capture_on_commit_callbacks):
    """A failing mail server neither breaks the issue nor marks the e-mail sent; the next call
    sends it."""
    from smtplib import SMTPException

    from django.core.mail import EmailMessage

    request = submit(make_procedure(commune_a)).request
    real_send = EmailMessage.send

    def refuse(self, fail_silently=False):
        raise SMTPException("down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        acknowledgment = acknowledgment_issue(request=request)
    acknowledgment.refresh_from_db()
    assert acknowledgment.emailed_at is None
    monkeypatch.setattr(EmailMessage, "send", real_send)
    with django_capture_on_commit_callbacks(execute=True):
        acknowledgment_issue(request=request)
    assert len(mail.outbox) == 1
    acknowledgment.refresh_from_db()
    assert acknowledgment.emailed_at is not None
