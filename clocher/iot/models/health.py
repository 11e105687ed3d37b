"""Ingestion health: hourly counters of what became of the messages, and the rejected messages
themselves (kept, so that nothing a network server sent is lost).

Neither model is a ``CommuneOwnedModel``: a message whose token is wrong belongs to no commune
and is counted at the instance level, for the operator. Their tables still get the commune
isolation policy on PostgreSQL (migration 0003): a row without a commune is only visible to
platform work (``clocher.commune_id = '*'``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

REJECTED_BODY_MAX_BYTES = 64 * 1024


class HealthOutcome(models.TextChoices):
    STORED = "stored", _("Enregistrées")
    DUPLICATE = "duplicate", _("Doublons")
    PENDING_DEVICE = "pending_device", _("Objet inconnu (en attente)")
    DECODE_FAILED = "decode_failed", _("Décodage en échec")
    IGNORED = "ignored", _("Événements non conservés")
    REJECTED = "rejected", _("Rejetées (illisibles)")
    UNAUTHORIZED = "unauthorized", _("Jeton refusé")
    FAILED = "failed", _("Échec de la base (à réessayer)")


class HealthCounter(models.Model):
    """How many messages had one outcome during one hour (UTC), for one integration, or, without
    integration, for the whole instance (refused tokens) and one source."""

    commune = models.ForeignKey(
        "tenancy.Commune", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    integration = models.ForeignKey(
        "iot.Integration", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=20)
    hour = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=HealthOutcome.choices)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "hour", "outcome"],
                condition=Q(integration__isnull=False),
                name="iot_health_integration_slot",
            ),
            models.UniqueConstraint(
                fields=["source", "hour", "outcome"],
                condition=Q(integration__isnull=True),
                name="iot_health_instance_slot",
            ),
        ]
        indexes = [models.Index(fields=["commune", "hour"], name="iot_health_commune_hour")]

    def __str__(self) -> str:
        return f"{self.source} {self.hour:%Y-%m-%d %H:00} {self.outcome}: {self.count}"


class RejectedMessage(models.Model):
    """A message that could not be read, or whose token was refused: its first 64 KiB, why, and
    where it came from (never a whole token: only its public prefix)."""

    commune = models.ForeignKey(
        "tenancy.Commune", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    integration = models.ForeignKey(
        "iot.Integration", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField()
    source = models.CharField(max_length=20)
    outcome = models.CharField(
        max_length=20, choices=HealthOutcome.choices, default=HealthOutcome.REJECTED
    )
    reason = models.TextField()
    topic = models.CharField(max_length=300, blank=True)
    client_address = models.CharField(max_length=50, blank=True)
    token_prefix = models.CharField(max_length=12, blank=True)
    body = models.BinaryField(default=b"")
    body_size = models.PositiveIntegerField(default=0)
    is_truncated = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["commune", "-received_at"], name="iot_rejected_commune"),
            models.Index(fields=["received_at"], name="iot_rejected_received"),
            # The bodies of refused tokens kept over the last hour (their caps): a small index,
            # a few hundred rows an hour at most.
            models.Index(
                fields=["received_at"],
                condition=Q(integration__isnull=True),
                name="iot_rejected_refused",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.received_at:%Y-%m-%d %H:%M}: {self.reason[:60]}"
