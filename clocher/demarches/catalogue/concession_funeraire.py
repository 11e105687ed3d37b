"""Apply for a burial concession (plot, columbarium niche, urn plot).

- Legal basis: CGCT L2223-13 ("lorsque l'étendue des cimetières le permet, il peut être concédé
  des terrains…"), L2223-14 (temporary up to 15 years, 30-year, 50-year, perpetual — a commune
  need not offer every kind), L2223-15 (price set by the council, renewal), L2223-3 (who has a
  right to be buried in the commune), L2122-22, 8° (delegation to the mayor).
- Silence means refusal (CRPA L231-4, 1°): a concession is an administrative contract for the
  occupation of the public domain (CE, ass., 21 octobre 1955, Demoiselle Méline), granted at the
  commune's discretion — not a unilateral decision that silence could grant. Delay: two months.
  In practice, for a burial, the answer comes within days: the processing target is 30 days for
  a concession asked in advance.
- Retention: 120 months after closure. Once granted, the concession lives in the cemetery
  register (``clocher.cimetiere``, kept for ever); the application is kept ten years, the time of
  a dispute over who founded the concession and for whom.
"""

from clocher.demarches.catalogue.base import BuiltInTemplate, choices
from clocher.demarches.models import Family, SilenceRule

TEMPLATE = BuiltInTemplate(
    slug="concession-funeraire",
    family=Family.FUNERAL,
    title="Demander une concession au cimetière",
    description=(
        "Demandez une concession (terrain, case de columbarium ou cavurne) dans le cimetière "
        "communal, en prévision ou pour l'inhumation d'un proche. La durée et le tarif "
        "dépendent des catégories ouvertes par le conseil municipal."
    ),
    legal_basis=(
        "Code général des collectivités territoriales, articles L2223-3 (droit à inhumation), "
        "L2223-13 à L2223-15 (concessions : catégories, tarifs, renouvellement) et L2122-22, 8° ; "
        "règlement du cimetière et délibération fixant les tarifs."
    ),
    retention_months=120,
    acknowledgment_text=(
        "Votre demande de concession a bien été reçue. La mairie vérifie les emplacements "
        "disponibles et vous propose un emplacement, la durée et le tarif applicables. La "
        "concession est accordée par un acte signé du maire après paiement auprès du comptable "
        "public."
    ),
    silence_rule=SilenceRule.REFUSAL,
    silence_delay_months=2,
    processing_days=30,
    schema={
        "fields": [
            {"type": "page", "name": "concession_page", "label": "La concession"},
            {
                "type": "choice",
                "name": "context",
                "label": "Votre demande est faite",
                "required": True,
                "choices": choices(
                    ("advance", "En prévision, pour moi ou ma famille"),
                    ("death", "Pour l'inhumation d'une personne décédée"),
                ),
            },
            {
                "type": "choice",
                "name": "concession_kind",
                "label": "Type d'emplacement",
                "required": True,
                "choices": choices(
                    ("plot", "Terrain (pleine terre ou caveau)"),
                    ("columbarium", "Case de columbarium"),
                    ("urn_plot", "Cavurne (petit emplacement pour urnes)"),
                ),
            },
            {
                "type": "choice",
                "name": "duration",
                "label": "Durée souhaitée",
                "help": (
                    "La commune n'ouvre pas forcément toutes les durées ; la mairie vous "
                    "indiquera celles qui existent et leur tarif."
                ),
                "required": True,
                "choices": choices(
                    ("temporary", "Temporaire (15 ans au plus)"),
                    ("thirty", "Trentenaire (30 ans)"),
                    ("fifty", "Cinquantenaire (50 ans)"),
                    ("perpetual", "Perpétuelle"),
                ),
            },
            {
                "type": "section",
                "name": "plot_section",
                "label": "Le terrain",
                "condition": {"field": "concession_kind", "op": "equals", "value": "plot"},
            },
            {
                "type": "number",
                "name": "places",
                "label": "Nombre de places souhaitées",
                "integer": True,
                "min": 1,
                "max": 12,
            },
            {
                "type": "checkbox",
                "name": "builds_vault",
                "label": "Je prévois de faire construire un caveau ou un monument",
            },
            {
                "type": "help",
                "name": "vault_help",
                "label": "",
                "help": (
                    "Les travaux sont réalisés par une entreprise de votre choix, après "
                    "déclaration à la mairie, dans le respect du règlement du cimetière."
                ),
                "condition": {
                    "all": [
                        {"field": "concession_kind", "op": "equals", "value": "plot"},
                        {"field": "builds_vault", "op": "checked"},
                    ]
                },
            },
            {"type": "section", "name": "holders_section", "label": "Pour qui ?"},
            {
                "type": "choice",
                "name": "scope",
                "label": "Qui pourra y être inhumé ?",
                "required": True,
                "choices": choices(
                    ("individual", "Moi seul (concession individuelle)"),
                    ("collective", "Des personnes que je désigne (concession collective)"),
                    ("family", "Ma famille (concession familiale)"),
                ),
            },
            {
                "type": "repeat",
                "name": "named_people",
                "label": "Personnes désignées",
                "help": "Ajoutez chaque personne qui pourra être inhumée dans la concession.",
                "personal": True,
                "min_items": 1,
                "max_items": 10,
                "condition": {"field": "scope", "op": "equals", "value": "collective"},
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
                        "name": "first_names",
                        "label": "Prénoms",
                        "required": True,
                        "max_length": 150,
                    },
                    {
                        "type": "text",
                        "name": "relationship",
                        "label": "Lien avec vous",
                        "max_length": 100,
                    },
                ],
            },
            {
                "type": "text",
                "name": "preferred_location",
                "label": "Emplacement souhaité (facultatif)",
                "help": (
                    "Par exemple : près de la sépulture de vos parents. L'emplacement est "
                    "attribué par le maire selon les places disponibles."
                ),
                "max_length": 200,
            },
            {
                "type": "page",
                "name": "deceased_page",
                "label": "La personne décédée",
                "condition": {"field": "context", "op": "equals", "value": "death"},
            },
            {
                "type": "text",
                "name": "deceased_last_name",
                "label": "Nom du défunt",
                "required": True,
                "personal": True,
                "max_length": 100,
            },
            {
                "type": "text",
                "name": "deceased_first_names",
                "label": "Prénoms du défunt",
                "required": True,
                "personal": True,
                "max_length": 150,
            },
            {
                "type": "date",
                "name": "death_date",
                "label": "Date du décès",
                "required": True,
                "personal": True,
                "date_range": "past",
            },
            {
                "type": "date",
                "name": "funeral_date",
                "label": "Date prévue des obsèques",
                "personal": True,
                "date_range": "future",
            },
            {
                "type": "choice",
                "name": "right_to_burial",
                "label": "Lien du défunt avec la commune",
                "help": (
                    "Ont droit à une sépulture dans le cimetière les personnes décédées sur la "
                    "commune, celles qui y étaient domiciliées, celles qui y ont une sépulture de "
                    "famille et les Français établis hors de France inscrits sur sa liste "
                    "électorale (code général des collectivités territoriales, article L2223-3)."
                ),
                "required": True,
                "choices": choices(
                    ("died_here", "Décédé sur la commune"),
                    ("resident", "Domicilié sur la commune"),
                    ("family_grave", "A une sépulture de famille dans le cimetière"),
                    (
                        "abroad_voter",
                        "Français établi hors de France inscrit sur la liste électorale",
                    ),
                    ("none", "Aucun de ces liens"),
                ),
            },
            {
                "type": "text",
                "name": "funeral_director",
                "label": "Entreprise de pompes funèbres",
                "max_length": 200,
            },
            {"type": "page", "name": "applicant_page", "label": "Vous, futur titulaire"},
            {
                "type": "text",
                "name": "applicant_last_name",
                "label": "Nom",
                "required": True,
                "personal": True,
                "max_length": 100,
            },
            {
                "type": "text",
                "name": "applicant_first_names",
                "label": "Prénoms",
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
                "required": True,
                "personal": True,
            },
            {
                "type": "phone",
                "name": "applicant_phone",
                "label": "Téléphone",
                "required": True,
                "personal": True,
            },
            {
                "type": "checkbox",
                "name": "certify",
                "label": "Je certifie exacts les renseignements donnés",
                "required": True,
            },
        ]
    },
)
