"""The family boundary: an agent granted "roads" cannot see, open or act on a "social" request."""

import pytest
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.core.vault import store_file
from clocher.demarches.models import Family, Request, RequestEvent, RequestFile
from clocher.demarches.tests.factories import grant, make_procedure, submit

pytestmark = pytest.mark.django_db

ACTIONS = {
    "request-status": {"status": "accepted"},
    "request-assign": {"assignee": ""},
    "request-note": {"body": "Lu"},
    "request-message": {"body": "Bonjour"},
    "request-correction": {"body": "Pièce"},
    "request-decide": {"outcome": "accepted", "motivation": ""},
    "request-deadline": {"deadline_on": "2030-01-01"},
}


@pytest.fixture
def social_request(commune_a):
    procedure = make_procedure(commune_a, family=Family.SOCIAL, slug="ccas", title="Aide CCAS")
    return submit(procedure, full_name="Dominique Aidée").request


@pytest.fixture
def roads_agent(commune_a, agent_a):
    grant(agent_a, commune_a, Family.ROADS)
    return agent_a


def _state(citizen_request):
    return (
        list(Request.objects.filter(pk=citizen_request.pk).values()),
        list(RequestEvent.objects.filter(request=citizen_request).values_list("kind", flat=True)),
    )


def test_social_request_page_is_404_and_not_journaled(commune_a, roads_agent, social_request):
    """The page answers 404 and no opening is written."""
    before = _state(social_request)
    url = reverse(
        "staff:demarches:request",
        kwargs={"commune_slug": commune_a.slug, "citizen_request": social_request.pk},
    )
    assert signed_in_client(roads_agent).get(url).status_code == 404
    assert _state(social_request) == before


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_social_request_actions_are_404_and_change_nothing(
    action, commune_a, roads_agent, social_request
):
    """Every action URL on the social request answers 404; the request is untouched."""
    before = _state(social_request)
    url = reverse(
        f"staff:demarches:{action}",
        kwargs={"commune_slug": commune_a.slug, "citizen_request": social_request.pk},
    )
    assert signed_in_client(roads_agent).post(url, ACTIONS[action]).status_code == 404
    assert _state(social_request) == before


def test_social_file_is_404(commune_a, roads_agent, social_request):
    """A file of the social request cannot be downloaded by the roads agent."""
    vault_file = store_file(
        commune=commune_a,
        data=b"avis d'imposition",
        name="avis.pdf",
        content_type="application/pdf",
        compartment=Family.SOCIAL,
    )
    request_file = RequestFile.objects.create(
        commune=commune_a,
        request=social_request,
        family=Family.SOCIAL,
        vault_file=vault_file,
    )
    url = reverse(
        "staff:demarches:request-file",
        kwargs={
            "commune_slug": commune_a.slug,
            "citizen_request": social_request.pk,
            "request_file": request_file.pk,
        },
    )
    assert signed_in_client(roads_agent).get(url).status_code == 404


def test_inbox_excludes_social_requests_whatever_the_filter(commune_a, roads_agent, social_request):
    """Neither the list, nor a number search, nor a procedure id reveals the social request."""
    client = signed_in_client(roads_agent)
    base = reverse("staff:demarches:inbox", kwargs={"commune_slug": commune_a.slug})
    for query in [
        "",
        f"?number={social_request.number}",
        f"?procedure={social_request.procedure_id}",
    ]:
        content = client.get(base + query).content.decode()
        assert f"demandes/{social_request.pk}/" not in content
        assert "0 demande" in content
        assert "Aide CCAS" not in content
        assert "Dominique" not in content


def test_bulk_action_cannot_reach_social_requests(commune_a, roads_agent, social_request):
    """A social id slipped into a bulk action is refused as an unknown choice."""
    before = _state(social_request)
    response = signed_in_client(roads_agent).post(
        reverse("staff:demarches:inbox-bulk", kwargs={"commune_slug": commune_a.slug}),
        {"requests": [social_request.pk], "action": "set_status", "status": "accepted"},
    )
    assert response.status_code == 400
    assert _state(social_request) == before


def test_social_agent_sees_it(commune_a, social_request):
    """The same pages work for an agent granted the social family (the test can fail)."""
    from clocher.core.testing.factories import MembershipFactory

    social_agent = MembershipFactory.create(commune=commune_a).user
    grant(social_agent, commune_a, Family.SOCIAL)
    client = signed_in_client(social_agent)
    url = reverse(
        "staff:demarches:request",
        kwargs={"commune_slug": commune_a.slug, "citizen_request": social_request.pk},
    )
    assert client.get(url).status_code == 200
    inbox = client.get(reverse("staff:demarches:inbox", kwargs={"commune_slug": commune_a.slug}))
    assert social_request.number in inbox.content.decode()
