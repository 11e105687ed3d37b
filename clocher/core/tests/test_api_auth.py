"""API authentication by commune key, scopes, commune binding and rate limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest
from django.test import Client, override_settings
from django.urls import path
from django.utils import timezone
from ninja import Router

from clocher.core.api import scopes
from clocher.core.api.auth import api_key_auth, get_for_request, require_scope
from clocher.core.api.base import ClocherAPI
from clocher.core.api.services import api_key_create, api_key_revoke
from clocher.core.models import ApiKey

pytestmark = pytest.mark.urls(__name__)

router = Router()


@router.get("/scoped", auth=api_key_auth)
@require_scope("sig:read")
def scoped(request: HttpRequest) -> dict[str, object]:
    return {"commune": request.commune.slug, "narrowed": request._rls_narrowed}  # type: ignore[attr-defined]


@router.get("/keys/{api_key}", auth=api_key_auth)
def key_detail(request: HttpRequest, api_key: int) -> dict[str, object]:
    return {"name": get_for_request(request, ApiKey, api_key).name}


@router.get("/rls", auth=api_key_auth)
def rls_setting(request: HttpRequest) -> dict[str, object]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('clocher.commune_id', true)")
        return {"setting": cursor.fetchone()[0]}


@router.get("/public", auth=None)
def public(request: HttpRequest) -> dict[str, object]:
    return {"ok": True}


api = ClocherAPI(title="Test", version="test", urls_namespace="api-test-auth")
api.add_router("/", router)
urlpatterns = [path("api/test/", api.urls)]


@pytest.fixture(autouse=True)
def sig_scope():
    scopes.register("sig:read", "Lire les données du SIG (test)")
    cache.clear()
    yield "sig:read"
    scopes.unregister("sig:read")
    cache.clear()


def _get(url: str, token: str | None = None, *, address: str = "127.0.0.1"):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return Client(REMOTE_ADDR=address).get(url, headers=headers)


def test_no_key_is_401_with_challenge(commune_a):
    """Without an Authorization header: 401 in the error format, with a Bearer challenge."""
    response = _get("/api/test/scoped")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == 'Bearer realm="clocher"'


def test_other_scheme_is_401(commune_a):
    """A Basic header is not a key: 401."""
    response = Client().get("/api/test/scoped", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_unknown_key_is_401(commune_a):
    """A well-formed but unknown key: 401 invalid_api_key."""
    response = _get("/api/test/scoped", "clk_00000000_" + "a" * 43)
    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "invalid_api_key",
        "message": "Clé d'API invalide.",
        "details": [],
    }


def test_revoked_key_is_401(commune_a, sig_scope):
    """A revoked key: 401 revoked_api_key, and its last use is not updated."""
    api_key, token = api_key_create(commune=commune_a, name="SIG", scopes=[sig_scope])
    api_key_revoke(api_key=api_key)
    response = _get("/api/test/scoped", token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "revoked_api_key"
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at is None


def test_key_of_an_inactive_commune_is_401(commune_a, sig_scope):
    """A key of a commune that left the instance is refused."""
    _api_key, token = api_key_create(commune=commune_a, name="SIG", scopes=[sig_scope])
    commune_a.is_active = False
    commune_a.save(update_fields=["is_active"])
    assert _get("/api/test/scoped", token).status_code == 401


def test_key_without_the_scope_is_403(commune_a):
    """A valid key without the operation's scope: 403 missing_scope naming the scope."""
    _api_key, token = api_key_create(commune=commune_a, name="SIG")
    response = _get("/api/test/scoped", token)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "missing_scope"
    assert "sig:read" in response.json()["error"]["message"]


def test_key_with_the_scope_is_bound_to_its_commune(commune_a, commune_b, sig_scope):
    """A valid key with the scope: 200, request bound to the key's commune, RLS flag set."""
    _api_key, token = api_key_create(commune=commune_b, name="SIG", scopes=[sig_scope])
    response = _get("/api/test/scoped", token)
    assert response.status_code == 200
    assert response.json() == {"commune": "beire", "narrowed": True}


def test_object_of_another_commune_is_404(commune_a, commune_b):
    """get_for_request finds the caller's commune's objects and answers 404 for others."""
    own, token = api_key_create(commune=commune_a, name="Propre")
    foreign, _ = api_key_create(commune=commune_b, name="Étrangère")
    assert _get(f"/api/test/keys/{own.pk}", token).json() == {"name": "Propre"}
    response = _get(f"/api/test/keys/{foreign.pk}", token)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_last_used_is_written_at_most_once_a_minute(commune_a, sig_scope):
    """The first call stamps last_used_at; calls within the minute do not write it again."""
    api_key, token = api_key_create(commune=commune_a, name="SIG", scopes=[sig_scope])
    _get("/api/test/scoped", token)
    first = ApiKey.objects.get(pk=api_key.pk).last_used_at
    assert first is not None
    _get("/api/test/scoped", token)
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == first
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=first - timedelta(minutes=2))
    _get("/api/test/scoped", token)
    refreshed = ApiKey.objects.get(pk=api_key.pk).last_used_at
    assert refreshed is not None
    assert first - timedelta(seconds=1) < refreshed <= timezone.now()


@override_settings(API_RATE_LIMIT_KEY="2/min")
def test_key_rate_limit_answers_429(commune_a, sig_scope):
    """Past the per-key rate: 429 in the error format with Retry-After."""
    _api_key, token = api_key_create(commune=commune_a, name="SIG", scopes=[sig_scope])
    statuses = [_get("/api/test/scoped", token).status_code for _ in range(2)]
    response = _get("/api/test/scoped", token)
    assert statuses == [200, 200]
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_requests"
    assert int(response["Retry-After"]) >= 1


@override_settings(API_RATE_LIMIT_ANONYMOUS="1/min")
def test_anonymous_rate_limit_is_per_address(db):
    """Calls without a key are counted per address."""
    assert _get("/api/test/public", address="192.0.2.1").status_code == 200
    assert _get("/api/test/public", address="192.0.2.1").status_code == 429
    assert _get("/api/test/public", address="192.0.2.2").status_code == 200


def test_scope_is_documented_in_openapi(db):
    """An operation protected by require_scope names its scope in the schema."""
    schema = api.get_openapi_schema(path_prefix="")
    operation = schema["paths"]["/scoped"]["get"]
    assert operation["x-required-scope"] == "sig:read"
    assert "`sig:read`" in operation["description"]
    assert operation["security"] == [{"ApiKeyAuth": []}]


@pytest.mark.postgres
def test_postgres_connection_is_narrowed_during_the_request_only(commune_a):
    """On PostgreSQL the RLS setting is the key's commune during the call, and reset after."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (CLOCHER_TEST_BACKEND=postgres)")
    _api_key, token = api_key_create(commune=commune_a, name="SIG")
    assert _get("/api/test/rls", token).json() == {"setting": str(commune_a.pk)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('clocher.commune_id', true)")
        assert cursor.fetchone()[0] == "*"
