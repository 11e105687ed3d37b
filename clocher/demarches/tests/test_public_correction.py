"""Answering a correction request restarts the clock and brings the request back to work."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clocher.demarches.models import EventKind, Family, Request, RequestEvent, StatusKind
from clocher.demarches.services import citizen, instruction
from clocher.demarches.tests.factories import grant, make_procedure, submit


def _track(submitted):
    return reverse(
        "public:demarches:track",
        kwargs={"commune_slug": submitted.request.commune.slug, "token": submitted.token},
    )


@pytest.fixture
def waiting(commune_a, agent_a):
    grant(agent_a, commune_a, Family.GENERAL)
    submitted = submit(make_procedure(commune_a))
    instruction.correction_request(
        request=submitted.request, actor=agent_a, body="Joignez une photo du lieu."
    )
    request = Request.objects.get(pk=submitted.request.pk)
    request.clock_paused_at = timezone.now() - datetime.timedelta(days=10)
    request.save(update_fields=["clock_paused_at"])
    return submitted


@pytest.mark.django_db
def test_answering_resumes_the_clock_and_status(
    client, waiting, agent_a, django_capture_on_commit_callbacks
):
    """The due date moves by the paused days, the status goes back to in progress, agent told."""
    before = Request.objects.get(pk=waiting.request.pk)
    assert before.implicit_decision_on is not None
    assert before.status_kind == StatusKind.WAITING_CITIZEN
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _track(waiting), {"action": "correction", "correction-body": "Photo jointe."}
        )
    assert response.status_code == 302
    after = Request.objects.get(pk=waiting.request.pk)
    assert after.clock_paused_at is None
    assert after.implicit_decision_on == before.implicit_decision_on + datetime.timedelta(days=10)
    assert (after.status, after.status_kind) == ("in_progress", StatusKind.IN_PROGRESS)
    answered = RequestEvent.objects.get(kind=EventKind.CORRECTION_ANSWERED)
    assert answered.is_visible_to_citizen and answered.body == "Photo jointe."
    assert answered.data["clock_paused_days"] == 10
    change = RequestEvent.objects.filter(kind=EventKind.STATUS_CHANGED).last()
    assert change is not None
    assert (change.status_from, change.status_to) == ("waiting_citizen", "in_progress")
    assert [message.to for message in mail.outbox] == [[agent_a.email]]
    assert "corrections" in mail.outbox[0].subject
    page = client.get(_track(waiting)).content.decode()
    assert "L&#x27;instruction reprend." in page
    assert 'value="correction"' not in page


@pytest.mark.django_db
def test_no_correction_answer_when_none_was_asked(commune_a):
    """The service refuses an answer nobody asked for, and writes nothing."""
    request = submit(make_procedure(commune_a)).request
    with pytest.raises(citizen.CitizenActionRefused):
        citizen.correction_answer(request=request, body="Voilà")
    assert not RequestEvent.objects.filter(kind=EventKind.CORRECTION_ANSWERED).exists()


@pytest.mark.django_db
def test_a_correction_post_without_a_request_for_it_becomes_a_message(client, commune_a):
    """Posting a correction when none is expected never answers one."""
    submitted = submit(make_procedure(commune_a))
    response = client.post(
        _track(submitted),
        {"action": "correction", "correction-body": "x", "message-body": "Bonjour"},
    )
    assert response.status_code == 302
    assert not RequestEvent.objects.filter(kind=EventKind.CORRECTION_ANSWERED).exists()
    assert RequestEvent.objects.get(kind=EventKind.MESSAGE_FROM_CITIZEN).body == "Bonjour"
