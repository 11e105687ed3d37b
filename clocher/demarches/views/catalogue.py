"""Back-office pages of the catalogue: the commune's procedures, adoption of a template,
a procedure's overview (mandatory mentions, publication) and the review of a template update.

Thin views: reads through ``selectors_catalogue``, writes through ``services.catalogue``. Every
page needs MANAGE_PROCEDURES (commune admins and agents).
"""

from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clocher.demarches import selectors_catalogue
from clocher.demarches.forms_catalogue import ProcedureContactForm
from clocher.demarches.formschema import SchemaError, parse_schema
from clocher.demarches.models import Procedure, SilenceRule
from clocher.demarches.services import catalogue
from clocher.demarches.services.builder import FIELD_TYPE_LABELS
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.models import Commune
from clocher.tenancy.permissions import Capability


def _commune(request: HttpRequest) -> Commune:
    return request.commune  # type: ignore[attr-defined,no-any-return]


def _procedure_page(procedure: Procedure) -> HttpResponse:
    return redirect("staff:demarches:procedure", procedure.commune.slug, procedure.pk)


def _form_outline(schema: object) -> list[dict[str, object]]:
    """The questions of a form, page by page, as the adoption page lists them."""
    try:
        parsed = parse_schema(schema)
    except SchemaError:
        return []
    pages: list[dict[str, object]] = []
    for page in parsed.pages():
        title = page[0].label if page and page[0].type == "page" else ""
        questions = [
            {
                "label": spec.label,
                "type": FIELD_TYPE_LABELS.get(spec.type, spec.type),
                "required": spec.required,
                "personal": spec.personal,
                "conditional": spec.condition is not None,
            }
            for spec in page
            if spec.has_value
        ]
        if questions:
            pages.append({"title": title, "questions": questions})
    return pages


@require_capability(Capability.MANAGE_PROCEDURES)
@require_GET
def procedures(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The commune's procedures with their state, and the catalogue templates not adopted."""
    overview = selectors_catalogue.catalogue_overview(_commune(request))
    return render(request, "demarches/catalogue/procedures.html", {"overview": overview})


@require_capability(Capability.MANAGE_PROCEDURES)
@require_http_methods(["GET", "POST"])
def procedure_adopt(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Adopt one catalogue template (``?modele=<slug>``) with the commune's contact details."""
    commune = _commune(request)
    slug = request.POST.get("modele") or request.GET.get("modele") or ""
    version = selectors_catalogue.adoptable_version(commune, slug)
    if version is None:
        raise Http404
    if request.method == "POST":
        form = ProcedureContactForm(request.POST)
        if form.is_valid():
            try:
                procedure = catalogue.template_adopt(
                    commune=commune,
                    template_version=version,
                    actor=request.user,
                    contact=form.contact(),
                )
            except catalogue.AdoptionRefused as refused:
                for message in refused.messages:
                    messages.error(request, message)
            else:
                messages.success(
                    request,
                    _("« %(title)s » est adoptée. Vérifiez les mentions, puis publiez-la.")
                    % {"title": procedure.title},
                )
                return _procedure_page(procedure)
    else:
        form = ProcedureContactForm(initial=asdict(catalogue.default_contact(commune, version)))
    return render(
        request,
        "demarches/catalogue/adopt.html",
        {
            "version": version,
            "form": form,
            "outline": _form_outline(version.schema),
            "family_label": version.template.get_family_display(),
            "silence_label": SilenceRule(version.silence_rule).label,
            "has_implicit_decision": version.silence_rule != SilenceRule.NOT_APPLICABLE,
        },
    )


def _mentions(procedure: Procedure) -> list[dict[str, object]]:
    missing = set(catalogue.missing_mentions(procedure))
    rows = [
        (_("Nom du service chargé du dossier"), procedure.service_name),
        (_("Adresse postale du service"), procedure.service_address),
        (_("Adresse électronique du service"), procedure.service_email),
        (_("Téléphone du service"), procedure.service_phone),
        (_("Sens du silence de l'administration"), procedure.get_silence_rule_display()),
    ]
    if procedure.silence_rule != SilenceRule.NOT_APPLICABLE:
        rows.append(
            (
                _("Délai de décision implicite"),
                _("%(count)s mois") % {"count": procedure.silence_delay_months}
                if procedure.silence_delay_months
                else "",
            )
        )
    rows += [
        (_("Voies et délais de recours"), procedure.appeal_routes),
        (_("Texte de l'accusé de réception"), procedure.acknowledgment_text),
    ]
    return [
        {"label": label, "value": value, "is_missing": label in missing} for label, value in rows
    ]


@require_capability(Capability.MANAGE_PROCEDURES)
@require_GET
def procedure(request: HttpRequest, commune_slug: str, online_procedure: Procedure) -> HttpResponse:
    """One procedure: its mandatory mentions, its form, its state and what can be done."""
    mentions = _mentions(online_procedure)
    problems = catalogue.form_problems(online_procedure)
    return render(
        request,
        "demarches/catalogue/procedure.html",
        {
            "procedure": online_procedure,
            "mentions": mentions,
            "missing_count": sum(1 for row in mentions if row["is_missing"]),
            "form_problems": problems,
            "update": catalogue.template_update_available(online_procedure),
        },
    )


@require_capability(Capability.MANAGE_PROCEDURES)
@require_POST
def procedure_publish(
    request: HttpRequest, commune_slug: str, online_procedure: Procedure
) -> HttpResponse:
    try:
        catalogue.procedure_publish(procedure=online_procedure, actor=request.user)
    except catalogue.PublicationRefused as refused:
        messages.error(request, _("La démarche ne peut pas être publiée :"))
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("La démarche est en ligne."))
    return _procedure_page(online_procedure)


@require_capability(Capability.MANAGE_PROCEDURES)
@require_POST
def procedure_unpublish(
    request: HttpRequest, commune_slug: str, online_procedure: Procedure
) -> HttpResponse:
    catalogue.procedure_unpublish(procedure=online_procedure, actor=request.user)
    messages.success(
        request,
        _("La démarche n'est plus proposée en ligne. Les demandes déjà reçues restent à traiter."),
    )
    return _procedure_page(online_procedure)


@require_capability(Capability.MANAGE_PROCEDURES)
@require_http_methods(["GET", "POST"])
def procedure_update(
    request: HttpRequest, commune_slug: str, online_procedure: Procedure
) -> HttpResponse:
    """Review what a new template version changes, and accept it."""
    diff = catalogue.template_update_diff(online_procedure)
    if diff is None:
        messages.info(request, _("Cette démarche est à jour avec le catalogue."))
        return _procedure_page(online_procedure)
    if request.method == "POST":
        try:
            form = catalogue.procedure_update_accept(procedure=online_procedure, actor=request.user)
        except catalogue.UpdateRefused as refused:
            for message in refused.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _(
                    "La mise à jour est appliquée : le formulaire en ligne est désormais la "
                    "version %(number)d. Les demandes déjà reçues gardent leur version."
                )
                % {"number": form.number},
            )
            return _procedure_page(online_procedure)
    return render(
        request,
        "demarches/catalogue/update.html",
        {"procedure": online_procedure, "diff": diff},
    )
