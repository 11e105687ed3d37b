"""Legal hold: an agent of the family keeps a file from anonymisation, with a reason."""

import pytest
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.demarches.models import EventKind, Family, Request, RequestEvent
from clocher.demarches.services import retention
from clocher.demarches.tests.factories import grant, make_procedure, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def social_request(commune_a):
    return submit(make_procedure(commune_a, family=Family.SOCIAL, slug="ccas")).request


def _url(request, slug="agey"):
    return reverse(
        "staff:demarches:request-legal-hold",
        kwargs={"commune_slug": slug, "citizen_request": request.pk},
    )


HOLD = {"hold": "1", "reason": "Recours contentieux en cours."}


def _held(request):
    return Request.objects.get(pk=request.pk).legal_hold


def test_anonymous_is_sent_to_sign_in(social_request, client):
    """Anonymous: 302, nothing changed."""
    assert client.post(_url(social_request), HOLD).status_code == 302
    assert _held(social_request) is False


def test_other_commune_is_404(social_request, admin_b):
    """A member of another commune: 404, nothing changed."""
    assert signed_in_client(admin_b).post(_url(social_request), HOLD).status_code == 404
    assert _held(social_request) is False


def test_member_without_the_capability_is_403(social_request, commune_a, elected_a):
    """An elected official: 403, nothing changed."""
    grant(elected_a, commune_a, Family.SOCIAL)
    assert signed_in_client(elected_a).post(_url(social_request), HOLD).status_code == 403
    assert _held(social_request) is False


def test_agent_without_the_family_is_404(social_request, commune_a, agent_a):
    """An agent of another family: 404, nothing changed."""
    grant(agent_a, commune_a, Family.ROADS)
    assert signed_in_client(agent_a).post(_url(social_request), HOLD).status_code == 404
    assert _held(social_request) is False


def test_agent_of_the_family_sets_and_lifts_the_hold(social_request, commune_a, agent_a):
    """Set with a reason (journaled internally), then lifted."""
    grant(agent_a, commune_a, Family.SOCIAL)
    client = signed_in_client(agent_a)
    response = client.post(_url(social_request), HOLD)
    assert response.status_code == 302
    assert _held(social_request) is True
    note = RequestEvent.objects.filter(request=social_request, kind=EventKind.NOTE).get()
    assert (note.is_visible_to_citizen, note.data) == (False, {"legal_hold": True})
    assert "Recours contentieux en cours." in note.body
    client.post(_url(social_request), {"hold": "0", "reason": ""})
    assert _held(social_request) is False


def test_hold_needs_a_reason(social_request, commune_a, agent_a):
    """No reason: refused, nothing changed."""
    grant(agent_a, commune_a, Family.SOCIAL)
    with pytest.raises(retention.AnonymisationRefused):
        retention.request_legal_hold_set(request=social_request, actor=agent_a, hold=True)
    assert _held(social_request) is False


def test_get_is_not_allowed(social_request, commune_a, agent_a):
    """Only POST changes the hold."""
    grant(agent_a, commune_a, Family.SOCIAL)
    assert signed_in_client(agent_a).get(_url(social_request)).status_code == 405
