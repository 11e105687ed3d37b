"""Back-office views of the cemetery: thin, reading through selectors, writing through services."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clocher.cimetiere import selectors
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.permissions import Capability


@require_capability(Capability.VIEW_CEMETERY)
def home(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    return render(
        request,
        "cimetiere/home.html",
        {"cemeteries": selectors.cemeteries_of_commune(commune)},
    )
