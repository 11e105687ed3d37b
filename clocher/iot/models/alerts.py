"""Alerts of Cité IoT: rules, their evaluation state per device, alerts and their history, the
people on duty and the commune's alert settings (quiet hours, cool-down).

- ``AlertRule`` (commune-owned) applies to the whole commune, one site (``Device.site``), every
  device of one profile, or one device. Its ``kind`` says what it watches: a threshold crossed
  upwards or downwards (with hysteresis and a minimum duration), a rate of change (per hour,
  rising or falling), a silent device (no uplink for ``silent_factor`` × its expected interval),
  or a low battery. Rules are never deleted once used: they are deactivated (``is_active``), so
  the alerts they opened keep their origin.
- ``AlertRuleState`` is the memory of one rule for one device across uplinks: since when the
  condition holds (minimum duration), the last reading evaluated (late or replayed readings are
  ignored), the previous value (rate of change), the alert it has open and when the last one
  closed (cool-down).
- ``Alert`` is opened, acknowledged, closed (by a person or automatically when the condition
  clears past the hysteresis) and keeps the value that triggered it; ``AlertEvent`` is its
  append-only history.
- ``AlertRecipient`` is the on-duty list: members of the commune who receive alerts by e-mail
  and/or SMS from a minimum severity; ``AlertSettings`` holds the quiet hours, the cool-down and
  the version of the rules (bumped at every rule change, it invalidates the cached rule index of
  ``services.alerting``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clocher.core.models import CommuneOwnedModel, JournalEntry, JournalQuerySet
from clocher.core.vault import EncryptedTextField

DEFAULT_QUIET_START = datetime.time(22, 0)
DEFAULT_QUIET_END = datetime.time(7, 0)
DEFAULT_COOL_DOWN_MINUTES = 30
DEFAULT_SILENT_FACTOR = 3.0
DEFAULT_BATTERY_PERCENT = 20


class Severity(models.TextChoices):
    INFORMATION = "information", _("Information")
    WARNING = "warning", _("Avertissement")
    CRITICAL = "critical", _("Critique")


SEVERITY_RANK = {Severity.INFORMATION: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


def severity_rank(severity: str) -> int:
    return SEVERITY_RANK.get(Severity(severity), 0)


class RuleKind(models.TextChoices):
    THRESHOLD_ABOVE = "threshold_above", _("Seuil dépassé (au-dessus)")
    THRESHOLD_BELOW = "threshold_below", _("Seuil franchi (en dessous)")
    RATE_OF_CHANGE = "rate_of_change", _("Variation rapide")
    SILENT = "silent", _("Objet silencieux")
    LOW_BATTERY = "low_battery", _("Batterie faible")


class RuleScope(models.TextChoices):
    COMMUNE = "commune", _("Tous les objets de la commune")
    SITE = "site", _("Les objets d'un site")
    PROFILE = "profile", _("Les objets d'un profil")
    DEVICE = "device", _("Un objet")


class Direction(models.TextChoices):
    RISING = "rising", _("Hausse")
    FALLING = "falling", _("Baisse")


class AlertRule(CommuneOwnedModel):
    label = models.CharField(_("libellé"), max_length=200)
    kind = models.CharField(_("type de règle"), max_length=20, choices=RuleKind.choices)
    severity = models.CharField(
        _("gravité"), max_length=20, choices=Severity.choices, default=Severity.WARNING
    )
    scope = models.CharField(_("portée"), max_length=10, choices=RuleScope.choices)
    device = models.ForeignKey(
        "iot.Device",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_rules",
        verbose_name=_("objet"),
    )
    profile = models.ForeignKey(
        "iot.DeviceProfile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("profil d'objet"),
    )
    site = models.CharField(_("site"), max_length=200, blank=True)
    quantity = models.CharField(_("grandeur"), max_length=60, blank=True)
    threshold = models.FloatField(_("seuil"), null=True, blank=True)
    hysteresis = models.FloatField(_("hystérésis"), default=0)
    minimum_duration_minutes = models.PositiveIntegerField(_("durée minimale (minutes)"), default=0)
    max_change_per_hour = models.FloatField(
        _("variation maximale par heure"), null=True, blank=True
    )
    direction = models.CharField(_("sens"), max_length=10, choices=Direction.choices, blank=True)
    silent_factor = models.FloatField(_("facteur de silence"), default=DEFAULT_SILENT_FACTOR)
    battery_percent = models.PositiveSmallIntegerField(
        _("seuil de batterie (%)"), default=DEFAULT_BATTERY_PERCENT
    )
    escalate_after_minutes = models.PositiveIntegerField(
        _("prévenir le maire après (minutes)"), null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Key of the default rule this one was created from ("co2-ventilate"…), so applying the
    # default set twice creates nothing twice.
    preset = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-is_active", "label", "pk"]
        indexes = [models.Index(fields=["commune", "is_active"], name="iot_alertrule_active")]

    def __str__(self) -> str:
        return self.label

    @property
    def effective_quantity(self) -> str:
        return "battery" if self.kind == RuleKind.LOW_BATTERY else self.quantity


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Ouverte")
    ACKNOWLEDGED = "acknowledged", _("Prise en compte")
    CLOSED = "closed", _("Close")


ACTIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class NotificationState(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENT = "sent", _("Envoyée")
    HELD = "held", _("Retenue (heures de silence)")
    NOBODY = "nobody", _("Personne d'astreinte")
    NOT_SENT = "not_sent", _("Non envoyée (rouverte pendant le délai de carence)")


class Alert(CommuneOwnedModel):
    rule = models.ForeignKey(AlertRule, on_delete=models.PROTECT, related_name="alerts")
    device = models.ForeignKey("iot.Device", on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=RuleKind.choices)
    severity = models.CharField(_("gravité"), max_length=20, choices=Severity.choices)
    label = models.CharField(_("libellé"), max_length=200)
    quantity = models.CharField(_("grandeur"), max_length=60, blank=True)
    status = models.CharField(
        _("état"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    value = models.FloatField(_("valeur"), null=True, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    # When the condition was met (the reading's own time) and when Clocher opened the alert.
    triggered_at = models.DateTimeField(_("condition remplie le"))
    opened_at = models.DateTimeField(_("ouverte le"), default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_automatically = models.BooleanField(default=False)
    notification = models.CharField(
        max_length=10, choices=NotificationState.choices, default=NotificationState.PENDING
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    held_until = models.DateTimeField(null=True, blank=True)
    # Critical alerts of a rule with ``escalate_after_minutes``: when the mayor is told if nobody
    # has acknowledged the alert by then.
    escalate_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["commune", "status", "-opened_at"], name="iot_alert_status"),
            models.Index(fields=["device", "status"], name="iot_alert_device"),
            models.Index(fields=["notification", "held_until"], name="iot_alert_held"),
            models.Index(fields=["status", "escalate_at"], name="iot_alert_escalate"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class AlertRuleState(CommuneOwnedModel):
    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="+")
    device = models.ForeignKey("iot.Device", on_delete=models.CASCADE, related_name="+")
    condition_since = models.DateTimeField(null=True, blank=True)
    last_evaluated_at = models.DateTimeField(null=True, blank=True)
    last_value = models.FloatField(null=True, blank=True)
    alert = models.ForeignKey(
        Alert, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_closed_at = models.DateTimeField(null=True, blank=True)
    last_alert = models.ForeignKey(
        Alert, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # False after a person closed an alert whose condition still held: no new alert until the
    # condition has cleared once.
    is_armed = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "device"], name="iot_alert_state_once")
        ]


class AlertEventKind(models.TextChoices):
    OPENED = "opened", _("Ouverte")
    NOTIFIED = "notified", _("Notifiée")
    HELD = "held", _("Notification retenue (heures de silence)")
    ACKNOWLEDGED = "acknowledged", _("Prise en compte")
    COMMENT = "comment", _("Commentaire")
    ESCALATED = "escalated", _("Signalée au maire")
    REOPENED = "reopened", _("Rouverte")
    CLOSED = "closed", _("Close")


class AlertEvent(JournalEntry, CommuneOwnedModel):
    """One entry of an alert's history. Append-only: never updated, never deleted."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=AlertEventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(blank=True)

    append_only_message = "The alert history is append-only."
    objects = JournalQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["at", "pk"]


class AlertRecipient(CommuneOwnedModel):
    """A member of the commune on duty for IoT alerts."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("membre"),
    )
    by_email = models.BooleanField(_("par courriel"), default=True)
    by_sms = models.BooleanField(_("par SMS"), default=False)
    # A staff member's mobile number: personal, sealed with the commune's key.
    phone = EncryptedTextField()
    minimum_severity = models.CharField(
        _("gravité minimale"), max_length=20, choices=Severity.choices, default=Severity.WARNING
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commune", "user"], name="iot_alert_recipient_once")
        ]


class AlertSettings(CommuneOwnedModel):
    """One row per commune (created on first use)."""

    quiet_hours_start = models.TimeField(
        _("début des heures de silence"), null=True, blank=True, default=DEFAULT_QUIET_START
    )
    quiet_hours_end = models.TimeField(
        _("fin des heures de silence"), null=True, blank=True, default=DEFAULT_QUIET_END
    )
    cool_down_minutes = models.PositiveIntegerField(
        _("délai de carence (minutes)"), default=DEFAULT_COOL_DOWN_MINUTES
    )
    rules_version = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commune"], name="iot_alert_settings_once")]
