"""The citizen's data page: reached by the secret link only, shows who opened the file."""

import pytest
from django.urls import reverse

from clocher.demarches.models import Family
from clocher.demarches.services import instruction, rights
from clocher.demarches.tests.factories import grant, make_procedure, submit
from clocher.demarches.tests.support_privacy import full_request

pytestmark = pytest.mark.django_db

ROUTES = ("my-data", "my-data-json", "my-data-pdf", "my-data-erase")


def _url(name, commune_slug, token):
    return reverse(
        f"public:demarches:{name}", kwargs={"commune_slug": commune_slug, "token": token}
    )


def test_who_opened_my_file_lists_each_agent_and_time(commune_a, agent_a, admin_a):
    """Every opening by staff, with the agent's name, oldest first."""
    agent_a.first_name, agent_a.last_name = "Marie", "Dupont"
    agent_a.save()
    admin_a.first_name, admin_a.last_name = "Paul", "Bernard"
    admin_a.save()
    grant(agent_a, commune_a, Family.ROADS)
    grant(admin_a, commune_a, Family.ROADS)
    request = submit(make_procedure(commune_a, family=Family.ROADS)).request
    instruction.request_open(request=request, actor=agent_a)
    instruction.request_open(request=request, actor=admin_a)
    openings = rights.openings(request)
    assert [item.label for item in openings] == ["Marie Dupont, mairie", "Paul Bernard, mairie"]
    assert openings[0].at <= openings[1].at


def test_data_page_shows_answers_openings_and_links(
    commune_a, agent_a, client, django_assert_max_num_queries
):
    """The page shows the answers, who opened it, and the export and erase links."""
    agent_a.first_name, agent_a.last_name = "Marie", "Dupont"
    agent_a.save()
    grant(agent_a, commune_a, Family.ROADS)
    made = full_request(commune_a, agent_a)
    with django_assert_max_num_queries(20):
        response = client.get(_url("my-data", "agey", made.token))
    assert response.status_code == 200
    page = response.content.decode()
    for expected in (
        "Camille Martin",
        "Voirie",
        "Marie Dupont, mairie",
        "Bonjour Camille",
        "Motif pour Camille",
        "photo-camille-martin.jpg",
    ):
        assert expected in page, expected
    assert "Note sur Camille" not in page
    assert _url("my-data-json", "agey", made.token) in page
    assert _url("my-data-pdf", "agey", made.token) in page
    assert response["Cache-Control"].startswith("private")


@pytest.mark.parametrize("name", ROUTES)
def test_unknown_token_is_404(commune_a, client, name):
    """A wrong secret shows nothing."""
    assert client.get(_url(name, "agey", "pas-le-bon-jeton")).status_code == 404


@pytest.mark.parametrize("name", ROUTES)
def test_token_of_another_commune_is_404(commune_a, commune_b, client, name):
    """The secret of a request of commune B opens nothing under commune A."""
    submitted = submit(make_procedure(commune_b))
    assert client.get(_url(name, "agey", submitted.token)).status_code == 404
    assert client.get(_url(name, "beire", submitted.token)).status_code == 200


def test_post_with_unknown_token_changes_nothing(commune_a, client):
    """Erasing with a wrong secret is a 404 and wipes nothing."""
    submitted = submit(make_procedure(commune_a))
    assert client.post(_url("my-data-erase", "agey", "faux")).status_code == 404
    submitted.request.refresh_from_db()
    assert submitted.request.erasure_requested_at is None


def test_my_data_path_uses_the_sealed_token(commune_a):
    """The link from the citizen account's list is the same page."""
    submitted = submit(make_procedure(commune_a))
    assert rights.my_data_path(submitted.request) == _url("my-data", "agey", submitted.token)


def test_data_page_after_anonymisation_says_so(commune_a, agent_a, client):
    """Once wiped, the same link shows that the data was erased, and nothing personal."""
    from clocher.demarches.services import retention

    grant(agent_a, commune_a, Family.ROADS)
    made = full_request(commune_a, agent_a)
    retention.request_anonymise(request=made.request, reason="test")
    response = client.get(_url("my-data", "agey", made.token))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Vos données personnelles ont été effacées" in page
    for personal in ("Camille Martin", "camille@example.test", "Bonjour Camille", "photo-camille"):
        assert personal not in page
