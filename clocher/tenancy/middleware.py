"""Resolving the current commune from the URL, for every commune-scoped page.

Two URL trees carry a ``commune_slug``:

- ``/communes/<slug>/…`` (namespace ``public``): the commune's public pages; anyone may see them.
- ``/mairie/<slug>/…`` (namespace ``staff``): the back-office. The person must be signed in with
  their second factor and hold a role in that commune (or be operator staff); otherwise the page
  answers 404, the same as for a commune that does not exist.

Then every other URL parameter is replaced by the commune's object (``core.scoping``), and on
PostgreSQL the connection is narrowed to that commune for the rest of the request (``core.rls``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from clocher.core import rls
from clocher.core.scoping import resolve_url_objects
from clocher.tenancy.models import Commune
from clocher.tenancy.permissions import abilities_from_roles, roles_in_commune


class CommuneScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.commune = None  # type: ignore[attr-defined]
        try:
            return self.get_response(request)
        finally:
            if getattr(request, "_rls_narrowed", False):
                rls.set_scope(None)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        slug = view_kwargs.get("commune_slug")
        if slug is None:
            return None
        if request.resolver_match and "ninja" in request.resolver_match.app_names:
            # API routes: a slug there names public data; the API binds a request to the commune
            # of its key itself (clocher.core.api.auth).
            return None
        namespaces = request.resolver_match.namespaces if request.resolver_match else []
        commune = (
            Commune.objects.filter(slug=slug, is_active=True).select_related("operator").first()
        )
        if commune is None:
            raise Http404
        if "staff" in namespaces:
            from clocher.accounts.policy import is_fully_authenticated

            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_fully_authenticated(request):
                return redirect_to_login(request.get_full_path())
            roles = roles_in_commune(request.user, commune)
            if not roles:
                raise Http404
            request.commune_roles = roles  # type: ignore[attr-defined]
            request.abilities = abilities_from_roles(roles)  # type: ignore[attr-defined]
        elif "public" not in namespaces:
            raise LookupError("A commune_slug URL must live under the 'staff' or 'public' tree.")
        request.commune = commune  # type: ignore[attr-defined]
        rls.set_scope(commune.pk)
        request._rls_narrowed = True  # type: ignore[attr-defined]
        resolve_url_objects(commune, view_kwargs, user=getattr(request, "user", None))
        return None
