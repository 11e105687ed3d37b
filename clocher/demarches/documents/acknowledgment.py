"""The acknowledgment of receipt as a letter: drawn from its frozen mentions only.

No personal value is printed: not the citizen's name (the acknowledgment goes to whoever filed
the request, by e-mail or over the counter), nor any answer of the form. The secret tracking link
is not printed either: the PDF is kept in the vault, and the link is e-mailed or handed over
separately. See ``services.acknowledgment`` for the legal references of each mention.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from clocher.demarches.documents.layout import Letter, Section, french_date, render_letter
from clocher.demarches.models import Acknowledgment

REFERENCES = (
    "Code des relations entre le public et l'administration, articles L112-3, L112-11, R112-5, "
    "R112-11-1, L114-5, L231-1 et L231-4 ; code de justice administrative, article R421-1."
)


def acknowledgment_sections(mentions: dict[str, Any]) -> list[Section]:
    """The mentions in reading order, shared by the PDF and the e-mail."""
    service = mentions["service"]
    request_lines = [
        _("Reçue le %(when)s (%(channel)s).")
        % {"when": mentions["received_text"], "channel": mentions["channel_label"].lower()},
        _("Numéro de suivi : %(number)s") % {"number": mentions["number"]},
    ]
    if mentions.get("acknowledgment_text"):
        request_lines.append(mentions["acknowledgment_text"])
    service_lines = [service["name"]]
    if service.get("address"):
        service_lines.append(_("Adresse : %(address)s") % {"address": service["address"]})
    if service.get("email"):
        service_lines.append(_("Courriel : %(email)s") % {"email": service["email"]})
    if service.get("phone"):
        service_lines.append(_("Téléphone : %(phone)s") % {"phone": service["phone"]})
    missing = mentions.get("missing_documents") or []
    if missing:
        due_on = mentions.get("missing_documents_due_on")
        missing_lines = [
            _("Pour que votre dossier soit complet, il manque :"),
            *[f"– {item['label']}" for item in missing],
        ]
        if due_on:
            missing_lines.append(
                _(
                    "Merci de les transmettre au plus tard le %(date)s, par votre lien de suivi ou "
                    "au service indiqué ci-dessus."
                )
                % {"date": french_date(datetime.date.fromisoformat(due_on))}
            )
    else:
        missing_lines = [_("Aucune pièce ni information obligatoire ne manque à votre dossier.")]
    data_lines = [
        _(
            "Les données de cette demande sont conservées %(months)d mois après sa clôture, "
            "puis anonymisées. Depuis votre lien de suivi, vous pouvez les consulter, les "
            "exporter, voir qui a consulté votre dossier et demander leur effacement."
        )
        % {"months": mentions["retention_months"]}
    ]
    if mentions.get("legal_basis"):
        data_lines.append(_("Base légale : %(basis)s") % {"basis": mentions["legal_basis"]})
    return [
        Section(_("Votre demande"), request_lines),
        Section(_("Service chargé du dossier"), service_lines),
        Section(_("Si la mairie ne vous répond pas"), [mentions["silence"]["text"]]),
        Section(_("Pièces manquantes"), missing_lines),
        Section(_("Voies et délais de recours"), [mentions["appeal_routes"]]),
        Section(_("Vos données"), data_lines),
    ]


def acknowledgment_letter(acknowledgment: Acknowledgment) -> Letter:
    mentions = acknowledgment.mentions
    issued_on = timezone.localdate(acknowledgment.issued_at)
    return Letter(
        commune=acknowledgment.commune,
        title=_("Accusé de réception"),
        subtitle=_("Demande n° %(number)s — %(procedure)s")
        % {"number": mentions["number"], "procedure": mentions["procedure"]},
        sections=acknowledgment_sections(mentions),
        filename=f"accuse-de-reception-{mentions['number']}.pdf",
        place_and_date=_("Délivré à %(commune)s, le %(date)s")
        % {"commune": mentions["commune"], "date": french_date(issued_on)},
        signature=[mentions["service"]["name"]],
        footnote=_("Références : %(references)s") % {"references": REFERENCES},
        today=issued_on,
    )


def acknowledgment_pdf(acknowledgment: Acknowledgment) -> bytes:
    """The acknowledgment as an A4 PDF (for the e-mail, the vault and paper at the counter)."""
    return render_letter(acknowledgment_letter(acknowledgment))
