"""`clocher worker` as a real process: it runs tasks, beats, schedules, and stops cleanly."""

import signal

import pytest
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from clocher.core.models import ScheduledRun, WorkerHeartbeat
from clocher.core.tasks.maintenance import prune_scheduled_runs
from clocher.core.testing.processes import clocher_process, wait_until


@pytest.mark.django_db(transaction=True)
def test_worker_process_runs_tasks_beats_and_stops_cleanly_on_sigterm():
    """The worker runs a queued task, keeps a heartbeat, enqueues the core scheduled jobs once,
    and on SIGTERM exits 0 and removes its heartbeat."""
    result = prune_scheduled_runs.enqueue()
    worker = clocher_process(
        "worker", "--no-startup-delay", "--interval", "0.2", "--worker-id", "proc-1"
    )
    try:
        wait_until(
            lambda: DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL
        )
        beat = wait_until(lambda: WorkerHeartbeat.objects.filter(worker_id="proc-1").first())
        wait_until(lambda: ScheduledRun.objects.filter(job_name="core.worker_watchdog").exists())
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(60)
    finally:
        if worker.poll() is None:
            worker.kill()
        _, errors = worker.communicate()

    assert code == 0, errors
    assert beat.pid == worker.pid
    assert not WorkerHeartbeat.objects.filter(worker_id="proc-1").exists()
    assert ScheduledRun.objects.filter(job_name="core.worker_watchdog").count() == 1
    assert '"logger": "django_tasks_db"' in errors  # JSON lines on stderr
