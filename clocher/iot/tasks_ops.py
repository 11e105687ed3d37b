"""Periodic upkeep of Cité IoT's storage (run by ``clocher worker``).

- ``iot.partitions_ahead`` (daily): on PostgreSQL, the month partitions of uplinks and
  measurements for this month and the next two (``clocher.iot.partitions``).
- ``iot.raw_retention`` (daily): raw uplinks and rejected messages past
  ``IOT_RAW_RETENTION_DAYS`` (``services.retention``).

Imported by ``IotConfig.ready()`` (the scheduler's autodiscovery only imports ``tasks``).
"""

from __future__ import annotations

from django_tasks import task

from clocher.core.scheduling import periodic


@periodic(name="iot.partitions_ahead", daily_at="00:20")
@task()
def create_partitions_ahead() -> list[str]:
    """Create the coming month partitions; returns the names created (none on SQLite)."""
    from clocher.iot import partitions

    return partitions.partitions_create_ahead()


@periodic(name="iot.raw_retention", daily_at="03:20")
@task()
def purge_raw_uplinks() -> dict[str, object]:
    """Remove the raw uplinks and rejected messages past their retention; returns a summary."""
    from clocher.iot import partitions
    from clocher.iot.services import retention

    partitions.partitions_create_ahead()
    return retention.uplinks_purge().as_dict()
