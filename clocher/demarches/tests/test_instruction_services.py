"""Instruction services: opening, statuses, assignment, notes, messages, corrections, decisions."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from clocher.core.vault import read_file
from clocher.demarches.models import Decision, EventKind, Family, Request, RequestEvent, StatusKind
from clocher.demarches.services import instruction
from clocher.demarches.services.instruction import InstructionRefused
from clocher.demarches.services.legal_delays import add_months
from clocher.demarches.tests.factories import grant, make_procedure, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen_request(commune_a, agent_a):
    grant(agent_a, commune_a, Family.ROADS)
    procedure = make_procedure(commune_a, family=Family.ROADS, slug="voirie")
    return submit(procedure).request


def _events(citizen_request, kind):
    return list(
        RequestEvent.objects.filter(request=citizen_request, kind=kind).order_by("at", "pk")
    )


def test_opening_is_journaled_once_per_hour_and_visible(citizen_request, agent_a, monkeypatch):
    """An opening is visible to the citizen with the agent's name, at most once an hour."""
    agent_a.first_name, agent_a.last_name = "Marie", "Dupont"
    agent_a.save()
    first = instruction.request_open(request=citizen_request, actor=agent_a)
    again = instruction.request_open(request=citizen_request, actor=agent_a)
    assert again is None
    assert first is not None
    assert (first.is_visible_to_citizen, first.actor_label) == (True, "Marie Dupont, mairie")
    later = timezone.now() + datetime.timedelta(hours=1, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert instruction.request_open(request=citizen_request, actor=agent_a) is not None
    assert len(_events(citizen_request, EventKind.OPENED)) == 2


def test_status_change_to_final_sets_closure_and_retention(citizen_request, agent_a):
    """Accepting closes the file and starts the retention period from the closing date."""
    instruction.request_set_status(request=citizen_request, actor=agent_a, status_code="accepted")
    stored = Request.objects.get(pk=citizen_request.pk)
    assert stored.status_kind == StatusKind.ACCEPTED
    assert stored.closed_at is not None
    assert stored.retention_until == add_months(timezone.localdate(stored.closed_at), 12)
    assert citizen_request.retention_until == stored.retention_until


def test_reopening_clears_closure_and_retention(citizen_request, agent_a):
    """Going back to an open status clears the closing date and the retention date."""
    instruction.request_set_status(request=citizen_request, actor=agent_a, status_code="refused")
    instruction.request_set_status(
        request=citizen_request, actor=agent_a, status_code="in_progress"
    )
    stored = Request.objects.get(pk=citizen_request.pk)
    assert (stored.status, stored.closed_at, stored.retention_until) == ("in_progress", None, None)


def test_status_change_mails_the_citizen_with_the_tracking_link(
    citizen_request, agent_a, django_capture_on_commit_callbacks
):
    """A status change is journaled (visible, with the message) and e-mailed with the link."""
    with django_capture_on_commit_callbacks(execute=True):
        event = instruction.request_set_status(
            request=citizen_request,
            actor=agent_a,
            status_code="in_progress",
            message="Nous passons voir demain.",
        )
    assert event is not None
    assert (event.kind, event.is_visible_to_citizen, event.body) == (
        EventKind.STATUS_CHANGED,
        True,
        "Nous passons voir demain.",
    )
    assert (event.status_from, event.status_to) == ("received", "in_progress")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["camille@example.test"]
    assert "En cours d'instruction" in message.body
    token = Request.objects.get(pk=citizen_request.pk).tracking_token
    assert f"/communes/{citizen_request.commune.slug}/demarches/suivi/{token}/" in message.body
    assert "Nous passons voir demain." not in message.body  # read on the tracking page


def test_same_status_changes_nothing_and_sends_nothing(
    citizen_request, agent_a, django_capture_on_commit_callbacks
):
    """Setting the current status again is a no-op."""
    with django_capture_on_commit_callbacks(execute=True):
        event = instruction.request_set_status(
            request=citizen_request, actor=agent_a, status_code="received"
        )
    assert event is None
    assert mail.outbox == []
    assert _events(citizen_request, EventKind.STATUS_CHANGED) == []


def test_unknown_status_is_refused(citizen_request, agent_a):
    """A status the procedure does not have is refused on the status field."""
    with pytest.raises(InstructionRefused) as caught:
        instruction.request_set_status(
            request=citizen_request, actor=agent_a, status_code="archived"
        )
    assert caught.value.field == "status"
    assert Request.objects.get(pk=citizen_request.pk).status == "received"


def test_configured_statuses_are_used(commune_a, agent_a):
    """A procedure's own statuses are the ones accepted, with their kinds."""
    grant(agent_a, commune_a, Family.GENERAL)
    procedure = make_procedure(commune_a)
    procedure.statuses = [
        {"code": "new", "label": "Nouvelle", "kind": "received"},
        {"code": "visit", "label": "Visite prévue", "kind": "in_progress"},
        {"code": "done", "label": "Réparé", "kind": "accepted"},
    ]
    procedure.save()
    citizen_request = submit(procedure).request
    with pytest.raises(InstructionRefused):
        instruction.request_set_status(
            request=citizen_request, actor=agent_a, status_code="in_progress"
        )
    instruction.request_set_status(request=citizen_request, actor=agent_a, status_code="done")
    stored = Request.objects.get(pk=citizen_request.pk)
    assert (stored.status, stored.status_kind) == ("done", StatusKind.ACCEPTED)


def test_anonymised_request_cannot_change(citizen_request, agent_a):
    """An anonymised request refuses every change."""
    Request.objects.filter(pk=citizen_request.pk).update(anonymised_at=timezone.now())
    with pytest.raises(InstructionRefused):
        instruction.request_set_status(
            request=citizen_request, actor=agent_a, status_code="in_progress"
        )
    with pytest.raises(InstructionRefused):
        instruction.request_note_add(request=citizen_request, actor=agent_a, body="x")
    assert Request.objects.get(pk=citizen_request.pk).status == "received"


def test_assignment_needs_an_agent_of_the_family(citizen_request, agent_a, admin_a):
    """A request is assigned only to someone granted its family; journaled, not visible."""
    with pytest.raises(InstructionRefused) as caught:
        instruction.request_assign(request=citizen_request, actor=agent_a, assignee=admin_a)
    assert caught.value.field == "assignee"
    grant(admin_a, citizen_request.commune, Family.ROADS)
    event = instruction.request_assign(request=citizen_request, actor=agent_a, assignee=admin_a)
    assert event is not None
    assert (event.kind, event.is_visible_to_citizen) == (EventKind.ASSIGNED, False)
    assert Request.objects.get(pk=citizen_request.pk).assigned_to == admin_a
    instruction.request_assign(request=citizen_request, actor=agent_a, assignee=None)
    assert Request.objects.get(pk=citizen_request.pk).assigned_to is None


def test_note_is_internal_and_sends_no_mail(
    citizen_request, agent_a, django_capture_on_commit_callbacks
):
    """An internal note is never visible to the citizen and e-mails nobody."""
    with django_capture_on_commit_callbacks(execute=True):
        event = instruction.request_note_add(
            request=citizen_request, actor=agent_a, body="Voisin déjà venu se plaindre."
        )
    stored = RequestEvent.objects.get(pk=event.pk)
    assert (stored.kind, stored.is_visible_to_citizen) == (EventKind.NOTE, False)
    assert stored.body == "Voisin déjà venu se plaindre."
    assert mail.outbox == []


def test_empty_note_is_refused(citizen_request, agent_a):
    """A blank note is refused on its field."""
    with pytest.raises(InstructionRefused) as caught:
        instruction.request_note_add(request=citizen_request, actor=agent_a, body="   ")
    assert caught.value.field == "body"


def test_message_is_visible_and_mailed_without_its_content(
    citizen_request, agent_a, django_capture_on_commit_callbacks
):
    """A message to the citizen is visible; the e-mail announces it and gives the link."""
    with django_capture_on_commit_callbacks(execute=True):
        event = instruction.request_message_citizen(
            request=citizen_request, actor=agent_a, body="Le lampadaire sera changé lundi."
        )
    assert (event.kind, event.is_visible_to_citizen) == (EventKind.MESSAGE_TO_CITIZEN, True)
    assert len(mail.outbox) == 1
    assert "/demarches/suivi/" in mail.outbox[0].body
    assert "lampadaire sera changé" not in mail.outbox[0].body
    assert mail.outbox[0].reply_to == ["mairie@example.test"]


def test_no_mail_when_the_citizen_gave_no_address(
    commune_a, agent_a, django_capture_on_commit_callbacks
):
    """A request entered at the counter without e-mail gets its journal, no mail."""
    from clocher.demarches.models import Channel

    grant(agent_a, commune_a, Family.GENERAL)
    citizen_request = submit(make_procedure(commune_a), email="", channel=Channel.COUNTER).request
    with django_capture_on_commit_callbacks(execute=True):
        instruction.request_message_citizen(request=citizen_request, actor=agent_a, body="Bonjour")
    assert mail.outbox == []
    assert len(_events(citizen_request, EventKind.MESSAGE_TO_CITIZEN)) == 1


def test_correction_request_pauses_the_clock(
    citizen_request, agent_a, django_capture_on_commit_callbacks
):
    """Asking for corrections sets a waiting status, stops the clock, and tells the citizen."""
    due = citizen_request.implicit_decision_on
    assert due is not None
    with django_capture_on_commit_callbacks(execute=True):
        event = instruction.correction_request(
            request=citizen_request, actor=agent_a, body="Joignez une photo du trou."
        )
    stored = Request.objects.get(pk=citizen_request.pk)
    assert (stored.status, stored.status_kind) == ("waiting_citizen", StatusKind.WAITING_CITIZEN)
    assert stored.clock_paused_at is not None
    assert stored.implicit_decision_on == due
    assert (event.kind, event.is_visible_to_citizen) == (EventKind.CORRECTION_REQUESTED, True)
    assert len(mail.outbox) == 1
    assert "pièces ou corrections" in mail.outbox[0].subject


def test_leaving_waiting_status_resumes_the_clock(citizen_request, agent_a):
    """Back under instruction, the implicit-decision date moves by the days paused."""
    due = citizen_request.implicit_decision_on
    instruction.correction_request(request=citizen_request, actor=agent_a, body="Photo ?")
    Request.objects.filter(pk=citizen_request.pk).update(
        clock_paused_at=timezone.now() - datetime.timedelta(days=5)
    )
    fresh = Request.objects.get(pk=citizen_request.pk)
    instruction.request_set_status(request=fresh, actor=agent_a, status_code="in_progress")
    stored = Request.objects.get(pk=citizen_request.pk)
    assert stored.clock_paused_at is None
    assert stored.implicit_decision_on == due + datetime.timedelta(days=5)


def test_decision_stores_its_pdf_in_the_family_vault(
    citizen_request, agent_a, django_capture_on_commit_callbacks
):
    """A decision makes a PDF sealed in the family compartment, closes, and tells the citizen."""
    with django_capture_on_commit_callbacks(execute=True):
        decision = instruction.request_decide(
            request=citizen_request,
            actor=agent_a,
            outcome="accepted",
            motivation="Travaux programmés.",
        )
    stored = Decision.objects.get(pk=decision.pk)
    assert stored.document is not None
    assert stored.document.compartment == Family.ROADS
    assert read_file(stored.document).startswith(b"%PDF")
    assert stored.motivation == "Travaux programmés."
    request = Request.objects.get(pk=citizen_request.pk)
    assert (request.status, request.status_kind) == ("accepted", StatusKind.ACCEPTED)
    assert request.decided_at is not None and request.closed_at is not None
    assert [event.kind for event in _events(citizen_request, EventKind.DECIDED)] == ["decided"]
    assert len(mail.outbox) == 1
    assert "décision disponible" in mail.outbox[0].subject


def test_refusal_needs_a_motivation(citizen_request, agent_a):
    """A refusal without motivation is refused (CRPA L211-2); nothing is written."""
    with pytest.raises(InstructionRefused) as caught:
        instruction.request_decide(
            request=citizen_request, actor=agent_a, outcome="refused", motivation=" "
        )
    assert caught.value.field == "motivation"
    assert not Decision.objects.exists()
    assert Request.objects.get(pk=citizen_request.pk).status == "received"


def test_decision_outcome_must_be_final(citizen_request, agent_a):
    """ "In progress" is not a decision."""
    with pytest.raises(InstructionRefused) as caught:
        instruction.request_decide(
            request=citizen_request, actor=agent_a, outcome="in_progress", motivation=""
        )
    assert caught.value.field == "outcome"


def test_deadline_is_set_and_journaled_internally(citizen_request, agent_a):
    """The internal deadline is stored and journaled, not shown to the citizen."""
    day = timezone.localdate() + datetime.timedelta(days=9)
    event = instruction.request_set_deadline(
        request=citizen_request, actor=agent_a, deadline_on=day
    )
    assert event is not None
    assert (event.kind, event.is_visible_to_citizen) == (EventKind.DEADLINE_SET, False)
    assert Request.objects.get(pk=citizen_request.pk).deadline_on == day


def test_agent_of_another_family_cannot_act(commune_a, agent_a, citizen_request):
    """The services refuse an agent who is not granted the request's family."""
    from clocher.core.testing.factories import MembershipFactory

    social_agent = MembershipFactory.create(commune=commune_a).user
    grant(social_agent, commune_a, Family.SOCIAL)
    calls = [
        lambda: instruction.request_open(request=citizen_request, actor=social_agent),
        lambda: instruction.request_set_status(
            request=citizen_request, actor=social_agent, status_code="accepted"
        ),
        lambda: instruction.request_note_add(request=citizen_request, actor=social_agent, body="x"),
        lambda: instruction.request_decide(
            request=citizen_request, actor=social_agent, outcome="accepted", motivation=""
        ),
    ]
    for call in calls:
        with pytest.raises(InstructionRefused):
            call()
    assert RequestEvent.objects.filter(request=citizen_request).count() == 1  # SUBMITTED
