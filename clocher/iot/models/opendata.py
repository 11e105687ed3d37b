"""Open data: the datastreams (one quantity of one device) a commune chooses to publish."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clocher.core.models import CommuneOwnedModel

ETALAB_LICENCE = "Licence Ouverte / Etalab 2.0"
ETALAB_LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


class PublishedDatastream(CommuneOwnedModel):
    """One quantity of one device, published through the SensorThings API and as CSV. A device
    flagged personal (a household meter) is never published (``datastream_publish`` refuses it
    and the reads leave it out even if it was flagged afterwards)."""

    device = models.ForeignKey(
        "iot.Device", on_delete=models.CASCADE, related_name="published_datastreams"
    )
    quantity = models.CharField(_("grandeur"), max_length=60)
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    licence = models.CharField(_("licence"), max_length=200, default=ETALAB_LICENCE)
    licence_url = models.URLField(
        _("adresse de la licence"), blank=True, default=ETALAB_LICENCE_URL
    )
    published_at = models.DateTimeField(_("publié le"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "quantity"], name="iot_published_once")
        ]
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name
