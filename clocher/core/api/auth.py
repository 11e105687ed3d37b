"""Who calls the API: commune API keys sent as ``Authorization: Bearer <key>``.

``ApiKeyAuth`` resolves the key, refuses a revoked key (or the key of a commune that left), and
binds the request to the key's commune: ``request.api_key``, ``request.commune``, and on PostgreSQL
the connection is narrowed to that commune (Row-Level Security) until the end of the request
(``CommuneScopeMiddleware`` opens it again). Handlers then read through commune selectors with
``request.commune``, and resolve ids with :func:`get_for_request`, never by bare id.

``@require_scope("module:action")`` refuses (403) a key that lacks the scope.

Back-office sessions are not accepted by the API for now: the back-office calls services
directly, and a session has no single commune to bind to.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle
from ninja.utils import contribute_operation_callback

from clocher.core import rls
from clocher.core.api import selectors, services
from clocher.core.api.errors import ApiError
from clocher.core.context import client_ip
from clocher.core.models import ApiKey
from clocher.core.scoping import get_for_commune

ViewFunction = TypeVar("ViewFunction", bound=Callable[..., Any])


class ApiKeyAuth(HttpBearer):
    """A commune API key in the ``Authorization: Bearer`` header."""

    openapi_bearerFormat = "clk_<8 hex>_<secret>"
    openapi_description = (
        "Clé d'API d'une commune, créée par `clocher api-key create --commune SLUG --name NOM` "
        "et envoyée dans l'en-tête `Authorization: Bearer <clé>`."
    )

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey:
        api_key = selectors.api_key_for_token(token.strip())
        if api_key is None or not api_key.commune.is_active:
            raise ApiError(401, "invalid_api_key", _("Clé d'API invalide."))
        if api_key.revoked_at is not None:
            raise ApiError(401, "revoked_api_key", _("Cette clé d'API a été révoquée."))
        bind_request_to_key(request, api_key)
        return api_key


def bind_request_to_key(request: HttpRequest, api_key: ApiKey) -> None:
    request.api_key = api_key  # type: ignore[attr-defined]
    request.commune = api_key.commune  # type: ignore[attr-defined]
    rls.set_scope(api_key.commune_id)
    request._rls_narrowed = True  # type: ignore[attr-defined]
    services.api_key_mark_used(api_key=api_key)


api_key_auth = ApiKeyAuth()


def require_scope(scope: str) -> Callable[[ViewFunction], ViewFunction]:
    """Answer 403 unless the calling key has ``scope``; documented in the OpenAPI operation."""

    def decorator(view: ViewFunction) -> ViewFunction:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            api_key = getattr(request, "api_key", None)
            if api_key is None:
                raise ApiError(401)
            if not api_key.has_scope(scope):
                raise ApiError(
                    403,
                    "missing_scope",
                    _("Cette clé d'API n'a pas la portée « %(scope)s ».") % {"scope": scope},
                )
            return view(request, *args, **kwargs)

        def document(operation: Any) -> None:
            extra = dict(operation.openapi_extra or {})
            extra["x-required-scope"] = scope
            operation.openapi_extra = extra
            note = f"Portée requise : `{scope}`."
            operation.description = (
                f"{operation.description}\n\n{note}" if operation.description else note
            )

        contribute_operation_callback(wrapper, document)
        return wrapper  # type: ignore[return-value]

    return decorator


def get_for_request(
    request: HttpRequest, model: type[models.Model], value: Any, *, lookup: str = "pk"
) -> Any:
    """The object of ``model`` designated by ``value`` in the caller's commune, or 404."""
    commune = getattr(request, "commune", None)
    if commune is None:
        raise ApiError(401)
    return get_for_commune(model, commune, value, lookup=lookup)


# --- Rate limiting -------------------------------------------------------------------------------

_PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"120/min"`` → ``(120, 60)``."""
    count, _slash, period = rate.partition("/")
    return int(count), _PERIODS[period.strip() or "s"]


class ApiRateThrottle(BaseThrottle):
    """A fixed-window request counter per API key, or per address for anonymous calls.

    Rates come from the settings ``API_RATE_LIMIT_KEY`` and ``API_RATE_LIMIT_ANONYMOUS``
    (``"600/min"``), counted in Django's cache: per process with the default local-memory cache,
    shared between processes when a shared cache (Redis) is configured.
    """

    def _rate_for(self, request: HttpRequest) -> tuple[str, str]:
        api_key = getattr(request, "api_key", None)
        if api_key is not None:
            return f"key:{api_key.pk}", getattr(settings, "API_RATE_LIMIT_KEY", "600/min")
        return f"ip:{client_ip(request)}", getattr(settings, "API_RATE_LIMIT_ANONYMOUS", "120/min")

    def allow_request(self, request: HttpRequest) -> bool:
        ident, rate = self._rate_for(request)
        limit, period = parse_rate(rate)
        now = time.time()
        window = int(now // period)
        key = f"clocher:api-rate:{ident}:{window}"
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=period + 1)
            count = 1
        self._wait = (window + 1) * period - now
        return count <= limit

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)


def key_commune(request: HttpRequest, commune_slug: str) -> Any:
    """The commune of the request's API key, when it is the one the path names; otherwise 404
    (a key never reads another commune's data, and does not learn that it exists)."""
    commune = getattr(request, "commune", None)
    if commune is None or commune.slug != commune_slug:
        raise ApiError(404)
    return commune
