"""The scheduler's registry and slots: each periodic job is enqueued once per slot."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from clocher.core import scheduling
from clocher.core.models import ScheduledRun


@task()
def ping() -> str:
    return "pong"


@pytest.fixture
def every_ten_minutes():
    scheduling.periodic(name="test.ping", every=timedelta(minutes=10))(ping)
    yield scheduling._registry["test.ping"]
    scheduling.unregister("test.ping")


def test_every_slot_is_aligned_on_the_epoch():
    """An `every` job's slot is the start of the fixed step that contains now."""
    job = scheduling.PeriodicJob(name="x", task=ping, every=timedelta(minutes=10))

    assert job.slot(datetime(2026, 5, 4, 10, 27, 13, tzinfo=UTC)) == datetime(
        2026, 5, 4, 10, 20, tzinfo=UTC
    )


def test_daily_slot_uses_the_paris_wall_clock():
    """A daily job at 04:10 runs at 04:10 Paris time, summer (UTC+2) and winter (UTC+1)."""
    job = scheduling.PeriodicJob(name="x", task=ping, daily_at=time(4, 10))

    assert job.slot(datetime(2026, 7, 1, 3, 0, tzinfo=UTC)) == datetime(
        2026, 7, 1, 2, 10, tzinfo=UTC
    )
    assert job.slot(datetime(2026, 1, 15, 3, 0, tzinfo=UTC)) == datetime(
        2026, 1, 14, 3, 10, tzinfo=UTC
    )
    assert job.slot(datetime(2026, 1, 15, 3, 10, tzinfo=UTC)) == datetime(
        2026, 1, 15, 3, 10, tzinfo=UTC
    )


def test_daily_slot_in_the_spring_forward_gap_moves_forward():
    """02:30 does not exist on 29 March 2026 in Paris: the job runs at 03:30 (01:30 UTC)."""
    job = scheduling.PeriodicJob(name="x", task=ping, daily_at=time(2, 30))

    assert job.slot(datetime(2026, 3, 29, 12, 0, tzinfo=UTC)) == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )


def test_periodic_needs_exactly_one_schedule():
    """Declaring neither or both of every= and daily_at= is refused."""
    with pytest.raises(ValueError, match="exactly one"):
        scheduling.periodic(name="test.bad")
    with pytest.raises(ValueError, match="exactly one"):
        scheduling.periodic(name="test.bad", every=timedelta(hours=1), daily_at="03:00")


def test_periodic_goes_on_a_task():
    """@periodic on a plain function (not a task) is refused."""
    with pytest.raises(TypeError, match="above @task"):
        scheduling.periodic(name="test.bad", every=timedelta(hours=1))(lambda: None)  # type: ignore[arg-type]


def test_core_jobs_are_registered():
    """The core ships its maintenance jobs, found by autodiscovery."""
    scheduling.autodiscover()

    names = {job.name for job in scheduling.jobs()}

    assert {"core.prune_task_results", "core.worker_watchdog", "core.prune_scheduled_runs"} <= names


def test_a_due_job_is_enqueued_once_per_slot(db, every_ten_minutes):
    """Two scheduler ticks in the same slot enqueue the job once; the next slot enqueues again."""
    now = datetime(2026, 5, 4, 10, 21, tzinfo=UTC)

    first = scheduling.run_due_jobs(now)
    second = scheduling.run_due_jobs(now + timedelta(minutes=5))
    third = scheduling.run_due_jobs(now + timedelta(minutes=10))

    assert "test.ping" in first
    assert "test.ping" not in second
    assert "test.ping" in third
    runs = ScheduledRun.objects.filter(job_name="test.ping").order_by("slot")
    assert [run.slot for run in runs] == [
        datetime(2026, 5, 4, 10, 20, tzinfo=UTC),
        datetime(2026, 5, 4, 10, 30, tzinfo=UTC),
    ]
    assert DBTaskResult.objects.filter(task_path=ping.module_path).count() == 2
    assert str(DBTaskResult.objects.get(pk=runs[0].task_result_id).pk) == runs[0].task_result_id


def test_a_slot_taken_by_another_worker_is_not_enqueued_again(db, every_ten_minutes):
    """When another worker already recorded the slot, this one enqueues nothing for it."""
    now = datetime(2026, 5, 4, 10, 21, tzinfo=UTC)
    ScheduledRun.objects.create(job_name="test.ping", slot=datetime(2026, 5, 4, 10, 20, tzinfo=UTC))

    enqueued = scheduling.run_due_jobs(now)

    assert "test.ping" not in enqueued
    assert DBTaskResult.objects.filter(task_path=ping.module_path).count() == 0


def test_losing_the_race_for_a_slot_enqueues_nothing(db, every_ten_minutes, monkeypatch):
    """If another worker records the slot between our check and our insert, the unique
    constraint makes this worker back off without enqueuing."""
    ScheduledRun.objects.create(job_name="test.ping", slot=datetime(2026, 5, 4, 10, 20, tzinfo=UTC))
    monkeypatch.setattr(scheduling, "_recorded_slots", lambda pairs: set())

    enqueued = scheduling.run_due_jobs(datetime(2026, 5, 4, 10, 21, tzinfo=UTC))

    assert "test.ping" not in enqueued
    assert ScheduledRun.objects.filter(job_name="test.ping").count() == 1
    assert DBTaskResult.objects.filter(task_path=ping.module_path).count() == 0
