"""The core's periodic jobs: keep the task table, the scheduler's log and the worker list small.

- ``prune_task_results`` (daily): finished task rows older than ``TASK_RESULTS_KEEP_DAYS``
  (default 14 days; failed ones ``TASK_FAILURES_KEEP_DAYS``, default 30, to leave time to look).
- ``worker_watchdog`` (every minute): a worker whose heartbeat stopped is dead (killed, machine
  lost). Its row is removed, and a task it was running is marked failed with ``WorkerLost``
  instead of staying "running" for ever. Tasks are not re-run automatically: a half-done task
  may have had side effects, so a person decides.
- ``prune_scheduled_runs`` (daily): the scheduler's record of past slots, after 30 days.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from clocher.core.scheduling import periodic

logger = logging.getLogger("clocher.worker")


class WorkerLost(Exception):
    """The worker running this task stopped sending heartbeats before the task finished."""


def dead_after() -> timedelta:
    """How long without a heartbeat before a worker is taken for dead."""
    return timedelta(seconds=max(60, settings.WORKER_HEARTBEAT_SECONDS * 6))


def _uses_database_backend() -> bool:
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


@periodic(name="core.prune_task_results", daily_at="04:10")
@task()
def prune_task_results() -> int:
    """Delete finished task results past their keeping time; returns how many went."""
    if not _uses_database_backend():
        return 0
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    keep_done = timedelta(days=getattr(settings, "TASK_RESULTS_KEEP_DAYS", 14))
    keep_failed = timedelta(days=getattr(settings, "TASK_FAILURES_KEEP_DAYS", 30))
    deleted, _ = DBTaskResult.objects.filter(
        Q(status=TaskResultStatus.SUCCESSFUL, finished_at__lte=now - keep_done)
        | Q(status=TaskResultStatus.FAILED, finished_at__lte=now - keep_failed)
    ).delete()
    if deleted:
        logger.info("Pruned %d finished task results", deleted)
    return deleted


@periodic(name="core.worker_watchdog", every=timedelta(minutes=1))
@task()
def worker_watchdog() -> dict[str, int]:
    """Remove dead workers' heartbeats and fail the tasks they left running."""
    from clocher.core.models import WorkerHeartbeat

    limit = timezone.now() - dead_after()
    dead = list(WorkerHeartbeat.objects.filter(last_seen_at__lt=limit))
    failed = 0
    if dead and _uses_database_backend():
        failed = _fail_tasks_of({beat.worker_id for beat in dead})
    for beat in dead:
        logger.warning(
            "Worker %s on %s (pid %s) stopped sending heartbeats at %s; removed",
            beat.worker_id,
            beat.hostname,
            beat.pid,
            beat.last_seen_at.isoformat(),
        )
    removed, _ = WorkerHeartbeat.objects.filter(
        pk__in=[beat.pk for beat in dead], last_seen_at__lt=limit
    ).delete()
    return {"removed_workers": removed, "failed_tasks": failed}


def _fail_tasks_of(worker_ids: set[str]) -> int:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    failed = 0
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        if not result.worker_ids or result.worker_ids[-1] not in worker_ids:
            continue
        with transaction.atomic():
            locked = DBTaskResult.objects.select_for_update().get(pk=result.pk)
            if locked.status != TaskResultStatus.RUNNING:
                continue
            locked.set_failed(WorkerLost(f"Worker {locked.worker_ids[-1]} was lost."))
        logger.warning(
            "Task %s (%s) marked failed: its worker was lost", result.pk, result.task_path
        )
        failed += 1
    return failed


@periodic(name="core.prune_scheduled_runs", daily_at="04:20")
@task()
def prune_scheduled_runs() -> int:
    """Forget scheduler slots older than 30 days; returns how many went."""
    from clocher.core.models import ScheduledRun

    deleted, _ = ScheduledRun.objects.filter(slot__lt=timezone.now() - timedelta(days=30)).delete()
    return deleted
