"""The citizen's data pages, reached by the secret of the tracking link (unknown secret: 404).

See everything the commune holds on the request, who opened it and when, download it as JSON or
PDF, ask to erase it. No account needed: whoever holds the link is the person the commune wrote
to. Every page is private and never cached.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from clocher.cimetiere.views.responses import pdf_response
from clocher.demarches import selectors
from clocher.demarches.documents.citizen_data import citizen_data_pdf
from clocher.demarches.models import Request
from clocher.demarches.services import rights


def _request_for(request: HttpRequest, token: str) -> Request:
    found = selectors.request_by_tracking_token(request.commune, token)  # type: ignore[attr-defined]
    if found is None:
        raise Http404
    return found


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
def my_data(request: HttpRequest, commune_slug: str, token: str) -> HttpResponse:
    citizen_request = _request_for(request, token)
    context = {
        "data": rights.citizen_data(citizen_request),
        "citizen_request": citizen_request,
        "token": token,
        "erasure_refusal": rights.erasure_refusal(citizen_request),
    }
    return _private(render(request, "demarches/rights/my_data.html", context))


@never_cache
def my_data_json(request: HttpRequest, commune_slug: str, token: str) -> HttpResponse:
    citizen_request = _request_for(request, token)
    content = json.dumps(rights.citizen_export_json(citizen_request), ensure_ascii=False, indent=2)
    rights.citizen_export_log(request=citizen_request, what="json")
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    name = f"mes-donnees-{citizen_request.number}-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _private(response)


@never_cache
def my_data_pdf(request: HttpRequest, commune_slug: str, token: str) -> HttpResponse:
    citizen_request = _request_for(request, token)
    content, filename = citizen_data_pdf(citizen_request)
    rights.citizen_export_log(request=citizen_request, what="pdf")
    return _private(pdf_response(content, filename))


@never_cache
@require_http_methods(["GET", "POST"])
def my_data_erase(request: HttpRequest, commune_slug: str, token: str) -> HttpResponse:
    """GET: what erasure means and whether it is possible now. POST: ask for it."""
    citizen_request = _request_for(request, token)
    if request.method == "POST":
        outcome = rights.citizen_erase_request(request=citizen_request)
        template = "demarches/rights/erase_done.html"
        if not outcome.erased:
            template = "demarches/rights/erase_refused.html"
        context = {"citizen_request": citizen_request, "token": token, "outcome": outcome}
        return _private(render(request, template, context))
    context = {
        "citizen_request": citizen_request,
        "token": token,
        "refusal": rights.erasure_refusal(citizen_request),
    }
    return _private(render(request, "demarches/rights/erase_confirm.html", context))
