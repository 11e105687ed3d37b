"""Deadline reminders: one summary e-mail per agent, one journal entry per request per day."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from clocher.core.scheduling import jobs
from clocher.core.testing.factories import MembershipFactory
from clocher.demarches.models import EventKind, Family, Request, RequestEvent
from clocher.demarches.services import instruction
from clocher.demarches.tests.factories import grant, make_procedure, submit
from clocher.tenancy.models import Role

pytestmark = pytest.mark.django_db


def _due(procedure, *, days, **changes):
    citizen_request = submit(procedure).request
    Request.objects.filter(pk=citizen_request.pk).update(
        deadline_on=timezone.localdate() + datetime.timedelta(days=days),
        implicit_decision_on=timezone.localdate() + datetime.timedelta(days=60),
        **changes,
    )
    return citizen_request


def _send(django_capture_on_commit_callbacks, today=None):
    with django_capture_on_commit_callbacks(execute=True):
        return instruction.deadline_reminders_send(today=today)


def test_one_summary_mail_per_agent(commune_a, agent_a, django_capture_on_commit_callbacks):
    """Unassigned due requests go to every agent of the family, in one e-mail each."""
    colleague = MembershipFactory.create(commune=commune_a, role=Role.AGENT).user
    grant(agent_a, commune_a, Family.ROADS)
    grant(colleague, commune_a, Family.ROADS)
    procedure = make_procedure(commune_a, family=Family.ROADS, slug="voirie")
    soon, late = _due(procedure, days=2), _due(procedure, days=-4)
    _due(procedure, days=20)  # not due
    sent = _send(django_capture_on_commit_callbacks)
    assert sent == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [agent_a.email, colleague.email]
    )
    for message in mail.outbox:
        assert soon.number in message.body and late.number in message.body
        assert "Camille Martin" not in message.body  # no personal data
    assert RequestEvent.objects.filter(kind=EventKind.REMINDER).count() == 2


def test_assigned_agent_alone_is_reminded(commune_a, agent_a, django_capture_on_commit_callbacks):
    """A request assigned to an agent of its family reminds that agent only."""
    colleague = MembershipFactory.create(commune=commune_a, role=Role.AGENT).user
    grant(agent_a, commune_a, Family.ROADS)
    grant(colleague, commune_a, Family.ROADS)
    procedure = make_procedure(commune_a, family=Family.ROADS, slug="voirie")
    _due(procedure, days=1, assigned_to=colleague)
    assert _send(django_capture_on_commit_callbacks) == 1
    assert mail.outbox[0].to == [colleague.email]


def test_reminders_are_daily_not_repeated(commune_a, agent_a, django_capture_on_commit_callbacks):
    """Running twice the same day sends nothing the second time; the next day, again."""
    grant(agent_a, commune_a, Family.ROADS)
    procedure = make_procedure(commune_a, family=Family.ROADS, slug="voirie")
    _due(procedure, days=0)
    assert _send(django_capture_on_commit_callbacks) == 1
    assert _send(django_capture_on_commit_callbacks) == 0
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert _send(django_capture_on_commit_callbacks, today=tomorrow) == 1
    assert len(mail.outbox) == 2


def test_implicit_decision_date_reminds_unless_clock_paused(
    commune_a, agent_a, django_capture_on_commit_callbacks
):
    """A near implicit-decision date reminds; a paused clock does not."""
    grant(agent_a, commune_a, Family.ROADS)
    procedure = make_procedure(commune_a, family=Family.ROADS, slug="voirie")
    near = submit(procedure).request
    paused = submit(procedure).request
    soon = timezone.localdate() + datetime.timedelta(days=3)
    Request.objects.filter(pk__in=[near.pk, paused.pk]).update(
        deadline_on=None, implicit_decision_on=soon
    )
    Request.objects.filter(pk=paused.pk).update(clock_paused_at=timezone.now())
    assert _send(django_capture_on_commit_callbacks) == 1
    assert near.number in mail.outbox[0].body
    assert paused.number not in mail.outbox[0].body


def test_closed_requests_and_people_without_the_role_are_left_out(
    commune_a, agent_a, elected_a, django_capture_on_commit_callbacks
):
    """Closed requests do not remind; a grant held by an elected official sends them nothing."""
    grant(agent_a, commune_a, Family.ROADS)
    grant(elected_a, commune_a, Family.ROADS)
    procedure = make_procedure(commune_a, family=Family.ROADS, slug="voirie")
    _due(procedure, days=-1, status="accepted", status_kind="accepted")
    open_one = _due(procedure, days=-1)
    assert _send(django_capture_on_commit_callbacks) == 1
    assert mail.outbox[0].to == [agent_a.email]
    assert open_one.number in mail.outbox[0].body


def test_reminder_job_is_registered_daily():
    """The worker finds the job through demarches.tasks."""
    import clocher.demarches.tasks  # noqa: F401  (what autodiscover imports)

    job = next(job for job in jobs() if job.name == "demarches.deadline_reminders")
    assert job.daily_at == datetime.time(7, 30)
