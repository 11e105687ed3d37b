"""Demo content of démarches (``clocher demo``).

For each demo commune: the operator's built-in catalogue is loaded, all eight templates are
adopted with the commune's own contact details and published; the commune admins get every
family, the agents every family but *social* (the CCAS stays with the secretary); and a few
requests arrive through every channel — thirteen in Vaux-la-Cloche, three elsewhere — all through
``request_submit``, like real ones. Every name is fictional.

Idempotent: a template already adopted is left as it is, grants are only added, and requests are
only created in a commune that has none from the catalogue yet.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from clocher.demarches.models import Channel, Family, Procedure, Request
from clocher.demarches.selectors import granted_families
from clocher.demarches.selectors_catalogue import latest_published_versions
from clocher.demarches.services import catalogue, grants
from clocher.demarches.services.submission import request_submit
from clocher.tenancy.models import Membership, Role

FULL_DEMO_COMMUNE = "vaux-la-cloche"


@dataclass(frozen=True)
class DemoRequest:
    procedure: str  # template slug
    channel: Channel
    days_ago: int
    email: str
    data: dict[str, Any]


def load(commune: Any, staff: Any) -> None:
    """Adopt and publish the catalogue in ``commune``, grant families, add demo requests."""
    admin = _adopt_everything(commune)
    _grant_families(commune)
    _add_requests(commune, admin)


def _members(commune: Any) -> dict[Any, set[str]]:
    roles: dict[Any, set[str]] = {}
    for membership in Membership.objects.for_commune(commune).select_related("user"):
        roles.setdefault(membership.user, set()).add(membership.role)
    return roles


def _adopt_everything(commune: Any) -> Any:
    catalogue.catalogue_load(operator=commune.operator)
    members = _members(commune)
    admin = next((user for user, roles in members.items() if Role.COMMUNE_ADMIN in roles), None)
    adopted = set(
        Procedure.objects.for_commune(commune)
        .filter(template__isnull=False)
        .values_list("template_id", flat=True)
    )
    for template_id, version in latest_published_versions(commune.operator).items():
        if template_id in adopted:
            continue
        procedure = catalogue.template_adopt(commune=commune, template_version=version, actor=admin)
        catalogue.procedure_publish(procedure=procedure, actor=admin)
    return admin


def _grant_families(commune: Any) -> None:
    every_family = set(Family.values)
    for user, roles in _members(commune).items():
        if Role.COMMUNE_ADMIN in roles:
            wanted = every_family
        elif Role.AGENT in roles:
            wanted = every_family - {Family.SOCIAL.value}
        else:
            continue
        current = granted_families(user, commune)
        if not wanted <= current:
            grants.family_grants_set(
                commune=commune, actor=None, user=user, families=current | wanted
            )


def _agent(commune: Any, fallback: Any) -> Any:
    for user, roles in _members(commune).items():
        if Role.AGENT in roles and Role.COMMUNE_ADMIN not in roles:
            return user
    return fallback


def _add_requests(commune: Any, admin: Any) -> None:
    if Request.objects.for_commune(commune).filter(procedure__template__isnull=False).exists():
        return
    procedures = {
        procedure.template.slug: procedure
        for procedure in Procedure.objects.for_commune(commune)
        .filter(template__isnull=False, is_published=True)
        .select_related("template", "current_form")
    }
    wanted = demo_requests(commune.name, timezone.localdate())
    if commune.slug != FULL_DEMO_COMMUNE:
        # One request of each of three procedures.
        firsts: dict[str, DemoRequest] = {}
        for item in wanted:
            if item.procedure in SMALL_COMMUNE_SET:
                firsts.setdefault(item.procedure, item)
        wanted = list(firsts.values())
    agent = _agent(commune, admin)
    now = timezone.now()
    for item in sorted(wanted, key=lambda demo: -demo.days_ago):
        procedure = procedures.get(item.procedure)
        if procedure is None:
            continue
        entered_by = None if item.channel == Channel.WEB else agent
        # Requests at the counter and for the CCAS are entered by the secretary (social family).
        if item.procedure == "aide-sociale-ccas" and entered_by is not None:
            entered_by = admin
        request_submit(
            procedure=procedure,
            data=item.data,
            email=item.email,
            channel=item.channel,
            actor=entered_by,
            received_at=now - datetime.timedelta(days=item.days_ago, hours=2 * item.days_ago % 9),
        )


SMALL_COMMUNE_SET = {"signalement", "contact", "acte-etat-civil"}


def demo_requests(commune_name: str, today: datetime.date) -> list[DemoRequest]:
    """Realistic requests for every template and every channel (dates relative to ``today``)."""

    def later(days: int) -> str:
        return (today + datetime.timedelta(days=days)).isoformat()

    def earlier(days: int) -> str:
        return (today - datetime.timedelta(days=days)).isoformat()

    village = commune_name
    return [
        DemoRequest(
            "signalement",
            Channel.WEB,
            12,
            "gerard.vautrin@exemple.fr",
            {
                "category": "road",
                "road_issue": "pothole",
                "road_danger": True,
                "description": (
                    "Un nid-de-poule d'environ 40 cm s'est creusé avec le gel, juste après le "
                    "virage. Les voitures font un écart sur la voie d'en face."
                ),
                "location": {
                    "text": f"Route de Beaune, sortie de {village}",
                    "latitude": "47.3203",
                    "longitude": "4.8291",
                },
                "landmark": "Après le panneau de sortie d'agglomération",
                "reporter_name": "Gérard Vautrin",
            },
        ),
        DemoRequest(
            "signalement",
            Channel.PHONE,
            6,
            "",
            {
                "category": "lighting",
                "lighting_issue": "off",
                "pole_number": "EP-112",
                "description": "Le lampadaire devant l'abribus ne s'allume plus depuis lundi.",
                "location": {"text": "4 rue des Tilleuls"},
                "reporter_name": "Monique Perrot",
                "reporter_phone": "06 12 34 56 78",
            },
        ),
        DemoRequest(
            "signalement",
            Channel.WEB,
            2,
            "s.guyot@exemple.fr",
            {
                "category": "dumping",
                "waste_kinds": ["bulky", "tyres"],
                "waste_volume": "2,5",
                "dumping_place": "public_road",
                "description": (
                    "Un canapé, un matelas et quatre pneus ont été déposés dans la nuit au bord du "
                    "chemin, près du lavoir."
                ),
                "location": {"text": "Chemin de la Combe, près du lavoir"},
            },
        ),
        DemoRequest(
            "reservation-salle",
            Channel.WEB,
            20,
            "claire.bonnot@exemple.fr",
            {
                "room": "festival_hall",
                "event_date": later(45),
                "duration": "day",
                "event_kind": "family",
                "attendees": "45",
                "equipment": ["tables", "kitchen", "dishes"],
                "requester_kind": "resident",
                "contact_name": "Claire Bonnot",
                "contact_phone": "06 45 22 18 90",
                "contact_address": {"text": f"7 rue du Pressoir, 21900 {village}"},
                "remarks": "Repas pour les 80 ans de mon père. Arrivée vers 9 h.",
                "rules_accepted": True,
            },
        ),
        DemoRequest(
            "reservation-salle",
            Channel.COUNTER,
            9,
            "comite.fetes@exemple.fr",
            {
                "room": "festival_hall",
                "event_date": later(60),
                "duration": "evening",
                "event_kind": "public",
                "attendees": "120",
                "equipment": ["tables", "sound"],
                "drinks_stall": True,
                "requester_kind": "association",
                "organisation_name": f"Comité des fêtes de {village}",
                "rna_number": "W212003456",
                "contact_name": "Bernard Jacquot",
                "contact_phone": "03 80 41 22 07",
                "contact_address": {"text": f"12 Grande Rue, 21900 {village}"},
                "remarks": "Loto annuel du comité.",
                "rules_accepted": True,
            },
        ),
        DemoRequest(
            "acte-etat-civil",
            Channel.LETTER,
            15,
            "",
            {
                "act_kind": "birth",
                "document_kind": "full_copy",
                "copies": "1",
                "purpose": "estate",
                "holder_last_name": "Chauvet",
                "holder_first_names": "Madeleine Jeanne",
                "event_date": "1938-03-14",
                "first_parent": "Chauvet Louis Émile",
                "second_parent": "Millot Marie Augustine",
                "requester_relation": "descendant",
                "requester_name": "Hélène Chauvet-Roux",
                "delivery": "post",
                "postal_address": {"text": "18 avenue Victor-Hugo, 21000 Dijon"},
            },
        ),
        DemoRequest(
            "acte-etat-civil",
            Channel.WEB,
            1,
            "julien.marchal@exemple.fr",
            {
                "act_kind": "marriage",
                "document_kind": "extract_without_filiation",
                "copies": "2",
                "purpose": "other",
                "holder_last_name": "Marchal",
                "holder_first_names": "Julien",
                "event_date": "2014-06-21",
                "spouse_last_name": "Poinsot",
                "spouse_first_names": "Aurélie",
                "requester_relation": "self",
                "requester_name": "Julien Marchal",
                "delivery": "counter",
            },
        ),
        DemoRequest(
            "concession-funeraire",
            Channel.WEB,
            3,
            "famille.landry@exemple.fr",
            {
                "context": "death",
                "concession_kind": "plot",
                "duration": "thirty",
                "places": "2",
                "builds_vault": True,
                "scope": "family",
                "preferred_location": "Près de la sépulture Landry, carré B",
                "deceased_last_name": "Landry",
                "deceased_first_names": "Robert André",
                "death_date": earlier(3),
                "funeral_date": later(2),
                "right_to_burial": "resident",
                "funeral_director": "Pompes funèbres de l'Ouche",
                "applicant_last_name": "Landry",
                "applicant_first_names": "Sophie",
                "applicant_birth_date": "1968-11-02",
                "applicant_address": {"text": f"3 impasse des Vignes, 21900 {village}"},
                "applicant_phone": "06 71 08 45 12",
                "certify": True,
            },
        ),
        DemoRequest(
            "inscription-cantine-periscolaire",
            Channel.WEB,
            25,
            "k.benali@exemple.fr",
            {
                "school_year": "next",
                "services": ["canteen", "evening"],
                "canteen_days": ["monday", "tuesday", "thursday", "friday"],
                "meal_preference": "standard",
                "attendance": "regular",
                "pickup_people": [
                    {
                        "full_name": "Fatima Benali",
                        "phone": "06 33 21 09 87",
                        "relationship": "Grand-mère",
                    }
                ],
                "children": [
                    {
                        "last_name": "Benali",
                        "first_name": "Yanis",
                        "birth_date": "2017-04-09",
                        "school_class": "ce2",
                    },
                    {
                        "last_name": "Benali",
                        "first_name": "Inès",
                        "birth_date": "2020-01-27",
                        "school_class": "gs",
                        "has_health_needs": True,
                        "health_needs": "Allergie à l'arachide, PAI signé l'an dernier.",
                    },
                ],
                "guardian_name": "Karima Benali",
                "guardian_phone": "06 48 19 27 35",
                "guardian_address": {"text": f"9 rue de l'École, 21900 {village}"},
                "billing": "direct_debit",
                "rules_accepted": True,
            },
        ),
        DemoRequest(
            "aide-sociale-ccas",
            Channel.COUNTER,
            4,
            "",
            {
                "help_kinds": ["energy", "food"],
                "urgent": True,
                "energy_kinds": ["electricity"],
                "energy_amount": "412,50",
                "situation": (
                    "Mère seule avec une enfant, j'ai perdu mon emploi en novembre. Le fournisseur "
                    "annonce une réduction de puissance si la facture n'est pas réglée."
                ),
                "applicant_name": "Nathalie Ferrand",
                "applicant_birth_date": "1986-09-15",
                "applicant_address": {"text": f"2 cour de la Fontaine, 21900 {village}"},
                "housing_status": "tenant",
                "household_members": [
                    {"first_name": "Lina", "birth_date": "2015-06-02", "relationship": "child"}
                ],
                "monthly_income": "980",
                "income_sources": ["rsa", "family_benefits"],
                "contact_preference": "phone",
                "phone": "07 81 22 63 40",
                "availability": "Le matin, sauf le mercredi",
                "consent": True,
            },
        ),
        DemoRequest(
            "rendez-vous-maire",
            Channel.WEB,
            8,
            "atelier.grosjean@exemple.fr",
            {
                "topic": "project",
                "reason": (
                    "Je souhaite ouvrir un atelier de réparation de vélos dans l'ancienne forge "
                    "et présenter le projet au maire."
                ),
                "meeting_mode": "town_hall",
                "available_days": ["tuesday", "saturday"],
                "available_time": "morning",
                "accompanied": True,
                "companions": "1",
                "full_name": "Thomas Grosjean",
                "phone_optional": "06 52 90 11 48",
            },
        ),
        DemoRequest(
            "contact",
            Channel.LETTER,
            10,
            "",
            {
                "topic": "suggestion",
                "subject": "Horaires d'ouverture de la mairie",
                "message": (
                    "Pourriez-vous ouvrir la mairie un samedi matin par mois ? Beaucoup d'entre "
                    "nous travaillent à Dijon en semaine."
                ),
                "full_name": "Paulette Demange",
                "reply_by": "post",
                "postal_address": {"text": f"5 place de l'Église, 21900 {village}"},
            },
        ),
        DemoRequest(
            "contact",
            Channel.WEB,
            0,
            "l.gallois@exemple.fr",
            {
                "topic": "question",
                "subject": "Ramassage des encombrants",
                "message": "Quand a lieu le prochain ramassage des encombrants ?",
                "full_name": "Lucas Gallois",
                "reply_by": "email",
            },
        ),
        DemoRequest(
            "renouvellement-concession",
            Channel.LETTER,
            8,
            "",
            {
                "concession_number": "1996-014",
                "location": "Cimetière communal, carré A, emplacement 7",
                "holder_name": "Marcel Bouchard",
                "duration": "thirty",
                "applicant_quality": "heir",
                "relationship": "Fille du titulaire",
                "applicant_name": "Hélène Bouchard",
                "applicant_address": {"text": f"12 rue du Lavoir, 21900 {village}"},
                "applicant_phone": "03 80 45 67 89",
                "certify": True,
            },
        ),
        DemoRequest(
            "exhumation",
            Channel.COUNTER,
            4,
            "",
            {
                "deceased_name": "Jeanne Morel",
                "death_date": earlier(9000),
                "location": "Cimetière communal, carré B, emplacement 3",
                "purpose": "transfer_elsewhere",
                "destination": "Cimetière de Beaune",
                "funeral_director": "Pompes funèbres de la Côte",
                "applicant_name": "Pierre Morel",
                "relationship": "child",
                "applicant_address": {"text": "8 avenue de la Gare, 21200 Beaune"},
                "applicant_phone": "06 98 76 54 32",
                "sworn_statement": True,
            },
        ),
        DemoRequest(
            "ayant-droit-concession",
            Channel.WEB,
            1,
            "a.roux@exemple.fr",
            {
                "location": "Cimetière communal, carré A, emplacement 12",
                "holder_name": "Louis Roux",
                "applicant_name": "Aurélie Roux",
                "relationship": "grandchild",
                "applicant_address": {"text": f"3 impasse des Vignes, 21900 {village}"},
                "certify": True,
            },
        ),
    ]
