"""Families: the sealed compartments of requests (GRU doctrine).

A request belongs to exactly one family, the family of its procedure. An agent sees the requests
of a family only when a :class:`FamilyGrant` gives it to them; there is no view across families.
Personal values of a request are sealed with a sub-key of the commune's key for that family
(``EncryptedTextField(compartment_field="family")``), so the boundary holds below the views too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clocher.core.models import CommuneOwnedModel


class Family(models.TextChoices):
    CIVIL_STATUS = "civil_status", _("État civil")
    SOCIAL = "social", _("Social (CCAS)")
    FISCAL = "fiscal", _("Fiscalité")
    PLANNING = "planning", _("Urbanisme")
    ROADS = "roads", _("Voirie et espace public")
    SCHOOL = "school", _("Scolaire et périscolaire")
    FUNERAL = "funeral", _("Funéraire")
    FACILITIES = "facilities", _("Salles et équipements")
    GENERAL = "general", _("Général")


class FamilyGrant(CommuneOwnedModel):
    """One agent may process the requests of one family in one commune."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="family_grants"
    )
    family = models.CharField(_("famille"), max_length=20, choices=Family.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "user", "family"], name="demarches_one_grant_per_family"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.get_family_display()}"
