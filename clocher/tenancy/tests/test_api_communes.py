"""GET /api/v1/communes and /api/v1/communes/{commune_slug}: public, paginated, active only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clocher.core.api.services import api_key_create, api_key_revoke
from clocher.core.testing.factories import CommuneFactory


def _auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


@pytest.fixture
def callers(commune_a, commune_b):
    """The authorization matrix: no key, revoked key, key of another commune, key, key w/o scope."""
    revoked, revoked_token = api_key_create(commune=commune_a, name="Révoquée")
    api_key_revoke(api_key=revoked)
    _other, other_token = api_key_create(commune=commune_b, name="Autre commune")
    _own, own_token = api_key_create(commune=commune_a, name="Propre")
    return {"anonymous": None, "revoked": revoked_token, "other": other_token, "own": own_token}


def test_list_is_public_for_every_caller(callers):
    """Anyone gets the list: no key, a revoked key, another commune's key, a good key."""
    for caller, token in callers.items():
        response = Client().get("/api/v1/communes", headers=_auth(token))
        assert response.status_code == 200, caller
        assert [item["slug"] for item in response.json()["items"]] == ["agey", "beire"], caller


def test_list_gives_slug_name_insee_and_population(commune_a, commune_b):
    """Each commune: slug, name, INSEE code and population, in name order, with the total."""
    response = Client().get("/api/v1/communes")
    assert response.json() == {
        "items": [
            {"slug": "agey", "name": "Agey", "insee_code": "21001", "population": 500},
            {"slug": "beire", "name": "Beire", "insee_code": "21002", "population": 500},
        ],
        "count": 2,
        "limit": 50,
        "offset": 0,
    }


def test_list_leaves_out_inactive_communes(commune_a, commune_b):
    """A commune that left the instance is not listed."""
    commune_b.is_active = False
    commune_b.save(update_fields=["is_active"])
    body = Client().get("/api/v1/communes").json()
    assert [item["slug"] for item in body["items"]] == ["agey"]
    assert body["count"] == 1


def test_list_pages_are_stable_and_complete(operator):
    """Pages with limit/offset cover every commune once, also when names are equal."""
    for index in range(5):
        CommuneFactory(operator=operator, name="Saint-Martin", slug=f"saint-martin-{index}")
    CommuneFactory(operator=operator, name="Arc", slug="arc")
    seen: list[str] = []
    for offset in (0, 2, 4):
        body = Client().get(f"/api/v1/communes?limit=2&offset={offset}").json()
        assert body["count"] == 6
        seen.extend(item["slug"] for item in body["items"])
    assert seen[0] == "arc"
    assert sorted(seen) == sorted(["arc"] + [f"saint-martin-{index}" for index in range(5)])
    assert len(set(seen)) == 6


def test_list_limit_is_bounded(commune_a):
    """limit above 200 is refused with a field message."""
    response = Client().get("/api/v1/communes?limit=201")
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "limit"


def test_list_query_count_does_not_grow(operator):
    """Listing costs the same number of queries for 2 or 12 communes (no N+1)."""
    for index in range(2):
        CommuneFactory(operator=operator, slug=f"premiere-{index}")
    with CaptureQueriesContext(connection) as few:
        Client().get("/api/v1/communes")
    for index in range(10):
        CommuneFactory(operator=operator, slug=f"suivante-{index}")
    with CaptureQueriesContext(connection) as many:
        Client().get("/api/v1/communes")
    assert len(many) == len(few)


def test_detail_is_public_for_every_caller(callers):
    """Anyone gets a commune's public page, whatever key they send."""
    for caller, token in callers.items():
        response = Client().get("/api/v1/communes/beire", headers=_auth(token))
        assert response.status_code == 200, caller
        assert response.json()["name"] == "Beire", caller


def test_detail_gives_the_public_information(operator):
    """The page has the town hall's public details."""
    CommuneFactory(
        operator=operator,
        name="Agey",
        slug="agey",
        insee_code="21001",
        population=312,
        address="1 place de la Mairie, 21410 Agey",
        email="mairie@agey.example",
        phone="03 80 00 00 00",
        opening_hours="Mardi 14 h – 18 h",
    )
    assert Client().get("/api/v1/communes/agey").json() == {
        "slug": "agey",
        "name": "Agey",
        "insee_code": "21001",
        "population": 312,
        "latitude": None,
        "longitude": None,
        "address": "1 place de la Mairie, 21410 Agey",
        "email": "mairie@agey.example",
        "phone": "03 80 00 00 00",
        "opening_hours": "Mardi 14 h – 18 h",
    }


def test_detail_of_an_inactive_commune_is_404(commune_a):
    """A commune that left the instance answers 404 like one that never existed."""
    commune_a.is_active = False
    commune_a.save(update_fields=["is_active"])
    response = Client().get("/api/v1/communes/agey")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
