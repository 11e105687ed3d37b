"""Background work of remote control (run by ``clocher worker``).

Imported by ``IotConfig.ready()`` so that its periodic jobs are registered (the scheduler's
autodiscovery imports ``<app>.tasks`` only).
"""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from clocher.core.scheduling import periodic


@task()
def deliver_command(command_id: int) -> int:
    """Publish one command just asked for (retries are left to ``deliver_due_commands``)."""
    from clocher.iot.services.commands import commands_deliver

    return commands_deliver([command_id]).sent


@periodic(name="iot.fire_schedules", every=timedelta(minutes=1))
@task()
def fire_schedules() -> int:
    """Fire the schedules' occurrences now due, then publish their commands; returns how many
    commands were created."""
    from clocher.iot.services.commands import commands_deliver_due
    from clocher.iot.services.schedules import schedules_fire_due

    report = schedules_fire_due()
    commands_deliver_due()
    return report.commands


@periodic(name="iot.deliver_commands", every=timedelta(minutes=1))
@task()
def deliver_due_commands() -> int:
    """Publish the commands due: new ones not sent yet, and those to retry after a broker
    failure; returns how many were sent."""
    from clocher.iot.services.commands import commands_deliver_due

    return commands_deliver_due().sent
