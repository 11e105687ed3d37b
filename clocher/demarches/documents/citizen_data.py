"""The citizen's data of one request as PDF (RGPD art. 15: a copy of the data held).

Drawn with the démarches letter layout from the same dict as the JSON export
(:func:`services.rights.citizen_export_json`), so both always say the same thing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from clocher.demarches.documents.layout import Letter, Section, french_date, render_letter
from clocher.demarches.models import Request
from clocher.demarches.services.rights import citizen_export_json


def _when(value: str | None) -> str:
    if not value:
        return "—"
    if "T" in value:
        moment = datetime.datetime.fromisoformat(value)
        local = timezone.localtime(moment)
        return f"{french_date(local.date())} à {local:%H} h {local:%M}"
    return french_date(datetime.date.fromisoformat(value))


def _answer_lines(answers: list[dict[str, Any]], indent: str = "") -> list[str]:
    lines = []
    for answer in answers:
        if answer["type"] == "repeat":
            lines.append(f"{indent}{answer['label']} :")
            for position, item in enumerate(answer.get("items", []), start=1):
                lines.append(f"{indent}  n° {position}")
                lines.extend(_answer_lines(item, indent + "    "))
        else:
            lines.append(f"{indent}{answer['label']} : {answer['text'] or '—'}")
    return lines


def citizen_data_letter(request: Request, *, today: datetime.date | None = None) -> Letter:
    data = citizen_export_json(request)
    about = data["request"]
    procedure = about["procedure"]
    summary = [
        f"Démarche : {procedure['title']} ({procedure['family_label']})",
        f"Reçue le : {_when(about['received_at'])} — {about['channel_label']}",
        f"Statut : {about['status_label']}",
    ]
    if about["email"]:
        summary.append(f"Adresse e-mail : {about['email']}")
    if about["decided_at"]:
        summary.append(f"Décidée le : {_when(about['decided_at'])}")
    if about["retention_until"]:
        summary.append(
            f"Conservée jusqu'au : {_when(about['retention_until'])} "
            f"({procedure['retention_months']} mois après la clôture), puis anonymisée."
        )
    if about["anonymised_at"]:
        summary.append(f"Données personnelles effacées le : {_when(about['anonymised_at'])}")
    sections = [Section("Votre demande", summary)]
    sections.append(
        Section("Vos réponses", _answer_lines(data["answers"]) or ["Aucune réponse conservée."])
    )
    if data["files"]:
        sections.append(
            Section(
                "Pièces jointes",
                [f"{item['name']} ({item['size']} octets)" for item in data["files"]],
            )
        )
    sections.append(
        Section(
            "Messages",
            [
                f"{_when(item['at'])} — {item['from'] or item['kind_label']} : {item['body']}"
                for item in data["messages"]
            ]
            or ["Aucun message."],
        )
    )
    sections.append(
        Section(
            "Décisions",
            [
                f"{_when(item['decided_at'])} — {item['outcome_label']}"
                + (f" : {item['motivation']}" if item["motivation"] else "")
                for item in data["decisions"]
            ]
            or ["Aucune décision pour le moment."],
        )
    )
    sections.append(
        Section(
            "Qui a consulté votre dossier",
            [f"{_when(item['at'])} — {item['by']}" for item in data["openings"]]
            or ["Aucun agent n'a encore ouvert votre dossier."],
        )
    )
    sections.append(
        Section(
            "Historique",
            [
                f"{_when(item['at'])} — {item['kind_label']}"
                + (f" ({item['by']})" if item["by"] else "")
                for item in data["journal"]
            ],
        )
    )
    return Letter(
        commune=request.commune,
        title="Vos données personnelles",
        subtitle=f"Demande n° {about['number']}",
        sections=sections,
        filename=f"mes-donnees-{about['number']}.pdf",
        footnote=(
            "Copie des données détenues par la mairie sur cette demande (article 15 du règlement "
            "général sur la protection des données). Les notes internes des agents n'en font pas "
            "partie."
        ),
        today=today or timezone.localdate(),
    )


def citizen_data_pdf(request: Request) -> tuple[bytes, str]:
    """The PDF and its file name."""
    letter = citizen_data_letter(request)
    return render_letter(letter), letter.filename
