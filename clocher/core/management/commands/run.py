"""``clocher run``: serve the web application with waitress, and keep a worker running beside it.

This is the embedded, single-machine way to run Clocher (``make demo`` ends with it). The web
application is served by waitress (static files by WhiteNoise, from the apps' folders), and
``clocher worker`` runs as a child process, restarted if it dies. Ctrl-C (or SIGTERM) stops both:
the worker finishes the task it is running first.

A larger deployment runs the web process(es) with ``--no-worker`` behind a reverse proxy, and
workers separately (docs/operations.md).
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
from argparse import ArgumentParser
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

logger = logging.getLogger("clocher.run")


class WorkerSupervisor:
    """Runs ``clocher worker`` as a child process and restarts it when it exits."""

    def __init__(self, command: list[str], *, max_backoff: float = 30.0) -> None:
        self.command = command
        self.max_backoff = max_backoff
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        # Held while a worker is spawned and while stopping: a restart racing with stop() either
        # happens before (and the new worker is stopped) or not at all (no orphan left behind).
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._watch, name="clocher-worker-supervisor", daemon=True
        )

    def start(self) -> None:
        self._spawn()
        self._thread.start()

    def _spawn(self) -> None:
        # A session of its own: Ctrl-C in the terminal reaches only `clocher run`, which then
        # stops the worker with one SIGTERM (a second signal would abort the running task).
        self.process = subprocess.Popen(self.command, start_new_session=True)  # noqa: S603
        logger.info("Worker started (pid %s)", self.process.pid)

    def _watch(self) -> None:
        backoff = 1.0
        started = time.monotonic()
        while not self._stopping.is_set():
            assert self.process is not None
            code = self.process.poll()
            if code is None:
                self._stopping.wait(0.5)
                continue
            if self._stopping.is_set():
                return
            if time.monotonic() - started > 60:
                backoff = 1.0
            logger.warning(
                "Worker (pid %s) exited with code %s; restarting it in %.0f s",
                self.process.pid,
                code,
                backoff,
            )
            if self._stopping.wait(backoff):
                return
            backoff = min(backoff * 2, self.max_backoff)
            started = time.monotonic()
            with self._lock:
                if self._stopping.is_set():
                    return
                self._spawn()

    def stop(self, timeout: float = 20.0) -> None:
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            logger.warning(
                "Worker (pid %s) did not stop in %.0f s; killing it", process.pid, timeout
            )
            process.kill()
            process.wait()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    # waitress stops cleanly on KeyboardInterrupt (it ends its threads): treat SIGTERM the same.
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Serve Clocher with waitress and run the background worker beside it."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port (default 8000).")
        parser.add_argument("--threads", type=int, default=8, help="Web threads (default 8).")
        parser.add_argument(
            "--no-worker",
            action="store_false",
            dest="worker",
            help="Do not start a background worker (run `clocher worker` elsewhere).",
        )

    def handle(
        self, *args: Any, host: str, port: int, threads: int, worker: bool, **options: Any
    ) -> None:
        from django.core.wsgi import get_wsgi_application
        from waitress import create_server  # type: ignore[import-untyped]

        self.check(display_num_errors=False)
        # WhiteNoise serves the apps' static folders directly (WHITENOISE_USE_FINDERS); an empty
        # STATIC_ROOT is enough when `collectstatic` has not been run.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        application = get_wsgi_application()
        try:
            server = create_server(
                application, host=host, port=port, threads=threads, ident="Clocher"
            )
        except OSError as error:
            raise CommandError(f"Cannot listen on {host}:{port}: {error.strerror}.") from error

        supervisor = None
        if worker:
            supervisor = WorkerSupervisor([sys.executable, "-m", "clocher.config.cli", "worker"])
            supervisor.start()
        shown_host = f"[{host}]" if ":" in host else host
        self.stdout.write(
            f"Clocher is serving http://{shown_host}:{port}/"
            + (" with a background worker" if worker else " (no worker)")
            + ". Press Ctrl-C to stop."
        )
        self.stdout.flush()
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            server.close()
            if supervisor is not None:
                supervisor.stop()
        self.stdout.write("Stopped.")
