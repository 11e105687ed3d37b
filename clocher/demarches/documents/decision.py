"""The decision letter, drawn from the decision text that applies to the commune and outcome.

It always states the appeal routes (CJA R421-5: the appeal delay only runs against the citizen
when the notification states it) — appended when the text itself has no ``{voies_de_recours}`` —
and ends with the place, the date and the signatory (CRPA L212-1).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from clocher.demarches.documents.layout import Letter, Section, french_date, render_letter
from clocher.demarches.documents.templates import (
    ResolvedTemplate,
    appeal_routes_of,
    fill,
    service_line,
    template_for,
)
from clocher.demarches.models import Decision, DecisionOutcome, Request


def decision_values(decision: Decision) -> dict[str, str]:
    request: Request = decision.request
    procedure = request.procedure
    return {
        "numero": request.number,
        "demarche": procedure.title,
        "date_reception": french_date(timezone.localdate(request.received_at)),
        "date_decision": french_date(timezone.localdate(decision.decided_at)),
        "motivation": decision.motivation or "",
        "commune": request.commune.name,
        "service": service_line(procedure),
        "voies_de_recours": appeal_routes_of(procedure),
    }


def paragraphs_of(text: str) -> list[str]:
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block]


def letter_from_template(
    template: ResolvedTemplate,
    values: dict[str, str],
    *,
    commune: object,
    number: str,
    procedure_title: str,
    decided_on_text: str,
    filename: str,
) -> Letter:
    """A decision letter from a text and its values (the preview uses it with example values)."""
    sections = [Section("", paragraphs_of(fill(template.body, values)))]
    if "{voies_de_recours}" not in template.body.replace(" ", ""):
        sections.append(Section(_("Voies et délais de recours"), [values["voies_de_recours"]]))
    return Letter(
        commune=commune,  # type: ignore[arg-type]
        title=" ".join(fill(template.title, values).split()),
        subtitle=_("Demande n° %(number)s — %(procedure)s")
        % {"number": number, "procedure": procedure_title},
        sections=sections,
        filename=filename,
        place_and_date=_("Fait à %(commune)s, le %(date)s")
        % {"commune": values["commune"], "date": decided_on_text},
        signature=[line for line in fill(template.signatory, values).splitlines() if line.strip()],
    )


def decision_letter(decision: Decision) -> Letter:
    request = decision.request
    outcome = DecisionOutcome(decision.outcome)  # ValueError for an outcome without a letter
    values = decision_values(decision)
    return letter_from_template(
        template_for(request.commune, outcome),
        values,
        commune=request.commune,
        number=request.number,
        procedure_title=request.procedure.title,
        decided_on_text=values["date_decision"],
        filename=f"decision-{request.number}.pdf",
    )


def decision_pdf(decision: Decision) -> bytes:
    """The decision letter as an A4 PDF."""
    return render_letter(decision_letter(decision))
