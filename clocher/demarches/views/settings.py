"""A procedure's settings pages: texts, service contact, legal facts, retention, and statuses.

Thin views: the forms parse, ``services/procedure_settings.py`` checks (mandatory mentions of a
published procedure, statuses rules) and writes; a refusal is shown on the field it concerns and
what was typed is kept. Needs MANAGE_PROCEDURES.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clocher.demarches.forms_builder import (
    BaseStatusFormSet,
    ProcedureSettingsForm,
    StatusFormSet,
)
from clocher.demarches.models import Procedure, StatusKind
from clocher.demarches.services.procedure_settings import (
    SettingsRefused,
    procedure_settings_save,
    statuses_in_use,
)
from clocher.demarches.services.statuses import statuses_of
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.permissions import Capability

SETTINGS_FIELDS = tuple(ProcedureSettingsForm.base_fields)


def _initial(procedure: Procedure) -> dict[str, Any]:
    return {name: getattr(procedure, name) for name in SETTINGS_FIELDS}


@require_capability(Capability.MANAGE_PROCEDURES)
@require_http_methods(["GET", "POST"])
def procedure_settings(
    request: HttpRequest, commune_slug: str, online_procedure: Procedure
) -> HttpResponse:
    """The procedure's texts, contact, delays, appeal routes and retention period."""
    form = ProcedureSettingsForm(request.POST or None, initial=_initial(online_procedure))
    if request.method == "POST" and form.is_valid():
        try:
            saved = procedure_settings_save(
                procedure=online_procedure, actor=request.user, **form.cleaned_data
            )
        except SettingsRefused as refused:
            for name, errors in refused.errors.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Les réglages de la démarche sont enregistrés."))
            if saved.retention_shortened:
                messages.warning(
                    request,
                    _(
                        "La durée de conservation est raccourcie : elle vaut pour les demandes "
                        "clôturées à partir de maintenant. Les demandes déjà clôturées gardent "
                        "leur date d'anonymisation."
                    ),
                )
            return redirect(
                "staff:demarches:procedure-settings",
                commune_slug=commune_slug,
                online_procedure=online_procedure.pk,
            )
    return render(
        request,
        "demarches/builder/settings.html",
        {"procedure": online_procedure, "form": form},
    )


@require_capability(Capability.MANAGE_PROCEDURES)
@require_http_methods(["GET", "POST"])
def procedure_statuses(
    request: HttpRequest, commune_slug: str, online_procedure: Procedure
) -> HttpResponse:
    """The statuses a request of this procedure goes through."""
    current = statuses_of(online_procedure)
    initial = [
        {"code": status.code, "label": status.label, "kind": status.kind, "ORDER": position}
        for position, status in enumerate(current, start=1)
    ]
    formset = cast(
        BaseStatusFormSet, StatusFormSet(request.POST or None, initial=initial, prefix="statuts")
    )
    refusal: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            procedure_settings_save(
                procedure=online_procedure, actor=request.user, statuses=formset.statuses()
            )
        except SettingsRefused as refused:
            refusal = [error for errors in refused.errors.values() for error in errors]
        else:
            messages.success(request, _("Les statuts de la démarche sont enregistrés."))
            return redirect(
                "staff:demarches:procedure-statuses",
                commune_slug=commune_slug,
                online_procedure=online_procedure.pk,
            )
    in_use = statuses_in_use(online_procedure)
    rows = []
    for form in formset.forms:
        code = (form.initial or {}).get("code", "")
        rows.append({"form": form, "in_use": in_use.get(code, ("", 0))[1] if code else 0})
    return render(
        request,
        "demarches/builder/statuses.html",
        {
            "procedure": online_procedure,
            "formset": formset,
            "rows": rows,
            "refusal": refusal,
            "kinds": StatusKind.choices,
        },
    )
