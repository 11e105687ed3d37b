"""The agent's inbox (being written by part C)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from clocher.tenancy.decorators import require_capability
from clocher.tenancy.permissions import Capability


@require_capability(Capability.PROCESS_REQUESTS)
def inbox(request: HttpRequest, commune_slug: str) -> HttpResponse:
    return HttpResponse("")


@require_capability(Capability.PROCESS_REQUESTS)
@require_POST
def bulk_action(request: HttpRequest, commune_slug: str) -> HttpResponse:
    return redirect("staff:demarches:inbox", commune_slug=commune_slug)
