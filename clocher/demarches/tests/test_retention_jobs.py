"""The daily retention jobs: warn agents a month before, then anonymise, never by surprise."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from clocher.core.scheduling import autodiscover, jobs
from clocher.core.testing.factories import MembershipFactory
from clocher.demarches.models import EventKind, Family, Request, RequestEvent
from clocher.demarches.services import instruction, retention
from clocher.demarches.tests.factories import grant, make_procedure, submit
from clocher.tenancy.models import Role

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


def _closed(commune, agent, *, family=Family.ROADS, slug="voirie", retention_until, warned=None):
    procedure = make_procedure(commune, family=family, slug=slug)
    request = submit(procedure).request
    instruction.request_set_status(request=request, actor=agent, status_code="closed")
    Request.objects.filter(pk=request.pk).update(
        retention_until=retention_until, retention_warned_at=warned
    )
    request.refresh_from_db()
    return request


@pytest.fixture
def roads_agent(commune_a, agent_a):
    grant(agent_a, commune_a, Family.ROADS)
    return agent_a


def test_agents_get_one_summary_mail_30_days_before(commune_a, roads_agent, admin_a):
    """Each agent granted the family gets ONE e-mail listing every request concerned."""
    grant(admin_a, commune_a, Family.ROADS)
    first = _closed(commune_a, roads_agent, retention_until=TODAY + datetime.timedelta(days=30))
    second = _closed(
        commune_a, roads_agent, slug="voirie-2", retention_until=TODAY + datetime.timedelta(days=3)
    )
    _closed(
        commune_a,
        roads_agent,
        slug="plus-tard",
        retention_until=TODAY + datetime.timedelta(days=31),
    )
    sent = retention.retention_warnings_send(today=TODAY)
    assert sent == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [roads_agent.email, admin_a.email]
    )
    body = mail.outbox[0].body
    assert first.number in body and second.number in body
    assert "16/07/2026" in body  # wiped from the day after retention_until
    assert "Camille" not in body
    warned = Request.objects.filter(retention_warned_at__isnull=False)
    assert set(warned.values_list("pk", flat=True)) == {first.pk, second.pk}
    event = RequestEvent.objects.get(request=first, kind=EventKind.RETENTION_WARNING)
    assert event.data["wiped_from"] == "2026-07-16"
    assert sorted(event.data["to"]) == sorted([roads_agent.pk, admin_a.pk])


def test_warning_job_is_idempotent(commune_a, roads_agent):
    """Running it again warns nobody twice."""
    _closed(commune_a, roads_agent, retention_until=TODAY + datetime.timedelta(days=10))
    assert retention.retention_warnings_send(today=TODAY) == 1
    assert retention.retention_warnings_send(today=TODAY) == 0
    assert len(mail.outbox) == 1
    assert RequestEvent.objects.filter(kind=EventKind.RETENTION_WARNING).count() == 1


def test_agents_of_other_families_are_not_warned(commune_a, roads_agent):
    """An agent granted only the social family hears nothing of road requests."""
    other = MembershipFactory(commune=commune_a, role=Role.AGENT).user
    grant(other, commune_a, Family.SOCIAL)
    _closed(commune_a, roads_agent, retention_until=TODAY + datetime.timedelta(days=10))
    retention.retention_warnings_send(today=TODAY)
    assert [message.to for message in mail.outbox] == [[roads_agent.email]]


def test_open_or_held_requests_are_not_warned(commune_a, roads_agent):
    """A request under instruction or under legal hold is neither warned nor wiped."""
    held = _closed(
        commune_a,
        roads_agent,
        retention_until=TODAY - datetime.timedelta(days=40),
        warned=timezone.now() - datetime.timedelta(days=60),
    )
    Request.objects.filter(pk=held.pk).update(legal_hold=True)
    procedure = make_procedure(commune_a, family=Family.ROADS, slug="ouverte")
    open_request = submit(procedure).request
    Request.objects.filter(pk=open_request.pk).update(
        retention_until=TODAY - datetime.timedelta(days=40),
        retention_warned_at=timezone.now() - datetime.timedelta(days=60),
    )
    assert retention.retention_warnings_send(today=TODAY) == 0
    assert retention.anonymise_expired(today=TODAY) == 0
    assert Request.objects.filter(anonymised_at__isnull=False).count() == 0


def test_expired_and_warned_requests_are_anonymised(commune_a, roads_agent):
    """Only requests past retention AND warned at least 30 days ago are wiped."""
    now = timezone.now()
    due = _closed(
        commune_a,
        roads_agent,
        retention_until=TODAY - datetime.timedelta(days=1),
        warned=now - datetime.timedelta(days=31),
    )
    warned_late = _closed(
        commune_a,
        roads_agent,
        slug="tard",
        retention_until=TODAY - datetime.timedelta(days=1),
        warned=now - datetime.timedelta(days=5),
    )
    not_yet = _closed(
        commune_a,
        roads_agent,
        slug="demain",
        retention_until=TODAY,
        warned=now - datetime.timedelta(days=31),
    )
    assert retention.anonymise_expired(today=TODAY) == 1
    wiped = set(Request.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True))
    assert wiped == {due.pk}
    assert Request.objects.get(pk=warned_late.pk).email == "camille@example.test"
    assert Request.objects.get(pk=not_yet.pk).personal()["full_name"] == "Camille Martin"
    assert retention.anonymise_expired(today=TODAY) == 0


def test_never_warned_request_is_warned_before_being_wiped(commune_a, roads_agent):
    """A request found past its retention without warning is warned first, wiped a month later."""
    request = _closed(commune_a, roads_agent, retention_until=TODAY - datetime.timedelta(days=100))
    assert retention.anonymise_expired(today=TODAY) == 0
    assert retention.retention_warnings_send(today=TODAY) == 1
    assert retention.anonymise_expired(today=TODAY) == 0
    Request.objects.filter(pk=request.pk).update(
        retention_warned_at=timezone.now() - datetime.timedelta(days=30, minutes=1)
    )
    assert retention.anonymise_expired(today=TODAY) == 1


def test_anonymisation_works_through_chunks(commune_a, roads_agent, monkeypatch):
    """More requests than a chunk are all wiped in one run."""
    monkeypatch.setattr(retention, "BATCH_SIZE", 2)
    warned = timezone.now() - datetime.timedelta(days=40)
    for index in range(5):
        _closed(
            commune_a,
            roads_agent,
            slug=f"lot-{index}",
            retention_until=TODAY - datetime.timedelta(days=2),
            warned=warned,
        )
    assert retention.anonymise_expired(today=TODAY) == 5
    assert Request.objects.filter(anonymised_at__isnull=True).count() == 0


def test_retention_jobs_are_scheduled_daily():
    """Both jobs are declared periodic (daily)."""
    autodiscover()
    declared = {job.name: job for job in jobs()}
    assert declared["demarches.retention_warnings"].daily_at == datetime.time(2, 15)
    assert declared["demarches.anonymise_expired"].daily_at == datetime.time(2, 30)
