"""Integrations (how a network server reaches Clocher) and raw uplinks as received."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clocher.core.models import CommuneOwnedModel, commune_foreign_key


class IntegrationKind(models.TextChoices):
    CHIRPSTACK = "chirpstack", "ChirpStack v4"
    TTS = "tts", "The Things Stack v3"
    GENERIC = "generic", _("JSON générique (SenML)")


class Integration(CommuneOwnedModel):
    """A network-server integration of a commune, authenticated by a secret token (hashed)."""

    kind = models.CharField(max_length=20, choices=IntegrationKind.choices)
    label = models.CharField(_("nom"), max_length=200, blank=True)
    token_prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)


class UplinkStatus(models.TextChoices):
    STORED = "stored", _("Enregistrée")
    PENDING_DEVICE = "pending_device", _("Objet inconnu (en attente)")
    DECODE_FAILED = "decode_failed", _("Décodage en échec")


class Uplink(CommuneOwnedModel):
    """One uplink as the network server sent it (kept ``IOT_RAW_RETENTION_DAYS`` for replay; on
    PostgreSQL in monthly partitions, see ``clocher.iot.partitions``)."""

    # No index of their own for the commune and the device: the unique key (commune first) and
    # ``iot_uplink_device`` serve them, and every index costs on each uplink stored.
    commune = commune_foreign_key(db_index=False)
    device = models.ForeignKey(
        "iot.Device",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="uplinks",
        db_index=False,
    )
    dev_eui = models.CharField(max_length=16)
    source = models.CharField(max_length=20)
    dedup_key = models.CharField(max_length=100)
    received_at = models.DateTimeField()
    stored_at = models.DateTimeField(default=timezone.now)
    f_cnt = models.PositiveBigIntegerField(default=0)
    f_port = models.PositiveSmallIntegerField(null=True, blank=True)
    payload = models.BinaryField(default=b"")
    decoded = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=UplinkStatus.choices)
    error = models.TextField(blank=True)
    rssi = models.IntegerField(null=True, blank=True)
    snr = models.FloatField(null=True, blank=True)

    class Meta:
        # The time is part of the key because, on PostgreSQL, the table is partitioned by
        # ``received_at`` and a unique constraint must hold the partition key; the same uplink
        # delivered again carries the same time (the network server's, see ``network``). It
        # comes before the deduplication id, which is random (a UUID from ChirpStack): new keys
        # then go to the index's newest pages instead of anywhere in it, and the pages written
        # stay few however many months the table keeps (docs/performance.md).
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "received_at", "dedup_key"], name="iot_uplink_once_in_time"
            )
        ]
        indexes = [
            models.Index(fields=["device", "-received_at"], name="iot_uplink_device"),
            # The last decoding failures of a commune (ingestion health page): a small index.
            models.Index(
                fields=["commune", "-received_at"],
                condition=models.Q(status="decode_failed"),
                name="iot_uplink_decode_failed",
            ),
        ]
