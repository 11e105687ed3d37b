"""Staff endpoints of the démarches API: list, read and change the status of requests with a
commune API key whose scopes are family grants."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from clocher.core.api.services import api_key_create
from clocher.demarches.models import EventKind, Family, Request, RequestEvent
from clocher.demarches.tests.factories import make_procedure, submit

pytestmark = pytest.mark.django_db

BASE = "/api/v1/communes/agey/requests"


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()


@pytest.fixture
def requests_a(commune_a):
    """One request of the "roads" family and one of the "social" family in commune A."""
    roads = make_procedure(commune_a, slug="voirie", title="Signaler", family=Family.ROADS)
    social = make_procedure(commune_a, slug="ccas", title="Aide sociale", family=Family.SOCIAL)
    return {
        "roads": submit(roads, full_name="Camille Martin").request,
        "social": submit(social, full_name="Dominique Roux").request,
    }


def _key(commune, *scopes):
    _api_key, token = api_key_create(commune=commune, name="Logiciel SIG", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _status(client, number, body, headers):
    return client.post(
        f"{BASE}/{number}/status",
        data=body if isinstance(body, bytes) else json.dumps(body),
        content_type="application/json",
        **headers,
    )


def test_list_shows_only_the_families_the_key_may_read(client, commune_a, requests_a):
    """A key with requests_roads:read lists the roads request and nothing else."""
    response = client.get(BASE, **_key(commune_a, "requests_roads:read"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["number"] == requests_a["roads"].number
    assert item["procedure"] == "voirie"
    assert item["family"] == "roads"
    assert item["status"] == "received"
    assert item["status_label"] == "Reçue"
    assert item["channel"] == "web"
    assert "personal_values" not in item


def test_list_filters_by_status_procedure_and_family(client, commune_a, requests_a):
    """status, procedure and family narrow the list."""
    headers = _key(commune_a, "requests_roads:read", "requests_social:read")
    assert client.get(BASE, **headers).json()["count"] == 2
    assert client.get(BASE, {"procedure": "ccas"}, **headers).json()["count"] == 1
    assert client.get(BASE, {"family": "roads"}, **headers).json()["count"] == 1
    assert client.get(BASE, {"status": "accepted"}, **headers).json()["count"] == 0
    assert client.get(BASE, {"family": "volcans"}, **headers).status_code == 422


def test_list_query_count_does_not_grow_with_the_page(
    client, commune_a, requests_a, django_assert_max_num_queries
):
    """One page costs a fixed number of queries, whatever its length."""
    procedure = requests_a["roads"].procedure
    for _index in range(10):
        submit(procedure)
    headers = _key(commune_a, "requests_roads:read")
    with django_assert_max_num_queries(8):
        response = client.get(BASE, **headers)
    assert response.json()["count"] == 11


def test_key_without_read_scope_is_refused(client, commune_a, requests_a):
    """No requests_<family>:read scope at all: 403 on the list."""
    response = client.get(BASE, **_key(commune_a, "requests_roads:write"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "missing_scope"


def test_no_key_answers_401(client, requests_a):
    """The staff endpoints need a key."""
    assert client.get(BASE).status_code == 401
    assert client.get(f"{BASE}/{requests_a['roads'].number}").status_code == 401


def test_key_of_another_commune_answers_404(client, commune_b, requests_a):
    """A key of commune B cannot read commune A's path, even with every scope."""
    headers = _key(commune_b, "requests_roads:read", "requests_roads:write")
    assert client.get(BASE, **headers).status_code == 404
    number = requests_a["roads"].number
    assert client.get(f"{BASE}/{number}", **headers).status_code == 404
    assert _status(client, number, {"status": "accepted"}, headers).status_code == 404
    assert Request.objects.get(pk=requests_a["roads"].pk).status == "received"


def test_detail_gives_values_and_personal_values(client, commune_a, requests_a):
    """The key's scope is the grant: the personal values and the e-mail are given."""
    number = requests_a["roads"].number
    response = client.get(f"{BASE}/{number}", **_key(commune_a, "requests_roads:read"))
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == number
    assert body["values"] == {
        "topic": "lighting",
        "details": "Un nid-de-poule devant le 3 rue Haute.",
    }
    assert body["personal_values"] == {"full_name": "Camille Martin"}
    assert body["email"] == "camille@example.test"
    assert body["form_version"] == 1
    assert body["files"] == []


def test_detail_of_another_family_answers_404(client, commune_a, requests_a):
    """A request outside the key's families does not exist for it (no 403 leak)."""
    headers = _key(commune_a, "requests_roads:read")
    response = client.get(f"{BASE}/{requests_a['social'].number}", **headers)
    assert response.status_code == 404
    assert client.get(f"{BASE}/2000-99999", **headers).status_code == 404
    assert not RequestEvent.objects.filter(kind=EventKind.OPENED).exists()


def test_reading_is_journaled_for_the_citizen_once_an_hour(client, commune_a, requests_a):
    """Each key's reading shows in the request's journal, visible to the citizen."""
    request = requests_a["roads"]
    headers = _key(commune_a, "requests_roads:read")
    client.get(f"{BASE}/{request.number}", **headers)
    client.get(f"{BASE}/{request.number}", **headers)
    [opened] = RequestEvent.objects.filter(request=request, kind=EventKind.OPENED)
    assert opened.is_visible_to_citizen is True
    assert opened.actor_label == "Logiciel « Logiciel SIG » de la mairie (API)"


def test_status_change_with_write_scope(client, commune_a, requests_a, mailoutbox):
    """requests_<family>:write moves the request and tells the citizen."""
    request = requests_a["roads"]
    headers = _key(commune_a, "requests_roads:write")
    response = _status(
        client, request.number, {"status": "in_progress", "message": "Équipe prévenue."}, headers
    )
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    request.refresh_from_db()
    assert request.status == "in_progress"
    event = RequestEvent.objects.get(request=request, kind=EventKind.STATUS_CHANGED)
    assert (event.status_from, event.status_to, event.body) == (
        "received",
        "in_progress",
        "Équipe prévenue.",
    )


def test_status_change_with_read_scope_only_answers_403(client, commune_a, requests_a):
    """Reading the family is not enough to change it; nothing changes."""
    request = requests_a["roads"]
    headers = _key(commune_a, "requests_roads:read")
    response = _status(client, request.number, {"status": "accepted"}, headers)
    assert response.status_code == 403
    assert Request.objects.get(pk=request.pk).status == "received"


def test_status_change_outside_the_key_families_answers_404(client, commune_a, requests_a):
    """A request of a family the key does not cover is a 404, and stays as it was."""
    request = requests_a["social"]
    response = _status(
        client, request.number, {"status": "accepted"}, _key(commune_a, "requests_roads:write")
    )
    assert response.status_code == 404
    assert Request.objects.get(pk=request.pk).status == "received"


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        ({"status": "volcan"}, 422, ["status"]),
        ({}, 422, ["status"]),
        ({"status": 3}, 422, ["status"]),
        ({"status": "accepted", "message": ["x"]}, 422, ["message"]),
        ({"status": "accepted", "message": "x" * 10_001}, 422, ["message"]),
        ({"status": "accepted", "extra": 1}, 422, ["extra"]),
        (b"[1, 2]", 422, [None]),
        (b"\xff", 400, []),
        (b"{", 400, []),
    ],
)
def test_bad_status_bodies_are_client_errors(client, commune_a, requests_a, body, status, fields):
    """Unknown status, wrong types, unknown keys, broken JSON: 4xx, request unchanged."""
    request = requests_a["roads"]
    response = _status(client, request.number, body, _key(commune_a, "requests_roads:write"))
    assert response.status_code == status
    assert [detail["field"] for detail in response.json()["error"]["details"]] == fields
    assert Request.objects.get(pk=request.pk).status == "received"


def test_unknown_status_lists_the_allowed_ones(client, commune_a, requests_a):
    """The message names the procedure's statuses."""
    request = requests_a["roads"]
    response = _status(
        client, request.number, {"status": "volcan"}, _key(commune_a, "requests_roads:write")
    )
    assert response.json()["error"]["details"][0]["message"] == (
        "Ce statut n'existe pas pour cette démarche (statuts : received, in_progress, "
        "waiting_citizen, accepted, refused, closed)."
    )


def test_nul_characters_in_the_path_or_filters_are_not_server_errors(client, commune_a, requests_a):
    """A NUL (refused by PostgreSQL) in a path or a filter answers 404 or an empty list."""
    headers = _key(commune_a, "requests_roads:read")
    assert client.get(f"{BASE}/2026%00-1", **headers).status_code == 404
    assert client.get(BASE, {"status": "re\x00ceived"}, **headers).json()["count"] == 0
    assert client.get("/api/v1/communes/ag%00ey/procedures").status_code == 404
    response = client.post(
        "/api/v1/communes/agey/procedures/vo%00irie/requests",
        data="{}",
        content_type="application/json",
    )
    assert response.status_code == 404
