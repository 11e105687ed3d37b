"""Remote control: commands sent to actuators as downlinks, their journal, schedules, and the
calendars schedules read (quiet hours and school zone per commune, school holiday periods).

- ``Command`` is one downlink asked for by a person or a schedule. The request part (who, what,
  parameters, confirmation, quiet-hours override) is written once; only the delivery fields move,
  through ``services.commands`` and nothing else, and every move appends a ``CommandEvent``.
  Neither is ever deleted.
- ``Schedule`` fires a profile command for one device or a group of devices at a fixed time, or at
  sunrise/sunset ± an offset, on chosen days, with public/school-holiday conditions.
  ``ScheduleRun`` records each occurrence fired (unique per schedule and occurrence): a
  occurrence is fired once, whatever the number of workers.
- ``SchoolHolidayPeriod`` holds the national school calendar as imported from the Éducation
  nationale file (one row per zone and period); it belongs to no commune.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clocher.core.models import CommuneOwnedModel, JournalEntry, JournalQuerySet
from clocher.core.models.base import CommuneScopedQuerySet

DEFAULT_QUIET_START = time(22, 0)
DEFAULT_QUIET_END = time(7, 0)


class SchoolZone(models.TextChoices):
    """Zones as the Éducation nationale file names them (column ``zones``)."""

    A = "Zone A", _("Zone A")
    B = "Zone B", _("Zone B")
    C = "Zone C", _("Zone C")
    CORSICA = "Corse", _("Corse")
    GUADELOUPE = "Guadeloupe", _("Guadeloupe")
    MARTINIQUE = "Martinique", _("Martinique")
    GUYANE = "Guyane", _("Guyane")
    REUNION = "La Réunion", _("La Réunion")
    MAYOTTE = "Mayotte", _("Mayotte")


class ControlSettings(CommuneOwnedModel):
    """The commune's remote-control settings (one row per commune, defaults until saved)."""

    quiet_hours_start = models.TimeField(
        _("début des heures de silence"), default=DEFAULT_QUIET_START
    )
    quiet_hours_end = models.TimeField(_("fin des heures de silence"), default=DEFAULT_QUIET_END)
    school_zone = models.CharField(
        _("zone de vacances scolaires"), max_length=40, choices=SchoolZone.choices, blank=True
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commune"], name="iot_control_settings_once")
        ]


class SchoolHolidayPeriod(models.Model):
    """A school holiday period of one zone: from ``first_day`` to ``last_day`` included (Paris
    dates), as published by the Éducation nationale (``fr-en-calendrier-scolaire``)."""

    zone = models.CharField(max_length=40)
    school_year = models.CharField(max_length=9)  # "2025-2026"
    description = models.CharField(max_length=200)
    first_day = models.DateField()
    last_day = models.DateField()
    imported_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "description", "first_day"], name="iot_school_holiday_once"
            )
        ]
        indexes = [models.Index(fields=["zone", "first_day"], name="iot_school_holiday_zone")]
        ordering = ["zone", "first_day"]

    def __str__(self) -> str:
        return f"{self.description} ({self.zone}, {self.first_day} – {self.last_day})"


class CommandOrigin(models.TextChoices):
    MANUAL = "manual", _("Manuelle")
    SCHEDULE = "schedule", _("Programmation")


class CommandState(models.TextChoices):
    QUEUED = "queued", _("En file d'attente")
    RETRY = "retry", _("À renvoyer")
    SENT = "sent", _("Envoyée au serveur de réseau")
    TRANSMITTED = "transmitted", _("Émise par la passerelle")
    ACKNOWLEDGED = "acknowledged", _("Confirmée par l'objet")
    FAILED = "failed", _("En échec")
    REFUSED = "refused", _("Refusée (sécurité)")


# States from which a command may still be published.
DELIVERABLE_STATES = (CommandState.QUEUED, CommandState.RETRY)
# States in which the network server may still report on the command.
AWAITING_STATES = (CommandState.SENT, CommandState.TRANSMITTED)
FINAL_STATES = (CommandState.ACKNOWLEDGED, CommandState.FAILED, CommandState.REFUSED)


class NetworkServer(models.TextChoices):
    CHIRPSTACK = "chirpstack", "ChirpStack v4"
    TTS = "tts", "The Things Stack v3"


class CommandQuerySet(CommuneScopedQuerySet):
    def delete(self) -> Any:
        raise TypeError("The command journal is append-only.")


class Command(CommuneOwnedModel):
    """One command for one device: who asked, what, and where its delivery stands."""

    device = models.ForeignKey("iot.Device", on_delete=models.PROTECT, related_name="commands")
    # The request, written once.
    command_name = models.CharField(max_length=60)
    command_label = models.CharField(max_length=200)
    category = models.CharField(max_length=20, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    origin = models.CharField(max_length=20, choices=CommandOrigin.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    schedule = models.ForeignKey(
        "iot.Schedule", null=True, blank=True, on_delete=models.PROTECT, related_name="commands"
    )
    occurrence_at = models.DateTimeField(null=True, blank=True)
    is_confirmed = models.BooleanField(default=False)
    quiet_hours_override = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    # What is published: network server, topic and JSON body (kept as sent).
    network = models.CharField(max_length=20, choices=NetworkServer.choices, blank=True)
    topic = models.CharField(max_length=300, blank=True)
    body = models.JSONField(null=True, blank=True)
    # ChirpStack queue item id (we set it) / The Things Stack correlation id.
    downlink_id = models.UUIDField(unique=True)
    # Delivery, moved only by services.commands.
    state = models.CharField(max_length=20, choices=CommandState.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    transmitted_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    f_cnt_down = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    objects = CommandQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["device", "-requested_at"], name="iot_command_device"),
            models.Index(fields=["state", "next_attempt_at"], name="iot_command_due"),
            models.Index(fields=["requested_by", "-requested_at"], name="iot_command_user"),
        ]

    def __str__(self) -> str:
        return f"{self.command_label} → {self.device_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError(
                "A command is written once; its delivery moves through services.commands."
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("The command journal is append-only.")

    @property
    def correlation_id(self) -> str:
        """The correlation id given to The Things Stack (found again in its down/* events)."""
        return f"clocher:cmd:{self.downlink_id}"

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES


class CommandEvent(JournalEntry, CommuneOwnedModel):
    """One step of a command's life (append-only)."""

    command = models.ForeignKey(Command, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=20, choices=CommandState.choices)
    detail = models.TextField(blank=True)

    append_only_message = "The command journal is append-only."
    objects = JournalQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["at", "pk"]


class ScheduleTarget(models.TextChoices):
    DEVICE = "device", _("Un objet")
    SITE = "site", _("Tous les objets d'un site")
    BUILDING = "building", _("Tous les objets d'un bâtiment")
    PROFILE = "profile", _("Tous les objets d'un profil")


class ScheduleTrigger(models.TextChoices):
    FIXED = "fixed", _("À heure fixe")
    SUNRISE = "sunrise", _("Au lever du soleil")
    SUNSET = "sunset", _("Au coucher du soleil")


class CalendarCondition(models.TextChoices):
    ANY = "any", _("Indifférent")
    SKIP = "skip", _("Sauf pendant")
    ONLY = "only", _("Seulement pendant")


class Schedule(CommuneOwnedModel):
    """A command fired on a timetable for one device or a group of devices."""

    name = models.CharField(_("nom"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    target = models.CharField(_("cible"), max_length=20, choices=ScheduleTarget.choices)
    device = models.ForeignKey(
        "iot.Device", null=True, blank=True, on_delete=models.PROTECT, related_name="schedules"
    )
    site = models.CharField(_("site"), max_length=200, blank=True)
    building = models.CharField(_("bâtiment"), max_length=200, blank=True)
    profile = models.ForeignKey(
        "iot.DeviceProfile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="schedules",
    )
    command_name = models.CharField(_("commande"), max_length=60)
    parameters = models.JSONField(default=dict, blank=True)
    trigger = models.CharField(_("déclenchement"), max_length=20, choices=ScheduleTrigger.choices)
    time_of_day = models.TimeField(_("heure"), null=True, blank=True)
    offset_minutes = models.SmallIntegerField(_("décalage (minutes)"), default=0)
    # ISO weekdays 1 (Monday) … 7 (Sunday).
    weekdays = models.JSONField(default=list)
    public_holidays = models.CharField(
        _("jours fériés"),
        max_length=10,
        choices=CalendarCondition.choices,
        default=CalendarCondition.ANY,
    )
    school_holidays = models.CharField(
        _("vacances scolaires"),
        max_length=10,
        choices=CalendarCondition.choices,
        default=CalendarCondition.ANY,
    )
    quiet_hours_override_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    # Occurrences before this instant are never fired (creation, edit, reactivation).
    effective_from = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class ScheduleRun(CommuneOwnedModel):
    """One occurrence of a schedule, fired once (the unique constraint makes it so)."""

    schedule = models.ForeignKey(Schedule, on_delete=models.PROTECT, related_name="runs")
    occurrence_at = models.DateTimeField()
    fired_at = models.DateTimeField(default=timezone.now)
    commands = models.PositiveIntegerField(default=0)
    detail = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "occurrence_at"], name="iot_schedule_run_once"
            )
        ]
        ordering = ["-occurrence_at"]
