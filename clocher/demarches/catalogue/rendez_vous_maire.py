"""Ask for an appointment with the mayor (or a deputy).

- Legal basis: CRPA L112-8 and L112-11 (anyone may write to an administration electronically and
  gets an acknowledgment); the mayor represents the commune (CGCT L2122-21) and may delegate to
  deputies (L2122-18). No text gives a right to an appointment.
- Silence: not applicable — the request asks for a meeting, not for a decision creating rights;
  the answer is a proposed time (or a referral to the right service).
- Retention: 12 months after closure: the request has no use once the appointment took place.
  The reason given is personal (it often describes a personal situation) and sealed.
"""

from clocher.demarches.catalogue.base import WEEKDAYS, BuiltInTemplate, choices
from clocher.demarches.models import Family, SilenceRule

TEMPLATE = BuiltInTemplate(
    slug="rendez-vous-maire",
    family=Family.GENERAL,
    title="Demander un rendez-vous avec le maire",
    description=(
        "Demandez à rencontrer le maire ou un adjoint, à la mairie, par téléphone ou en "
        "visioconférence. Le secrétariat vous propose un créneau ou vous oriente vers le service "
        "qui pourra répondre le plus vite."
    ),
    legal_basis=(
        "Code des relations entre le public et l'administration, articles L112-8 et L112-11 "
        "(saisine par voie électronique) ; code général des collectivités territoriales, "
        "articles L2122-18 et L2122-21."
    ),
    retention_months=12,
    acknowledgment_text=(
        "Votre demande de rendez-vous a bien été reçue. Le secrétariat de mairie vous proposera "
        "un créneau selon vos disponibilités, ou vous orientera vers l'interlocuteur le plus "
        "adapté."
    ),
    silence_rule=SilenceRule.NOT_APPLICABLE,
    silence_delay_months=2,
    processing_days=15,
    statuses=[
        {"code": "received", "label": "Reçue", "kind": "received"},
        {"code": "in_progress", "label": "En cours", "kind": "in_progress"},
        {
            "code": "waiting_citizen",
            "label": "En attente de votre réponse",
            "kind": "waiting_citizen",
        },
        {"code": "scheduled", "label": "Rendez-vous fixé", "kind": "accepted"},
        {"code": "redirected", "label": "Orientée vers un autre service", "kind": "closed"},
        {"code": "declined", "label": "Rendez-vous non accordé", "kind": "refused"},
    ],
    schema={
        "fields": [
            {
                "type": "choice",
                "name": "topic",
                "label": "Sujet",
                "required": True,
                "choices": choices(
                    ("project", "Présenter un projet"),
                    ("neighbourhood", "Cadre de vie, voisinage"),
                    ("planning", "Urbanisme, travaux"),
                    ("association", "Vie associative"),
                    ("personal", "Situation personnelle"),
                    ("other", "Autre sujet"),
                ),
            },
            {
                "type": "help",
                "name": "planning_help",
                "label": "",
                "help": (
                    "Pour un projet de construction, apportez si possible un plan ou des photos ; "
                    "le secrétariat pourra aussi vous renseigner sur les autorisations "
                    "d'urbanisme."
                ),
                "condition": {"field": "topic", "op": "equals", "value": "planning"},
            },
            {
                "type": "textarea",
                "name": "reason",
                "label": "Objet du rendez-vous",
                "help": "Quelques lignes suffisent pour que le maire prépare l'entretien.",
                "required": True,
                "personal": True,
                "max_length": 2000,
            },
            {"type": "section", "name": "when_section", "label": "Quand et comment"},
            {
                "type": "choice",
                "name": "meeting_mode",
                "label": "Vous préférez",
                "required": True,
                "choices": choices(
                    ("town_hall", "Un rendez-vous à la mairie"),
                    ("phone", "Un entretien par téléphone"),
                    ("video", "Une visioconférence"),
                ),
            },
            {
                "type": "help",
                "name": "video_help",
                "label": "",
                "help": ("Un lien vous sera envoyé par e-mail ; aucun logiciel n'est à installer."),
                "condition": {"field": "meeting_mode", "op": "equals", "value": "video"},
            },
            {
                "type": "multichoice",
                "name": "available_days",
                "label": "Jours où vous êtes disponible",
                "required": True,
                "choices": WEEKDAYS,
            },
            {
                "type": "choice",
                "name": "available_time",
                "label": "Moment de la journée",
                "choices": choices(
                    ("morning", "Matin"),
                    ("afternoon", "Après-midi"),
                    ("evening", "Fin de journée"),
                    ("any", "Indifférent"),
                ),
            },
            {
                "type": "date",
                "name": "not_before",
                "label": "Pas avant le",
                "help": "Facultatif.",
                "date_range": "future",
            },
            {
                "type": "checkbox",
                "name": "accompanied",
                "label": "Je viendrai accompagné(e)",
                "condition": {"field": "meeting_mode", "op": "equals", "value": "town_hall"},
            },
            {
                "type": "number",
                "name": "companions",
                "label": "Nombre de personnes qui vous accompagnent",
                "required": True,
                "integer": True,
                "min": 1,
                "max": 10,
                "condition": {
                    "all": [
                        {"field": "meeting_mode", "op": "equals", "value": "town_hall"},
                        {"field": "accompanied", "op": "checked"},
                    ]
                },
            },
            {
                "type": "checkbox",
                "name": "accessibility_needs",
                "label": "J'ai besoin d'un accueil adapté (mobilité réduite, interprète LSF…)",
            },
            {
                "type": "text",
                "name": "accessibility_details",
                "label": "Précisez",
                "required": True,
                "max_length": 300,
                "personal": True,
                "condition": {"field": "accessibility_needs", "op": "checked"},
            },
            {"type": "section", "name": "you_section", "label": "Vous"},
            {
                "type": "text",
                "name": "full_name",
                "label": "Nom et prénom",
                "required": True,
                "personal": True,
                "max_length": 150,
            },
            {
                "type": "phone",
                "name": "phone",
                "label": "Téléphone",
                "help": "Indispensable pour un entretien par téléphone.",
                "personal": True,
                "required": True,
                "condition": {"field": "meeting_mode", "op": "equals", "value": "phone"},
            },
            {
                "type": "phone",
                "name": "phone_optional",
                "label": "Téléphone (facultatif)",
                "personal": True,
                "condition": {"field": "meeting_mode", "op": "not_equals", "value": "phone"},
            },
        ]
    },
)
