"""Report a problem in public space (road, lighting, illegal dumping…).

- Legal basis: the mayor's police powers over the safety and convenience of passage in public
  streets (CGCT L2212-2, 1°) and over illegal dumping (Code de l'environnement L541-3); the upkeep
  of communal roads is a compulsory expense (CGCT L2321-2, 20°; Code de la voirie routière
  L141-8).
- Silence: not applicable. A report asks for no individual decision; CRPA L231-1 (silence means
  acceptance) concerns requests for a decision. The citizen still gets an acknowledgment: every
  electronic sending to an administration is acknowledged (CRPA L112-11).
- Retention: 24 months after closure — long enough to answer a claim about the same spot or a
  liability action brought after an accident (a report proves the commune knew); the location,
  category and description (non-personal) stay for statistics after anonymisation.
"""

from clocher.demarches.catalogue.base import BuiltInTemplate, choices
from clocher.demarches.models import Family, SilenceRule

TEMPLATE = BuiltInTemplate(
    slug="signalement",
    family=Family.ROADS,
    title="Signaler un problème sur l'espace public",
    description=(
        "Nid-de-poule, lampadaire éteint, dépôt sauvage, panneau abîmé, arbre dangereux : "
        "signalez-le à la mairie avec une photo et l'emplacement. En cas de danger immédiat, "
        "appelez d'abord le 17 ou le 112."
    ),
    legal_basis=(
        "Code général des collectivités territoriales, article L2212-2 (police municipale : "
        "sûreté et commodité du passage dans les rues) et article L2321-2, 20° (entretien des "
        "voies communales) ; code de la voirie routière, article L141-8 ; code de "
        "l'environnement, article L541-3 (dépôts sauvages de déchets)."
    ),
    retention_months=24,
    acknowledgment_text=(
        "Votre signalement a bien été reçu par la mairie. Il sera examiné par les services "
        "techniques, qui interviendront ou transmettront au gestionnaire compétent (département, "
        "syndicat d'électricité, opérateur de réseau) si la voie ou l'équipement ne relève pas de "
        "la commune. Vous pouvez suivre son traitement grâce au lien de suivi."
    ),
    silence_rule=SilenceRule.NOT_APPLICABLE,
    silence_delay_months=2,
    processing_days=15,
    statuses=[
        {"code": "received", "label": "Reçu", "kind": "received"},
        {"code": "in_progress", "label": "Pris en charge", "kind": "in_progress"},
        {"code": "waiting_citizen", "label": "Précisions demandées", "kind": "waiting_citizen"},
        {"code": "resolved", "label": "Résolu", "kind": "accepted"},
        {"code": "forwarded", "label": "Transmis au gestionnaire compétent", "kind": "closed"},
        {"code": "closed", "label": "Classé sans suite", "kind": "closed"},
    ],
    schema={
        "fields": [
            {"type": "page", "name": "problem_page", "label": "Le problème"},
            {
                "type": "choice",
                "name": "category",
                "label": "De quoi s'agit-il ?",
                "required": True,
                "choices": choices(
                    ("road", "Chaussée, trottoir, fossé"),
                    ("lighting", "Éclairage public"),
                    ("dumping", "Dépôt sauvage de déchets"),
                    ("signage", "Panneau ou marquage au sol"),
                    ("green", "Arbre, haie, espace vert"),
                    ("other", "Autre problème"),
                ),
            },
            {
                "type": "section",
                "name": "road_section",
                "label": "Chaussée et trottoirs",
                "condition": {"field": "category", "op": "equals", "value": "road"},
            },
            {
                "type": "choice",
                "name": "road_issue",
                "label": "Nature du problème de chaussée",
                "required": True,
                "choices": choices(
                    ("pothole", "Nid-de-poule, chaussée déformée"),
                    ("sidewalk", "Trottoir abîmé"),
                    ("drain", "Grille ou fossé bouché, eau stagnante"),
                    ("obstacle", "Obstacle sur la voie (branche, pierres, véhicule)"),
                ),
            },
            {
                "type": "checkbox",
                "name": "road_danger",
                "label": "Le problème met en danger les piétons ou les véhicules",
            },
            {
                "type": "help",
                "name": "road_danger_help",
                "label": "",
                "help": (
                    "En cas de danger immédiat, appelez aussi le 17 (police, gendarmerie) ou le "
                    "112 : ce formulaire n'est pas lu en dehors des heures d'ouverture."
                ),
                "condition": {"field": "road_danger", "op": "checked"},
            },
            {
                "type": "section",
                "name": "lighting_section",
                "label": "Éclairage public",
                "condition": {"field": "category", "op": "equals", "value": "lighting"},
            },
            {
                "type": "choice",
                "name": "lighting_issue",
                "label": "Que constatez-vous ?",
                "required": True,
                "choices": choices(
                    ("off", "Lampadaire éteint la nuit"),
                    ("flashing", "Lampadaire qui clignote"),
                    ("daytime", "Lampadaire allumé en journée"),
                    ("damaged", "Mât ou luminaire endommagé"),
                ),
            },
            {
                "type": "text",
                "name": "pole_number",
                "label": "Numéro du lampadaire",
                "help": "Il figure souvent sur une plaquette fixée au mât (facultatif).",
                "max_length": 30,
            },
            {
                "type": "section",
                "name": "dumping_section",
                "label": "Dépôt sauvage",
                "condition": {"field": "category", "op": "equals", "value": "dumping"},
            },
            {
                "type": "multichoice",
                "name": "waste_kinds",
                "label": "Types de déchets",
                "required": True,
                "choices": choices(
                    ("household", "Sacs d'ordures ménagères"),
                    ("bulky", "Encombrants (meubles, électroménager)"),
                    ("rubble", "Gravats, déchets de chantier"),
                    ("green", "Déchets verts"),
                    ("tyres", "Pneus"),
                    ("hazardous", "Produits dangereux (bidons, peintures, amiante)"),
                ),
            },
            {
                "type": "number",
                "name": "waste_volume",
                "label": "Volume approximatif (en m³)",
                "help": "Un coffre de voiture représente environ 0,5 m³.",
                "min": 0,
                "max": 500,
            },
            {
                "type": "choice",
                "name": "dumping_place",
                "label": "Le dépôt se trouve",
                "required": True,
                "choices": choices(
                    ("public_road", "Sur la voie publique ou un chemin"),
                    ("communal_land", "Sur un terrain communal"),
                    ("private_land", "Sur un terrain privé"),
                ),
            },
            {
                "type": "help",
                "name": "hazardous_help",
                "label": "",
                "help": (
                    "Ne touchez pas aux produits dangereux, aux pneus ni aux plaques pouvant "
                    "contenir de l'amiante : les services de la commune les feront enlever par "
                    "une filière adaptée."
                ),
                "condition": {
                    "any": [
                        {"field": "waste_kinds", "op": "contains", "value": "hazardous"},
                        {"field": "waste_kinds", "op": "contains", "value": "tyres"},
                    ]
                },
            },
            {
                "type": "help",
                "name": "private_land_help",
                "label": "",
                "help": (
                    "Sur un terrain privé, l'enlèvement incombe au propriétaire ; le maire peut "
                    "le mettre en demeure puis faire procéder d'office à l'enlèvement (code de "
                    "l'environnement, article L541-3)."
                ),
                "condition": {
                    "all": [
                        {"field": "category", "op": "equals", "value": "dumping"},
                        {"field": "dumping_place", "op": "equals", "value": "private_land"},
                    ]
                },
            },
            {"type": "section", "name": "details_section", "label": "Description"},
            {
                "type": "textarea",
                "name": "description",
                "label": "Décrivez le problème",
                "help": "Ce que vous avez vu, depuis quand, ce qui gêne.",
                "required": True,
                "max_length": 2000,
            },
            {"type": "page", "name": "place_page", "label": "L'emplacement"},
            {
                "type": "address",
                "name": "location",
                "label": "Adresse ou lieu-dit",
                "help": (
                    "Indiquez le numéro le plus proche, le nom de la rue ou du chemin. Si vous "
                    "êtes sur place, vous pouvez ajouter la position (latitude et longitude)."
                ),
                "required": True,
                "with_coordinates": True,
            },
            {
                "type": "text",
                "name": "landmark",
                "label": "Point de repère",
                "help": "Par exemple : en face de l'abribus, à la sortie du virage.",
                "max_length": 200,
            },
            {
                "type": "file",
                "name": "photos",
                "label": "Photos",
                "help": (
                    "Jusqu'à 3 photos. Évitez de photographier des personnes ou des plaques "
                    "d'immatriculation. Les photos trop lourdes sont réduites automatiquement."
                ),
                "personal": True,
                "file_kinds": ["image"],
                "max_files": 3,
            },
            {"type": "page", "name": "reporter_page", "label": "Vous"},
            {
                "type": "help",
                "name": "reporter_help",
                "label": "",
                "help": (
                    "Votre nom et votre téléphone sont facultatifs ; ils permettent aux services "
                    "techniques de vous joindre pour trouver l'endroit."
                ),
            },
            {
                "type": "text",
                "name": "reporter_name",
                "label": "Nom et prénom",
                "personal": True,
                "max_length": 150,
            },
            {
                "type": "phone",
                "name": "reporter_phone",
                "label": "Téléphone",
                "personal": True,
            },
        ]
    },
)
