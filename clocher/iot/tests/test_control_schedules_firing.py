"""The periodic task fires each due occurrence once, for every targeted device, within its grace;
a bell schedule is refused in quiet hours unless it carries an override reason."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from clocher.core import scheduling
from clocher.iot.models import Command, CommandEvent, ScheduleRun
from clocher.iot.models.control import CommandState
from clocher.iot.services.schedules import schedule_fire, schedules_fire_due
from clocher.iot.tests.factories_control import (
    bell_profile,
    chirpstack_device,
    fixed_schedule,
    lighting_profile,
    thermostat_profile,
)

pytestmark = pytest.mark.django_db

# Monday 3 June 2024, 18:00 in Paris is 16:00 UTC.
OCCURRENCE = datetime(2024, 6, 3, 16, 0, tzinfo=UTC)
BEFORE = datetime(2024, 6, 1, tzinfo=UTC)


@pytest.fixture
def lamp(commune_a):
    return chirpstack_device(commune_a, lighting_profile(commune_a.operator), "70B3D57ED0000010")


def test_the_periodic_jobs_are_registered():
    """The worker's scheduler knows both jobs, every minute."""
    jobs = {job.name: job for job in scheduling.jobs()}
    assert jobs["iot.fire_schedules"].every == timedelta(minutes=1)
    assert jobs["iot.deliver_commands"].every == timedelta(minutes=1)


def test_an_occurrence_fires_once(commune_a, lamp):
    """Ticks at 18:00:30 and 18:01:30 create one command; the run is recorded once."""
    schedule = fixed_schedule(commune_a, lamp, effective_from=BEFORE)
    first = schedules_fire_due(now=OCCURRENCE + timedelta(seconds=30))
    second = schedules_fire_due(now=OCCURRENCE + timedelta(seconds=90))
    assert (first.occurrences, first.commands) == (1, 1)
    assert (second.occurrences, second.commands) == (0, 0)
    command = Command.objects.get()
    assert (command.schedule, command.occurrence_at, command.state) == (
        schedule,
        OCCURRENCE,
        CommandState.QUEUED,
    )
    assert command.requested_by is None and command.origin == "schedule"
    assert command.topic.endswith("/device/70b3d57ed0000010/command/down")
    assert command.body is not None and command.body["data"] == "AQ=="
    assert ScheduleRun.objects.get().commands == 1


def test_a_second_worker_loses_the_race(commune_a, lamp):
    """Firing an occurrence already recorded creates nothing (the unique key wins)."""
    schedule = fixed_schedule(commune_a, lamp, effective_from=BEFORE)
    assert schedule_fire(schedule, OCCURRENCE, now=OCCURRENCE) == 1
    assert schedule_fire(schedule, OCCURRENCE, now=OCCURRENCE) is None
    assert Command.objects.count() == 1


def test_nothing_before_the_time_nor_after_the_grace(commune_a, lamp):
    """At 17:59 nothing is due; at 18:11 the occurrence is too old to fire late."""
    fixed_schedule(commune_a, lamp, effective_from=BEFORE)
    assert schedules_fire_due(now=OCCURRENCE - timedelta(minutes=1)).occurrences == 0
    assert schedules_fire_due(now=OCCURRENCE + timedelta(minutes=11)).occurrences == 0
    assert Command.objects.count() == 0


def test_occurrences_before_creation_or_when_inactive_do_not_fire(commune_a, lamp):
    """A schedule created at 18:05 does not fire 18:00's occurrence; an inactive one never."""
    fixed_schedule(commune_a, lamp, effective_from=OCCURRENCE + timedelta(minutes=5))
    fixed_schedule(commune_a, lamp, name="Inactive", is_active=False, effective_from=BEFORE)
    assert schedules_fire_due(now=OCCURRENCE + timedelta(minutes=6)).occurrences == 0


def test_a_building_schedule_commands_each_device_with_that_command(commune_a, operator):
    """A group targets the building's devices whose profile has the command (the thermostat of
    the same building is left alone)."""
    lighting = lighting_profile(operator)
    first = chirpstack_device(commune_a, lighting, "70B3D57ED0000011", building="École")
    second = chirpstack_device(commune_a, lighting, "70B3D57ED0000012", building="École")
    chirpstack_device(commune_a, thermostat_profile(operator), "70B3D57ED0000013", building="École")
    chirpstack_device(commune_a, lighting, "70B3D57ED0000014", building="Mairie")
    fixed_schedule(
        commune_a,
        None,
        target="building",
        building="École",
        command="dim",
        parameters={"level": 40},
        effective_from=BEFORE,
    )
    report = schedules_fire_due(now=OCCURRENCE)
    assert report.commands == 2
    assert set(Command.objects.values_list("device", flat=True)) == {first.pk, second.pk}
    assert {c.body["data"] for c in Command.objects.all()} == {"Aig="}


def test_a_bell_schedule_in_quiet_hours_is_refused_and_journaled(commune_a, operator):
    """Bells at 23:00 are refused (journaled with the reason); with an override reason they go."""
    bells = chirpstack_device(commune_a, bell_profile(operator), "70B3D57ED0000020")
    night = datetime(2024, 6, 3, 21, 0, tzinfo=UTC)  # 23:00 in Paris
    fixed_schedule(commune_a, bells, command="ring", time_of_day=time(23, 0), effective_from=BEFORE)
    schedules_fire_due(now=night)
    refused = Command.objects.get()
    assert refused.state == CommandState.REFUSED
    assert "Heures de silence" in refused.error
    assert CommandEvent.objects.get(command=refused).state == CommandState.REFUSED
    fixed_schedule(
        commune_a,
        bells,
        name="Tocsin d'exercice",
        command="ring",
        time_of_day=time(23, 0),
        quiet_hours_override_reason="Exercice de tocsin annoncé par arrêté",
        effective_from=BEFORE,
    )
    schedules_fire_due(now=night + timedelta(seconds=20))
    allowed = Command.objects.get(schedule__name="Tocsin d'exercice")
    assert allowed.state == CommandState.QUEUED
    assert allowed.quiet_hours_override is True
    assert allowed.override_reason == "Exercice de tocsin annoncé par arrêté"


def test_the_device_rate_limit_applies_to_schedules(commune_a, lamp, settings):
    """Four schedules at the same minute on one lamp with a limit of 3: the fourth is refused."""
    settings.IOT_COMMANDS_PER_DEVICE_PER_MINUTE = 3
    for index in range(4):
        fixed_schedule(commune_a, lamp, name=f"S{index}", effective_from=BEFORE)
    schedules_fire_due(now=OCCURRENCE)
    states = sorted(Command.objects.values_list("state", flat=True))
    assert states == ["queued", "queued", "queued", "refused"]


def test_a_device_without_address_is_refused_with_the_reason(commune_a, operator):
    """A lamp never heard from (application unknown): the command is refused and says why."""
    from clocher.iot.models import Device

    lamp = Device.objects.create(
        commune=commune_a,
        dev_eui="70B3D57ED0000030",
        name="Lampe",
        profile=lighting_profile(operator),
    )
    fixed_schedule(commune_a, lamp, effective_from=BEFORE)
    schedules_fire_due(now=OCCURRENCE)
    command = Command.objects.get()
    assert command.state == CommandState.REFUSED
    assert "adresse de cet objet" in command.error
