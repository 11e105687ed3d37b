"""Bulk actions: many requests assigned or moved in one transaction, each journaled."""

import pytest
from django.core import mail

from clocher.core.testing.clients import signed_in_client
from clocher.demarches.models import EventKind, Family, Request, RequestEvent
from clocher.demarches.services import instruction
from clocher.demarches.services.instruction import BulkAction, InstructionRefused
from clocher.demarches.tests.factories import grant, make_procedure, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def roads_requests(commune_a, agent_a):
    grant(agent_a, commune_a, Family.ROADS)
    procedure = make_procedure(commune_a, family=Family.ROADS, slug="voirie")
    return [submit(procedure).request for _ in range(3)]


def test_bulk_assign_journals_each_request(roads_requests, agent_a):
    """Each request is assigned and gets its own journal entry."""
    result = instruction.requests_bulk(
        requests=roads_requests, actor=agent_a, action=BulkAction.ASSIGN, assignee=agent_a
    )
    assert sorted(result.done) == sorted(item.number for item in roads_requests)
    assert set(
        Request.objects.filter(pk__in=[r.pk for r in roads_requests]).values_list(
            "assigned_to", flat=True
        )
    ) == {agent_a.pk}
    assert RequestEvent.objects.filter(kind=EventKind.ASSIGNED).count() == 3


def test_bulk_status_change_mails_each_citizen(
    roads_requests, agent_a, django_capture_on_commit_callbacks
):
    """A bulk status change is a status change for each request: journaled and e-mailed."""
    with django_capture_on_commit_callbacks(execute=True):
        result = instruction.requests_bulk(
            requests=roads_requests,
            actor=agent_a,
            action=BulkAction.SET_STATUS,
            status_code="in_progress",
        )
    assert len(result.done) == 3
    assert RequestEvent.objects.filter(kind=EventKind.STATUS_CHANGED).count() == 3
    assert len(mail.outbox) == 3


def test_bulk_skips_what_does_not_apply(roads_requests, agent_a):
    """A request already in that status is unchanged; an anonymised one is refused."""
    from django.utils import timezone

    first, second, third = roads_requests
    instruction.request_set_status(request=first, actor=agent_a, status_code="in_progress")
    Request.objects.filter(pk=third.pk).update(anonymised_at=timezone.now())
    result = instruction.requests_bulk(
        requests=roads_requests,
        actor=agent_a,
        action=BulkAction.SET_STATUS,
        status_code="in_progress",
    )
    assert (result.done, result.unchanged) == ([second.number], [first.number])
    assert [number for number, _reason in result.refused] == [third.number]
    assert Request.objects.get(pk=third.pk).status == "received"


def test_bulk_assign_needs_an_assignee(roads_requests, agent_a):
    """Assigning without saying to whom is refused before anything is done."""
    with pytest.raises(InstructionRefused):
        instruction.requests_bulk(requests=roads_requests, actor=agent_a, action=BulkAction.ASSIGN)
    assert not RequestEvent.objects.filter(kind=EventKind.ASSIGNED).exists()


def test_bulk_form_in_the_inbox_works_without_javascript(roads_requests, agent_a, commune_a):
    """Ticking "every request of this page" applies the action to the listed requests."""
    client = signed_in_client(agent_a)
    response = client.post(
        f"/mairie/{commune_a.slug}/demarches/demandes/actions-groupees/",
        {
            "page_requests": [item.pk for item in roads_requests],
            "whole_page": "on",
            "action": "set_status",
            "status": "in_progress",
            "next": f"/mairie/{commune_a.slug}/demarches/?state=open",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/mairie/{commune_a.slug}/demarches/?state=open"
    assert set(
        Request.objects.filter(pk__in=[r.pk for r in roads_requests]).values_list(
            "status", flat=True
        )
    ) == {"in_progress"}


def test_bulk_form_errors_keep_the_ticks(roads_requests, agent_a, commune_a):
    """Without an action chosen, the inbox comes back with the error and the ticked boxes."""
    client = signed_in_client(agent_a)
    ticked = roads_requests[0]
    response = client.post(
        f"/mairie/{commune_a.slug}/demarches/demandes/actions-groupees/",
        {"requests": [ticked.pk], "action": "assign"},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Choisissez l&#x27;agent à qui attribuer les demandes." in content
    assert f'value="{ticked.pk}" id="select-{ticked.pk}" checked' in content
    assert Request.objects.get(pk=ticked.pk).assigned_to is None


def test_bulk_form_ignores_requests_of_other_families(roads_requests, agent_a, commune_a):
    """A social request's id slipped into the form is rejected; it is not changed."""
    social = submit(make_procedure(commune_a, family=Family.SOCIAL, slug="ccas")).request
    client = signed_in_client(agent_a)
    response = client.post(
        f"/mairie/{commune_a.slug}/demarches/demandes/actions-groupees/",
        {"requests": [social.pk], "action": "set_status", "status": "accepted"},
    )
    assert response.status_code == 400
    assert Request.objects.get(pk=social.pk).status == "received"
    assert not RequestEvent.objects.filter(request=social, kind=EventKind.STATUS_CHANGED).exists()
