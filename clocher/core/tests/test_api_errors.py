"""Every API error answers the one error format, in French, without leaking internals."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.test import Client
from django.urls import include, path
from ninja import Router

from clocher.core.api.base import ClocherAPI
from clocher.core.api.errors import ApiError

pytestmark = pytest.mark.urls(__name__)

router = Router()


@router.get("/boom", auth=None)
def boom(request: HttpRequest) -> dict[str, object]:
    raise RuntimeError("secret internals at /srv/clocher/settings.py")


@router.get("/invalid", auth=None)
def invalid(request: HttpRequest) -> dict[str, object]:
    raise ValidationError({"name": ["Ce nom est déjà pris."]})


@router.get("/conflict", auth=None)
def conflict(request: HttpRequest) -> dict[str, object]:
    raise ApiError(409, "already_signed", "Ce document est déjà signé.")


test_api = ClocherAPI(title="Test", version="test", urls_namespace="api-test-errors")
test_api.add_router("/", router)
urlpatterns = [
    path("api/test/", test_api.urls),
    path("", include("clocher.config.urls")),
]


def _error(response) -> dict[str, Any]:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert list(body) == ["error"]
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_unknown_route_is_json_404(db):
    """An unknown address under /api/v1/ answers the JSON 404, for any method, without CSRF."""
    for method in ("get", "post", "delete"):
        response = getattr(Client(), method)("/api/v1/nulle-part/rien")
        assert response.status_code == 404
        assert _error(response)["code"] == "not_found"


def test_unknown_commune_is_json_404(db):
    """A commune that does not exist: 404 with a French message."""
    response = Client().get("/api/v1/communes/atlantide")
    assert response.status_code == 404
    assert _error(response) == {
        "code": "not_found",
        "message": "Ressource introuvable.",
        "details": [],
    }


def test_invalid_query_is_422_with_field_details(db):
    """Bad pagination values: 422, one French message per field."""
    response = Client().get("/api/v1/communes?limit=abc&offset=-1")
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "invalid"
    assert error["details"] == [
        {
            "field": "limit",
            "message": "Entrez un nombre entier.",
            "code": "int_parsing",
            "location": "query",
        },
        {
            "field": "offset",
            "message": "La valeur doit être supérieure ou égale à 0.",
            "code": "greater_than_equal",
            "location": "query",
        },
    ]


def test_missing_key_is_401(db):
    """An operation that needs a key, called without: 401 in the error format."""
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert _error(response)["code"] == "unauthorized"


def test_wrong_method_is_json_405(db):
    """POST on a GET operation: 405 in the error format, with the Allow header."""
    response = Client().post("/api/v1/communes")
    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"
    assert response["Allow"] == "GET"
    response = Client().post("/api/v1/openapi.json")
    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"


def test_unexpected_error_is_500_without_internals(db, caplog):
    """A bug answers 500 with a reference and nothing of the exception; it is logged."""
    with caplog.at_level(logging.ERROR, logger="clocher.api"):
        response = Client().get("/api/test/boom")
    assert response.status_code == 500
    error = _error(response)
    assert error["code"] == "internal_error"
    assert response["X-Request-ID"] in error["message"]
    assert b"secret internals" not in response.content
    assert b"RuntimeError" not in response.content
    assert any(record.exc_info for record in caplog.records)


def test_django_validation_error_is_422(db):
    """A service's ValidationError becomes 422 with its messages tied to fields."""
    response = Client().get("/api/test/invalid")
    assert response.status_code == 422
    assert _error(response)["details"] == [
        {"field": "name", "message": "Ce nom est déjà pris.", "code": None}
    ]


def test_api_error_keeps_its_code_and_message(db):
    """ApiError raised by a handler answers its own status, code and message."""
    response = Client().get("/api/test/conflict")
    assert response.status_code == 409
    assert _error(response) == {
        "code": "already_signed",
        "message": "Ce document est déjà signé.",
        "details": [],
    }


def test_docs_page_is_disabled(db):
    """No Swagger page (it would load a CDN): /api/v1/docs is a JSON 404."""
    response = Client().get("/api/v1/docs")
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_api_root_points_to_the_schema(db):
    """/api/v1/ answers a small JSON index naming the OpenAPI schema."""
    response = Client().get("/api/v1/")
    assert response.status_code == 200
    assert response.json() == {
        "title": "Clocher API",
        "version": "1",
        "openapi": "/api/v1/openapi.json",
    }
