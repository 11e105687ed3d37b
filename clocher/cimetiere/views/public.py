"""Public cemetery pages: "find a grave" and the notices of repossession procedures.

They publish the deceased's names and the place of their grave (public archives), never anything
about the holders; a commune that did not open them answers 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from clocher.cimetiere import selectors
from clocher.cimetiere.forms import GraveSearchForm
from clocher.cimetiere.models import AbandonmentProcedure, AbandonmentStepRecord
from clocher.cimetiere.services.abandonment import next_step, procedures_in_progress
from clocher.tenancy.models import Commune

RESULTS_LIMIT = 50


def _open_commune(request: HttpRequest) -> Commune:
    commune: Commune = request.commune  # type: ignore[attr-defined]
    if not selectors.public_search_enabled(commune):
        raise Http404
    return commune


def find_grave(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune = _open_commune(request)
    form = GraveSearchForm(request.GET or None)
    graves: list[selectors.PublicGrave] = []
    truncated = False
    if form.is_valid():
        graves, truncated = selectors.public_graves(
            commune, form.cleaned_data["nom"], limit=RESULTS_LIMIT
        )
    return render(
        request,
        "cimetiere/public_find_grave.html",
        {"form": form, "graves": graves, "truncated": truncated, "limit": RESULTS_LIMIT},
    )


def _steps_in_order(procedure: AbandonmentProcedure) -> list[AbandonmentStepRecord]:
    records: list[AbandonmentStepRecord] = list(procedure.steps.all())  # prefetched
    return sorted(records, key=lambda record: record.done_on)


def abandonment_notices(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune = _open_commune(request)
    procedures = list(procedures_in_progress(commune))
    names = selectors.present_names_by_plot(commune, [p.concession.plot_id for p in procedures])
    notices = [
        {
            "procedure": procedure,
            "plot": procedure.concession.plot,
            "names": names.get(procedure.concession.plot_id, []),
            "steps": _steps_in_order(procedure),
            "next": next_step(procedure),
        }
        for procedure in procedures
    ]
    return render(request, "cimetiere/public_abandonment_notices.html", {"notices": notices})
