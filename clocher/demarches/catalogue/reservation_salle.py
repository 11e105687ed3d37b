"""Book a municipal room (salle des fêtes, meeting room…).

- Legal basis: the mayor rules the use of communal premises by associations, unions and parties
  (CGCT L2144-3, which also allows a fee set by the council); renting a room is a lease
  (« louage de choses ») the council may delegate to the mayor for up to twelve years
  (CGCT L2122-22, 5°), at the tariffs it sets (L2122-22, 2°, and its deliberation).
- Silence means refusal (CRPA L231-4, 1°): the request asks for a contract, not for a unilateral
  individual decision that silence could grant — and a room cannot be held by default for one
  applicant while others ask for the same date. Delay: the ordinary two months (L231-4). A
  commune whose rules say otherwise changes it in the procedure's settings.
- Retention: 60 months after closure, the limitation period of personal actions (Code civil,
  article 2224) covering a dispute about damage, the deposit or the fee.
"""

from clocher.demarches.catalogue.base import BuiltInTemplate, choices
from clocher.demarches.models import Family, SilenceRule

TEMPLATE = BuiltInTemplate(
    slug="reservation-salle",
    family=Family.FACILITIES,
    title="Réserver une salle municipale",
    description=(
        "Demandez la réservation d'une salle de la commune pour un repas de famille, une "
        "réunion d'association ou une manifestation. La réservation n'est confirmée qu'après "
        "la réponse de la mairie et la signature de la convention de mise à disposition."
    ),
    legal_basis=(
        "Code général des collectivités territoriales, article L2144-3 (utilisation des locaux "
        "communaux) et article L2122-22, 2° et 5° (tarifs et louage de choses) ; délibération "
        "du conseil municipal fixant les tarifs et le règlement des salles."
    ),
    retention_months=60,
    acknowledgment_text=(
        "Votre demande de réservation a bien été reçue. Elle ne vaut pas réservation : la "
        "mairie vérifie la disponibilité de la salle et vous répond en précisant le tarif, la "
        "caution et les conditions d'utilisation."
    ),
    silence_rule=SilenceRule.REFUSAL,
    silence_delay_months=2,
    processing_days=10,
    schema={
        "fields": [
            {"type": "page", "name": "booking_page", "label": "Votre réservation"},
            {
                "type": "choice",
                "name": "room",
                "label": "Salle souhaitée",
                "required": True,
                "choices": choices(
                    ("festival_hall", "Salle des fêtes"),
                    ("association_room", "Salle des associations"),
                    ("meeting_room", "Salle de réunion de la mairie"),
                ),
            },
            {
                "type": "date",
                "name": "event_date",
                "label": "Date souhaitée",
                "required": True,
                "date_range": "future",
            },
            {
                "type": "choice",
                "name": "duration",
                "label": "Durée",
                "required": True,
                "choices": choices(
                    ("morning", "Matinée"),
                    ("afternoon", "Après-midi"),
                    ("evening", "Soirée"),
                    ("day", "Journée entière"),
                    ("weekend", "Week-end (du samedi matin au dimanche soir)"),
                ),
            },
            {
                "type": "choice",
                "name": "event_kind",
                "label": "Type d'événement",
                "required": True,
                "choices": choices(
                    ("family", "Fête ou repas de famille"),
                    ("meeting", "Réunion, assemblée générale"),
                    ("activity", "Activité régulière d'une association"),
                    ("public", "Manifestation ouverte au public (loto, concert, bal…)"),
                ),
            },
            {
                "type": "number",
                "name": "attendees",
                "label": "Nombre de personnes attendues",
                "required": True,
                "integer": True,
                "min": 1,
                "max": 1000,
            },
            {
                "type": "multichoice",
                "name": "equipment",
                "label": "Équipements souhaités",
                "choices": choices(
                    ("tables", "Tables et chaises"),
                    ("kitchen", "Cuisine"),
                    ("dishes", "Vaisselle"),
                    ("sound", "Sonorisation"),
                    ("projector", "Vidéoprojecteur et écran"),
                ),
            },
            {
                "type": "section",
                "name": "public_event_section",
                "label": "Manifestation ouverte au public",
                "condition": {
                    "all": [
                        {"field": "event_kind", "op": "equals", "value": "public"},
                        {"field": "attendees", "op": "gt", "value": 50},
                    ]
                },
            },
            {
                "type": "help",
                "name": "public_event_help",
                "label": "",
                "help": (
                    "Au-delà de 50 personnes, l'effectif ne doit pas dépasser la capacité "
                    "autorisée de la salle, affichée à l'entrée ; la mairie vous indiquera les "
                    "consignes de sécurité à respecter."
                ),
            },
            {
                "type": "checkbox",
                "name": "drinks_stall",
                "label": "Je prévois une buvette",
            },
            {
                "type": "help",
                "name": "drinks_help",
                "label": "",
                "help": (
                    "Une buvette temporaire demande une autorisation du maire (code de la santé "
                    "publique, article L3334-2) : demandez-la le plus tôt possible."
                ),
                "condition": {"field": "drinks_stall", "op": "checked"},
            },
            {"type": "page", "name": "requester_page", "label": "Le demandeur"},
            {
                "type": "choice",
                "name": "requester_kind",
                "label": "Vous réservez en tant que",
                "required": True,
                "choices": choices(
                    ("resident", "Particulier habitant la commune"),
                    ("non_resident", "Particulier extérieur à la commune"),
                    ("association", "Association"),
                    ("company", "Entreprise ou autre organisme"),
                ),
            },
            {
                "type": "section",
                "name": "organisation_section",
                "label": "L'organisme",
                "condition": {
                    "any": [
                        {"field": "requester_kind", "op": "equals", "value": "association"},
                        {"field": "requester_kind", "op": "equals", "value": "company"},
                    ]
                },
            },
            {
                "type": "text",
                "name": "organisation_name",
                "label": "Nom de l'association ou de l'organisme",
                "required": True,
                "max_length": 200,
            },
            {
                "type": "text",
                "name": "rna_number",
                "label": "Numéro RNA de l'association",
                "help": "Il commence par W suivi de 9 chiffres (facultatif).",
                "pattern": "W[0-9]{9}",
                "pattern_message": "Un numéro RNA s'écrit W suivi de 9 chiffres.",
                "condition": {"field": "requester_kind", "op": "equals", "value": "association"},
            },
            {
                "type": "text",
                "name": "siret",
                "label": "Numéro SIRET",
                "pattern": "[0-9]{14}",
                "pattern_message": "Un numéro SIRET compte 14 chiffres, sans espace.",
                "required": True,
                "condition": {"field": "requester_kind", "op": "equals", "value": "company"},
            },
            {"type": "section", "name": "contact_section", "label": "Personne responsable"},
            {
                "type": "text",
                "name": "contact_name",
                "label": "Nom et prénom du responsable",
                "help": (
                    "La personne présente pendant l'utilisation et signataire de la convention."
                ),
                "required": True,
                "personal": True,
                "max_length": 150,
            },
            {
                "type": "phone",
                "name": "contact_phone",
                "label": "Téléphone",
                "required": True,
                "personal": True,
            },
            {
                "type": "address",
                "name": "contact_address",
                "label": "Adresse postale",
                "required": True,
                "personal": True,
            },
            {
                "type": "textarea",
                "name": "remarks",
                "label": "Remarques",
                "help": "Horaires d'arrivée et de départ, besoins particuliers (facultatif).",
                "max_length": 1000,
            },
            {
                "type": "checkbox",
                "name": "rules_accepted",
                "label": (
                    "J'ai pris connaissance du règlement des salles municipales et je m'engage à "
                    "le respecter"
                ),
                "required": True,
            },
        ]
    },
)
