"""Operator console pages of the cemetery's shared document templates.

The operator publishes one version per document kind; every commune of that operator uses it
unless it has adjusted its own copy (``views.documents``). Operator admins publish; support staff
may read. Mounted in ``clocher.console.urls``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clocher.cimetiere.documents import templates as document_templates
from clocher.cimetiere.documents.values import example_values
from clocher.cimetiere.models import DocumentKind, DocumentTemplate
from clocher.cimetiere.services import documents as document_services
from clocher.cimetiere.views.documents import DocumentTemplateForm, kind_from_request
from clocher.console.access import operator_staff_required
from clocher.console.selectors import operators_administered_by, operators_of
from clocher.tenancy.models import Commune, Operator


def _operator(request: HttpRequest) -> Operator:
    operator = operators_of(request.user).order_by("name").first()
    if operator is None:
        raise PermissionDenied
    return operator


def _shared(operator: Operator) -> dict[str, DocumentTemplate]:
    rows = DocumentTemplate.objects.filter(operator=operator, commune__isnull=True)
    return {row.kind: row for row in rows}


@operator_staff_required
def shared_templates(request: HttpRequest) -> HttpResponse:
    """Every document kind with the version the operator shares (or the built-in one)."""
    operator = _operator(request)
    shared = _shared(operator)
    rows = [
        {"kind": kind, "label": DocumentKind(kind).label, "row": shared.get(kind)}
        for kind in DocumentKind.values
    ]
    return render(
        request,
        "cimetiere/documents/console_templates.html",
        {
            "nav": "cemetery-templates",
            "operator": operator,
            "rows": rows,
            "can_publish": operators_administered_by(request.user).filter(pk=operator.pk).exists(),
        },
    )


@operator_staff_required
def shared_template_edit(request: HttpRequest) -> HttpResponse:
    """Publish the operator's version of one document, with a preview on example values."""
    operator = _operator(request)
    if not operators_administered_by(request.user).filter(pk=operator.pk).exists():
        raise PermissionDenied
    kind = kind_from_request(request)
    current = _shared(operator).get(kind)
    source = current or document_templates.built_in_template(kind)
    preview = None
    example = Commune(name=_("Commune-Exemple"), address="1 place de la Mairie")
    if request.method == "POST":
        form = DocumentTemplateForm(request.POST)
        if form.is_valid():
            title, body = form.cleaned_data["title"], form.cleaned_data["body"]
            if request.POST.get("action") == "save":
                document_services.shared_template_publish(
                    operator=operator, actor=request.user, kind=kind, title=title, body=body
                )
                messages.success(request, _("La version partagée est publiée."))
                return redirect(reverse("console:cemetery-templates"))
            preview = _preview(example, kind, title, body)
    else:
        form = DocumentTemplateForm(initial={"title": source.title, "body": source.body})
        preview = _preview(example, kind, source.title, source.body)
    return render(
        request,
        "cimetiere/documents/console_template_edit.html",
        {
            "nav": "cemetery-templates",
            "operator": operator,
            "form": form,
            "kind": kind,
            "kind_label": kind.label,
            "is_published": current is not None,
            "placeholders": document_templates.PLACEHOLDERS[kind],
            "preview": preview,
        },
    )


def _preview(example: Commune, kind: str, title: str, body: str) -> document_templates.RenderedText:
    candidate = document_templates.ResolvedTemplate(
        kind, title, body, document_templates.TemplateSource.OPERATOR
    )
    return document_templates.render_template(
        candidate, example_values(example, today=timezone.localdate())
    )
