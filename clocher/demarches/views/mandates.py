"""Mandates: record, list (valid / upcoming / expired / revoked), read, revoke; the blank form.

A mandate reached by its URL that covers none of the agent's families answers 404, like one of
another commune.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clocher.cimetiere.views.responses import pdf_response
from clocher.core.vault import read_file
from clocher.demarches import selectors
from clocher.demarches.documents.mandate_consent import mandate_consent_pdf
from clocher.demarches.forms_privacy import MandateFilterForm, MandateForm
from clocher.demarches.models import Mandate
from clocher.demarches.services import mandates as mandate_services
from clocher.demarches.services.legal_delays import add_months
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.models import Commune
from clocher.tenancy.permissions import Capability

PAGE_SIZE = 25
SCAN_EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
}


def _commune(request: HttpRequest) -> Commune:
    commune: Commune = request.commune  # type: ignore[attr-defined]
    return commune


def _visible(request: HttpRequest, mandate: Mandate) -> Mandate:
    if not mandate_services.is_visible_to(mandate, request.user):
        raise Http404
    return mandate


@require_capability(Capability.PROCESS_REQUESTS)
def mandate_list(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune = _commune(request)
    today = timezone.localdate()
    filters = MandateFilterForm(request.GET or None)
    state = filters.cleaned_data.get("state", "") if filters.is_valid() else ""
    rows = []
    for mandate in mandate_services.mandates_for_agent(request.user, commune):
        current = mandate_services.mandate_state(mandate, today)
        if state and current != state:
            continue
        rows.append(
            {"mandate": mandate, "state": current, "label": mandate_services.STATE_LABELS[current]}
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row["families"] = mandate_services.family_labels(row["mandate"])
    return render(
        request,
        "demarches/mandates/list.html",
        {"page": page, "filters": filters, "state": state},
    )


@require_capability(Capability.PROCESS_REQUESTS)
@require_http_methods(["GET", "POST"])
def mandate_create(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune = _commune(request)
    families = selectors.granted_families(request.user, commune)
    today = timezone.localdate()
    form = MandateForm(
        request.POST or None,
        request.FILES or None,
        families=families,
        initial={
            "valid_from": today,
            "valid_until": add_months(today, mandate_services.MAX_VALIDITY_MONTHS)
            - datetime.timedelta(days=1),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mandate = mandate_services.mandate_record(
                commune=commune,
                actor=request.user,
                citizen_name=data["citizen_name"],
                citizen_contact=data["citizen_contact"],
                families=data["families"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                consent_reference=data["consent_reference"],
                consent_scan=data["consent_scan"],
            )
        except mandate_services.MandateRefused as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        else:
            messages.success(request, _("Le mandat est enregistré."))
            return redirect(
                "staff:demarches:mandate", commune_slug=commune.slug, mandate=mandate.pk
            )
    if request.method == "POST" and request.FILES.get("consent_scan") and form.errors:
        form.add_error(
            None,
            _("Le formulaire numérisé n'est pas gardé en cas d'erreur : joignez-le à nouveau."),
        )
    return render(
        request,
        "demarches/mandates/create.html",
        {"form": form, "has_families": bool(families)},
        status=400 if form.errors else 200,
    )


@require_capability(Capability.PROCESS_REQUESTS)
def mandate_detail(request: HttpRequest, commune_slug: str, mandate: Mandate) -> HttpResponse:
    commune = _commune(request)
    _visible(request, mandate)
    state = mandate_services.mandate_state(mandate)
    requests = (
        selectors.requests_for_agent(request.user, commune)
        .filter(mandate=mandate)
        .select_related("procedure")
        .order_by("-received_at")[:100]
    )
    return render(
        request,
        "demarches/mandates/detail.html",
        {
            "mandate": mandate,
            "state": state,
            "state_label": mandate_services.STATE_LABELS[state],
            "families": mandate_services.family_labels(mandate),
            "requests": list(requests),
        },
    )


@require_capability(Capability.PROCESS_REQUESTS)
@require_http_methods(["GET", "POST"])
def mandate_revoke(request: HttpRequest, commune_slug: str, mandate: Mandate) -> HttpResponse:
    _visible(request, mandate)
    if request.method == "POST":
        if mandate_services.mandate_revoke(mandate=mandate, actor=request.user):
            messages.success(request, _("Le mandat est révoqué : il ne peut plus être utilisé."))
        return redirect("staff:demarches:mandate", commune_slug=commune_slug, mandate=mandate.pk)
    return render(request, "demarches/mandates/revoke.html", {"mandate": mandate})


@require_capability(Capability.PROCESS_REQUESTS)
def mandate_scan(request: HttpRequest, commune_slug: str, mandate: Mandate) -> HttpResponse:
    _visible(request, mandate)
    if mandate.consent_scan is None:
        raise Http404
    response = HttpResponse(
        read_file(mandate.consent_scan), content_type=mandate.consent_scan.content_type
    )
    extension = SCAN_EXTENSIONS.get(mandate.consent_scan.content_type, "bin")
    response["Content-Disposition"] = f'inline; filename="mandat-{mandate.pk}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_capability(Capability.PROCESS_REQUESTS)
def mandate_blank_form(request: HttpRequest, commune_slug: str) -> HttpResponse:
    content, filename = mandate_consent_pdf(_commune(request))
    return pdf_response(content, filename)
