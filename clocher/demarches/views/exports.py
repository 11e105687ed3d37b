"""Exports of requests (agents) and the legal hold of one request.

The exports page lists only the agent's own exports; while one is being produced, the page
reloads itself every few seconds (``Refresh`` header: no script) and shows ``rows_done /
rows_total``. The download is streamed, decrypted chunk by chunk; anyone but the agent who asked
gets a 404, as for an export that does not exist.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clocher.demarches import selectors
from clocher.demarches.forms_privacy import ExportForm, LegalHoldForm
from clocher.demarches.models import Export, ExportStatus, Family, Request, StatusKind
from clocher.demarches.services import exports, retention
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.models import Commune
from clocher.tenancy.permissions import Capability

REFRESH_SECONDS = 5
PAGE_SIZE = 20


def _commune(request: HttpRequest) -> Commune:
    commune: Commune = request.commune  # type: ignore[attr-defined]
    return commune


@require_capability(Capability.PROCESS_REQUESTS)
@require_http_methods(["GET", "POST"])
def export_list(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune = _commune(request)
    families = selectors.granted_families(request.user, commune)
    form = ExportForm(
        request.POST or None,
        families=families,
        procedures=selectors.procedures_for_commune(commune),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            exports.export_request(
                commune=commune,
                actor=request.user,
                family=data["family"],
                format=data["format"],
                procedure=data["procedure"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                status_kind=data["status_kind"],
            )
        except exports.ExportRefused as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        else:
            messages.success(
                request,
                _("L'export est en préparation : il apparaît ci-dessous, prêt dans un instant."),
            )
            return redirect("staff:demarches:exports", commune_slug=commune.slug)
    page = Paginator(exports.exports_of(request.user, commune), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows: list[dict[str, Any]] = [
        {
            "export": item,
            "expires_at": exports.expires_at(item),
            "family_label": Family(item.family).label if item.family in Family.values else "",
            "status_kind_label": (
                StatusKind(item.filters.get("status_kind")).label
                if (item.filters or {}).get("status_kind") in StatusKind.values
                else ""
            ),
            "percent": (
                int(100 * item.rows_done / item.rows_total)
                if item.rows_total
                else (100 if item.status == ExportStatus.DONE else 0)
            ),
        }
        for item in page.object_list
    ]
    in_progress = any(
        row["export"].status in (ExportStatus.QUEUED, ExportStatus.RUNNING) for row in rows
    )
    response = render(
        request,
        "demarches/exports/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "in_progress": in_progress,
            "has_families": bool(families),
        },
        status=400 if form.errors else 200,
    )
    if in_progress and request.method == "GET":
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@require_capability(Capability.PROCESS_REQUESTS)
def export_download(request: HttpRequest, commune_slug: str, export: Export) -> HttpResponse:
    try:
        pieces = exports.export_download(export=export, actor=request.user)
    except exports.ExportRefused as refused:
        raise Http404(refused.message) from refused
    response = StreamingHttpResponse(pieces, content_type=exports.CONTENT_TYPES[export.format])
    response["Content-Disposition"] = f'attachment; filename="{exports.download_name(export)}"'
    response["Cache-Control"] = "private, no-store"
    # The capability decorator is typed for HttpResponse; a streamed one is served the same way.
    return cast(HttpResponse, response)


@require_capability(Capability.PROCESS_REQUESTS)
@require_POST
def legal_hold(request: HttpRequest, commune_slug: str, citizen_request: Request) -> HttpResponse:
    """Place a request under legal hold (never anonymised) or lift it; back to its page."""
    form = LegalHoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("La demande de conservation légale n'a pas pu être lue."))
    else:
        try:
            retention.request_legal_hold_set(
                request=citizen_request,
                actor=request.user,
                hold=form.cleaned_data["hold"],
                reason=form.cleaned_data["reason"],
            )
        except retention.AnonymisationRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                _("Le dossier est sous conservation légale : il ne sera pas anonymisé.")
                if form.cleaned_data["hold"]
                else _("La conservation légale est levée."),
            )
    return redirect(
        "staff:demarches:request", commune_slug=commune_slug, citizen_request=citizen_request.pk
    )
