"""School canteen and after-school registration, one form for all the children of a family.

- Legal basis: Code de l'éducation L131-13 (registration at the canteen of primary schools, where
  the service exists, is a right for every schooled child; no discrimination by the family's
  situation) and L551-1 (after-school activities, projet éducatif territorial); Code de l'action
  sociale et des familles R227-1 (collective holiday and leisure reception of minors, declared
  to the State); the council's deliberation on tariffs and the rules of the service.
- Silence means acceptance (CRPA L231-1, the rule): registration is a right where the service
  exists (L131-13) and no exception of L231-4 applies. Delay: two months.
- Personal data: the children (repeatable block), the guardians, the family quotient and the
  meal preference (it may reveal a belief — special category, RGPD art. 9) are personal and
  sealed; the services and days asked stay in clear for statistics.
- Retention: 24 months after closure — the school year registered for plus one, for billing
  disputes (invoices themselves are kept by the accounting service).
"""

from clocher.demarches.catalogue.base import BuiltInTemplate, choices
from clocher.demarches.models import Family, SilenceRule

CLASSES = choices(
    ("ps", "Petite section"),
    ("ms", "Moyenne section"),
    ("gs", "Grande section"),
    ("cp", "CP"),
    ("ce1", "CE1"),
    ("ce2", "CE2"),
    ("cm1", "CM1"),
    ("cm2", "CM2"),
)

TEMPLATE = BuiltInTemplate(
    slug="inscription-cantine-periscolaire",
    family=Family.SCHOOL,
    title="Inscrire mes enfants à la cantine et au périscolaire",
    description=(
        "Inscrivez un ou plusieurs enfants à la restauration scolaire et à l'accueil "
        "périscolaire (matin, soir, mercredi) pour l'année scolaire. Les tarifs dépendent de "
        "votre quotient familial."
    ),
    legal_basis=(
        "Code de l'éducation, articles L131-13 (droit à l'inscription à la cantine) et L551-1 "
        "(activités périscolaires) ; code de l'action sociale et des familles, article R227-1 "
        "(accueils collectifs de mineurs) ; délibération du conseil municipal fixant les tarifs "
        "et règlement intérieur des services périscolaires."
    ),
    retention_months=24,
    acknowledgment_text=(
        "Votre demande d'inscription a bien été reçue. Le service scolaire vérifie le dossier "
        "et vous confirme l'inscription de chaque enfant, avec les tarifs applicables. Pensez à "
        "signaler tout changement (allergie, personne autorisée à venir chercher l'enfant)."
    ),
    silence_rule=SilenceRule.ACCEPTANCE,
    silence_delay_months=2,
    processing_days=15,
    schema={
        "fields": [
            {"type": "page", "name": "services_page", "label": "Les services"},
            {
                "type": "choice",
                "name": "school_year",
                "label": "Année scolaire",
                "required": True,
                "choices": choices(
                    ("current", "L'année scolaire en cours"),
                    ("next", "L'année scolaire prochaine"),
                ),
            },
            {
                "type": "multichoice",
                "name": "services",
                "label": "Services demandés",
                "required": True,
                "choices": choices(
                    ("canteen", "Restauration scolaire (cantine)"),
                    ("morning", "Accueil du matin"),
                    ("evening", "Accueil du soir"),
                    ("wednesday", "Accueil du mercredi"),
                ),
            },
            {
                "type": "section",
                "name": "canteen_section",
                "label": "Cantine",
                "condition": {"field": "services", "op": "contains", "value": "canteen"},
            },
            {
                "type": "multichoice",
                "name": "canteen_days",
                "label": "Jours de cantine",
                "required": True,
                "choices": choices(
                    ("monday", "Lundi"),
                    ("tuesday", "Mardi"),
                    ("thursday", "Jeudi"),
                    ("friday", "Vendredi"),
                ),
            },
            {
                "type": "choice",
                "name": "meal_preference",
                "label": "Repas",
                "help": "Les repas de substitution dépendent de ce que propose la cantine.",
                "personal": True,
                "choices": choices(
                    ("standard", "Menu habituel"),
                    ("no_meat", "Sans viande"),
                    ("no_pork", "Sans porc"),
                ),
            },
            {
                "type": "section",
                "name": "afterschool_section",
                "label": "Accueil périscolaire",
                "condition": {
                    "any": [
                        {"field": "services", "op": "contains", "value": "morning"},
                        {"field": "services", "op": "contains", "value": "evening"},
                        {"field": "services", "op": "contains", "value": "wednesday"},
                    ]
                },
            },
            {
                "type": "choice",
                "name": "attendance",
                "label": "Fréquentation",
                "required": True,
                "choices": choices(
                    ("regular", "Régulière (tous les jours demandés)"),
                    ("occasional", "Occasionnelle (réservation au cas par cas)"),
                ),
            },
            {
                "type": "repeat",
                "name": "pickup_people",
                "label": "Personnes autorisées à venir chercher les enfants",
                "help": "En plus des responsables légaux. Une pièce d'identité leur sera demandée.",
                "personal": True,
                "max_items": 4,
                "fields": [
                    {
                        "type": "text",
                        "name": "full_name",
                        "label": "Nom et prénom",
                        "required": True,
                        "max_length": 150,
                    },
                    {"type": "phone", "name": "phone", "label": "Téléphone", "required": True},
                    {
                        "type": "text",
                        "name": "relationship",
                        "label": "Lien avec les enfants",
                        "max_length": 100,
                    },
                ],
            },
            {"type": "page", "name": "children_page", "label": "Les enfants"},
            {
                "type": "repeat",
                "name": "children",
                "label": "Enfants à inscrire",
                "help": "Ajoutez un bloc par enfant.",
                "required": True,
                "personal": True,
                "min_items": 1,
                "max_items": 8,
                "fields": [
                    {
                        "type": "text",
                        "name": "last_name",
                        "label": "Nom",
                        "required": True,
                        "max_length": 100,
                    },
                    {
                        "type": "text",
                        "name": "first_name",
                        "label": "Prénom",
                        "required": True,
                        "max_length": 100,
                    },
                    {
                        "type": "date",
                        "name": "birth_date",
                        "label": "Date de naissance",
                        "required": True,
                        "date_range": "past",
                    },
                    {
                        "type": "choice",
                        "name": "school_class",
                        "label": "Classe à la rentrée",
                        "required": True,
                        "choices": CLASSES,
                    },
                    {
                        "type": "checkbox",
                        "name": "has_health_needs",
                        "label": (
                            "Allergie ou problème de santé demandant un projet d'accueil "
                            "individualisé (PAI)"
                        ),
                    },
                    {
                        "type": "textarea",
                        "name": "health_needs",
                        "label": "Précisez",
                        "help": (
                            "Le PAI est établi avec le médecin scolaire ; indiquez ici ce que "
                            "l'équipe doit savoir."
                        ),
                        "required": True,
                        "max_length": 1000,
                        "condition": {"field": "has_health_needs", "op": "checked"},
                    },
                ],
            },
            {"type": "page", "name": "guardians_page", "label": "Responsables légaux"},
            {
                "type": "text",
                "name": "guardian_name",
                "label": "Nom et prénom du responsable légal",
                "required": True,
                "personal": True,
                "max_length": 150,
            },
            {
                "type": "phone",
                "name": "guardian_phone",
                "label": "Téléphone",
                "required": True,
                "personal": True,
            },
            {
                "type": "address",
                "name": "guardian_address",
                "label": "Adresse",
                "required": True,
                "personal": True,
            },
            {
                "type": "checkbox",
                "name": "has_second_guardian",
                "label": "Ajouter un second responsable légal",
            },
            {
                "type": "section",
                "name": "second_guardian_section",
                "label": "Second responsable légal",
                "condition": {"field": "has_second_guardian", "op": "checked"},
            },
            {
                "type": "text",
                "name": "second_guardian_name",
                "label": "Nom et prénom du second responsable",
                "required": True,
                "personal": True,
                "max_length": 150,
            },
            {
                "type": "phone",
                "name": "second_guardian_phone",
                "label": "Téléphone du second responsable",
                "personal": True,
            },
            {"type": "section", "name": "billing_section", "label": "Facturation"},
            {
                "type": "choice",
                "name": "billing",
                "label": "Mode de paiement",
                "required": True,
                "choices": choices(
                    ("direct_debit", "Prélèvement automatique"),
                    ("invoice", "Facture à régler en ligne ou au Trésor public"),
                ),
            },
            {
                "type": "checkbox",
                "name": "gives_quotient",
                "label": "Je communique mon quotient familial (CAF ou MSA)",
                "help": "Facultatif. Sans quotient, le tarif le plus élevé s'applique.",
            },
            {
                "type": "number",
                "name": "family_quotient",
                "label": "Quotient familial",
                "required": True,
                "personal": True,
                "integer": True,
                "min": 0,
                "max": 20000,
                "condition": {"field": "gives_quotient", "op": "checked"},
            },
            {
                "type": "file",
                "name": "quotient_proof",
                "label": "Attestation de quotient familial",
                "required": True,
                "personal": True,
                "file_kinds": ["pdf", "image"],
                "max_files": 1,
                "condition": {"field": "gives_quotient", "op": "checked"},
            },
            {
                "type": "checkbox",
                "name": "rules_accepted",
                "label": "J'ai pris connaissance du règlement intérieur des services périscolaires",
                "required": True,
            },
        ]
    },
)
