"""Documents of démarches: the acknowledgment and decision PDFs (staff and citizen), and the
commune's decision texts.

Staff pages receive the request already resolved by the URL registry (``<int:citizen_request>``:
this commune, a family granted to the agent, else 404). Public pages find the request by the
secret of its tracking link (unknown secret: 404).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clocher.cimetiere.views.responses import pdf_response
from clocher.core.forms import Form
from clocher.core.vault import read_file
from clocher.demarches import selectors
from clocher.demarches.documents import templates as decision_texts
from clocher.demarches.documents.acknowledgment import acknowledgment_pdf
from clocher.demarches.documents.decision import decision_pdf, letter_from_template
from clocher.demarches.documents.layout import Letter, french_date
from clocher.demarches.models import Acknowledgment, Decision, DecisionOutcome, Request
from clocher.demarches.services import acknowledgment as acknowledgment_services
from clocher.demarches.services import documents as document_services
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.permissions import Capability

# --- PDFs ----------------------------------------------------------------------------------


def _acknowledgment_response(citizen_request: Request, *, issue_if_missing: bool) -> HttpResponse:
    if citizen_request.is_anonymised:
        raise Http404
    acknowledgment = (
        Acknowledgment.objects.for_commune(citizen_request.commune)
        .filter(request=citizen_request)
        .select_related("document")
        .first()
    )
    if acknowledgment is None and issue_if_missing:
        # The worker has not run yet (a counter entry printed at once): issue it now, exactly
        # as the task would.
        acknowledgment = acknowledgment_services.acknowledgment_issue(request=citizen_request)
    if acknowledgment is None:
        raise Http404
    content = (
        read_file(acknowledgment.document)
        if acknowledgment.document is not None
        else acknowledgment_pdf(acknowledgment)
    )
    return pdf_response(content, f"accuse-de-reception-{citizen_request.number}.pdf")


def _decision_response(citizen_request: Request) -> HttpResponse:
    decision = (
        Decision.objects.for_commune(citizen_request.commune)
        .filter(request=citizen_request)
        .select_related("document", "request", "request__procedure", "request__commune")
        .order_by("-decided_at", "-pk")
        .first()
    )
    if decision is None or citizen_request.is_anonymised:
        raise Http404
    if decision.document is not None:
        content = read_file(decision.document)
    else:
        try:
            content = decision_pdf(decision)
        except ValueError as error:  # an outcome without a decision letter
            raise Http404 from error
    return pdf_response(content, f"decision-{citizen_request.number}.pdf")


@require_capability(Capability.PROCESS_REQUESTS)
def acknowledgment_pdf_staff(
    request: HttpRequest, commune_slug: str, citizen_request: Request
) -> HttpResponse:
    """The acknowledgment to print (counter, phone, letter) or to send again."""
    return _acknowledgment_response(citizen_request, issue_if_missing=True)


@require_capability(Capability.PROCESS_REQUESTS)
def decision_pdf_staff(
    request: HttpRequest, commune_slug: str, citizen_request: Request
) -> HttpResponse:
    """The letter of the latest decision on the request."""
    return _decision_response(citizen_request)


def _by_token(request: HttpRequest, token: str) -> Request:
    found = selectors.request_by_tracking_token(request.commune, token)  # type: ignore[attr-defined]
    if found is None:
        raise Http404
    return found


def acknowledgment_pdf_public(request: HttpRequest, commune_slug: str, token: str) -> HttpResponse:
    """The citizen's acknowledgment, from the secret tracking link."""
    return _acknowledgment_response(_by_token(request, token), issue_if_missing=False)


def decision_pdf_public(request: HttpRequest, commune_slug: str, token: str) -> HttpResponse:
    """The citizen's decision letter, from the secret tracking link."""
    return _decision_response(_by_token(request, token))


# --- Decision texts ------------------------------------------------------------------------

SOURCE_LABELS = {
    decision_texts.TemplateSource.COMMUNE: gettext_lazy("Texte adapté par la commune"),
    decision_texts.TemplateSource.OPERATOR: gettext_lazy("Texte partagé par l'opérateur"),
    decision_texts.TemplateSource.BUILT_IN: gettext_lazy("Texte fourni par Clocher"),
}


class DecisionTemplateForm(Form):
    title = forms.CharField(label=gettext_lazy("Titre du courrier"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Texte du courrier"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 18, "cols": 80}),
        help_text=gettext_lazy(
            "Texte brut ; une ligne vide sépare deux paragraphes. Les champs variables "
            "s'écrivent entre accolades, par exemple {numero} ou {motivation} (liste ci-dessous). "
            "Si le texte ne contient pas {voies_de_recours}, les voies de recours sont ajoutées "
            "à la fin du courrier."
        ),
    )
    signatory = forms.CharField(
        label=gettext_lazy("Signataire"),
        max_length=200,
        help_text=gettext_lazy(
            "Prénom, nom et qualité de la personne qui signe, par exemple : "
            "« Marie Dupont, maire » ou « Pour le maire, par délégation, Jean Martin, adjoint »."
        ),
    )

    def _checked(self, name: str) -> str:
        value: str = self.cleaned_data[name]
        errors = document_services.placeholder_errors(**{name: value})
        if errors:
            raise forms.ValidationError(errors[name])
        return value

    def clean_title(self) -> str:
        return self._checked("title")

    def clean_body(self) -> str:
        return self._checked("body")

    def clean_signatory(self) -> str:
        return self._checked("signatory")


def _outcome_from(request: HttpRequest) -> DecisionOutcome | None:
    value = request.POST.get("issue") if request.method == "POST" else request.GET.get("issue")
    if not value:
        return None
    try:
        return DecisionOutcome(value)
    except ValueError as error:
        raise Http404 from error


def _preview(commune: object, outcome: str, title: str, body: str, signatory: str) -> Letter:
    today = timezone.localdate()
    values = decision_texts.example_values(commune, today)  # type: ignore[arg-type]
    candidate = decision_texts.ResolvedTemplate(
        outcome, title, body, signatory, decision_texts.TemplateSource.COMMUNE
    )
    return letter_from_template(
        candidate,
        values,
        commune=commune,
        number=values["numero"],
        procedure_title=values["demarche"],
        decided_on_text=french_date(today),
        filename="apercu.pdf",
    )


@require_capability(Capability.MANAGE_PROCEDURES)
def decision_templates(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The decision texts that apply to the commune; edit one, preview it, save or reset."""
    commune = request.commune  # type: ignore[attr-defined]
    page_url = reverse("staff:demarches:decision-templates", kwargs={"commune_slug": commune.slug})
    resolved = decision_texts.templates_of_commune(commune)
    rows = [
        {
            "outcome": outcome,
            "label": DecisionOutcome(outcome).label,
            "template": template,
            "source_label": SOURCE_LABELS[template.source],
        }
        for outcome, template in resolved.items()
    ]
    outcome = _outcome_from(request)
    context: dict[str, object] = {"rows": rows, "page_url": page_url}
    if outcome is None:
        return render(request, "demarches/documents/decision_templates.html", context)

    current = resolved[outcome]
    preview = None
    if request.method == "POST" and request.POST.get("action") == "reset":
        if document_services.decision_template_reset(commune=commune, outcome=outcome):
            messages.success(request, _("Le texte partagé s'applique de nouveau."))
        return redirect(f"{page_url}?issue={outcome.value}")
    if request.method == "POST":
        form = DecisionTemplateForm(request.POST)
        if form.is_valid():
            title = form.cleaned_data["title"]
            body = form.cleaned_data["body"]
            signatory = form.cleaned_data["signatory"]
            if request.POST.get("action") == "save":
                document_services.decision_template_save(
                    commune=commune,
                    actor=request.user,
                    outcome=outcome,
                    title=title,
                    body=body,
                    signatory=signatory,
                )
                messages.success(request, _("Le texte de la commune est enregistré."))
                return redirect(f"{page_url}?issue={outcome.value}")
            preview = _preview(commune, outcome, title, body, signatory)
    else:
        form = DecisionTemplateForm(
            initial={"title": current.title, "body": current.body, "signatory": current.signatory}
        )
        preview = _preview(commune, outcome, current.title, current.body, current.signatory)
    context.update(
        {
            "form": form,
            "outcome": outcome,
            "outcome_label": outcome.label,
            "current_source_label": SOURCE_LABELS[current.source],
            "is_adjusted": current.source == decision_texts.TemplateSource.COMMUNE,
            "placeholders": [
                ("{" + name + "}", meaning) for name, meaning in decision_texts.PLACEHOLDERS.items()
            ],
            "preview": preview,
        }
    )
    return render(request, "demarches/documents/decision_templates.html", context)
