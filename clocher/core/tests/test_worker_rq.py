"""The Redis backend (CLOCHER_TASKS_BACKEND=rq): a task enqueued through django-tasks-rq runs in
an RQ worker. Needs CLOCHER_TEST_REDIS_URL (set by .ci/run when Redis answers)."""

import os

import pytest
from django_tasks import task
from django_tasks.base import TaskResultStatus

REDIS_URL = os.environ.get("CLOCHER_TEST_REDIS_URL", "")

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        not REDIS_URL, reason="CLOCHER_TEST_REDIS_URL is not set: no Redis to test against"
    ),
]


@task()
def multiply(left: int, right: int) -> int:
    return left * right


@pytest.fixture
def rq_backend(settings):
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    import django_rq

    queue = django_rq.get_queue("default")
    queue.empty()
    yield queue
    queue.empty()


def test_a_task_enqueued_on_redis_runs_in_an_rq_worker(rq_backend):
    """Enqueue through the RQ backend, run with a SimpleWorker in burst mode, read the result."""
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    result = multiply.enqueue(6, 7)
    assert result.status == TaskResultStatus.READY

    worker = django_rq.get_worker("default", job_class=Job, worker_class=SimpleWorker)  # type: ignore[arg-type]
    worker.work(burst=True)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 42


@pytest.mark.django_db(transaction=True)
def test_clocher_worker_runs_rq_tasks_when_the_backend_is_rq(rq_backend):
    """With CLOCHER_TASKS_BACKEND=rq, `clocher worker --batch` runs the Redis queue."""
    from clocher.core.testing.processes import child_environment, clocher_process

    result = multiply.enqueue(3, 5)
    worker = clocher_process(
        "worker",
        "--batch",
        env=child_environment(CLOCHER_TASKS_BACKEND="rq", CLOCHER_REDIS_URL=REDIS_URL),
    )
    _, errors = worker.communicate(timeout=60)

    assert worker.returncode == 0, errors
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL, (result.errors, errors)
    assert result.return_value == 15
