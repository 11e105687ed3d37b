"""The secretary's concession pages: grant, renew, repossess after expiry, holders and
beneficiaries, the council's tariffs, and the renewal letters due this month.

Thin views: forms parse, ``services/concessions.py`` decides (CGCT L2223-13 to L2223-15) and
writes; a :class:`LegalRefusal` is shown on the field it concerns and what was typed is kept.
Reading needs VIEW_CEMETERY, writing MANAGE_CEMETERY.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clocher.cimetiere import legal_clock
from clocher.cimetiere.documents import pdf
from clocher.cimetiere.forms_concessions import (
    BeneficiaryForm,
    ConcessionEndForm,
    ConcessionGrantForm,
    ConcessionRenewForm,
    HolderForm,
    TariffForm,
)
from clocher.cimetiere.models import (
    CONCEDABLE_KINDS,
    Concession,
    ConcessionEndReason,
    ConcessionKind,
    Holder,
    Plot,
    Tariff,
)
from clocher.cimetiere.services import concessions as services
from clocher.cimetiere.views.browse import CONCESSION_STATE_LABELS
from clocher.cimetiere.views.responses import pdf_response
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.models import Commune
from clocher.tenancy.permissions import Capability

LegalRefusal = legal_clock.LegalRefusal


def _commune(request: HttpRequest) -> Commune:
    return request.commune  # type: ignore[attr-defined,no-any-return]


def _today() -> datetime.date:
    return timezone.localdate()


def _refusal_field(
    refusal: LegalRefusal, form: Any, *, date_field: str | None = None
) -> str | None:
    """The field a refusal concerns: the duration for L2223-14, the date for the windows of
    L2223-15, the whole form otherwise."""
    if refusal.article == "L2223-14":
        kind = form.cleaned_data.get("kind")
        return "duration_years" if kind == ConcessionKind.TEMPORARY else "kind"
    if refusal.article == "L2223-15" and date_field:
        return date_field
    return None


def _current_concession(plot: Plot) -> Concession | None:
    return (
        Concession.objects.for_commune(plot.commune)
        .filter(plot=plot, ended_on__isnull=True)
        .first()
    )


# --- Grant ----------------------------------------------------------------------------------


def _grant_initial(commune: Commune, plot: Plot, today: datetime.date) -> dict[str, Any]:
    kind = ConcessionKind.THIRTY_YEARS
    tariff = services.tariff_in_force(commune, plot.kind, kind, None, plot.surface_m2, on=today)
    return {
        "kind": kind,
        "number": services.next_concession_number(commune, year=today.year),
        "act_date": today,
        "surface_m2": plot.surface_m2,
        "price_paid": tariff.price if tariff else None,
    }


def tariffs_for_plot(commune: Commune, plot: Plot, today: datetime.date) -> list[Tariff]:
    """The tariffs in force today for this plot's kind: shown beside the grant form."""
    return list(
        Tariff.objects.for_commune(commune)
        .filter(plot_kind=plot.kind, valid_from__lte=today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    )


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def concession_grant(request: HttpRequest, commune_slug: str, plot: Plot) -> HttpResponse:
    """Grant a concession on a free concedable plot (L2223-13, L2223-14)."""
    commune = _commune(request)
    today = _today()
    current = _current_concession(plot)
    concedable = plot.kind in CONCEDABLE_KINDS
    form = ConcessionGrantForm(request.POST or None, initial=_grant_initial(commune, plot, today))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["price_paid"] is None:
            surface = data["surface_m2"] if data["surface_m2"] is not None else plot.surface_m2
            tariff = services.tariff_in_force(
                commune,
                plot.kind,
                data["kind"],
                data["duration_years"],
                surface,
                on=data["act_date"],
            )
            data["price_paid"] = tariff.price if tariff else None
        try:
            with transaction.atomic():
                granted = services.concession_grant(
                    commune=commune,
                    actor=request.user,
                    plot=plot,
                    kind=data["kind"],
                    duration_years=data["duration_years"],
                    act_date=data["act_date"],
                    number=data["number"],
                    scope=data["scope"],
                    surface_m2=data["surface_m2"],
                    price_paid=data["price_paid"],
                    holders=form.holders(),
                )
                for beneficiary in form.beneficiaries():
                    services.beneficiary_add(
                        commune=commune, actor=request.user, concession=granted, **beneficiary
                    )
        except LegalRefusal as refusal:
            form.add_error(_refusal_field(refusal, form), refusal.message)
        else:
            messages.success(
                request,
                _("La concession n° %(number)s est accordée. Imprimez le titre de concession.")
                % {"number": granted.number},
            )
            return redirect(
                "staff:cimetiere:concession-granted",
                commune_slug=commune.slug,
                concession=granted.pk,
            )
    return render(
        request,
        "cimetiere/concession_grant.html",
        {
            "plot": plot,
            "form": form,
            "current": current,
            "concedable": concedable,
            "tariffs": tariffs_for_plot(commune, plot, today),
        },
    )


@require_capability(Capability.MANAGE_CEMETERY)
def concession_granted(
    request: HttpRequest, commune_slug: str, concession: Concession
) -> HttpResponse:
    """After a grant: the link to print the deed."""
    return render(request, "cimetiere/concession_granted.html", {"concession": concession})


# --- Renew ----------------------------------------------------------------------------------


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def concession_renew(
    request: HttpRequest, commune_slug: str, concession: Concession
) -> HttpResponse:
    """Renew a concession (L2223-15): the new period starts at the previous expiry."""
    commune = _commune(request)
    today = _today()
    clock = legal_clock.concession_clock(concession, today=today)
    kind = clock.kind or concession.kind
    initial = {
        "kind": kind if kind != ConcessionKind.CENTENARY else ConcessionKind.FIFTY_YEARS,
        "duration_years": clock.duration_years,
        "decided_on": today,
    }
    form = ConcessionRenewForm(request.POST or None, initial=initial)
    refusal_now: str = ""
    try:
        legal_clock.check_renewal(clock, decided_on=today)
    except LegalRefusal as refusal:
        refusal_now = refusal.message
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            renewal = services.concession_renew(
                commune=commune,
                actor=request.user,
                concession=concession,
                kind=data["kind"],
                duration_years=data["duration_years"],
                decided_on=data["decided_on"],
                requested_by=data["requested_by"],
                requester_relationship=data["requester_relationship"],
            )
        except LegalRefusal as refusal:
            closed = clock.state in (
                legal_clock.ConcessionState.PERPETUAL,
                legal_clock.ConcessionState.ENDED,
            )
            field = None if closed else _refusal_field(refusal, form, date_field="decided_on")
            form.add_error(field, refusal.message)
        else:
            messages.success(
                request,
                _("Renouvellement enregistré : nouvelle période à partir du %(date)s.")
                % {"date": legal_clock.format_date(renewal.period_start)},
            )
            return redirect(
                "staff:cimetiere:concession", commune_slug=commune.slug, concession=concession.pk
            )
    surface = concession.surface_m2
    if surface is None:
        surface = concession.plot.surface_m2
    years = clock.duration_years if kind == ConcessionKind.TEMPORARY else None
    tariff = services.tariff_in_force(commune, concession.plot.kind, kind, years, surface, on=today)
    new_end = None
    if clock.expires_on is not None:
        duration = legal_clock.duration_of(kind, years)
        if duration:
            new_end = legal_clock.add_years(clock.expires_on, duration)
    return render(
        request,
        "cimetiere/concession_renew.html",
        {
            "concession": concession,
            "clock": clock,
            "state_label": CONCESSION_STATE_LABELS.get(clock.state, ""),
            "form": form,
            "refusal_now": refusal_now,
            "tariff": tariff,
            "new_end": new_end,
            "holders": list(concession.holders.all()),
        },
    )


# --- Repossession after expiry --------------------------------------------------------------


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def concession_end(request: HttpRequest, commune_slug: str, concession: Concession) -> HttpResponse:
    """Retake the ground of an expired concession, two full years after expiry (L2223-15)."""
    commune = _commune(request)
    today = _today()
    clock = legal_clock.concession_clock(concession, today=today)
    refusal_now = ""
    try:
        legal_clock.check_repossession_after_expiry(clock, on=today)
    except LegalRefusal as refusal:
        refusal_now = refusal.message
    form = ConcessionEndForm(request.POST or None, initial={"on": today})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["on"] > today:
            form.add_error("on", _("La reprise ne peut pas être datée dans le futur."))
        else:
            try:
                services.concession_end(
                    commune=commune,
                    actor=request.user,
                    concession=concession,
                    on=form.cleaned_data["on"],
                    reason=ConcessionEndReason.REPOSSESSED_AFTER_EXPIRY,
                )
            except LegalRefusal as refusal:
                form.add_error("on", refusal.message)
            else:
                messages.success(
                    request,
                    _(
                        "La concession n° %(number)s est reprise par la commune ; elle reste "
                        "dans l'historique de l'emplacement."
                    )
                    % {"number": concession.number or "?"},
                )
                return redirect(
                    "staff:cimetiere:plot", commune_slug=commune.slug, plot=concession.plot_id
                )
    return render(
        request,
        "cimetiere/concession_end.html",
        {
            "concession": concession,
            "clock": clock,
            "state_label": CONCESSION_STATE_LABELS.get(clock.state, ""),
            "form": form,
            "refusal_now": refusal_now,
        },
    )


# --- Holders and beneficiaries --------------------------------------------------------------


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def holder_add(request: HttpRequest, commune_slug: str, concession: Concession) -> HttpResponse:
    """Add a holder named in the act (sealed in the vault)."""
    return _holder_page(request, concession, None)


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def holder_edit(request: HttpRequest, commune_slug: str, holder: Holder) -> HttpResponse:
    """Correct a holder's contact details."""
    return _holder_page(request, holder.concession, holder)


def _holder_page(
    request: HttpRequest, concession: Concession, holder: Holder | None
) -> HttpResponse:
    initial = {}
    if holder is not None:
        initial = {
            "full_name": holder.full_name,
            "address": holder.address,
            "phone": holder.phone,
            "email": holder.email,
            "is_deceased": holder.is_deceased,
        }
    form = HolderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.holder_save(
            commune=_commune(request),
            actor=request.user,
            concession=concession,
            holder=holder,
            **form.cleaned_data,
        )
        messages.success(request, _("Les coordonnées du titulaire sont enregistrées."))
        return redirect(
            "staff:cimetiere:concession",
            commune_slug=_commune(request).slug,
            concession=concession.pk,
        )
    return render(
        request,
        "cimetiere/concession_person_form.html",
        {
            "concession": concession,
            "form": form,
            "heading": _("Ajouter un titulaire") if holder is None else _("Modifier le titulaire"),
        },
    )


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def beneficiary_add(
    request: HttpRequest, commune_slug: str, concession: Concession
) -> HttpResponse:
    """Record an ayant droit declared by a holder."""
    form = BeneficiaryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.beneficiary_add(
                commune=_commune(request),
                actor=request.user,
                concession=concession,
                **form.cleaned_data,
            )
        except LegalRefusal as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("L'ayant droit est enregistré."))
            return redirect(
                "staff:cimetiere:concession",
                commune_slug=_commune(request).slug,
                concession=concession.pk,
            )
    return render(
        request,
        "cimetiere/concession_person_form.html",
        {
            "concession": concession,
            "form": form,
            "heading": _("Déclarer un ayant droit"),
            "help": _(
                "Un ayant droit est une personne que le titulaire déclare comme ayant le droit "
                "d'être inhumée dans la concession."
            ),
        },
    )


# --- Tariffs --------------------------------------------------------------------------------


@require_capability(Capability.VIEW_CEMETERY)
def tariffs(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The prices voted by the council (L2223-15): in force today, then the past and future."""
    today = _today()
    rows = list(Tariff.objects.for_commune(_commune(request)))
    in_force = [
        t
        for t in rows
        if t.valid_from <= today and (t.valid_until is None or t.valid_until >= today)
    ]
    future = [t for t in rows if t.valid_from > today]
    past = [t for t in rows if t.valid_until is not None and t.valid_until < today]
    past.sort(key=lambda t: t.valid_from, reverse=True)
    return render(
        request,
        "cimetiere/tariffs.html",
        {"in_force": in_force, "future": future, "past": past},
    )


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def tariff_create(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Record a tariff voted by the council; it closes the previous one of its category."""
    commune = _commune(request)
    form = TariffForm(request.POST or None, initial={"valid_from": _today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.tariff_set(commune=commune, actor=request.user, **form.cleaned_data)
        except LegalRefusal as refusal:
            form.add_error(_refusal_field(refusal, form, date_field="valid_from"), refusal.message)
        else:
            messages.success(request, _("Le tarif est enregistré."))
            return redirect("staff:cimetiere:tariffs", commune_slug=commune.slug)
    return render(request, "cimetiere/tariff_form.html", {"form": form})


# --- Letters due ----------------------------------------------------------------------------


@require_capability(Capability.VIEW_CEMETERY)
def renewal_letters_due(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """One PDF with every renewal letter due this month (L2223-15), one letter after another."""
    commune = _commune(request)
    today = _today()
    due = legal_clock.due_this_month(commune, today=today)
    wanted = {
        item.concession.pk
        for item in due
        if item.kind == legal_clock.DueKind.RENEWAL_LETTER and item.concession is not None
    }
    concessions = list(
        Concession.objects.for_commune(commune)
        .filter(pk__in=wanted)
        .select_related("plot", "plot__section", "plot__cemetery")
        .order_by("plot__cemetery__name", "plot__section__name", "plot__number", "pk")
    )
    documents = []
    for concession in concessions:
        try:
            documents.append(pdf.renewal_letter_document(concession, today=today))
        except ValueError:
            continue
    if not documents:
        messages.info(request, _("Aucune lettre de renouvellement à envoyer ce mois-ci."))
        return redirect("staff:cimetiere:home", commune_slug=commune.slug)
    return pdf_response(
        pdf.render_documents(documents), f"lettres-renouvellement-{today:%Y-%m}.pdf"
    )


__all__ = [
    "beneficiary_add",
    "concession_end",
    "concession_grant",
    "concession_granted",
    "concession_renew",
    "holder_add",
    "holder_edit",
    "renewal_letters_due",
    "tariff_create",
    "tariffs",
]
