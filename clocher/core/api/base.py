"""``ClocherAPI``: django-ninja's ``NinjaAPI`` with Clocher's conventions built in.

- every error answers the one error format (``core.api.errors``), including a wrong method (405)
  and an unknown address under the API's root (404), which would otherwise be Django's HTML pages;
- the OpenAPI schema documents that format for each operation (422 where there is input, 401/403
  where a key is required, 404 where the path names an object, 429, and ``default``);
- every operation is rate-limited (``core.api.auth.ApiRateThrottle``);
- JSON is written in UTF-8 without ``\\u`` escapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver, re_path
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.renderers import JSONRenderer

from clocher.core.api.auth import ApiRateThrottle
from clocher.core.api.errors import ErrorResponse, error_response, install_error_handlers
from clocher.core.modules import ModuleInfo

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
            if not isinstance(pattern, URLPattern):
                continue
            if pattern.name == "api-root":
                pattern.callback = csrf_exempt(self._read_only(self._root_view))
            elif pattern.name == "openapi-json":
                pattern.callback = csrf_exempt(self._read_only(pattern.callback))
            else:
                pattern.callback = self._json_method_not_allowed(pattern.callback)
        patterns.append(re_path(r"^.*$", csrf_exempt(self._not_found_view), name="api-not-found"))
        return patterns

    def _json_method_not_allowed(self, view: Callable[..., HttpResponseBase]) -> Callable[..., Any]:
        """ninja answers a wrong method with a plain-text 405; answer the error format instead."""

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            if response.status_code == 405 and not response.get("Content-Type", "").startswith(
                "application/json"
            ):
                return self._method_not_allowed(request, response.get("Allow", ""))
            return response

        return wrapper

    def _read_only(self, view: Callable[..., HttpResponseBase]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method not in ("GET", "HEAD"):
                return self._method_not_allowed(request, "GET, HEAD")
            return view(request, *args, **kwargs)

        return wrapper

    def _method_not_allowed(self, request: HttpRequest, allow: str) -> HttpResponse:
        response = error_response(self, request, 405)
        response["Allow"] = allow
        return response

    def _not_found_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return error_response(self, request, 404)

    def _root_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.create_response(
            request,
            {
                "title": self.title,
                "version": self.version,
                "openapi": f"{request.path}openapi.json",
            },
            status=200,
        )

    # --- OpenAPI ---------------------------------------------------------------------------------

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        return schema


def mount_module_routers(api: NinjaAPI, modules: Iterable[ModuleInfo]) -> list[str]:
    """Add each module's ``api_router`` under ``/<api_prefix or url_prefix>/``; returns the
    ``url_prefix`` of the modules mounted."""
    mounted = []
    for module in modules:
        if module.api_router:
            router = import_string(module.api_router)
            prefix = module.api_prefix if module.api_prefix is not None else module.url_prefix
            # An empty prefix mounts the router at the root (its paths name their own prefixes).
            api.add_router(f"/{prefix}/" if prefix else "/", router, tags=[str(module.title)])
            mounted.append(module.url_prefix)
    return mounted


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": ERROR_SCHEMA_REF}},
    }


def document_errors(schema: dict[str, Any]) -> None:
    """Add the error format to the components and the error answers to every operation."""
    definitions = ErrorResponse.model_json_schema(ref_template=REF_TEMPLATE)
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(definitions.pop("$defs", {}))
    schemas["ErrorResponse"] = definitions
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses: dict[Any, Any] = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])

            def add(
                status: int | str, description: str, responses: dict[Any, Any] = responses
            ) -> None:
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
