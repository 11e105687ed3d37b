"""Decision reports of Cité IoT, each a staff page and a PDF for the council (issue 4, item 7):
school air quality, energy and water per building, water leak suspicion, recycling containers,
river level. One module per report (``compute`` the figures, ``document`` the text and tables),
``common`` for what they share, ``pdf`` for the drawing; views in ``clocher.iot.views_reports``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ReportInfo:
    slug: str
    url_name: str
    title: Any
    description: Any


REPORTS = (
    ReportInfo(
        "qualite-air",
        "report_air_quality",
        _("Qualité de l'air dans les écoles"),
        _(
            "Par salle et par jour d'école, part du temps d'occupation au-dessus de 800 et de "
            "1 500 ppm de CO2 ; salles à aérer maintenant."
        ),
    ),
    ReportInfo(
        "energie-eau",
        "report_energy",
        _("Énergie et eau par bâtiment"),
        _(
            "Consommation du mois comparée au même mois de l'an dernier, corrigée des "
            "degrés-jours quand la température extérieure est mesurée."
        ),
    ),
    ReportInfo(
        "fuites",
        "report_leaks",
        _("Suspicion de fuites d'eau"),
        _("Débit nocturne minimal non nul plusieurs nuits de suite, alarmes des compteurs."),
    ),
    ReportInfo(
        "conteneurs",
        "report_containers",
        _("Conteneurs de tri"),
        _(
            "Remplissage, date prévue de remplissage et liste des conteneurs à collecter "
            "aujourd'hui."
        ),
    ),
    ReportInfo(
        "riviere",
        "report_river",
        _("Niveau de la rivière"),
        _("Niveau actuel, vitesse de montée, franchissements des seuils et personnes prévenues."),
    ),
)
