"""Who may use the counter pages: PROCESS_REQUESTS in the commune, and the family granted."""

import pytest
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.demarches.models import Family, Request
from clocher.demarches.tests.factories import grant, make_procedure, submit

ANSWERS = {
    "channel": "counter",
    "field-topic": "road",
    "field-details": "Trou",
    "field-full_name": "Jean Usager",
}


@pytest.fixture
def procedure(commune_a):
    return make_procedure(commune_a, family=Family.ROADS, slug="voirie", title="Voirie")


def _urls(procedure, request_pk):
    kwargs = {"commune_slug": "agey"}
    return {
        "counter": reverse("staff:demarches:counter", kwargs=kwargs),
        "counter-entry": reverse(
            "staff:demarches:counter-entry", kwargs={**kwargs, "online_procedure": procedure.pk}
        ),
        "counter-done": reverse(
            "staff:demarches:counter-done", kwargs={**kwargs, "citizen_request": request_pk}
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["counter", "counter-entry", "counter-done"])
@pytest.mark.parametrize(
    "person, expected",
    [
        ("anonymous", 302),
        ("admin_b", 404),
        ("elected_a", 403),
        ("technician_a", 403),
    ],
)
def test_refused_people_get_nothing_and_change_nothing(request, procedure, page, person, expected):
    """Anonymous, another commune, members without PROCESS_REQUESTS: refused, nothing stored."""
    existing = submit(procedure).request
    client = request.getfixturevalue("client")
    if person != "anonymous":
        user = request.getfixturevalue(person)
        grant(user, user.memberships.first().commune, Family.ROADS)
        client = signed_in_client(user)
    url = _urls(procedure, existing.pk)[page]
    assert client.get(url).status_code == expected
    assert client.post(url, ANSWERS).status_code == expected
    assert Request.objects.count() == 1


@pytest.mark.django_db
def test_an_agent_without_the_family_cannot_enter_or_see(procedure, agent_a, commune_a):
    """An agent granted another family gets 404 on the entry and result pages; nothing stored."""
    grant(agent_a, commune_a, Family.SOCIAL)
    existing = submit(procedure).request
    client = signed_in_client(agent_a)
    urls = _urls(procedure, existing.pk)
    listing = client.get(urls["counter"])
    assert listing.status_code == 200
    assert "Voirie" not in listing.content.decode()
    assert client.get(urls["counter-entry"]).status_code == 404
    assert client.post(urls["counter-entry"], ANSWERS).status_code == 404
    assert client.get(urls["counter-done"]).status_code == 404
    assert Request.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("person", ["agent_a", "admin_a"])
def test_members_with_the_capability_and_the_family_may(request, procedure, commune_a, person):
    """Agents and admins granted the family see and use every counter page."""
    user = request.getfixturevalue(person)
    grant(user, commune_a, Family.ROADS)
    existing = submit(procedure).request
    client = signed_in_client(user)
    urls = _urls(procedure, existing.pk)
    assert "Voirie" in client.get(urls["counter"]).content.decode()
    assert client.get(urls["counter-entry"]).status_code == 200
    assert client.get(urls["counter-done"]).status_code == 200
    assert client.post(urls["counter-entry"], ANSWERS).status_code == 302
    assert Request.objects.count() == 2


@pytest.mark.django_db
def test_the_counter_list_has_a_bounded_query_count(
    procedure, agent_a, commune_a, django_assert_max_num_queries
):
    """The list of procedures does not grow in queries with the number of procedures."""
    grant(agent_a, commune_a)
    for number in range(10):
        make_procedure(commune_a, family=Family.ROADS, slug=f"p-{number}", title=f"P {number}")
    client = signed_in_client(agent_a)
    client.get(reverse("staff:demarches:counter", kwargs={"commune_slug": "agey"}))
    with django_assert_max_num_queries(15):
        response = client.get(reverse("staff:demarches:counter", kwargs={"commune_slug": "agey"}))
    assert response.content.decode().count("/guichet/") >= 11
