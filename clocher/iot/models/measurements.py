"""Normalised measurements, timed by the uplink's own timestamp, and their roll-ups."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from clocher.core.models import CommuneOwnedModel, commune_foreign_key

# The ingestion writes thousands of these rows a second and each index costs on every row: the
# unique key (device first) serves every read and the device's foreign key, and the commune's own
# index would only serve a commune's deletion, which goes through its devices.
#
# Nor do they carry foreign-key constraints in the database: checking the device and the commune
# of every row took PostgreSQL two lookups per measurement, about a fifth of its time under load
# (docs/performance.md). The ingestion writes only devices it has just read in the commune; the
# ORM still cascades a device's deletion and refuses a commune's (``on_delete``); Clocher offers
# no way to delete a device (its history stays); the raw uplinks keep their constraints.


def _device_key() -> models.ForeignKey[Any, Any]:
    """The device of a measurement or a roll-up: no index of its own, no database constraint."""
    return models.ForeignKey(
        "iot.Device",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )


class Measurement(CommuneOwnedModel):
    commune = commune_foreign_key(db_index=False, db_constraint=False)
    device = _device_key()
    quantity = models.CharField(max_length=60)
    time = models.DateTimeField()
    value = models.FloatField()
    unit = models.CharField(max_length=20, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["device", "quantity", "time"], name="iot_measurement_once"
            )
        ]


class RollupPeriod(models.TextChoices):
    HOUR = "hour", _("Heure")
    DAY = "day", _("Jour")


class Rollup(CommuneOwnedModel):
    """Min, max, sum, count and last value of one quantity of one device over an hour or a day
    (Europe/Paris days), maintained incrementally at ingestion.

    Each row is updated at every reading of its slot: on PostgreSQL the table keeps free room in
    its pages (fillfactor, migration 0007) so that these updates stay "HOT" — no index touched."""

    commune = commune_foreign_key(db_index=False, db_constraint=False)
    device = _device_key()
    quantity = models.CharField(max_length=60)
    period = models.CharField(max_length=5, choices=RollupPeriod.choices)
    start = models.DateTimeField()
    minimum = models.FloatField()
    maximum = models.FloatField()
    total = models.FloatField()
    count = models.PositiveIntegerField()
    last = models.FloatField()
    last_time = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["device", "quantity", "period", "start"], name="iot_rollup_slot"
            )
        ]

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else 0.0
