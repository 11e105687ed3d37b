"""What ``clocher worker`` runs: the task queue, and beside it a heartbeat and the scheduler.

The queue is django-tasks-db's worker (``db_worker``), reused as is except that each task runs
in an acting context, so its log lines carry ``request_id`` = the task id. In a thread of the same
process, ``BackgroundLoops``:

- writes the worker's ``WorkerHeartbeat`` every ``WORKER_HEARTBEAT_SECONDS`` (``/healthz`` reads
  it, the watchdog removes the rows of workers that stopped), and removes it on a clean stop;
- runs the scheduler (``clocher.core.scheduling.run_due_jobs``) every ``SCHEDULER_TICK_SECONDS``.

Several workers may run at once, on one machine or many, against the same database: tasks are
claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and each scheduled slot is enqueued once.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import threading
import time
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from clocher.core import context, scheduling

logger = logging.getLogger("clocher.worker")


def default_worker_id() -> str:
    """``host-pid-random``: unique across machines, readable in the operator console."""
    host = socket.gethostname().split(".")[0][:40]
    return f"{host}-{os.getpid()}-{secrets.token_hex(3)}"


def uses_database_backend() -> bool:
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


class ClocherWorker(Worker):
    """django-tasks-db's worker, running each task in its own logging/audit context."""

    def shutdown(self, signum: int, frame: Any) -> None:
        """First signal: finish the current step and leave the loop (at most ``interval`` later).

        django-tasks-db exits at once from the signal handler when no task runs, which can cut a
        database command in the middle (seen on PostgreSQL: the connection is then unusable and
        the heartbeat cannot be removed). A second signal still forces the exit.
        """
        if not self.running:
            super().shutdown(signum, frame)
            return
        logger.info("Received %s: stopping after the current step.", signal.strsignal(signum))
        self.running = False

    def run_task(self, db_task_result: Any) -> None:
        with context.acting_as(None) as acting:
            acting.request_id = f"task-{db_task_result.id}"
            super().run_task(db_task_result)


class BackgroundLoops:
    """The heartbeat and the scheduler, in one daemon thread."""

    def __init__(
        self,
        *,
        worker_id: str,
        scheduler: bool = True,
        heartbeat_seconds: float | None = None,
        tick_seconds: float | None = None,
    ) -> None:
        self.worker_id = worker_id
        self.scheduler = scheduler
        self.heartbeat_seconds = float(heartbeat_seconds or settings.WORKER_HEARTBEAT_SECONDS)
        default_tick: float = getattr(settings, "SCHEDULER_TICK_SECONDS", 5)
        self.tick_seconds = float(tick_seconds or default_tick)
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- one step of each, callable directly (tests, ``--once``) -------------------------------
    def beat(self) -> None:
        from clocher.core.models import WorkerHeartbeat

        now = timezone.now()
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"last_seen_at": now},
            create_defaults={
                "last_seen_at": now,
                "started_at": self.started_at,
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
            },
        )

    def tick(self) -> list[str]:
        return scheduling.run_due_jobs()

    def forget(self) -> None:
        from clocher.core.models import WorkerHeartbeat

        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()

    # --- the thread ---------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="clocher-heartbeat", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        try:
            self.forget()
        except Exception:
            logger.exception("Could not remove the heartbeat of worker %s", self.worker_id)
        finally:
            connection.close()

    def _run(self) -> None:
        next_beat = next_tick = time.monotonic()
        try:
            while not self._stop.is_set():
                close_old_connections()
                clock = time.monotonic()
                if clock >= next_beat:
                    self._guarded(self.beat, "heartbeat")
                    next_beat = clock + self.heartbeat_seconds
                if self.scheduler and clock >= next_tick:
                    self._guarded(self.tick, "scheduler")
                    next_tick = clock + self.tick_seconds
                wait = max(0.05, min(next_beat, next_tick if self.scheduler else next_beat) - clock)
                self._stop.wait(wait)
        finally:
            connection.close()

    def _guarded(self, step: Any, name: str) -> None:
        try:
            step()
        except Exception:
            # The database may be restarting: log, drop the connection, try again next time.
            logger.exception("Worker %s: %s failed", self.worker_id, name)
            connection.close()
