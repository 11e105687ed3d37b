"""`clocher run`: serves the site and a worker, restarts a dead worker, stops both on Ctrl-C."""

import contextlib
import json
import os
import signal
import sqlite3
import urllib.request
from pathlib import Path

import pytest

from clocher.core.models import WorkerHeartbeat
from clocher.core.testing.processes import (
    child_environment,
    clocher_process,
    free_port,
    wait_until,
)


def _get_json(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return json.load(response)
    except OSError:
        return None


def _heartbeat_pids(database: Path) -> set[int]:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        table = WorkerHeartbeat._meta.db_table
        return {pid for (pid,) in connection.execute(f"SELECT pid FROM {table}")}  # noqa: S608


def test_run_serves_the_site_with_a_worker_restarts_it_and_stops_both(tmp_path):
    """The URL is printed, /healthz sees the worker, a killed worker is restarted with a log
    line, and SIGINT stops the server and the worker."""
    port = free_port()
    # A database of its own: the server's worker runs every periodic job at start, and must
    # neither wait on the test database's locks (live servers of the browser tests) nor touch
    # its rows.
    database = tmp_path / "run.sqlite3"
    environment = child_environment(DATABASE_URL=f"sqlite:///{database}")
    migrate = clocher_process("migrate", "--no-input", env=environment)
    _out, migrate_errors = migrate.communicate(timeout=120)
    assert migrate.returncode == 0, migrate_errors
    # Files, not pipes: the server and its worker log every task, and a pipe nobody reads while
    # the test waits would fill up and block them.
    out_path, err_path = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with out_path.open("w") as out_file, err_path.open("w") as err_file:
        server = clocher_process(
            "run",
            "--port",
            str(port),
            "--threads",
            "2",
            stdout=out_file,
            stderr=err_file,
            env=environment,
        )
        try:
            health = wait_until(
                lambda: (
                    (h := _get_json(f"http://127.0.0.1:{port}/healthz"))
                    and h["worker"]["status"] == "ok"
                    and h
                )
            )
            first_pid = wait_until(lambda: _heartbeat_pids(database)).pop()
            os.kill(first_pid, signal.SIGKILL)
            second_pid = wait_until(
                lambda: _heartbeat_pids(database) - {first_pid}, timeout=60
            ).pop()
            server.send_signal(signal.SIGINT)
            code = server.wait(120)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
            # Never leave a worker behind (it runs in a session of its own).
            for pid in _heartbeat_pids(database):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
    output, errors = out_path.read_text(), err_path.read_text()

    assert code == 0, errors
    assert f"http://127.0.0.1:{port}/" in output
    assert "@" not in output  # it does not print accounts (that is `clocher demo`)
    assert health["database"]["status"] == "ok"
    assert second_pid != first_pid
    assert f"Worker (pid {first_pid}) exited with code -9; restarting it" in errors
    with pytest.raises(ProcessLookupError):
        os.kill(second_pid, 0)


def test_run_refuses_a_port_in_use():
    """A port already taken gives a clear error, not a traceback."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = clocher_process("run", "--port", str(port), "--no-worker")
        _, errors = server.communicate(timeout=90)

    assert server.returncode == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in errors
    assert "Traceback" not in errors
