"""What pages call the quantities that devices measure.

Measurements keep the code their decoder gives (``co2``, ``energy_off_peak``…): integrations,
the API and open data use it. People read a label in their language instead. A quantity with no
label here (a JavaScript codec's own, a SenML name) is shown by its code.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

QUANTITY_LABELS: dict[str, Promise] = {
    "temperature": _("Température"),
    "humidity": _("Humidité"),
    "co2": _("CO₂"),
    "pressure": _("Pression"),
    "light": _("Luminosité"),
    "motion": _("Présence"),
    "distance": _("Distance"),
    "level": _("Niveau"),
    "volume": _("Volume"),
    "energy": _("Énergie"),
    "energy_base": _("Énergie (option base)"),
    "energy_off_peak": _("Énergie (heures creuses)"),
    "energy_peak": _("Énergie (heures pleines)"),
    "current": _("Intensité"),
    "current_max": _("Intensité maximale"),
    "subscribed_current": _("Intensité souscrite"),
    "apparent_power": _("Puissance apparente"),
    "pulse_count_a": _("Impulsions (voie A)"),
    "pulse_count_b": _("Impulsions (voie B)"),
    "battery": _("Batterie"),
    "vdd": _("Tension d'alimentation"),
    "online": _("En ligne"),
}


def quantity_label(quantity: str) -> str:
    """The label of ``quantity`` in the active language; its code when it has none."""
    label = QUANTITY_LABELS.get(quantity)
    return str(label) if label is not None else quantity
