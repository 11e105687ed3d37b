"""The demo intercommunality: three fictional communes and staff of every role.

Everything here is fictional; the INSEE codes are in a range no real commune uses (219xx).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

DEMO_PASSWORD = "clocher-demo-2026"  # noqa: S105 (printed by `clocher demo`)

OPERATOR = {
    "slug": "trois-clochers",
    "name": "Communauté de communes des Trois Clochers",
    "contact_email": "numerique@trois-clochers.demo",
}

COMMUNES: list[dict[str, Any]] = [
    {
        "slug": "vaux-la-cloche",
        "name": "Vaux-la-Cloche",
        "insee_code": "21901",
        "population": 312,
        "latitude": Decimal("47.32110"),
        "longitude": Decimal("4.83120"),
        "address": "Mairie de Vaux-la-Cloche\n2 place de l'Église\n21900 Vaux-la-Cloche",
        "email": "mairie@vaux-la-cloche.demo",
        "phone": "03 80 00 00 01",
        "opening_hours": "Mardi 14 h – 18 h\nJeudi 9 h – 12 h\nSamedi 10 h – 12 h",
    },
    {
        "slug": "saint-sauveur-des-pres",
        "name": "Saint-Sauveur-des-Prés",
        "insee_code": "21902",
        "population": 1240,
        "latitude": Decimal("47.28890"),
        "longitude": Decimal("4.90440"),
        "address": "Mairie\n1 rue de la Mairie\n21900 Saint-Sauveur-des-Prés",
        "email": "accueil@saint-sauveur-des-pres.demo",
        "phone": "03 80 00 00 02",
        "opening_hours": "Du lundi au vendredi 9 h – 12 h\nMercredi 14 h – 17 h",
    },
    {
        "slug": "montclair-sur-ouche",
        "name": "Montclair-sur-Ouche",
        "insee_code": "21903",
        "population": 587,
        "latitude": Decimal("47.25010"),
        "longitude": Decimal("4.71800"),
        "address": "Mairie de Montclair\n5 Grande Rue\n21900 Montclair-sur-Ouche",
        "email": "mairie@montclair-sur-ouche.demo",
        "phone": "03 80 00 00 03",
        "opening_hours": "Lundi et jeudi 16 h – 19 h",
    },
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    operator_role: str = ""
    commune_slug: str = ""
    roles: tuple[str, ...] = ()
    second_factor: bool = True


ACCOUNTS = [
    DemoAccount("dsi@trois-clochers.demo", "Nadia", "Bensaïd", operator_role="operator_admin"),
    DemoAccount(
        "support@trois-clochers.demo", "Julien", "Perrin", operator_role="operator_support"
    ),
    DemoAccount(
        "secretaire@vaux-la-cloche.demo",
        "Sylvie",
        "Morel",
        commune_slug="vaux-la-cloche",
        roles=("commune_admin", "agent"),
    ),
    DemoAccount(
        "maire@vaux-la-cloche.demo",
        "Henri",
        "Lambert",
        commune_slug="vaux-la-cloche",
        roles=("elected",),
    ),
    DemoAccount(
        "agent@vaux-la-cloche.demo",
        "Léa",
        "Girard",
        commune_slug="vaux-la-cloche",
        roles=("agent",),
        second_factor=False,
    ),
    DemoAccount(
        "technicien@vaux-la-cloche.demo",
        "Marc",
        "Roux",
        commune_slug="vaux-la-cloche",
        roles=("technician",),
        second_factor=False,
    ),
    DemoAccount(
        "secretaire@saint-sauveur-des-pres.demo",
        "Agnès",
        "Fontaine",
        commune_slug="saint-sauveur-des-pres",
        roles=("commune_admin", "agent"),
    ),
    DemoAccount(
        "maire@saint-sauveur-des-pres.demo",
        "Paul",
        "Mercier",
        commune_slug="saint-sauveur-des-pres",
        roles=("elected", "commune_admin"),
    ),
    DemoAccount(
        "agent@saint-sauveur-des-pres.demo",
        "Karim",
        "Haddad",
        commune_slug="saint-sauveur-des-pres",
        roles=("agent",),
        second_factor=False,
    ),
    DemoAccount(
        "secretaire@montclair-sur-ouche.demo",
        "Odile",
        "Chevalier",
        commune_slug="montclair-sur-ouche",
        roles=("commune_admin", "agent"),
    ),
    DemoAccount(
        "maire@montclair-sur-ouche.demo",
        "Bernard",
        "Faure",
        commune_slug="montclair-sur-ouche",
        roles=("elected",),
    ),
]
