"""Documents and registers of the cemetery: PDFs, the public registers as printable pages, and
the commune's copies of the shared document templates."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clocher.cimetiere.documents import pdf
from clocher.cimetiere.documents import templates as document_templates
from clocher.cimetiere.documents.values import example_values, french_date
from clocher.cimetiere.models import Concession, DocumentKind, Operation, Section
from clocher.cimetiere.services import documents as document_services
from clocher.cimetiere.views.responses import pdf_response
from clocher.core.forms import Form
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.permissions import Capability


def require_any_capability(
    *capabilities: Capability,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """403 unless the role table grants at least one of ``capabilities``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            abilities = getattr(request, "abilities", {})
            if not any(abilities.get(capability.value) for capability in capabilities):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _pdf_response(document: pdf.Document) -> HttpResponse:
    return pdf_response(pdf.render_document(document), document.filename)


# --- PDFs ----------------------------------------------------------------------------------


@require_capability(Capability.MANAGE_CEMETERY)
def concession_deed(
    request: HttpRequest, commune_slug: str, concession: Concession
) -> HttpResponse:
    """The titre de concession: names the holders (decrypted for this document only)."""
    return _pdf_response(pdf.concession_deed_document(concession, today=timezone.localdate()))


@require_capability(Capability.MANAGE_CEMETERY)
def renewal_letter(request: HttpRequest, commune_slug: str, concession: Concession) -> HttpResponse:
    """The renewal letter (L2223-15); 404 for a perpetual concession, which never expires."""
    try:
        document = pdf.renewal_letter_document(concession, today=timezone.localdate())
    except ValueError as error:
        raise Http404 from error
    return _pdf_response(document)


@require_any_capability(Capability.MANAGE_CEMETERY, Capability.AUTHORISE_FUNERAL_OPERATION)
def burial_authorisation(
    request: HttpRequest, commune_slug: str, operation: Operation
) -> HttpResponse:
    try:
        document = pdf.burial_authorisation_document(operation, today=timezone.localdate())
    except ValueError as error:
        raise Http404 from error
    return _pdf_response(document)


@require_any_capability(Capability.MANAGE_CEMETERY, Capability.AUTHORISE_FUNERAL_OPERATION)
def exhumation_authorisation(
    request: HttpRequest, commune_slug: str, operation: Operation
) -> HttpResponse:
    try:
        document = pdf.exhumation_authorisation_document(operation, today=timezone.localdate())
    except ValueError as error:
        raise Http404 from error
    return _pdf_response(document)


@require_capability(Capability.VIEW_CEMETERY)
def ossuary_register_pdf(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    return _pdf_response(pdf.ossuary_register_document(commune, today=timezone.localdate()))


@require_capability(Capability.VIEW_CEMETERY)
def ash_register_pdf(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    return _pdf_response(pdf.ash_register_document(commune, today=timezone.localdate()))


@require_capability(Capability.VIEW_CEMETERY)
def section_listing(request: HttpRequest, commune_slug: str, section: Section) -> HttpResponse:
    return _pdf_response(pdf.section_listing_document(section, today=timezone.localdate()))


# --- Public registers as printable pages ---------------------------------------------------


@require_capability(Capability.VIEW_CEMETERY)
def ossuary_register(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The ossuary register (L2223-4), public: a printable page."""
    commune = request.commune  # type: ignore[attr-defined]
    document = pdf.ossuary_register_document(commune, today=timezone.localdate())
    return render(
        request,
        "cimetiere/documents/register.html",
        {
            "document": document,
            "table": document.tables[0],
            "pdf_url": reverse(
                "staff:cimetiere:document-ossuary-register", kwargs={"commune_slug": commune.slug}
            ),
            "today_text": french_date(document.today),
        },
    )


@require_capability(Capability.VIEW_CEMETERY)
def ash_register(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The register of ashes scattered (L2223-18-3), public: a printable page."""
    commune = request.commune  # type: ignore[attr-defined]
    document = pdf.ash_register_document(commune, today=timezone.localdate())
    return render(
        request,
        "cimetiere/documents/register.html",
        {
            "document": document,
            "table": document.tables[0],
            "pdf_url": reverse(
                "staff:cimetiere:document-ash-register", kwargs={"commune_slug": commune.slug}
            ),
            "today_text": french_date(document.today),
        },
    )


# --- Templates -----------------------------------------------------------------------------

SOURCE_LABELS = {
    document_templates.TemplateSource.COMMUNE: gettext_lazy("Version adaptée par la commune"),
    document_templates.TemplateSource.OPERATOR: gettext_lazy("Version partagée de l'opérateur"),
    document_templates.TemplateSource.BUILT_IN: gettext_lazy("Version fournie par Clocher"),
}


class DocumentTemplateForm(Form):
    title = forms.CharField(label=gettext_lazy("Titre"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Texte"),
        widget=forms.Textarea(attrs={"rows": 22, "cols": 90}),
        help_text=gettext_lazy(
            "Texte brut ; une ligne vide sépare deux paragraphes ; **texte** pour le gras. "
            "Les champs variables s'écrivent entre doubles accolades, par exemple "
            "{{ commune.name }}."
        ),
    )

    def _check_syntax(self, name: str) -> str:
        value: str = self.cleaned_data[name]
        try:
            document_templates.compile_text(value)
        except TemplateSyntaxError as error:
            raise forms.ValidationError(
                _("Le modèle contient une erreur : %(error)s"), params={"error": error}
            ) from error
        return value

    def clean_title(self) -> str:
        return self._check_syntax("title")

    def clean_body(self) -> str:
        return self._check_syntax("body")


def kind_from_request(request: HttpRequest) -> DocumentKind:
    value = request.POST.get("kind") if request.method == "POST" else request.GET.get("kind")
    try:
        return DocumentKind(value or "")
    except ValueError as error:
        raise Http404 from error


@require_capability(Capability.VIEW_CEMETERY)
def documents(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The registers and the document templates that apply to the commune."""
    commune = request.commune  # type: ignore[attr-defined]
    rows = [
        {
            "template": template,
            "label": DocumentKind(template.kind).label,
            "source_label": SOURCE_LABELS[template.source],
        }
        for template in document_templates.templates_of_commune(commune)
    ]
    sections = (
        Section.objects.for_commune(commune)
        .select_related("cemetery")
        .order_by("cemetery__name", "position", "name")
    )
    return render(
        request,
        "cimetiere/documents/index.html",
        {"rows": rows, "sections": sections},
    )


@require_capability(Capability.MANAGE_CEMETERY)
def template_edit(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Edit the commune's copy of one template, with a preview on fictional example values."""
    commune = request.commune  # type: ignore[attr-defined]
    kind = kind_from_request(request)
    current = document_templates.template_for(commune, kind)
    preview = None
    if request.method == "POST":
        form = DocumentTemplateForm(request.POST)
        if form.is_valid():
            title, body = form.cleaned_data["title"], form.cleaned_data["body"]
            if request.POST.get("action") == "save":
                document_services.commune_template_save(
                    commune=commune, actor=request.user, kind=kind, title=title, body=body
                )
                messages.success(request, _("La version de la commune est enregistrée."))
                return redirect(
                    reverse("staff:cimetiere:documents", kwargs={"commune_slug": commune.slug})
                )
            preview = _preview(commune, kind, title, body)
    else:
        form = DocumentTemplateForm(initial={"title": current.title, "body": current.body})
        preview = _preview(commune, kind, current.title, current.body)
    return render(
        request,
        "cimetiere/documents/template_edit.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": kind.label,
            "current": current,
            "source_label": SOURCE_LABELS[current.source],
            "is_adjusted": current.source == document_templates.TemplateSource.COMMUNE,
            "placeholders": document_templates.PLACEHOLDERS[kind],
            "preview": preview,
        },
    )


def _preview(commune: Any, kind: str, title: str, body: str) -> document_templates.RenderedText:
    candidate = document_templates.ResolvedTemplate(
        kind, title, body, document_templates.TemplateSource.COMMUNE
    )
    return document_templates.render_template(
        candidate, example_values(commune, today=timezone.localdate())
    )


@require_POST
@require_capability(Capability.MANAGE_CEMETERY)
def template_reset(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Drop the commune's copy: the shared version applies again."""
    commune = request.commune  # type: ignore[attr-defined]
    kind = kind_from_request(request)
    if document_services.commune_template_reset(commune=commune, kind=kind):
        messages.success(request, _("La version partagée s'applique de nouveau."))
    return redirect(reverse("staff:cimetiere:documents", kwargs={"commune_slug": commune.slug}))


@require_capability(Capability.VIEW_CEMETERY)
def template_example_pdf(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The version in force rendered as PDF with fictional example values."""
    commune = request.commune  # type: ignore[attr-defined]
    kind = kind_from_request(request)
    today = timezone.localdate()
    rendered = document_templates.render_template(
        document_templates.template_for(commune, kind), example_values(commune, today=today)
    )
    return _pdf_response(
        pdf.Document(
            commune=commune,
            title=rendered.title,
            paragraphs=rendered.paragraphs,
            today=today,
            filename=f"exemple-{kind.value.replace('_', '-')}.pdf",
        )
    )
