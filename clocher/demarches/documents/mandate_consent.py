"""The blank mandate form the citizen signs on paper (kept at the town hall, then recorded).

It says what the agent may do under the mandate and what they never do (use the citizen's own
credentials), which families of procedures it covers (boxes to tick), how long (a year at most),
that it can be revoked at any time, and how the data is handled (RGPD art. 13 information).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from clocher.demarches.documents.layout import Letter, Section, render_letter
from clocher.demarches.models import Family
from clocher.demarches.services.mandates import MAX_VALIDITY_MONTHS
from clocher.tenancy.models import Commune

BLANK = "_" * 40
SHORT_BLANK = "_" * 14


def mandate_consent_letter(commune: Commune, *, today: datetime.date | None = None) -> Letter:
    name = commune.name
    return Letter(
        commune=commune,
        title="Mandat pour le suivi de mes démarches",
        subtitle="À remplir et signer par la personne qui donne mandat",
        sections=[
            Section(
                "Je soussigné(e)",
                [
                    f"Nom et prénom : {BLANK}",
                    f"Adresse : {BLANK}{BLANK}",
                    f"Téléphone ou e-mail (pour me joindre) : {BLANK}",
                ],
            ),
            Section(
                "Donne mandat",
                [
                    f"aux agents de la mairie de {name} chargés des démarches cochées ci-dessous "
                    "pour déposer et suivre en mon nom mes demandes : remplir les formulaires avec "
                    "moi, transmettre les pièces que je leur confie, recevoir et me communiquer "
                    "les réponses et décisions.",
                    *[f"☐ {label}" for _value, label in Family.choices],
                ],
            ),
            Section(
                "Pour la durée suivante (un an au plus)",
                [
                    f"Du {SHORT_BLANK} au {SHORT_BLANK} "
                    f"(au maximum {MAX_VALIDITY_MONTHS} mois après la date de début).",
                ],
            ),
            Section(
                "Ce que la mairie s'engage à faire et à ne pas faire",
                [
                    "Les agents agissent avec leur propre compte, à leur nom : ils ne me demandent "
                    "jamais mes identifiants, mots de passe ou codes, et ne les utilisent jamais.",
                    "Chaque démarche faite en mon nom est notée dans le dossier et indique qu'elle "
                    "a été faite sous ce mandat.",
                    "Je peux retirer ce mandat à tout moment, par simple demande à l'accueil de la "
                    "mairie, par courrier ou par téléphone.",
                ],
            ),
            Section(
                "Vos données",
                [
                    f"La mairie de {name} enregistre ce mandat (votre nom, votre moyen de contact, "
                    "les démarches couvertes, les dates) pour pouvoir agir en votre nom. Ces "
                    "informations sont chiffrées et seuls les agents chargés des démarches "
                    "couvertes les voient. Elles sont conservées pendant la durée du mandat puis "
                    "le temps nécessaire au suivi des demandes déposées. Vous pouvez y accéder, "
                    "les faire rectifier ou effacer en vous adressant à la mairie.",
                ],
            ),
        ],
        filename=f"mandat-formulaire-{commune.slug}.pdf",
        place_and_date=f"Fait à {BLANK[:20]}, le {SHORT_BLANK}",
        signature=["Signature de la personne qui donne mandat :", "", ""],
        footnote=(
            "Réservé à la mairie — mandat enregistré le ____________ par ____________________ ; "
            "classé : ________________________________."
        ),
        today=today or timezone.localdate(),
    )


def mandate_consent_pdf(commune: Commune) -> tuple[bytes, str]:
    letter = mandate_consent_letter(commune)
    return render_letter(letter), letter.filename
