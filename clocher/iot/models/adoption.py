"""A commune's adoption of a device profile the operator published."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clocher.core.models import CommuneOwnedModel


class AdoptionChannel(models.TextChoices):
    """How the commune came to adopt a profile."""

    PAGE = "page", _("page des profils")
    DEVICE = "device", _("enregistrement d'un objet")
    CSV = "csv", _("import CSV")
    COMMAND = "command", _("commande « clocher iot add-device »")


class ProfileAdoption(CommuneOwnedModel):
    """The commune uses this profile of its operator: its devices may be registered with it.

    Adopted from the profiles page, or automatically (and recorded as such) when a device is
    registered with a profile the commune had not adopted yet. Stopping is refused while a
    device of the commune uses the profile."""

    profile = models.ForeignKey(
        "iot.DeviceProfile", on_delete=models.CASCADE, related_name="adoptions"
    )
    adopted_at = models.DateTimeField(_("adopté le"), default=timezone.now)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adopté par"),
    )
    channel = models.CharField(
        _("adopté depuis"),
        max_length=20,
        choices=AdoptionChannel.choices,
        default=AdoptionChannel.PAGE,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commune", "profile"], name="iot_profile_adopted_once")
        ]
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.profile)
