"""Back-office views of the cemetery registry: thin, reading through selectors, writing through
services (``services/layout.py``, ``services/operations.py``).

Every view runs behind ``CommuneScopeMiddleware`` (signed in with the second factor, a role in
the commune, URL objects resolved in the commune) and ``require_capability``: VIEW_CEMETERY to
read, MANAGE_CEMETERY to write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from clocher.accounts.models import User
from clocher.cimetiere import legal_clock, selectors
from clocher.cimetiere.forms import (
    AshScatteringForm,
    BurialForm,
    CemeteryForm,
    DeceasedSearchForm,
    ExhumationForm,
    GeometryImportForm,
    OssuaryMoveForm,
    PlotBatchForm,
    PlotEditForm,
    ReductionForm,
    SectionForm,
    TransferForm,
    UrnRemovalForm,
)
from clocher.cimetiere.models import (
    Cemetery,
    Concession,
    Container,
    Operation,
    OperationKind,
    Plot,
    PlotKind,
)
from clocher.cimetiere.plan import plot_url_builder, render_plan
from clocher.cimetiere.services import layout
from clocher.cimetiere.services.operations import (
    AshScatteringAction,
    Attendance,
    BurialAction,
    ExhumationAction,
    FuneralAction,
    OperationRefusal,
    OssuaryMoveAction,
    ReductionAction,
    TransferAction,
    UrnRemovalAction,
)
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.models import Commune, Membership
from clocher.tenancy.permissions import CAPABILITIES, Capability

OPERATIONS_PER_PAGE = 50

CONCESSION_STATE_LABELS = {
    legal_clock.ConcessionState.ACTIVE: gettext_lazy("En cours"),
    legal_clock.ConcessionState.EXPIRING: gettext_lazy("Expire dans l'année"),
    legal_clock.ConcessionState.RENEWAL_WINDOW: gettext_lazy(
        "Expirée : délai de renouvellement de deux ans en cours"
    ),
    legal_clock.ConcessionState.REPOSSESSABLE: gettext_lazy("Expirée : reprenable par la commune"),
    legal_clock.ConcessionState.PERPETUAL: gettext_lazy("Perpétuelle"),
    legal_clock.ConcessionState.ENDED: gettext_lazy("Terminée"),
}


def _commune(request: HttpRequest) -> Commune:
    return request.commune  # type: ignore[attr-defined,no-any-return]


def _today() -> Any:
    return timezone.localdate()


# --- Reading --------------------------------------------------------------------------------


@require_capability(Capability.VIEW_CEMETERY)
def home(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The module's home: cemeteries with their counts, and what is due this month."""
    commune = _commune(request)
    due_items = legal_clock.due_this_month(commune, today=_today())
    return render(
        request,
        "cimetiere/home.html",
        {
            "cemeteries": list(selectors.cemeteries_of_commune(commune)),
            "due_items": due_items,
            "has_letters_due": any(
                item.kind == legal_clock.DueKind.RENEWAL_LETTER for item in due_items
            ),
        },
    )


@require_capability(Capability.VIEW_CEMETERY)
def cemetery(request: HttpRequest, commune_slug: str, cemetery: Cemetery) -> HttpResponse:
    """A cemetery: its sections and its plan, with the plan's text alternative."""
    commune = _commune(request)
    sections, plots = selectors.plan_of_cemetery(cemetery)
    states = legal_clock.plot_states(commune, today=_today(), cemetery=cemetery)
    drawing = render_plan(
        plots,
        states,
        sections=sections,
        plot_url=plot_url_builder(commune.slug),
        title=_("Plan du cimetière %(name)s") % {"name": cemetery.name},
    )
    return render(
        request,
        "cimetiere/cemetery.html",
        {
            "cemetery": cemetery,
            "sections": list(selectors.sections_of_cemetery(cemetery)),
            "drawing": drawing,
            "plot_count": len(plots),
        },
    )


@require_capability(Capability.VIEW_CEMETERY)
def plot(request: HttpRequest, commune_slug: str, plot: Plot) -> HttpResponse:
    """A plot and its whole history: nothing is ever destroyed."""
    history = selectors.plot_history(plot)
    reusable_from = None
    if plot.kind == PlotKind.COMMON_GROUND:
        dated = [b.buried_on for b in history.present_burials + history.previous_burials]
        if dated and all(day is not None for day in dated):
            reusable_from = legal_clock.add_years(
                max(day for day in dated if day is not None),
                legal_clock.COMMON_GROUND_ROTATION_YEARS,
            )
    clock = None
    if history.current_concession is not None:
        clock = legal_clock.concession_clock(history.current_concession, today=_today())
    return render(
        request,
        "cimetiere/plot.html",
        {
            "plot": plot,
            "history": history,
            "clock": clock,
            "state_label": CONCESSION_STATE_LABELS.get(clock.state) if clock else "",
            "free_places": max(plot.capacity - len(history.present_burials), 0),
            "reusable_from": reusable_from,
            "has_urn": any(b.container == Container.URN for b in history.present_burials),
        },
    )


@require_capability(Capability.VIEW_CEMETERY)
def concession(request: HttpRequest, commune_slug: str, concession: Concession) -> HttpResponse:
    """A concession with its holders and beneficiaries (decrypted), renewals, dates, burials."""
    details = selectors.concession_details(concession)
    clock = legal_clock.concession_clock(details, today=_today())
    return render(
        request,
        "cimetiere/concession.html",
        {
            "concession": details,
            "clock": clock,
            "state_label": CONCESSION_STATE_LABELS.get(clock.state, ""),
        },
    )


@require_capability(Capability.VIEW_CEMETERY)
def deceased_search(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Find a deceased person by name (accents and case ignored) and the plot where they lie."""
    form = DeceasedSearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        results = selectors.deceased_search(_commune(request), form.cleaned_data["q"])
    return render(request, "cimetiere/deceased_search.html", {"form": form, "results": results})


@require_capability(Capability.VIEW_CEMETERY)
def operations(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Every funeral operation of the commune, newest first."""
    kind = request.GET.get("kind", "")
    if kind not in OperationKind.values:
        kind = ""
    page = Paginator(
        selectors.operations_of_commune(_commune(request), kind=kind or None), OPERATIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "cimetiere/operations.html",
        {"page": page, "kind": kind, "kinds": OperationKind.choices},
    )


@require_capability(Capability.VIEW_CEMETERY)
def operation(request: HttpRequest, commune_slug: str, operation: Operation) -> HttpResponse:
    return render(request, "cimetiere/operation.html", {"operation": operation})


# --- Layout ---------------------------------------------------------------------------------


def _apply_layout_error(form: Any, error: layout.LayoutError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def cemetery_create(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune = _commune(request)
    form = CemeteryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = layout.cemetery_create(
                commune=commune, actor=request.user, **form.cleaned_data
            )
        except layout.LayoutError as error:
            _apply_layout_error(form, error)
        else:
            messages.success(request, _("Le cimetière « %(name)s » est créé.") % {"name": created})
            return redirect(
                "staff:cimetiere:cemetery", commune_slug=commune.slug, cemetery=created.pk
            )
    return render(request, "cimetiere/cemetery_form.html", {"form": form})


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def section_create(request: HttpRequest, commune_slug: str, cemetery: Cemetery) -> HttpResponse:
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            section = layout.section_create(
                cemetery=cemetery, actor=request.user, name=form.cleaned_data["name"]
            )
        except layout.LayoutError as error:
            _apply_layout_error(form, error)
        else:
            messages.success(request, _("Le carré « %(name)s » est créé.") % {"name": section})
            return redirect(
                "staff:cimetiere:cemetery", commune_slug=commune_slug, cemetery=cemetery.pk
            )
    return render(request, "cimetiere/section_form.html", {"form": form, "cemetery": cemetery})


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def plots_create(request: HttpRequest, commune_slug: str, cemetery: Cemetery) -> HttpResponse:
    """One plot, or a batch « rang A, numéros 1 à 20 » placed side by side on the grid."""
    sections = selectors.sections_of_cemetery(cemetery)
    form = PlotBatchForm(
        request.POST or None,
        sections=sections,
        initial={
            "kind": PlotKind.CONCESSION_GROUND,
            "capacity": 2,
            "grid_width": 1,
            "grid_height": 2,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            numbers = layout.batch_numbers(
                number_from=data["number_from"],
                number_to=data["number_to"],
                prefix=data["number_prefix"],
            )
            created = layout.plots_create_batch(
                cemetery=cemetery,
                actor=request.user,
                section=data["section"],
                numbers=numbers,
                kind=data["kind"],
                capacity=data["capacity"],
                row_name=data["row_name"],
                grid_x=data["grid_x"],
                grid_y=data["grid_y"],
                grid_width=data["grid_width"],
                grid_height=data["grid_height"],
                surface_m2=data["surface_m2"],
            )
        except layout.LayoutError as error:
            _apply_layout_error(form, error)
        else:
            messages.success(
                request,
                _("%(count)s emplacement(s) créé(s) dans le carré %(section)s.")
                % {"count": len(created), "section": data["section"]},
            )
            return redirect(
                "staff:cimetiere:cemetery", commune_slug=commune_slug, cemetery=cemetery.pk
            )
    return render(
        request,
        "cimetiere/plots_form.html",
        {"form": form, "cemetery": cemetery, "has_sections": sections.exists()},
    )


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def plot_edit(request: HttpRequest, commune_slug: str, plot: Plot) -> HttpResponse:
    initial = {
        "kind": plot.kind,
        "capacity": plot.capacity,
        "surface_m2": plot.surface_m2,
        "grid_x": plot.grid_x,
        "grid_y": plot.grid_y,
        "grid_width": plot.grid_width,
        "grid_height": plot.grid_height,
        "notes": plot.notes,
    }
    form = PlotEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            layout.plot_update(plot=plot, actor=request.user, **form.cleaned_data)
        except layout.LayoutError as error:
            _apply_layout_error(form, error)
        else:
            messages.success(request, _("L'emplacement est modifié."))
            return redirect("staff:cimetiere:plot", commune_slug=commune_slug, plot=plot.pk)
    return render(request, "cimetiere/plot_form.html", {"form": form, "plot": plot})


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def geometry_import(request: HttpRequest, commune_slug: str, cemetery: Cemetery) -> HttpResponse:
    """Plot outlines from a GeoJSON (metres or lon/lat) or a CSV; all or nothing."""
    form = GeometryImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["file_format"] == "csv":
            result = layout.geometry_import_csv(
                cemetery=cemetery,
                actor=request.user,
                content=data["file"],
                create_missing=data["create_missing"],
            )
        else:
            result = layout.geometry_import_geojson(
                cemetery=cemetery,
                actor=request.user,
                content=data["file"],
                units=data["units"],
                create_missing=data["create_missing"],
            )
        if result.is_clean:
            messages.success(
                request,
                _("Contours importés : %(updated)s emplacement(s) mis à jour, %(created)s créé(s).")
                % {"updated": result.updated, "created": result.created},
            )
            return redirect(
                "staff:cimetiere:cemetery", commune_slug=commune_slug, cemetery=cemetery.pk
            )
    return render(
        request,
        "cimetiere/geometry_import.html",
        {"form": form, "cemetery": cemetery, "result": result},
        status=422 if result is not None else 200,
    )


# --- Operations -----------------------------------------------------------------------------


def _authorisers(commune: Commune) -> Any:
    """Members who may authorise a funeral operation (the mayor and deputies)."""
    roles = CAPABILITIES[Capability.AUTHORISE_FUNERAL_OPERATION]
    user_ids = Membership.objects.for_commune(commune).filter(role__in=roles).values("user_id")
    return User.objects.filter(pk__in=user_ids).order_by("last_name", "first_name")


def _attendance(data: dict[str, Any]) -> Attendance:
    return Attendance(
        requested_by=data.get("requested_by", ""),
        requester_relationship=data.get("requester_relationship", ""),
        sworn_statement_received=bool(data.get("sworn_statement_received")),
        authorised_by=data.get("authorised_by"),
        authorised_on=data.get("authorised_on"),
        attended_by=data.get("attended_by", ""),
    )


def _run(form: Any, action: FuneralAction) -> Operation | None:
    """Check then execute ``action``; a refusal becomes an error on its field, warnings wait for
    the agent's confirmation. What was typed stays in the form."""
    try:
        action.check()
    except OperationRefusal as refusal:
        form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        return None
    if action.warnings and not form.cleaned_data.get("confirm_warnings"):
        return None
    return action.execute()


def _default_authoriser(request: HttpRequest) -> dict[str, Any]:
    if getattr(request, "abilities", {}).get(Capability.AUTHORISE_FUNERAL_OPERATION.value):
        return {"authorised_by": request.user.pk}
    return {}


def _operation_page(
    request: HttpRequest,
    plot: Plot,
    form: Any,
    build: Callable[[dict[str, Any]], FuneralAction],
    *,
    heading: str,
    done_message: str,
) -> HttpResponse:
    """The shared flow of every operation form: parse, check, confirm warnings, execute."""
    action: FuneralAction | None = None
    if request.method == "POST" and form.is_valid():
        action = build(form.cleaned_data)
        done = _run(form, action)
        if done is not None:
            messages.success(request, done_message)
            return redirect(
                "staff:cimetiere:operation",
                commune_slug=_commune(request).slug,
                operation=done.pk,
            )
        if done is None and not form.errors and not action.warnings:
            # Ashes scattered in nature from home: a register entry, no plot operation.
            messages.success(request, done_message)
            return redirect(
                "staff:cimetiere:plot", commune_slug=_commune(request).slug, plot=plot.pk
            )
    return render(
        request,
        "cimetiere/operation_form.html",
        {
            "form": form,
            "plot": plot,
            "heading": heading,
            "warnings": action.warnings if action else [],
        },
        status=422 if form.errors else 200,
    )


def _base(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "commune": _commune(request),
        "actor": request.user,
        "today": _today(),
        "notes": data.get("notes", ""),
    }


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def burial_create(request: HttpRequest, commune_slug: str, plot: Plot) -> HttpResponse:
    def build(data: dict[str, Any]) -> FuneralAction:
        return BurialAction(
            **_base(request, data),
            plot=plot,
            buried_on=data["buried_on"],
            last_name=data["last_name"],
            first_names=data["first_names"],
            birth_name=data["birth_name"],
            birth_date=data["birth_date"],
            death_date=data["death_date"],
            objected_to_cremation=data["objected_to_cremation"],
            container=data["container"],
            place_in_plot=data["place_in_plot"],
            attendance=_attendance(data),
        )

    return _operation_page(
        request,
        plot,
        BurialForm(
            request.POST or None,
            authorisers=_authorisers(_commune(request)),
            initial=_default_authoriser(request),
        ),
        build,
        heading=_("Inhumation"),
        done_message=_("L'inhumation est enregistrée."),
    )


def _removal_form(request: HttpRequest, plot: Plot, form_class: Any, **extra: Any) -> Any:
    return form_class(
        request.POST or None,
        burials=selectors.present_burials_of_plot(plot),
        authorisers=_authorisers(_commune(request)),
        initial=_default_authoriser(request),
        **extra,
    )


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def exhumation_create(request: HttpRequest, commune_slug: str, plot: Plot) -> HttpResponse:
    def build(data: dict[str, Any]) -> FuneralAction:
        return ExhumationAction(
            **_base(request, data),
            burial=data["burial"],
            performed_on=data["performed_on"],
            destination=data["destination"],
            attendance=_attendance(data),
        )

    return _operation_page(
        request,
        plot,
        _removal_form(request, plot, ExhumationForm),
        build,
        heading=_("Exhumation"),
        done_message=_("L'exhumation est enregistrée."),
    )


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def urn_removal_create(request: HttpRequest, commune_slug: str, plot: Plot) -> HttpResponse:
    def build(data: dict[str, Any]) -> FuneralAction:
        return UrnRemovalAction(
            **_base(request, data),
            burial=data["burial"],
            performed_on=data["performed_on"],
            destination=data["destination"],
            attendance=_attendance(data),
        )

    return _operation_page(
        request,
        plot,
        _removal_form(request, plot, UrnRemovalForm),
        build,
        heading=_("Retrait d'urne"),
        done_message=_("Le retrait de l'urne est enregistré."),
    )


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def reduction_create(request: HttpRequest, commune_slug: str, plot: Plot) -> HttpResponse:
    def build(data: dict[str, Any]) -> FuneralAction:
        return ReductionAction(
            **_base(request, data),
            burial=data["burial"],
            performed_on=data["performed_on"],
            attendance=_attendance(data),
        )

    return _operation_page(
        request,
        plot,
        _removal_form(request, plot, ReductionForm),
        build,
        heading=_("Réduction de corps"),
        done_message=_("La réduction de corps est enregistrée."),
    )


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def transfer_create(request: HttpRequest, commune_slug: str, plot: Plot) -> HttpResponse:
    targets = (
        Plot.objects.for_commune(_commune(request))
        .exclude(pk=plot.pk)
        .select_related("section", "cemetery")
        .order_by("cemetery__name", "section__name", "number")
    )

    def build(data: dict[str, Any]) -> FuneralAction:
        return TransferAction(
            **_base(request, data),
            burial=data["burial"],
            performed_on=data["performed_on"],
            target_plot=data["target_plot"],
            attendance=_attendance(data),
        )

    return _operation_page(
        request,
        plot,
        _removal_form(request, plot, TransferForm, target_plots=targets),
        build,
        heading=_("Translation vers un autre emplacement"),
        done_message=_("La translation est enregistrée."),
    )


def _plots_of_kind(commune: Commune, kind: str) -> Any:
    return (
        Plot.objects.for_commune(commune)
        .filter(kind=kind)
        .select_related("section", "cemetery")
        .order_by("cemetery__name", "section__name", "number")
    )


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def ash_scattering_create(request: HttpRequest, commune_slug: str, plot: Plot) -> HttpResponse:
    """The ashes of an urn resting in ``plot`` scattered in a garden or in nature."""
    commune = _commune(request)
    form = AshScatteringForm(
        request.POST or None,
        burials=selectors.present_burials_of_plot(plot).filter(container=Container.URN),
        gardens=_plots_of_kind(commune, PlotKind.SCATTERING_GARDEN),
    )

    def build(data: dict[str, Any]) -> FuneralAction:
        burial = data["burial"]
        return AshScatteringAction(
            **_base(request, data),
            deceased=burial.deceased,
            burial=burial,
            scattered_on=data["scattered_on"],
            in_nature=data["in_nature"],
            garden=None if data["in_nature"] else data["garden"],
            place=data["place"],
            birth_place=data["birth_place"],
            attendance=_attendance(data),
        )

    return _operation_page(
        request,
        plot,
        form,
        build,
        heading=_("Dispersion des cendres"),
        done_message=_("La dispersion est inscrite au registre des cendres."),
    )


@require_capability(Capability.MANAGE_CEMETERY)
@require_http_methods(["GET", "POST"])
def ossuary_move_create(request: HttpRequest, commune_slug: str, plot: Plot) -> HttpResponse:
    """Remains moved to the ossuary, written in its register (L2223-4)."""
    commune = _commune(request)
    form = OssuaryMoveForm(
        request.POST or None,
        burials=selectors.present_burials_of_plot(plot),
        ossuaries=_plots_of_kind(commune, PlotKind.OSSUARY),
        authorisers=_authorisers(commune),
        initial={**_default_authoriser(request), "remains_found": True},
    )

    def build(data: dict[str, Any]) -> FuneralAction:
        return OssuaryMoveAction(
            **_base(request, data),
            burial=data["burial"],
            moved_on=data["moved_on"],
            remains_found=data["remains_found"],
            ossuary=data["ossuary"],
            authorised_by=data["authorised_by"],
        )

    return _operation_page(
        request,
        plot,
        form,
        build,
        heading=_("Transfert à l'ossuaire"),
        done_message=_("Le transfert est inscrit au registre de l'ossuaire."),
    )
