"""Default text of the appeal routes (« voies et délais de recours ») of an adopted procedure.

The acknowledgment of a request that silence may refuse must state the appeal routes and delays
(CRPA R112-5). Clocher writes a sensible default when a commune adopts a template; the commune
checks and edits it in the procedure's settings.

- Administrative decisions: two months from notification, or from the birth of the implicit
  refusal, to seize the administrative court (Code de justice administrative R421-1 and R421-2),
  which may be done online with Télérecours citoyens; an administrative appeal (« recours
  gracieux ») made within that delay keeps it open (CRPA L411-2).
- Civil status: the officier de l'état civil acts under the control of the procureur de la
  République (Code civil, article 34-1); disputes about civil-status acts go to the judicial
  courts, not to the administrative court.
- Procedures without an implicit decision (a report, a message) have no decision to contest: the
  text says so and points to the mayor.

The administrative court is found from the département of the commune's INSEE code (the court's
territorial jurisdiction, CJA R221-3); an unknown département gets "le tribunal administratif
territorialement compétent".
"""

from __future__ import annotations

from typing import Any

from clocher.demarches.models import Family, SilenceRule

# Administrative courts by département (Code de justice administrative, R221-3).
_COURTS: dict[str, tuple[str, ...]] = {
    "d'Amiens": ("02", "60", "80"),
    "de Bastia": ("2A", "2B"),
    "de Besançon": ("25", "39", "70", "90"),
    "de Bordeaux": ("24", "33", "47"),
    "de Caen": ("14", "50", "61"),
    "de Cergy-Pontoise": ("92", "95"),
    "de Châlons-en-Champagne": ("08", "10", "51", "52"),
    "de Clermont-Ferrand": ("03", "15", "43", "63"),
    "de Dijon": ("21", "58", "71", "89"),
    "de Grenoble": ("26", "38", "73", "74"),
    "de Lille": ("59", "62"),
    "de Limoges": ("19", "23", "36", "87"),
    "de Lyon": ("01", "07", "42", "69"),
    "de Marseille": ("04", "05", "13"),
    "de Melun": ("77", "94"),
    "de Montpellier": ("11", "34", "66"),
    "de Montreuil": ("93",),
    "de Nancy": ("54", "55", "88"),
    "de Nantes": ("44", "49", "53", "72", "85"),
    "de Nice": ("06",),
    "de Nîmes": ("30", "48", "84"),
    "d'Orléans": ("18", "28", "37", "41", "45"),
    "de Paris": ("75",),
    "de Pau": ("32", "40", "64", "65"),
    "de Poitiers": ("16", "17", "79", "86"),
    "de Rennes": ("22", "29", "35", "56"),
    "de Rouen": ("27", "76"),
    "de Strasbourg": ("57", "67", "68"),
    "de Toulon": ("83",),
    "de Toulouse": ("09", "12", "31", "46", "81", "82"),
    "de Versailles": ("78", "91"),
    "de la Guadeloupe": ("971",),
    "de la Martinique": ("972",),
    "de la Guyane": ("973",),
    "de La Réunion": ("974",),
    "de Mayotte": ("976",),
}
COURT_BY_DEPARTMENT = {
    department: court for court, departments in _COURTS.items() for department in departments
}


VOWELS = "AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜ"


def of_commune(name: str) -> str:
    """« de Vaux-la-Cloche », « d'Agey », « du Creusot », « des Riceys »: French elision and
    contraction before a commune's name (an initial H is left alone: it may be aspirated)."""
    if name.startswith("Le "):
        return f"du {name[3:]}"
    if name.startswith("Les "):
        return f"des {name[4:]}"
    if name[:1].upper() in VOWELS:
        return f"d'{name}"
    return f"de {name}"


def department_of(insee_code: str) -> str:
    """The département of an INSEE commune code (``21001`` → ``21``, ``97411`` → ``974``)."""
    code = (insee_code or "").strip().upper()
    return code[:3] if code.startswith("97") else code[:2]


def administrative_court(insee_code: str) -> str:
    """« le tribunal administratif de Dijon », or a neutral wording when unknown."""
    court = COURT_BY_DEPARTMENT.get(department_of(insee_code))
    if court is None:
        return "le tribunal administratif territorialement compétent"
    return f"le tribunal administratif {court}"


def default_appeal_routes(*, commune: Any, family: str, silence_rule: str, authority: str) -> str:
    """The default appeal-routes text for a procedure of ``family`` adopted by ``commune``.

    ``authority`` names who decides, after « à » (« au maire de Vaux », « au président du
    centre communal d'action sociale de Vaux »): the gracious appeal goes to them.
    """
    if silence_rule == SilenceRule.NOT_APPLICABLE:
        return (
            "Cette démarche ne donne pas lieu à une décision administrative. Si la réponse "
            f"apportée ne vous satisfait pas, vous pouvez écrire {authority}."
        )
    if family == Family.CIVIL_STATUS:
        return (
            "Les officiers de l'état civil exercent leurs fonctions sous le contrôle du "
            "procureur de la République (code civil, article 34-1). En cas de refus, exprès ou "
            "implicite, vous pouvez saisir le procureur de la République près le tribunal "
            "judiciaire dont relève la commune ; les contestations relatives aux actes de l'état "
            "civil relèvent du juge judiciaire."
        )
    court = administrative_court(commune.insee_code)
    return (
        "Vous pouvez contester la décision, expresse ou implicite, dans un délai de deux mois à "
        "compter de sa notification ou de la naissance de la décision implicite :\n"
        f"- par un recours gracieux adressé {authority} ; ce recours prolonge le délai du "
        "recours contentieux, qui court à nouveau à compter de la réponse (deux mois de silence "
        "valant rejet) ;\n"
        f"- par un recours contentieux devant {court}, y compris en ligne par l'application "
        "Télérecours citoyens (www.telerecours.fr)."
    )
