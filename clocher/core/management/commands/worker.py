"""``clocher worker``: run background tasks, the heartbeat and the scheduler.

With the default database backend this is django-tasks-db's ``db_worker`` (same options:
``--queue-name``, ``--interval``, ``--batch``, ``--max-tasks``, ``--worker-id``…) plus, in a
thread, the heartbeat and the scheduler. With ``CLOCHER_TASKS_BACKEND=rq`` it runs an RQ worker
on Redis instead, with the same thread. Start it as many times as needed, on as many machines as
needed (see docs/operations.md). SIGINT or SIGTERM stops it cleanly: the running task finishes
(a second signal aborts it), the heartbeat row is removed.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django_tasks_db.management.commands import db_worker

from clocher.core import scheduling
from clocher.core.tasks.worker import (
    BackgroundLoops,
    ClocherWorker,
    default_worker_id,
    uses_database_backend,
)


class Command(db_worker.Command):
    help = "Run the background worker: task queue, heartbeat and scheduled jobs."

    def add_arguments(self, parser: ArgumentParser) -> None:
        if uses_database_backend():
            super().add_arguments(parser)
            parser.set_defaults(worker_id=default_worker_id(), reload=False)
        else:
            parser.add_argument(
                "--queue-name", default="default", help="RQ queues, comma-separated."
            )
            parser.add_argument("--worker-id", default=default_worker_id())
            parser.add_argument(
                "--batch", action="store_true", help="Run the queued tasks, then exit."
            )
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="scheduler",
            help="Do not enqueue scheduled jobs from this worker (others still may).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scheduling.autodiscover()
        loops = BackgroundLoops(worker_id=options["worker_id"], scheduler=options["scheduler"])
        loops.start()
        try:
            if uses_database_backend():
                self._run_database_worker(**options)
            else:
                self._run_rq_worker(**options)
        finally:
            loops.stop()

    def _run_database_worker(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        if options.get("reload"):
            raise CommandError("clocher worker does not reload; restart it after a code change.")
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ClocherWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            worker.reset_signals()

    def _run_rq_worker(
        self, *, queue_name: str, worker_id: str, batch: bool, **options: Any
    ) -> None:
        import django_rq
        from django_tasks_rq.backend import Job

        worker = django_rq.get_worker(*queue_name.split(","), job_class=Job, name=worker_id)
        worker.work(burst=batch, with_scheduler=True)
