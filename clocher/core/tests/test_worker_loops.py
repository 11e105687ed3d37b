"""`clocher worker`: the heartbeat, and running the queue (batch mode, in this process)."""

import logging

import pytest
from django.core.management import call_command
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from clocher.core.models import WorkerHeartbeat
from clocher.core.tasks.worker import BackgroundLoops

logger = logging.getLogger("clocher.tests.worker")


@task()
def add(left: int, right: int) -> int:
    logger.warning("adding %s and %s", left, right)
    return left + right


def test_a_heartbeat_creates_then_refreshes_one_row(db):
    """Each beat refreshes the worker's single row; forgetting removes it."""
    loops = BackgroundLoops(worker_id="w-1", scheduler=False)

    loops.beat()
    first = WorkerHeartbeat.objects.get(worker_id="w-1")
    loops.beat()
    second = WorkerHeartbeat.objects.get(worker_id="w-1")
    loops.forget()

    assert WorkerHeartbeat.objects.filter(worker_id="w-1").count() == 0
    assert second.pk == first.pk
    assert second.last_seen_at >= first.last_seen_at
    assert second.started_at == first.started_at == loops.started_at


@pytest.mark.django_db(transaction=True)
def test_worker_in_batch_mode_runs_queued_tasks_and_leaves_no_heartbeat():
    """`clocher worker --batch` runs what is queued, then stops and removes its heartbeat."""
    result = add.enqueue(2, 3)

    call_command(
        "worker", "--batch", "--no-startup-delay", "--no-scheduler", "--worker-id", "w-batch"
    )

    stored = DBTaskResult.objects.get(pk=result.id)
    assert stored.status == TaskResultStatus.SUCCESSFUL
    assert stored.return_value == 5
    assert stored.worker_ids == ["w-batch"]
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_task_logs_with_its_task_id_as_request_id():
    """A log line written by a task carries request_id = task-<id> (structured logs)."""
    from clocher.core.context import ContextFilter

    records = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Collect()
    handler.addFilter(ContextFilter())
    logger.addHandler(handler)
    try:
        result = add.enqueue(1, 1)
        call_command("worker", "--batch", "--no-startup-delay", "--no-scheduler")
    finally:
        logger.removeHandler(handler)

    assert [record.getMessage() for record in records] == ["adding 1 and 1"]
    assert records[0].request_id == f"task-{result.id}"
