"""Decision texts: which version applies to a commune, and safe placeholder substitution.

The version used for an outcome is, in order: the commune's copy, the operator's shared version,
the built-in text below. Placeholders are single-brace names (``{numero}``); substitution is a
plain replacement of the known names — no ``str.format``, no template engine — so a text can
never reach an attribute, call anything or crash a rendering: an unknown name is refused when
the text is saved (:func:`unknown_placeholders`) and left untouched when rendered.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clocher.demarches.models import DecisionOutcome, DecisionTemplate, Procedure
from clocher.tenancy.models import Commune

_PLACEHOLDER = re.compile(r"\{([^{}\n]{0,60})\}")

# Every placeholder a decision text may use, with what it becomes (shown on the editing page).
PLACEHOLDERS: dict[str, str] = {
    "numero": str(_("numéro de la demande")),
    "demarche": str(_("titre de la démarche")),
    "date_reception": str(_("date de réception de la demande")),
    "date_decision": str(_("date de la décision")),
    "motivation": str(_("motifs de la décision, saisis par l'agent")),
    "commune": str(_("nom de la commune")),
    "service": str(_("service chargé du dossier")),
    "voies_de_recours": str(_("voies et délais de recours de la démarche")),
}

# Written for Clocher (CRPA L211-2 and L211-5 for the reasons of a refusal, R421-1 and R421-5
# CJA for the appeal delay, which only runs against the citizen when the decision states it).
DEFAULT_APPEAL_ROUTES = str(
    _(
        "Vous pouvez contester cette décision dans les deux mois qui suivent sa notification "
        "(ou la naissance d'une décision implicite) : par un recours gracieux adressé au maire, "
        "ou par un recours contentieux devant le tribunal administratif territorialement "
        "compétent, qui peut aussi être saisi par l'application Télérecours citoyens "
        "(www.telerecours.fr). Un recours gracieux formé dans ce délai le prolonge : le recours "
        "contentieux reste alors possible dans les deux mois qui suivent la réponse de la "
        "mairie, ou son silence gardé pendant deux mois."
    )
)

BUILT_IN: dict[str, tuple[str, str, str]] = {
    DecisionOutcome.ACCEPTED: (
        str(_("Décision d'acceptation")),
        str(
            _(
                "Objet : votre demande « {demarche} », n° {numero}, reçue le {date_reception}."
                "\n\n"
                "Après examen de votre demande, la commune de {commune} y fait droit."
                "\n\n"
                "{motivation}"
                "\n\n"
                "Pour toute question, vous pouvez contacter le service suivant : {service}."
                "\n\n"
                "Voies et délais de recours : {voies_de_recours}"
            )
        ),
        str(_("Le maire")),
    ),
    DecisionOutcome.REFUSED: (
        str(_("Décision de refus")),
        str(
            _(
                "Objet : votre demande « {demarche} », n° {numero}, reçue le {date_reception}."
                "\n\n"
                "Après examen de votre demande, la commune de {commune} ne peut pas y faire "
                "droit, pour les motifs suivants :"
                "\n\n"
                "{motivation}"
                "\n\n"
                "Pour toute question, vous pouvez contacter le service suivant : {service}."
                "\n\n"
                "Voies et délais de recours : {voies_de_recours}"
            )
        ),
        str(_("Le maire")),
    ),
    DecisionOutcome.CLOSED: (
        str(_("Classement sans suite")),
        str(
            _(
                "Objet : votre demande « {demarche} », n° {numero}, reçue le {date_reception}."
                "\n\n"
                "La commune de {commune} classe votre demande sans suite, pour les raisons "
                "suivantes :"
                "\n\n"
                "{motivation}"
                "\n\n"
                "Pour toute question, vous pouvez contacter le service suivant : {service}."
                "\n\n"
                "Voies et délais de recours : {voies_de_recours}"
            )
        ),
        str(_("Le maire")),
    ),
}


class TemplateSource(StrEnum):
    COMMUNE = "commune"
    OPERATOR = "operator"
    BUILT_IN = "built_in"


@dataclass(frozen=True)
class ResolvedTemplate:
    outcome: str
    title: str
    body: str
    signatory: str
    source: TemplateSource


def built_in_template(outcome: str) -> ResolvedTemplate:
    title, body, signatory = BUILT_IN[DecisionOutcome(outcome)]
    return ResolvedTemplate(outcome, title, body, signatory, TemplateSource.BUILT_IN)


def _resolved(row: DecisionTemplate) -> ResolvedTemplate:
    source = TemplateSource.COMMUNE if row.commune_id else TemplateSource.OPERATOR
    return ResolvedTemplate(row.outcome, row.title, row.body, row.signatory, source)


def _rows(commune: Commune) -> list[DecisionTemplate]:
    return list(
        DecisionTemplate.objects.filter(
            Q(commune=commune) | Q(operator_id=commune.operator_id, commune__isnull=True)
        )
    )


def templates_of_commune(commune: Commune) -> dict[str, ResolvedTemplate]:
    """Each outcome with the version that applies to ``commune`` (one query). Another commune's
    copy is never returned."""
    rows = _rows(commune)
    own = {row.outcome: row for row in rows if row.commune_id}
    shared = {row.outcome: row for row in rows if not row.commune_id}
    found = {}
    for outcome in DecisionOutcome.values:
        row = own.get(outcome) or shared.get(outcome)
        found[outcome] = _resolved(row) if row is not None else built_in_template(outcome)
    return found


def template_for(commune: Commune, outcome: str) -> ResolvedTemplate:
    return templates_of_commune(commune)[DecisionOutcome(outcome)]


def shared_template_for(commune: Commune, outcome: str) -> ResolvedTemplate:
    """The version a commune goes back to when it drops its copy."""
    row = DecisionTemplate.objects.filter(
        operator_id=commune.operator_id, commune__isnull=True, outcome=outcome
    ).first()
    return _resolved(row) if row is not None else built_in_template(outcome)


def unknown_placeholders(text: str) -> list[str]:
    """The placeholder names in ``text`` that do not exist, in order, without repeats."""
    found: list[str] = []
    for match in _PLACEHOLDER.finditer(text):
        name = match.group(1).strip()
        if name not in PLACEHOLDERS and name not in found:
            found.append(name)
    return found


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace each known ``{name}`` by its value; anything else stays as written."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        return str(values[name]) if name in values else match.group(0)

    return _PLACEHOLDER.sub(replace, text)


def appeal_routes_of(procedure: Procedure) -> str:
    """The procedure's appeal routes, or the built-in text when the commune wrote none."""
    return procedure.appeal_routes.strip() or DEFAULT_APPEAL_ROUTES


def service_line(procedure: Procedure) -> str:
    """The service in charge, on one line: name, address, e-mail, phone (what is filled in)."""
    commune = procedure.commune
    name = procedure.service_name.strip() or f"Mairie de {commune.name}"
    address = " ".join((procedure.service_address or commune.address).split())
    parts = [
        name,
        address,
        procedure.service_email or commune.email,
        procedure.service_phone or commune.phone,
    ]
    return ", ".join(part for part in parts if part)


def example_values(commune: Commune, today: datetime.date) -> dict[str, str]:
    """Fictional values for the preview of a text (never a real request)."""
    from clocher.demarches.documents.layout import french_date

    return {
        "numero": f"{today.year}-00042",
        "demarche": str(_("Réservation d'une salle communale")),
        "date_reception": french_date(today - datetime.timedelta(days=12)),
        "date_decision": french_date(today),
        "motivation": str(
            _("La salle des fêtes est déjà réservée à la date demandée (exemple de motifs).")
        ),
        "commune": commune.name,
        "service": f"Secrétariat de mairie, {' '.join(commune.address.split())}".rstrip(", "),
        "voies_de_recours": DEFAULT_APPEAL_ROUTES,
    }
