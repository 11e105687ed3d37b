"""`clocher run`: serves the site and a worker, restarts a dead worker, stops both on Ctrl-C."""

import contextlib
import json
import os
import signal
import urllib.request

import pytest

from clocher.core.models import WorkerHeartbeat
from clocher.core.testing.processes import clocher_process, free_port, wait_until


def _get_json(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return json.load(response)
    except OSError:
        return None


def _worker_pids():
    return set(WorkerHeartbeat.objects.values_list("pid", flat=True))


@pytest.mark.django_db(transaction=True)
def test_run_serves_the_site_with_a_worker_restarts_it_and_stops_both(tmp_path):
    """The URL is printed, /healthz sees the worker, a killed worker is restarted with a log
    line, and SIGINT stops the server and the worker."""
    port = free_port()
    # Files, not pipes: the server and its worker log every task, and a pipe nobody reads while
    # the test waits would fill up and block them.
    out_path, err_path = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with out_path.open("w") as out_file, err_path.open("w") as err_file:
        server = clocher_process(
            "run", "--port", str(port), "--threads", "2", stdout=out_file, stderr=err_file
        )
        try:
            health = wait_until(
                lambda: (
                    (h := _get_json(f"http://127.0.0.1:{port}/healthz"))
                    and h["worker"]["status"] == "ok"
                    and h
                )
            )
            first_pid = wait_until(_worker_pids).pop()
            os.kill(first_pid, signal.SIGKILL)
            second_pid = wait_until(lambda: _worker_pids() - {first_pid}, timeout=30).pop()
            server.send_signal(signal.SIGINT)
            code = server.wait(60)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
            # A worker left behind (its own session) would go on running periodic jobs on the
            # test database while later tests run: never leave one.
            for pid in _worker_pids():
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
        _, errors = server.communicate(timeout=30)

    assert server.returncode == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in errors
    assert "Traceback" not in errors
