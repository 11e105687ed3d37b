"""Periodic jobs: a registry that modules fill, and the scheduler that enqueues due jobs.

A module declares a periodic job in its ``tasks.py`` by putting ``@periodic`` on a task::

    from datetime import timedelta
    from django_tasks import task
    from clocher.core.scheduling import periodic

    @periodic(name="demarches.anonymise_expired", daily_at="02:30")   # Europe/Paris wall clock
    @task()
    def anonymise_expired() -> int: ...

    @periodic(name="iot.watch_silent_devices", every=timedelta(minutes=15))
    @task()
    def watch_silent_devices() -> int: ...

Time is cut into *slots*: for ``every``, fixed steps counted from the Unix epoch (so every worker
computes the same slots); for ``daily_at``, one slot per day at that local time (a time that does
not exist on the day clocks go forward runs at the next valid instant). ``run_due_jobs`` enqueues
a job once for the current slot: it records the slot in ``ScheduledRun`` first, whose unique
constraint lets exactly one worker win when several run the scheduler at once. A slot missed
while no worker ran (the machine was off at 02:30) is caught up when a worker starts, once; older
slots are not replayed, so jobs must do "everything that is due", not "what is new since last
run".

The worker (``clocher worker``) calls ``run_due_jobs`` every few seconds; ``autodiscover`` imports
``<app>.tasks`` of every installed app so their declarations are registered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks.base import Task

logger = logging.getLogger("clocher.scheduler")

LOCAL_ZONE = ZoneInfo("Europe/Paris")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Task[Any, Any]
    every: timedelta | None = None
    daily_at: time | None = None

    def slot(self, now: datetime) -> datetime:
        """The start of the slot that ``now`` falls in (an aware UTC datetime)."""
        now = now.astimezone(UTC)
        if self.every is not None:
            step = int(self.every.total_seconds())
            elapsed = int((now - _EPOCH).total_seconds())
            return _EPOCH + timedelta(seconds=elapsed - elapsed % step)
        assert self.daily_at is not None
        local_now = now.astimezone(LOCAL_ZONE)
        today = _local_instant(local_now.date(), self.daily_at)
        if today <= now:
            return today
        return _local_instant(local_now.date() - timedelta(days=1), self.daily_at)

    def describe(self) -> str:
        if self.every is not None:
            return f"every {self.every}"
        assert self.daily_at is not None
        return f"daily at {self.daily_at:%H:%M} Europe/Paris"


def _local_instant(day: Any, at: time) -> datetime:
    """``day`` at ``at`` on the Paris wall clock, as UTC; a skipped time moves forward."""
    naive = datetime.combine(day, at)
    local = naive.replace(tzinfo=LOCAL_ZONE)
    # Round-trip through UTC: a wall time inside the spring-forward gap comes back shifted.
    as_utc = local.astimezone(UTC)
    if as_utc.astimezone(LOCAL_ZONE).replace(tzinfo=None) != naive:
        as_utc = (naive + timedelta(hours=1)).replace(tzinfo=LOCAL_ZONE).astimezone(UTC)
    return as_utc


_registry: dict[str, PeriodicJob] = {}


def periodic(
    *, name: str, every: timedelta | None = None, daily_at: str | time | None = None
) -> Callable[[Task[Any, Any]], Task[Any, Any]]:
    """Declare a task as periodic. Give exactly one of ``every`` or ``daily_at`` ("HH:MM")."""
    if (every is None) == (daily_at is None):
        raise ValueError(f"Periodic job {name!r}: give exactly one of every= or daily_at=.")
    if every is not None and every < timedelta(seconds=1):
        raise ValueError(f"Periodic job {name!r}: every= must be at least one second.")
    at = time.fromisoformat(daily_at) if isinstance(daily_at, str) else daily_at

    def register(declared: Task[Any, Any]) -> Task[Any, Any]:
        if not isinstance(declared, Task):
            raise TypeError(f"@periodic({name!r}) goes above @task(), on a task.")
        job = PeriodicJob(name=name, task=declared, every=every, daily_at=at)
        existing = _registry.get(name)
        if existing is not None and existing.task.module_path != declared.module_path:
            raise ValueError(f"Periodic job name {name!r} is already used by {existing.task}.")
        _registry[name] = job
        return declared

    return register


def jobs() -> list[PeriodicJob]:
    return sorted(_registry.values(), key=lambda job: job.name)


def unregister(name: str) -> None:
    """Remove a job (for tests)."""
    _registry.pop(name, None)


def autodiscover() -> None:
    """Import every installed app's ``tasks`` module, so its periodic jobs are registered."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")


def _recorded_slots(pairs: list[tuple[str, datetime]]) -> set[tuple[str, datetime]]:
    """Which of these (job, slot) pairs are already recorded — one query for all jobs."""
    from clocher.core.models import ScheduledRun

    if not pairs:
        return set()
    rows = ScheduledRun.objects.filter(
        job_name__in={name for name, _ in pairs}, slot__in={slot for _, slot in pairs}
    ).values_list("job_name", "slot")
    return {(name, slot.astimezone(UTC)) for name, slot in rows}


def run_due_jobs(now: datetime | None = None) -> list[str]:
    """Enqueue each job whose current slot has not been enqueued yet; returns their names."""
    from clocher.core.models import ScheduledRun

    now = now or timezone.now()
    due = [(job, job.slot(now)) for job in jobs()]
    recorded = _recorded_slots([(job.name, slot) for job, slot in due])
    enqueued = []
    for job, slot in due:
        if (job.name, slot) in recorded:
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job_name=job.name, slot=slot, enqueued_at=now)
                result = job.task.enqueue()
                run.task_result_id = str(result.id)[:64]
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            # Another worker took this slot between our check and our insert.
            continue
        logger.info(
            "Enqueued scheduled job %s for slot %s",
            job.name,
            slot.isoformat(),
            extra={"job": job.name, "task_result_id": run.task_result_id},
        )
        enqueued.append(job.name)
    return enqueued
