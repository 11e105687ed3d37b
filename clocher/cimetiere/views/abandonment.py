"""Pages of the abandonment procedure (reprise pour état d'abandon, CGCT L2223-17, R2223-12 to
R2223-23): the list of concessions under procedure the town hall keeps (R2223-16), opening a
procedure, each procedure's timeline with the form of its next step, the two reports side by
side for the mayor on site, the photos, and the documents.

VIEW_CEMETERY reads, MANAGE_CEMETERY acts (the council's deliberation and the mayor's order are
recorded by the staff too: the elected official signs the document). The rules live in
``services.abandonment``; a ``LegalRefusal`` is shown tied to the form, with what was typed kept.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clocher.cimetiere.documents import abandonment as documents
from clocher.cimetiere.documents.pdf import Document, render_document
from clocher.cimetiere.forms_abandonment import (
    ConcessionSearchForm,
    OpenProcedureForm,
    RestoredForm,
    StepForm,
)
from clocher.cimetiere.legal_clock import LegalRefusal, concession_clock
from clocher.cimetiere.models import (
    STEP_ORDER,
    AbandonmentOutcome,
    AbandonmentProcedure,
    AbandonmentStep,
    AbandonmentStepRecord,
    Concession,
)
from clocher.cimetiere.services.abandonment import (
    OpenProcedure,
    RecordStep,
    StepWindow,
    next_step,
    procedure_close_restored,
    procedure_reschedule_visit,
)
from clocher.cimetiere.services.abandonment import (
    procedure_cancel as procedure_cancel_service,
)
from clocher.cimetiere.views.responses import pdf_response
from clocher.core.models import VaultFile
from clocher.core.uploads import AcceptedUpload, accept_upload
from clocher.core.vault import FileRejected, read_file, store_file
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.models import Commune
from clocher.tenancy.permissions import Capability

REPORT_STEPS = (AbandonmentStep.FIRST_REPORT, AbandonmentStep.SECOND_REPORT)
SEARCH_LIMIT = 20


def _commune(request: HttpRequest) -> Commune:
    return request.commune  # type: ignore[attr-defined,no-any-return]


def _can_manage(request: HttpRequest) -> bool:
    return bool(getattr(request, "abilities", {}).get(Capability.MANAGE_CEMETERY.value))


def _procedure_url(procedure: AbandonmentProcedure) -> str:
    return reverse(
        "staff:cimetiere:abandonment-procedure",
        kwargs={"commune_slug": procedure.commune.slug, "procedure": procedure.pk},
    )


def _pdf_response(document: Document) -> HttpResponse:
    return pdf_response(render_document(document), document.filename)


def _loaded(procedure: AbandonmentProcedure) -> AbandonmentProcedure:
    """The procedure with its concession, plot and steps (photos included) in four queries."""
    return (
        AbandonmentProcedure.objects.for_commune(procedure.commune)
        .filter(pk=procedure.pk)
        .select_related(
            "commune",
            "concession__plot__cemetery",
            "concession__plot__section",
            "opened_by",
        )
        .prefetch_related("steps__photos", "steps__recorded_by")
        .get()
    )


# --- The list kept at the town hall ----------------------------------------------------------


@require_GET
@require_capability(Capability.VIEW_CEMETERY)
def procedure_list(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Concessions under procedure, with the next step and its legal window (R2223-16)."""
    commune = _commune(request)
    today = timezone.localdate()
    search = ConcessionSearchForm(request.GET if "number" in request.GET else None)
    found: list[Concession] = []
    if _can_manage(request) and search.is_valid():
        found = list(
            Concession.objects.for_commune(commune)
            .filter(number__icontains=search.cleaned_data["number"].strip())
            .select_related("plot__section__cemetery")
            .order_by("number", "id")[:SEARCH_LIMIT]
        )
    return render(
        request,
        "cimetiere/abandonment_list.html",
        {
            "rows": documents.procedure_rows(commune, today=today),
            "today": today,
            "can_manage": _can_manage(request),
            "search": search,
            "found": found,
        },
    )


@require_GET
@require_capability(Capability.VIEW_CEMETERY)
def procedure_list_pdf(request: HttpRequest, commune_slug: str) -> HttpResponse:
    return _pdf_response(
        documents.abandonment_list_document(_commune(request), today=timezone.localdate())
    )


# --- Opening ---------------------------------------------------------------------------------


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def procedure_open(request: HttpRequest, commune_slug: str, concession: Concession) -> HttpResponse:
    """Open a procedure on a concession: the legal clock says whether it may (R2223-12)."""
    commune = _commune(request)
    today = timezone.localdate()
    clock = concession_clock(concession, today=today)
    in_progress = (
        AbandonmentProcedure.objects.for_commune(commune)
        .filter(concession=concession, closed_on__isnull=True)
        .first()
    )
    form = OpenProcedureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = OpenProcedure(
            commune=commune,
            actor=request.user,
            concession=concession,
            today=today,
            visit_planned_on=form.cleaned_data["visit_planned_on"],
        )
        try:
            procedure = action.execute()
        except LegalRefusal as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("La procédure de reprise est ouverte."))
            return redirect(_procedure_url(procedure))
    return render(
        request,
        "cimetiere/abandonment_open.html",
        {
            "concession": concession,
            "plot": concession.plot,
            "clock": clock,
            "in_progress": in_progress,
            "form": form,
        },
    )


# --- One procedure ---------------------------------------------------------------------------


def _timeline(procedure: AbandonmentProcedure) -> list[dict[str, Any]]:
    records = {record.step: record for record in procedure.steps.all()}
    return [
        {"step": step, "label": AbandonmentStep(step).label, "record": records.get(step)}
        for step in STEP_ORDER
    ]


def _accepted_photos(form: StepForm) -> list[AcceptedUpload] | None:
    accepted = []
    for upload in form.cleaned_data.get("photos") or []:
        try:
            accepted.append(accept_upload(upload, kinds=("image",)))
        except FileRejected as error:
            form.add_error("photos", f"{upload.name} : {error}")
            return None
    return accepted


def _refused_field(action: RecordStep, window: StepWindow) -> str | None:
    """The date field when the refusal is about the date (outside the window, or in the
    future), so the message sits next to it; otherwise the form as a whole."""
    day = action.done_on
    if (
        day > action.today
        or (window.earliest is not None and day < window.earliest)
        or (window.latest is not None and day > window.latest)
    ):
        return "done_on"
    return None


@transaction.atomic
def _record_step(action: RecordStep, photos: list[AcceptedUpload]) -> AbandonmentStepRecord:
    """Record the step, then seal its photos in the vault and link them, in one transaction."""
    record = action.execute()
    for photo in photos:
        record.photos.add(
            store_file(
                commune=action.commune,
                data=photo.data,
                name=photo.name,
                content_type=photo.content_type,
            )
        )
    return record


@require_capability(Capability.VIEW_CEMETERY)
@require_http_methods(["GET", "POST"])
def procedure_detail(
    request: HttpRequest, commune_slug: str, procedure: AbandonmentProcedure
) -> HttpResponse:
    """The timeline of the eight steps, the next one with its window and its form."""
    if request.method == "POST" and not _can_manage(request):
        raise PermissionDenied
    commune = _commune(request)
    today = timezone.localdate()
    procedure = _loaded(procedure)
    window = next_step(procedure)
    form = None
    if window is not None and _can_manage(request):
        form = StepForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            step=window.step,
            initial={"done_on": today},
        )
        if request.method == "POST" and form.is_valid():
            photos = _accepted_photos(form)
            if photos is not None:
                action = RecordStep(
                    commune=commune,
                    actor=request.user,
                    procedure=procedure,
                    step=window.step,
                    done_on=form.cleaned_data["done_on"],
                    today=today,
                    fields=form.step_fields(),
                )
                try:
                    _record_step(action, photos)
                except LegalRefusal as refusal:
                    form.add_error(_refused_field(action, window), refusal.message)
                else:
                    messages.success(
                        request,
                        _("Étape enregistrée : %(step)s.")
                        % {"step": AbandonmentStep(window.step).label},
                    )
                    return redirect(_procedure_url(procedure))
    elif request.method == "POST":
        messages.error(request, _("Cette procédure est close."))
    records = {record.step for record in procedure.steps.all()}
    return render(
        request,
        "cimetiere/abandonment_procedure.html",
        {
            "procedure": procedure,
            "concession": procedure.concession,
            "plot": procedure.concession.plot,
            "timeline": _timeline(procedure),
            "window": window,
            "next_label": AbandonmentStep(window.step).label if window else "",
            "window_text": documents.window_text(window, today=today),
            "is_overdue": documents.is_overdue(window, today=today),
            "form": form,
            "can_manage": _can_manage(request),
            "can_close": procedure.closed_on is None and AbandonmentStep.MAYOR_ORDER not in records,
            "has_report": AbandonmentStep.FIRST_REPORT in records,
            "can_reschedule": procedure.closed_on is None and AbandonmentStep.NOTICE not in records,
        },
    )


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def procedure_restored(
    request: HttpRequest, commune_slug: str, procedure: AbandonmentProcedure
) -> HttpResponse:
    """ "La famille a remis la sépulture en état": confirm, then the procedure stops."""
    return _close_procedure(request, procedure, outcome=AbandonmentOutcome.RESTORED)


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def procedure_cancel(
    request: HttpRequest, commune_slug: str, procedure: AbandonmentProcedure
) -> HttpResponse:
    """The commune gives the procedure up (a delay was missed): confirm, then it is closed."""
    return _close_procedure(request, procedure, outcome=AbandonmentOutcome.CANCELLED)


def _close_procedure(
    request: HttpRequest, procedure: AbandonmentProcedure, *, outcome: str
) -> HttpResponse:
    commune = _commune(request)
    today = timezone.localdate()
    form = RestoredForm(request.POST or None, initial={"closed_on": today})
    if request.method == "POST" and form.is_valid():
        closed_on: datetime.date = form.cleaned_data["closed_on"]
        if closed_on > today:
            form.add_error("closed_on", _("La date ne peut pas être dans le futur."))
        elif closed_on < procedure.opened_on:
            form.add_error(
                "closed_on", _("La date ne peut pas précéder l'ouverture de la procédure.")
            )
        else:
            close = (
                procedure_close_restored
                if outcome == AbandonmentOutcome.RESTORED
                else procedure_cancel_service
            )
            try:
                close(commune=commune, actor=request.user, procedure=procedure, on=closed_on)
            except LegalRefusal as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(
                    request,
                    _("La procédure est close : la sépulture a été remise en état.")
                    if outcome == AbandonmentOutcome.RESTORED
                    else _(
                        "La procédure est abandonnée. Une nouvelle procédure peut être ouverte."
                    ),
                )
                return redirect(_procedure_url(procedure))
    return render(
        request,
        "cimetiere/abandonment_restored.html",
        {
            "procedure": procedure,
            "concession": procedure.concession,
            "form": form,
            "is_cancel": outcome == AbandonmentOutcome.CANCELLED,
        },
    )


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def procedure_reschedule(
    request: HttpRequest, commune_slug: str, procedure: AbandonmentProcedure
) -> HttpResponse:
    """Postpone the site visit while the notices have not gone out (R2223-13)."""
    commune = _commune(request)
    form = OpenProcedureForm(
        request.POST or None, initial={"visit_planned_on": procedure.visit_planned_on}
    )
    if request.method == "POST" and form.is_valid():
        try:
            procedure_reschedule_visit(
                commune=commune,
                actor=request.user,
                procedure=procedure,
                visit_planned_on=form.cleaned_data["visit_planned_on"],
                today=timezone.localdate(),
            )
        except LegalRefusal as refusal:
            form.add_error("visit_planned_on", refusal.message)
        else:
            messages.success(request, _("La date de la visite sur place est modifiée."))
            return redirect(_procedure_url(procedure))
    return render(
        request,
        "cimetiere/abandonment_reschedule.html",
        {
            "procedure": procedure,
            "concession": procedure.concession,
            "form": form,
            "notice_sent": procedure.steps.filter(step=AbandonmentStep.NOTICE).exists(),
        },
    )


# --- The two reports side by side, and their photos --------------------------------------------


@require_GET
@require_capability(Capability.VIEW_CEMETERY)
def procedure_reports(
    request: HttpRequest, commune_slug: str, procedure: AbandonmentProcedure
) -> HttpResponse:
    """The first report beside the second, so the mayor on site can compare the state."""
    procedure = _loaded(procedure)
    records = {record.step: record for record in procedure.steps.all()}
    reports = [
        {
            "step": step,
            "title": _("Premier constat")
            if step == AbandonmentStep.FIRST_REPORT
            else _("Second constat"),
            "record": records.get(step),
        }
        for step in REPORT_STEPS
    ]
    return render(
        request,
        "cimetiere/abandonment_reports.html",
        {
            "procedure": procedure,
            "concession": procedure.concession,
            "plot": procedure.concession.plot,
            "reports": reports,
        },
    )


@require_GET
@require_capability(Capability.VIEW_CEMETERY)
def procedure_photo(
    request: HttpRequest, commune_slug: str, procedure: AbandonmentProcedure, photo: uuid.UUID
) -> HttpResponse:
    """A report's photo, decrypted from the vault; 404 unless it belongs to this procedure."""
    vault_file = (
        VaultFile.objects.for_commune(_commune(request))
        .filter(
            pk=photo,
            pk__in=AbandonmentStepRecord.photos.through.objects.filter(
                abandonmentsteprecord__procedure=procedure
            ).values("vaultfile_id"),
        )
        .first()
    )
    if vault_file is None:
        raise Http404
    response = HttpResponse(read_file(vault_file), content_type=vault_file.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Documents ---------------------------------------------------------------------------------


@require_GET
@require_capability(Capability.MANAGE_CEMETERY)
def notice_pdf(
    request: HttpRequest, commune_slug: str, procedure: AbandonmentProcedure
) -> HttpResponse:
    """The notice to descendants (R2223-13); names the recipients, hence MANAGE_CEMETERY."""
    return _pdf_response(documents.notice_document(procedure, today=timezone.localdate()))


@require_GET
@require_capability(Capability.VIEW_CEMETERY)
def first_report_pdf(
    request: HttpRequest, commune_slug: str, procedure: AbandonmentProcedure
) -> HttpResponse:
    return _pdf_response(
        documents.report_document(procedure, second=False, today=timezone.localdate())
    )


@require_GET
@require_capability(Capability.VIEW_CEMETERY)
def second_report_pdf(
    request: HttpRequest, commune_slug: str, procedure: AbandonmentProcedure
) -> HttpResponse:
    return _pdf_response(
        documents.report_document(procedure, second=True, today=timezone.localdate())
    )


@require_GET
@require_capability(Capability.MANAGE_CEMETERY)
def notification_pdf(
    request: HttpRequest, commune_slug: str, procedure: AbandonmentProcedure
) -> HttpResponse:
    """Notification of the latest report (R2223-15); 404 before the first report."""
    try:
        document = documents.notification_document(procedure, today=timezone.localdate())
    except ValueError as error:
        raise Http404 from error
    return _pdf_response(document)


@require_GET
@require_capability(Capability.VIEW_CEMETERY)
def repossession_order_pdf(
    request: HttpRequest, commune_slug: str, procedure: AbandonmentProcedure
) -> HttpResponse:
    """The mayor's repossession order (L2223-17), for the elected official to sign."""
    return _pdf_response(
        documents.repossession_order_document(procedure, today=timezone.localdate())
    )
