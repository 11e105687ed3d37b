"""Operator console pages of the procedure catalogue (``console:demarches-templates…``).

Operator staff see the templates and their versions; operator admins load the built-in
catalogue and publish new versions (texts and form JSON, checked with ``parse_schema``), which
every commune that adopted the template then sees as an update to review. Mounted in
``clocher.console.urls``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clocher.console.access import operator_staff_required
from clocher.console.selectors import operators_administered_by, operators_of
from clocher.demarches import selectors_catalogue
from clocher.demarches.forms_catalogue import TemplateVersionForm, version_initial
from clocher.demarches.services import catalogue
from clocher.tenancy.models import Operator


def _operator(request: HttpRequest) -> Operator:
    operator = operators_of(request.user).first()
    if operator is None:
        raise PermissionDenied
    return operator


def _can_publish(request: HttpRequest, operator: Operator) -> bool:
    return operators_administered_by(request.user).filter(pk=operator.pk).exists()


@operator_staff_required
@require_GET
def templates(request: HttpRequest) -> HttpResponse:
    """The operator's templates, their versions and how many communes adopted each."""
    operator = _operator(request)
    adoptions = selectors_catalogue.adoption_counts(operator)
    rows = [
        {"template": template, "adoptions": adoptions.get(template.pk, 0)}
        for template in selectors_catalogue.templates_with_versions(operator)
    ]
    return render(
        request,
        "demarches/catalogue/console_templates.html",
        {
            "nav": "demarches-templates",
            "operator": operator,
            "rows": rows,
            "can_publish": _can_publish(request, operator),
        },
    )


@operator_staff_required
@require_POST
def templates_load(request: HttpRequest) -> HttpResponse:
    """Load the built-in catalogue, or refresh it after an upgrade of Clocher."""
    operator = _operator(request)
    if not _can_publish(request, operator):
        raise PermissionDenied
    created = catalogue.catalogue_load(operator=operator)
    if created:
        messages.success(
            request,
            ngettext(
                "%(count)d version de modèle publiée.",
                "%(count)d versions de modèles publiées.",
                created,
            )
            % {"count": created},
        )
    else:
        messages.info(request, _("Le catalogue est déjà à jour."))
    return redirect("console:demarches-templates")


@operator_staff_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, template_slug: str) -> HttpResponse:
    """A template's versions, and a form to publish the next one (operator admins)."""
    operator = _operator(request)
    template = selectors_catalogue.operator_template(operator, template_slug)
    if template is None:
        raise Http404
    can_publish = _can_publish(request, operator)
    latest = template.latest_version()
    refusal: list[str] = []
    if request.method == "POST":
        if not can_publish:
            raise PermissionDenied
        form = TemplateVersionForm(request.POST)
        if form.is_valid():
            try:
                version = catalogue.template_version_publish(
                    template=template,
                    actor=request.user,
                    content=form.content(),
                    changelog=form.cleaned_data["changelog"],
                )
            except catalogue.TemplateVersionRefused as refused:
                refusal = refused.messages
            else:
                messages.success(
                    request,
                    _("La version %(number)d de « %(title)s » est publiée pour les communes.")
                    % {"number": version.number, "title": version.title},
                )
                return redirect("console:demarches-templates")
    else:
        form = TemplateVersionForm(initial=version_initial(latest))
    return render(
        request,
        "demarches/catalogue/console_template_edit.html",
        {
            "nav": "demarches-templates",
            "operator": operator,
            "template": template,
            "latest": latest,
            "form": form,
            "refusal": refusal,
            "can_publish": can_publish,
        },
    )
