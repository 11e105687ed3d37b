"""The core's periodic jobs: pruning old task results and scheduler slots, the worker watchdog."""

from datetime import timedelta

from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from clocher.core.models import ScheduledRun, WorkerHeartbeat
from clocher.core.tasks import maintenance


def _result(status, *, finished_days_ago=None, worker_ids=()):
    now = timezone.now()
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="clocher.core.tasks.maintenance.prune_scheduled_runs",
        backend_name="default",
        run_after=now,
        finished_at=now - timedelta(days=finished_days_ago)
        if finished_days_ago is not None
        else None,
        worker_ids=list(worker_ids),
    )


def test_prune_task_results_removes_only_old_finished_rows(db, settings):
    """Successes older than 14 days and failures older than 30 go; the rest stays."""
    old_success = _result(TaskResultStatus.SUCCESSFUL, finished_days_ago=15)
    recent_success = _result(TaskResultStatus.SUCCESSFUL, finished_days_ago=2)
    failure_20_days = _result(TaskResultStatus.FAILED, finished_days_ago=20)
    old_failure = _result(TaskResultStatus.FAILED, finished_days_ago=31)
    waiting = _result(TaskResultStatus.READY)

    deleted = maintenance.prune_task_results.call()

    assert deleted == 2
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {
        recent_success.pk,
        failure_20_days.pk,
        waiting.pk,
    }
    assert not DBTaskResult.objects.filter(pk__in=[old_success.pk, old_failure.pk]).exists()


def test_watchdog_removes_dead_workers_and_fails_their_running_tasks(db, settings):
    """A worker silent for longer than the limit is removed, and the task it was running
    is marked failed; a live worker and its task are left alone."""
    settings.WORKER_HEARTBEAT_SECONDS = 10
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="dead", hostname="a", pid=1, last_seen_at=now - timedelta(minutes=5)
    )
    WorkerHeartbeat.objects.create(worker_id="alive", hostname="b", pid=2, last_seen_at=now)
    orphan = _result(TaskResultStatus.RUNNING, worker_ids=["dead"])
    running = _result(TaskResultStatus.RUNNING, worker_ids=["dead", "alive"])

    outcome = maintenance.worker_watchdog.call()

    assert outcome == {"removed_workers": 1, "failed_tasks": 1}
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]
    orphan.refresh_from_db()
    running.refresh_from_db()
    assert orphan.status == TaskResultStatus.FAILED
    assert orphan.exception_class_path == "clocher.core.tasks.maintenance.WorkerLost"
    assert running.status == TaskResultStatus.RUNNING


def test_watchdog_leaves_a_recent_heartbeat(db, settings):
    """A worker seen 30 seconds ago (heartbeat every 10 s, dead after 60 s) is kept."""
    settings.WORKER_HEARTBEAT_SECONDS = 10
    WorkerHeartbeat.objects.create(
        worker_id="slow", hostname="a", pid=1, last_seen_at=timezone.now() - timedelta(seconds=30)
    )

    outcome = maintenance.worker_watchdog.call()

    assert outcome == {"removed_workers": 0, "failed_tasks": 0}
    assert WorkerHeartbeat.objects.filter(worker_id="slow").exists()


def test_prune_scheduled_runs_forgets_slots_older_than_30_days(db):
    """Scheduler records older than 30 days go, recent ones stay."""
    now = timezone.now()
    ScheduledRun.objects.create(job_name="a", slot=now - timedelta(days=31))
    recent = ScheduledRun.objects.create(job_name="a", slot=now - timedelta(days=1))

    deleted = maintenance.prune_scheduled_runs.call()

    assert deleted == 1
    assert list(ScheduledRun.objects.values_list("pk", flat=True)) == [recent.pk]
