"""Asking to erase: refused with a plain reason while the law keeps the file, done otherwise."""

import pytest
from django.urls import reverse

from clocher.demarches.models import EventKind, Family, Request, RequestEvent
from clocher.demarches.services import instruction, rights
from clocher.demarches.tests.factories import grant, make_procedure, submit
from clocher.demarches.tests.support_privacy import full_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def roads_agent(commune_a, agent_a):
    grant(agent_a, commune_a, Family.ROADS)
    return agent_a


def _kinds(request):
    return list(RequestEvent.objects.filter(request=request).values_list("kind", flat=True))


def test_erase_refused_while_open_with_the_reason(commune_a, roads_agent):
    """An open request: refused, both requests and refusal journaled, nothing wiped."""
    request = full_request(commune_a, roads_agent, decide=None).request
    outcome = rights.citizen_erase_request(request=request)
    assert outcome.erased is False
    assert "en cours de traitement" in outcome.reason
    stored = Request.objects.get(pk=request.pk)
    assert (stored.anonymised_at, stored.email) == (None, "camille@example.test")
    assert stored.erasure_requested_at is not None
    refused = RequestEvent.objects.get(request=request, kind=EventKind.ERASURE_REFUSED)
    assert (refused.body, refused.is_visible_to_citizen) == (outcome.reason, True)
    assert EventKind.ERASURE_REQUESTED in _kinds(request)


def test_erase_refused_under_legal_hold(commune_a, roads_agent):
    """A held request: refused, with the legal reason."""
    request = full_request(commune_a, roads_agent, decide="closed").request
    Request.objects.filter(pk=request.pk).update(legal_hold=True)
    request.refresh_from_db()
    outcome = rights.citizen_erase_request(request=request)
    assert (outcome.erased, "raison légale" in outcome.reason) == (False, True)
    assert Request.objects.get(pk=request.pk).anonymised_at is None


def test_erase_refused_while_a_decision_must_be_kept(commune_a, roads_agent):
    """A decision taken, retention running: refused, the end date is told."""
    request = full_request(commune_a, roads_agent, decide="refused").request
    outcome = rights.citizen_erase_request(request=request)
    assert outcome.erased is False
    assert "la loi oblige la mairie à conserver le dossier pendant 12 mois" in outcome.reason
    assert request.retention_until is not None
    assert str(request.retention_until.year) in outcome.reason
    assert Request.objects.get(pk=request.pk).anonymised_at is None


def test_erase_done_at_once_when_nothing_keeps_it(commune_a, roads_agent):
    """Closed without a decision and not held: anonymised at once."""
    procedure = make_procedure(commune_a, family=Family.ROADS, slug="voirie")
    request = submit(procedure).request
    instruction.request_set_status(request=request, actor=roads_agent, status_code="closed")
    outcome = rights.citizen_erase_request(request=request)
    assert (outcome.erased, outcome.reason) == (True, "")
    stored = Request.objects.get(pk=request.pk)
    assert stored.anonymised_at is not None
    assert (stored.email, stored.personal()) == ("", {})
    kinds = _kinds(request)
    assert EventKind.ERASURE_REQUESTED in kinds and EventKind.ANONYMISED in kinds
    anonymised = RequestEvent.objects.get(request=request, kind=EventKind.ANONYMISED)
    assert anonymised.data["reason"] == "erasure_requested_by_citizen"


def test_erase_done_when_the_retention_is_over(commune_a, roads_agent):
    """A decided request whose retention period has passed is wiped on request."""
    import datetime

    request = full_request(commune_a, roads_agent, decide="accepted").request
    Request.objects.filter(pk=request.pk).update(
        retention_until=datetime.date.today() - datetime.timedelta(days=1)
    )
    request.refresh_from_db()
    assert rights.citizen_erase_request(request=request).erased is True


def test_erase_page_posts_and_shows_the_refusal(commune_a, roads_agent, client):
    """The public page explains, and a POST on a refused request shows the reason."""
    made = full_request(commune_a, roads_agent, decide=None)
    url = reverse(
        "public:demarches:my-data-erase", kwargs={"commune_slug": "agey", "token": made.token}
    )
    page = client.get(url)
    assert page.status_code == 200
    assert "en cours de traitement" in page.content.decode()
    response = client.post(url)
    assert response.status_code == 200
    assert "Effacement refusé pour le moment" in response.content.decode()
    assert Request.objects.get(pk=made.request.pk).anonymised_at is None


def test_erase_page_post_erases(commune_a, roads_agent, client):
    """A POST on an erasable request wipes it; the page says so."""
    procedure = make_procedure(commune_a, family=Family.ROADS, slug="voirie")
    submitted = submit(procedure)
    instruction.request_set_status(
        request=submitted.request, actor=roads_agent, status_code="closed"
    )
    url = reverse(
        "public:demarches:my-data-erase", kwargs={"commune_slug": "agey", "token": submitted.token}
    )
    response = client.post(url)
    assert response.status_code == 200
    assert "Vos données sont effacées" in response.content.decode()
    assert Request.objects.get(pk=submitted.request.pk).anonymised_at is not None
