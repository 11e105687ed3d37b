"""The OpenAPI schema: served at /api/v1/openapi.json, documenting auth, errors and modules."""

from __future__ import annotations

import pytest
from django.test import Client
from ninja import Router

from clocher.core.api.base import ClocherAPI, mount_module_routers
from clocher.core.modules import ModuleInfo

sample_router = Router()


@sample_router.get("/ping", auth=None)
def ping(request) -> dict[str, bool]:
    return {"pong": True}


@pytest.fixture
def schema(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_schema_lists_the_tenancy_operations(schema):
    """The schema has the communes list, a commune's page and /me."""
    assert schema["info"]["version"] == "1"
    assert set(schema["paths"]) >= {
        "/api/v1/communes",
        "/api/v1/communes/{commune_slug}",
        "/api/v1/me",
    }


def test_schema_declares_the_bearer_scheme(schema):
    """The key is declared as an HTTP bearer scheme, required by /me and not by public lists."""
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"]["type"] == "http"
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"]["scheme"] == "bearer"
    assert schema["paths"]["/api/v1/me"]["get"]["security"] == [{"ApiKeyAuth": []}]
    assert "security" not in schema["paths"]["/api/v1/communes"]["get"]


def test_schema_documents_the_error_format(schema):
    """ErrorResponse is a component, every operation's errors refer to it, and it is explained."""
    error = schema["components"]["schemas"]["ErrorResponse"]
    assert error["required"] == ["error"]
    reference = {"$ref": "#/components/schemas/ErrorResponse"}
    for operations in schema["paths"].values():
        for operation in operations.values():
            default = operation["responses"]["default"]
            assert default["content"]["application/json"]["schema"] == reference
    me = schema["paths"]["/api/v1/me"]["get"]["responses"]
    assert {"401", "403", "429", "default"} <= set(me)
    detail = schema["paths"]["/api/v1/communes/{commune_slug}"]["get"]["responses"]
    assert "404" in detail
    assert "Format des erreurs" in schema["info"]["description"]
    assert "CDN" in schema["info"]["description"]


def test_module_routers_are_mounted_under_their_prefix(db):
    """A module naming an api_router gets it under /<url_prefix>/, tagged with its title."""
    api = ClocherAPI(title="Test", version="test", urls_namespace="api-test-modules")
    module = ModuleInfo(
        url_prefix="cimetiere",
        title="Cimetière",
        description="",
        api_router="clocher.core.tests.test_api_openapi.sample_router",
    )
    without_router = ModuleInfo(url_prefix="agenda", title="Agenda", description="")
    assert mount_module_routers(api, [module, without_router]) == ["cimetiere"]
    operation = api.get_openapi_schema(path_prefix="")["paths"]["/cimetiere/ping"]["get"]
    assert operation["tags"] == ["Cimetière"]
