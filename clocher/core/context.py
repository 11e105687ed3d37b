"""What the current request (or task) is: for logs, the audit journal and the vault.

``RequestContextMiddleware`` keeps the request in a context variable, so code far from the view
(the vault deciding whether a decryption must be journaled, the log formatter) can know who acts,
from which address, without passing the request everywhere.
"""

from __future__ import annotations

import contextvars
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse


@dataclass
class ActingContext:
    request_id: str
    request: HttpRequest | None = None
    actor: Any = None
    ip_address: str | None = None
    journaled_reads: set[tuple[int, str]] = field(default_factory=set)

    def current_actor(self) -> Any:
        if self.actor is not None:
            return self.actor
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


_current: contextvars.ContextVar[ActingContext | None] = contextvars.ContextVar(
    "clocher_acting_context", default=None
)


def current() -> ActingContext | None:
    return _current.get()


@contextmanager
def acting_as(actor: Any, *, ip_address: str | None = None) -> Iterator[ActingContext]:
    """Run code (a command, a task) on behalf of ``actor``; decryptions are journaled for it."""
    context = ActingContext(request_id=uuid.uuid4().hex[:12], actor=actor, ip_address=ip_address)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def client_ip(request: HttpRequest) -> str | None:
    """The client address. Behind a trusted proxy, set CLOCHER_BEHIND_TLS_PROXY and let the
    proxy overwrite REMOTE_ADDR (e.g. with a real-ip module); forwarded headers are not trusted."""
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context = ActingContext(
            request_id=uuid.uuid4().hex[:12], request=request, ip_address=client_ip(request)
        )
        # Kept on the request too: Django logs a 4xx/5xx response ("Not Found: …") after the
        # middleware chain has returned, with the request attached to the record.
        request.request_id = context.request_id  # type: ignore[attr-defined]
        token = _current.set(context)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = context.request_id
        return response


class ContextFilter(logging.Filter):
    """Adds request_id, actor and commune to every log record emitted during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        request = context.request if context is not None else getattr(record, "request", None)
        request_id: str | None = (
            context.request_id if context is not None else getattr(request, "request_id", None)
        )
        if request_id is not None:
            record.request_id = request_id
        commune = getattr(request, "commune", None)
        if commune is not None:
            record.commune = commune.slug
        return True
