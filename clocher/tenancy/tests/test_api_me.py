"""GET /api/v1/me: the calling key's commune, name and scopes."""

from __future__ import annotations

import pytest
from django.test import Client

from clocher.core.api import scopes
from clocher.core.api.services import api_key_create, api_key_revoke
from clocher.core.models import ApiKey


@pytest.fixture
def sig_scope():
    scopes.register("sig:read", "Lire les données du SIG (test)")
    yield "sig:read"
    scopes.unregister("sig:read")


def _me(token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().get("/api/v1/me", headers=headers)


def test_no_key_is_401(commune_a):
    """Without a key: 401."""
    response = _me()
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_revoked_key_is_401(commune_a):
    """A revoked key: 401, and the key is not marked as used."""
    api_key, token = api_key_create(commune=commune_a, name="SIG")
    api_key_revoke(api_key=api_key)
    response = _me(token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "revoked_api_key"
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at is None


def test_key_of_another_commune_describes_that_commune_only(commune_a, commune_b):
    """Commune B's key sees commune B, never commune A."""
    _api_key, token = api_key_create(commune=commune_b, name="Clé de Beire")
    body = _me(token).json()
    assert body["commune"] == {"slug": "beire", "name": "Beire", "insee_code": "21002"}
    assert "agey" not in str(body)


def test_key_without_scope_may_call_me(commune_a):
    """/me needs no scope: a key without any gets its description, with empty scopes."""
    api_key, token = api_key_create(commune=commune_a, name="Sans portée")
    response = _me(token)
    assert response.status_code == 200
    assert response.json() == {
        "commune": {"slug": "agey", "name": "Agey", "insee_code": "21001"},
        "name": "Sans portée",
        "prefix": api_key.prefix,
        "scopes": [],
    }


def test_good_key_gets_its_description_and_is_marked_used(commune_a, sig_scope):
    """A valid key gets its commune, name and scopes; its last use is recorded."""
    api_key, token = api_key_create(commune=commune_a, name="SIG", scopes=[sig_scope])
    response = _me(token)
    assert response.status_code == 200
    assert response.json()["scopes"] == ["sig:read"]
    assert response.json()["prefix"] == api_key.prefix
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at is not None
