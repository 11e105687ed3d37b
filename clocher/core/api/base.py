"""``ClocherAPI``: django-ninja's ``NinjaAPI`` with Clocher's conventions built in.

- every error answers the one error format (``core.api.errors``), including a wrong method (405)
  and an unknown address under the API's root (404), which would otherwise be Django's HTML pages;
- the OpenAPI schema documents that format for each operation (422 where there is input, 401/403
  where a key is required, 404 where the path names an object, 429, and ``default``);
- every operation is rate-limited (``core.api.auth.ApiRateThrottle``);
- JSON is written in UTF-8 without ``\\u`` escapes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.renderers import JSONRenderer

from clocher.core.api.auth import ApiRateThrottle
from clocher.core.api.errors import ErrorResponse, error_response, install_error_handlers

ERROR_SCHEMA_REF = {"$ref": REF_TEMPLATE.format(model="ErrorResponse")}


class Utf8JSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


class ClocherAPI(NinjaAPI):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("renderer", Utf8JSONRenderer())
        kwargs.setdefault("throttle", [ApiRateThrottle()])
        kwargs.setdefault("docs_url", None)
        super().__init__(**kwargs)

    def set_default_exception_handlers(self) -> None:
        install_error_handlers(self)

    # --- URLs ------------------------------------------------------------------------------------

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                if pattern.name == "api-root":
                    pattern.callback = self._root_view
                else:
                    pattern.callback = self._json_method_not_allowed(pattern.callback)
        patterns.append(re_path(r"^.*$", self._not_found_view, name="api-not-found"))
        return patterns

    def _json_method_not_allowed(self, view: Callable[..., HttpResponseBase]) -> Callable[..., Any]:
        """ninja answers a wrong method with a plain-text 405; answer the error format instead."""

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            if response.status_code == 405 and not response.get("Content-Type", "").startswith(
                "application/json"
            ):
                replacement = error_response(self, request, 405)
                replacement["Allow"] = response.get("Allow", "")
                return replacement
            return response

        return wrapper

    def _not_found_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return error_response(self, request, 404)

    def _root_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            response = error_response(self, request, 405)
            response["Allow"] = "GET, HEAD"
            return response
        root = request.path
        return JsonResponse(
            {"title": self.title, "version": self.version, "openapi": f"{root}openapi.json"},
            json_dumps_params={"ensure_ascii": False},
        )

    # --- OpenAPI ---------------------------------------------------------------------------------

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        return schema


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA_REF}}}


def document_errors(schema: dict[str, Any]) -> None:
    """Add the error format to the components and the error answers to every operation."""
    definitions = ErrorResponse.model_json_schema(ref_template=REF_TEMPLATE)
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(definitions.pop("$defs", {}))
    schemas["ErrorResponse"] = definitions
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])

            def add(status: int | str, description: str, responses: dict[str, Any] = responses) -> None:
                if status not in responses and str(status) not in responses:
                    responses[status] = _error_response(description)

            if parameters or operation.get("requestBody"):
                add(422, "Paramètres invalides : `details` donne un message par champ.")
            if operation.get("security"):
                add(401, "Clé d'API absente, invalide ou révoquée.")
                add(403, "La clé n'a pas la portée requise.")
            if any(parameter.get("in") == "path" for parameter in parameters):
                add(404, "Objet introuvable (ou appartenant à une autre commune).")
            add(429, "Trop de requêtes : attendre le délai de l'en-tête `Retry-After`.")
            add("default", "Toute autre erreur, au même format.")
