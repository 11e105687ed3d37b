"""Who may reach each instruction page: PROCESS_REQUESTS for the inbox and requests,
MANAGE_FAMILY_GRANTS for the grants matrix.

Anonymous people go to the sign-in page, staff of another commune (or of none) get 404, a role
without the capability gets 403 — even holding a family grant — and a refused request changes
nothing.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.core.vault import store_file
from clocher.demarches.models import Family, FamilyGrant, Request, RequestEvent, RequestFile
from clocher.demarches.tests.factories import grant, make_procedure, submit

pytestmark = pytest.mark.django_db

OK, REDIRECT, LOGIN, FORBIDDEN, NOT_FOUND = 200, 302, "login", 403, 404
PEOPLE = (
    "anonymous",
    "outsider",
    "admin_b",
    "agent_a",
    "technician_a",
    "elected_a",
    "admin_a",
    "operator_support",
    "operator_admin",
)
_DENIED = dict(
    anonymous=LOGIN,
    outsider=NOT_FOUND,
    admin_b=NOT_FOUND,
    technician_a=FORBIDDEN,
    elected_a=FORBIDDEN,
    operator_support=FORBIDDEN,
    operator_admin=FORBIDDEN,
)


def _process(allowed):
    return dict(_DENIED, agent_a=allowed, admin_a=allowed)


def _grants(allowed):
    return dict(_DENIED, agent_a=FORBIDDEN, admin_a=allowed)


# name: (object parameters, method, data, expected per person)
PAGES = {
    "inbox": ([], "get", None, _process(OK)),
    "inbox-bulk": (
        [],
        "post",
        {"action": "unassign", "requests": "__request__"},
        _process(REDIRECT),
    ),
    "request": (["citizen_request"], "get", None, _process(OK)),
    "request-status": (["citizen_request"], "post", {"status": "in_progress"}, _process(REDIRECT)),
    "request-assign": (["citizen_request"], "post", {"assignee": ""}, _process(REDIRECT)),
    "request-note": (["citizen_request"], "post", {"body": "Note"}, _process(REDIRECT)),
    "request-message": (["citizen_request"], "post", {"body": "Bonjour"}, _process(REDIRECT)),
    "request-correction": (
        ["citizen_request"],
        "post",
        {"body": "Une photo"},
        _process(REDIRECT),
    ),
    "request-decide": (
        ["citizen_request"],
        "post",
        {"outcome": "closed", "motivation": ""},
        _process(REDIRECT),
    ),
    "request-deadline": (
        ["citizen_request"],
        "post",
        {"deadline_on": "2030-01-01"},
        _process(REDIRECT),
    ),
    "request-file": (["citizen_request", "request_file"], "get", None, _process(OK)),
    "grants": ([], "get", None, _grants(OK)),
}
WRITES = sorted(name for name, (_p, method, _d, _t) in PAGES.items() if method == "post")


@pytest.fixture
def objects(request, commune_a):
    """A roads request with a file; every person of commune A and the operator holds the grant,
    so that the capability alone decides."""
    procedure = make_procedure(commune_a, family=Family.ROADS, slug="voirie")
    citizen_request = submit(procedure).request
    vault_file = store_file(
        commune=commune_a,
        data=b"%PDF-1.4 test",
        name="plan.pdf",
        content_type="application/pdf",
        compartment=Family.ROADS,
    )
    request_file = RequestFile.objects.create(
        commune=commune_a,
        request=citizen_request,
        family=Family.ROADS,
        field_name="photo",
        vault_file=vault_file,
    )
    for person in PEOPLE[1:]:
        grant(request.getfixturevalue(person), commune_a, Family.ROADS)
    return {"citizen_request": citizen_request, "request_file": request_file}


def _client(person, request):
    if person == "anonymous":
        return Client()
    return signed_in_client(request.getfixturevalue(person))


def _url(name, parameters, commune, objects):
    kwargs = {"commune_slug": commune.slug}
    kwargs.update({parameter: objects[parameter].pk for parameter in parameters})
    return reverse(f"staff:demarches:{name}", kwargs=kwargs)


def _data(data, objects):
    if data is None:
        return None
    return {
        key: objects["citizen_request"].pk if value == "__request__" else value
        for key, value in data.items()
    }


def _state(citizen_request):
    return (
        list(Request.objects.filter(pk=citizen_request.pk).values()),
        RequestEvent.objects.filter(request=citizen_request).count(),
        FamilyGrant.objects.count(),
    )


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_answers_each_person_by_the_role_table(page, person, request, commune_a, objects):
    """Each page answers the status the role table gives that person; a denial writes nothing."""
    parameters, method, data, expected = PAGES[page]
    url = _url(page, parameters, commune_a, objects)
    client = _client(person, request)
    before = _state(objects["citizen_request"])
    response = client.get(url) if method == "get" else client.post(url, _data(data, objects))
    if expected[person] == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected[person]
    if expected[person] in (LOGIN, FORBIDDEN, NOT_FOUND):  # not even an opening journaled
        assert _state(objects["citizen_request"]) == before


@pytest.mark.parametrize("person", ["agent_a", "elected_a", "technician_a", "admin_b"])
def test_grants_cannot_be_changed_without_the_capability(person, request, commune_a, objects):
    """Posting the grants matrix without MANAGE_FAMILY_GRANTS changes no grant."""
    agent = request.getfixturevalue("agent_a")
    before = sorted(FamilyGrant.objects.values_list("user_id", "family"))
    response = _client(person, request).post(
        reverse("staff:demarches:grants", kwargs={"commune_slug": commune_a.slug}),
        {f"families-{agent.pk}": [Family.SOCIAL, Family.ROADS]},
    )
    assert response.status_code in (403, 404)
    assert sorted(FamilyGrant.objects.values_list("user_id", "family")) == before


def test_request_of_another_commune_is_404(request, commune_a, commune_b, objects):
    """Commune B's request id under commune A's address is a 404, for its page and actions."""
    agent = request.getfixturevalue("agent_a")
    other = submit(make_procedure(commune_b, family=Family.ROADS, slug="voirie")).request
    client = signed_in_client(agent)
    before = _state(other)
    for name in ["request", *[page for page in WRITES if page != "inbox-bulk"]]:
        url = reverse(
            f"staff:demarches:{name}",
            kwargs={"commune_slug": commune_a.slug, "citizen_request": other.pk},
        )
        response = client.get(url) if name == "request" else client.post(url, {"body": "x"})
        assert response.status_code == 404, name
    assert _state(other) == before
