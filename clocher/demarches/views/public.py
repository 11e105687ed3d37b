"""Public pages of démarches: the catalogue, filling in a form, tracking a request."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clocher.demarches import selectors
from clocher.tenancy.models import Commune


def _commune(request: HttpRequest) -> Commune:
    commune: Commune = request.commune  # type: ignore[attr-defined]
    return commune


def catalogue(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune = _commune(request)
    procedures = list(selectors.published_procedures(commune).order_by("family", "title"))
    return render(request, "demarches/public/catalogue.html", {"procedures": procedures})
