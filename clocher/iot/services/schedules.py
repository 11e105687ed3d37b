"""Schedules: when they occur, firing each occurrence once, and writing them.

An occurrence of a schedule is an instant: on a Paris day that matches its weekdays and its
public/school-holiday conditions, the fixed wall-clock time (a time inside the spring-forward gap
moves to the next valid instant, a time repeated in autumn happens once, the first time) or the
sunrise/sunset of that day ± the offset, floored to the minute.

``schedules_fire_due`` (run every minute by the worker) fires the occurrences of the last
``FIRE_GRACE`` not fired yet: it records the ``ScheduleRun`` first, whose unique constraint
(schedule, occurrence) lets exactly one worker win, then creates one command per targeted device
in the same transaction. An occurrence older than the grace (the worker was stopped) is not
fired late: a light switched on two hours late, or a bell rung at the wrong time, is worse than
one missed. Occurrences before ``effective_from`` (creation, edit, reactivation) are never fired.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clocher.core.scheduling import _local_instant
from clocher.iot.calendars import CommuneCalendar, commune_calendar
from clocher.iot.models import Device, Schedule, ScheduleRun
from clocher.iot.models.control import CalendarCondition, ScheduleTarget, ScheduleTrigger
from clocher.iot.services.commands import (
    control_settings_for,
    schedule_command_create,
)
from clocher.tenancy.models import Commune

logger = logging.getLogger("clocher.iot.schedules")

LOCAL_ZONE = ZoneInfo("Europe/Paris")
FIRE_GRACE = timedelta(minutes=10)
HORIZON_DAYS = 400


def schedule_devices(schedule: Schedule) -> QuerySet[Device]:
    """The commune's devices a schedule targets."""
    devices = Device.objects.for_commune(schedule.commune).select_related("profile")
    if schedule.target == ScheduleTarget.DEVICE:
        return devices.filter(pk=schedule.device_id)
    if schedule.target == ScheduleTarget.SITE:
        return devices.filter(site=schedule.site)
    if schedule.target == ScheduleTarget.BUILDING:
        return devices.filter(building=schedule.building)
    return devices.filter(profile_id=schedule.profile_id)


def schedule_calendar(schedule: Schedule, *, school_zone: str | None = None) -> CommuneCalendar:
    commune = schedule.commune
    if school_zone is None:
        school_zone = control_settings_for(commune).school_zone
    positions: list[tuple[Any, Any]] = []
    if commune.latitude is None or commune.longitude is None:
        positions = list(schedule_devices(schedule).values_list("latitude", "longitude"))
    return commune_calendar(commune, school_zone=school_zone, device_positions=positions)


@dataclasses.dataclass(frozen=True)
class DayCheck:
    """Why a day has no occurrence (empty when it has one)."""

    skipped: str = ""


def day_matches(schedule: Schedule, calendar: CommuneCalendar, day: date) -> DayCheck:
    if day.isoweekday() not in (schedule.weekdays or []):
        return DayCheck(_("jour de la semaine non retenu"))
    if schedule.public_holidays != CalendarCondition.ANY:
        holiday = calendar.public_holiday(day) is not None
        if schedule.public_holidays == CalendarCondition.SKIP and holiday:
            return DayCheck(_("jour férié"))
        if schedule.public_holidays == CalendarCondition.ONLY and not holiday:
            return DayCheck(_("pas un jour férié"))
    if schedule.school_holidays != CalendarCondition.ANY:
        # An unknown school calendar counts as school days (see calendars).
        school_holiday = calendar.school_holiday(day) is True
        if schedule.school_holidays == CalendarCondition.SKIP and school_holiday:
            return DayCheck(_("vacances scolaires"))
        if schedule.school_holidays == CalendarCondition.ONLY and not school_holiday:
            return DayCheck(_("pas pendant les vacances scolaires"))
    return DayCheck()


def occurrence_on(schedule: Schedule, calendar: CommuneCalendar, day: date) -> datetime | None:
    """The schedule's instant on a Paris day (UTC), ignoring the day conditions."""
    if schedule.trigger == ScheduleTrigger.FIXED:
        if schedule.time_of_day is None:
            return None
        return _local_instant(day, schedule.time_of_day)
    moment = calendar.sun_event(day, schedule.trigger)
    if moment is None:
        return None
    return moment + timedelta(minutes=schedule.offset_minutes)


def occurrences_between(
    schedule: Schedule, calendar: CommuneCalendar, start: datetime, end: datetime
) -> Iterator[datetime]:
    """Occurrences in [start, end), in order."""
    day = start.astimezone(LOCAL_ZONE).date() - timedelta(days=1)
    last_day = end.astimezone(LOCAL_ZONE).date() + timedelta(days=1)
    while day <= last_day:
        if not day_matches(schedule, calendar, day).skipped:
            moment = occurrence_on(schedule, calendar, day)
            if moment is not None and start <= moment < end:
                yield moment
        day += timedelta(days=1)


def next_occurrences(
    schedule: Schedule,
    calendar: CommuneCalendar,
    *,
    after: datetime,
    count: int = 5,
) -> list[datetime]:
    """The next ``count`` occurrences after ``after`` (within about a year)."""
    found: list[datetime] = []
    day = after.astimezone(LOCAL_ZONE).date()
    for _index in range(HORIZON_DAYS):
        if not day_matches(schedule, calendar, day).skipped:
            moment = occurrence_on(schedule, calendar, day)
            if moment is not None and moment > after:
                found.append(moment)
                if len(found) >= count:
                    break
        day += timedelta(days=1)
    return found


@dataclasses.dataclass
class FireReport:
    occurrences: int = 0
    commands: int = 0


def schedule_fire(schedule: Schedule, occurrence_at: datetime, *, now: datetime) -> int | None:
    """Fire one occurrence (once): returns the commands created, None if already fired."""
    try:
        with transaction.atomic():
            run = ScheduleRun.objects.create(
                commune_id=schedule.commune_id,
                schedule=schedule,
                occurrence_at=occurrence_at,
                fired_at=now,
            )
            created = 0
            for device in schedule_devices(schedule):
                if schedule_command_create(
                    schedule=schedule, device=device, occurrence_at=occurrence_at, now=now
                ):
                    created += 1
            ScheduleRun.objects.filter(pk=run.pk).update(
                commands=created,
                detail="" if created else _("Aucun objet ciblé n'a cette commande."),
            )
    except IntegrityError:
        return None
    return created


def schedules_fire_due(*, now: datetime | None = None) -> FireReport:
    """Fire every active schedule's occurrences of the last ``FIRE_GRACE`` not fired yet."""
    now = now or timezone.now()
    report = FireReport()
    window_start = now - FIRE_GRACE
    schedules = list(
        Schedule.objects.filter(is_active=True, effective_from__lte=now)
        .select_related("commune")
        .order_by("commune_id", "pk")
    )
    fired = {
        (schedule_id, occurrence.astimezone(UTC))
        for schedule_id, occurrence in ScheduleRun.objects.filter(
            schedule__in=schedules, occurrence_at__gte=window_start
        ).values_list("schedule_id", "occurrence_at")
    }
    zones: dict[int, str] = {}
    for schedule in schedules:
        if schedule.commune_id not in zones:
            zones[schedule.commune_id] = control_settings_for(schedule.commune).school_zone
        calendar = schedule_calendar(schedule, school_zone=zones[schedule.commune_id])
        start = max(window_start, schedule.effective_from)
        for occurrence in occurrences_between(
            schedule, calendar, start, now + timedelta(seconds=1)
        ):
            if (schedule.pk, occurrence.astimezone(UTC)) in fired:
                continue
            created = schedule_fire(schedule, occurrence, now=now)
            if created is None:
                continue
            report.occurrences += 1
            report.commands += created
            logger.info(
                "iot-schedules: fired %s at %s (%s commands)",
                schedule.pk,
                occurrence.isoformat(),
                created,
            )
    return report


# --- Writing schedules -------------------------------------------------------------------------


SCHEDULE_FIELDS = (
    "name",
    "target",
    "device",
    "site",
    "building",
    "profile",
    "command_name",
    "parameters",
    "trigger",
    "time_of_day",
    "offset_minutes",
    "weekdays",
    "public_holidays",
    "school_holidays",
    "quiet_hours_override_reason",
)


def schedule_save(
    *, commune: Commune, actor: Any, schedule: Schedule | None, values: dict[str, Any]
) -> Schedule:
    """Create (``schedule`` None) or change a schedule; its occurrences count from now on."""
    now = timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        if schedule is None:
            schedule = Schedule(commune=commune, created_by=user, created_at=now)
        elif schedule.commune_id != commune.pk:
            raise ValueError("schedule of another commune")
        for field in SCHEDULE_FIELDS:
            setattr(schedule, field, values.get(field, getattr(schedule, field)))
        if schedule.trigger == ScheduleTrigger.FIXED:
            schedule.offset_minutes = 0
        else:
            schedule.time_of_day = None
        schedule.updated_by = user
        schedule.updated_at = now
        schedule.effective_from = now
        schedule.full_clean(exclude=["commune"])
        schedule.save()
    return schedule


def schedule_set_active(
    *, commune: Commune, actor: Any, schedule: Schedule, active: bool
) -> Schedule:
    """Deactivate (nothing fires any more) or reactivate (from now on) a schedule."""
    if schedule.commune_id != commune.pk:
        raise ValueError("schedule of another commune")
    now = timezone.now()
    Schedule.objects.filter(pk=schedule.pk).update(
        is_active=active,
        effective_from=now,
        updated_at=now,
        updated_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    schedule.refresh_from_db()
    return schedule


def time_label(moment: time) -> str:
    return moment.strftime("%H:%M")
