"""Ask the CCAS (communal social action centre) for help.

- Legal basis: CASF L123-4 and L123-5 (the CCAS leads a general action of prevention and social
  development; it gives optional aid, repayable or not, and helps prepare applications for legal
  social aid, which it passes on), R123-5 (it receives and forwards those applications); CASF
  L133-5 (everyone who handles an application is bound by professional secrecy); the CCAS board's
  rules for optional aid.
- Silence means refusal (CRPA L231-4, 3°): a request for financial help has a financial character.
  Optional aid is, moreover, granted at the board's discretion. Delay: two months.
- Personal data: everything about the household is personal and sealed in the *social* family,
  which agents of other families cannot open; only the kinds of help asked and the urgency flag
  stay in clear, for statistics.
- Retention: 60 months after closure — the limitation period for recovering an aid paid in error
  or repayable (Code civil, article 2224), after which the file is anonymised.
"""

from clocher.demarches.catalogue.base import BuiltInTemplate, choices
from clocher.demarches.models import Family, SilenceRule

TEMPLATE = BuiltInTemplate(
    slug="aide-sociale-ccas",
    family=Family.SOCIAL,
    title="Demander une aide au CCAS",
    description=(
        "Aide alimentaire, factures d'énergie ou d'eau, loyer, frais de santé ou de transport : "
        "le centre communal d'action sociale étudie votre situation en toute confidentialité "
        "et peut vous aider à constituer un dossier d'aide sociale."
    ),
    legal_basis=(
        "Code de l'action sociale et des familles, articles L123-4 et L123-5 (missions du CCAS, "
        "aides facultatives), R123-5 (dossiers d'aide sociale légale) et L133-5 (secret "
        "professionnel) ; règlement des aides facultatives adopté par le conseil "
        "d'administration du CCAS."
    ),
    retention_months=60,
    acknowledgment_text=(
        "Votre demande a bien été reçue par le centre communal d'action sociale. Elle est "
        "traitée de façon confidentielle : seules les personnes chargées de l'action sociale y "
        "ont accès, et elles sont tenues au secret professionnel. Un agent vous contactera pour "
        "convenir d'un rendez-vous si nécessaire."
    ),
    silence_rule=SilenceRule.REFUSAL,
    silence_delay_months=2,
    processing_days=30,
    schema={
        "fields": [
            {"type": "page", "name": "request_page", "label": "Votre demande"},
            {
                "type": "help",
                "name": "secrecy_help",
                "label": "",
                "help": (
                    "Ces informations ne sont lues que par les personnes chargées de l'action "
                    "sociale de la commune, tenues au secret professionnel. Répondez à ce que "
                    "vous pouvez : un agent complétera le dossier avec vous."
                ),
            },
            {
                "type": "multichoice",
                "name": "help_kinds",
                "label": "Pour quoi demandez-vous de l'aide ?",
                "required": True,
                "choices": choices(
                    ("food", "Alimentation"),
                    ("energy", "Factures d'énergie ou d'eau"),
                    ("housing", "Loyer, maintien dans le logement"),
                    ("health", "Frais de santé"),
                    ("mobility", "Transport, mobilité"),
                    ("legal_aid", "Constituer un dossier d'aide sociale (aide à domicile, APA…)"),
                    ("other", "Autre besoin"),
                ),
            },
            {
                "type": "checkbox",
                "name": "urgent",
                "label": (
                    "Ma situation est urgente (plus de quoi manger, coupure d'énergie ou "
                    "expulsion imminente)"
                ),
            },
            {
                "type": "section",
                "name": "energy_section",
                "label": "Énergie et eau",
                "condition": {"field": "help_kinds", "op": "contains", "value": "energy"},
            },
            {
                "type": "multichoice",
                "name": "energy_kinds",
                "label": "Factures concernées",
                "required": True,
                "personal": True,
                "choices": choices(
                    ("electricity", "Électricité"),
                    ("gas", "Gaz"),
                    ("water", "Eau"),
                    ("fuel", "Fioul, bois, granulés"),
                ),
            },
            {
                "type": "number",
                "name": "energy_amount",
                "label": "Montant restant à payer (en euros)",
                "personal": True,
                "min": 0,
                "max": 100000,
            },
            {
                "type": "file",
                "name": "energy_bills",
                "label": "Factures",
                "personal": True,
                "file_kinds": ["pdf", "image"],
                "max_files": 5,
            },
            {
                "type": "section",
                "name": "housing_section",
                "label": "Logement",
                "condition": {"field": "help_kinds", "op": "contains", "value": "housing"},
            },
            {
                "type": "number",
                "name": "rent_amount",
                "label": "Loyer mensuel charges comprises (en euros)",
                "personal": True,
                "min": 0,
                "max": 10000,
            },
            {
                "type": "number",
                "name": "rent_arrears",
                "label": "Montant des loyers impayés (en euros)",
                "personal": True,
                "min": 0,
                "max": 100000,
            },
            {
                "type": "checkbox",
                "name": "eviction_procedure",
                "label": "J'ai reçu un commandement de payer ou une assignation au tribunal",
                "personal": True,
            },
            {
                "type": "help",
                "name": "eviction_help",
                "label": "",
                "help": (
                    "Ne restez pas seul : le CCAS peut saisir avec vous le fonds de solidarité "
                    "pour le logement et la commission de prévention des expulsions (CCAPEX)."
                ),
                "condition": {
                    "all": [
                        {"field": "help_kinds", "op": "contains", "value": "housing"},
                        {"field": "eviction_procedure", "op": "checked"},
                    ]
                },
            },
            {"type": "section", "name": "situation_section", "label": "Votre situation"},
            {
                "type": "textarea",
                "name": "situation",
                "label": "Expliquez votre situation",
                "help": "Ce qui vous amène, ce qui a changé récemment, ce dont vous avez besoin.",
                "required": True,
                "personal": True,
                "max_length": 4000,
            },
            {"type": "page", "name": "household_page", "label": "Votre foyer"},
            {
                "type": "text",
                "name": "applicant_name",
                "label": "Nom et prénom",
                "required": True,
                "personal": True,
                "max_length": 150,
            },
            {
                "type": "date",
                "name": "applicant_birth_date",
                "label": "Date de naissance",
                "required": True,
                "personal": True,
                "date_range": "past",
            },
            {
                "type": "address",
                "name": "applicant_address",
                "label": "Adresse",
                "help": "Si vous n'avez pas d'adresse stable, indiquez où vous joindre.",
                "required": True,
                "personal": True,
            },
            {
                "type": "choice",
                "name": "housing_status",
                "label": "Vous êtes",
                "required": True,
                "personal": True,
                "choices": choices(
                    ("tenant", "Locataire"),
                    ("owner", "Propriétaire"),
                    ("hosted", "Hébergé(e) chez un proche"),
                    ("no_home", "Sans logement stable"),
                ),
            },
            {
                "type": "repeat",
                "name": "household_members",
                "label": "Autres personnes vivant avec vous",
                "personal": True,
                "max_items": 12,
                "fields": [
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
                        "date_range": "past",
                    },
                    {
                        "type": "choice",
                        "name": "relationship",
                        "label": "Lien avec vous",
                        "required": True,
                        "choices": choices(
                            ("partner", "Conjoint, concubin, partenaire"),
                            ("child", "Enfant"),
                            ("parent", "Parent"),
                            ("other", "Autre"),
                        ),
                    },
                ],
            },
            {
                "type": "number",
                "name": "monthly_income",
                "label": "Ressources mensuelles du foyer (en euros)",
                "help": "Toutes ressources confondues ; une estimation suffit.",
                "personal": True,
                "min": 0,
                "max": 100000,
            },
            {
                "type": "multichoice",
                "name": "income_sources",
                "label": "Origine des ressources",
                "personal": True,
                "choices": choices(
                    ("salary", "Salaire"),
                    ("unemployment", "Allocation chômage"),
                    ("rsa", "RSA"),
                    ("disability", "AAH ou pension d'invalidité"),
                    ("pension", "Retraite"),
                    ("family_benefits", "Prestations familiales"),
                    ("none", "Aucune ressource"),
                ),
            },
            {
                "type": "file",
                "name": "income_proofs",
                "label": "Justificatifs de ressources",
                "help": "Facultatif : vous pourrez aussi les apporter au rendez-vous.",
                "personal": True,
                "file_kinds": ["pdf", "image"],
                "max_files": 10,
            },
            {"type": "page", "name": "contact_page", "label": "Comment vous joindre"},
            {
                "type": "choice",
                "name": "contact_preference",
                "label": "Vous préférez",
                "required": True,
                "choices": choices(
                    ("phone", "Être appelé(e)"),
                    ("office", "Un rendez-vous à la mairie"),
                    ("home_visit", "Une visite à domicile"),
                    ("email", "Une réponse par e-mail"),
                ),
            },
            {
                "type": "phone",
                "name": "phone",
                "label": "Téléphone",
                "required": True,
                "personal": True,
                "condition": {
                    "field": "contact_preference",
                    "op": "in",
                    "value": ["phone", "office", "home_visit"],
                },
            },
            {
                "type": "text",
                "name": "availability",
                "label": "Vos disponibilités",
                "help": "Par exemple : le matin, sauf le mercredi.",
                "personal": True,
                "max_length": 200,
                "condition": {
                    "any": [
                        {"field": "contact_preference", "op": "equals", "value": "phone"},
                        {"field": "contact_preference", "op": "equals", "value": "home_visit"},
                    ]
                },
            },
            {
                "type": "checkbox",
                "name": "consent",
                "label": (
                    "J'accepte que le CCAS utilise ces informations pour étudier ma demande ; "
                    "elles ne sont transmises à un partenaire (CAF, département, fournisseur "
                    "d'énergie) qu'avec mon accord"
                ),
                "required": True,
            },
        ]
    },
)
