"""Reads of remote control, each scoped to one commune."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from clocher.iot.models import Command, CommandEvent, Device, Schedule, ScheduleRun
from clocher.iot.models.control import ScheduleTarget, SchoolHolidayPeriod
from clocher.tenancy.models import Commune


def commands_of_commune(commune: Commune) -> QuerySet[Command]:
    return Command.objects.for_commune(commune).select_related("device", "requested_by", "schedule")


def commands_of_device(commune: Commune, device: Device, limit: int = 30) -> list[Command]:
    return list(
        commands_of_commune(commune)
        .filter(device=device)
        .prefetch_related(
            Prefetch(
                "events", queryset=CommandEvent.objects.for_commune(commune).order_by("at", "pk")
            )
        )[:limit]
    )


def command_events(commune: Commune, command: Command) -> list[CommandEvent]:
    return list(
        CommandEvent.objects.for_commune(commune).filter(command=command).order_by("at", "pk")
    )


def schedules_of_commune(commune: Commune) -> QuerySet[Schedule]:
    return Schedule.objects.for_commune(commune).select_related("device", "profile", "commune")


def schedules_of_device(commune: Commune, device: Device) -> list[Schedule]:
    """The schedules that target this device, alone or in its group."""
    matches = Q(target=ScheduleTarget.DEVICE, device=device) | Q(
        target=ScheduleTarget.PROFILE, profile_id=device.profile_id
    )
    if device.site:
        matches |= Q(target=ScheduleTarget.SITE, site=device.site)
    if device.building:
        matches |= Q(target=ScheduleTarget.BUILDING, building=device.building)
    return list(schedules_of_commune(commune).filter(matches))


def runs_of_schedule(commune: Commune, schedule: Schedule, limit: int = 20) -> list[ScheduleRun]:
    return list(ScheduleRun.objects.for_commune(commune).filter(schedule=schedule)[:limit])


def school_periods(zone: str, limit: int = 40) -> list[SchoolHolidayPeriod]:
    """The national calendar of a zone (not commune data), latest first."""
    if not zone:
        return []
    return list(SchoolHolidayPeriod.objects.filter(zone=zone).order_by("-first_day")[:limit])
