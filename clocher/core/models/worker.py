"""What the background worker leaves behind: its heartbeat and the runs of scheduled jobs."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """One row per worker process, refreshed every few seconds; /healthz reads it."""

    worker_id = models.CharField(max_length=100, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} (last seen {self.last_seen_at:%H:%M:%S})"


class ScheduledRun(models.Model):
    """A scheduled job's run for one time slot; the unique constraint stops two workers from
    enqueuing the same slot twice."""

    job_name = models.CharField(max_length=100)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(default=timezone.now)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job_name", "slot"], name="scheduled_run_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.job_name} @ {self.slot:%Y-%m-%d %H:%M}"
