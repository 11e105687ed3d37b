"""Running ``clocher`` commands as real processes against the test database (ops tests).

A test that starts ``clocher worker`` or ``clocher run`` in a subprocess needs the child to open
the *test* database (and the same key ring); such a test must use ``transaction=True`` so that the
child sees its rows.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection


def database_url() -> str:
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(params['NAME']).resolve()}"
    user = params.get("USER") or ""
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    host = params.get("HOST") or "127.0.0.1"
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{params['NAME']}"


def child_environment(**extra: str) -> dict[str, str]:
    """The environment of a child ``clocher`` process that uses the test database."""
    env = dict(os.environ)
    for name in ("CLOCHER_TEST_BACKEND", "PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST"):
        env.pop(name, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "clocher.config.settings",
            "DATABASE_URL": database_url(),
            "CLOCHER_DATA_DIR": str(settings.DATA_DIR),
            "CLOCHER_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "CLOCHER_KEK": settings.VAULT_KEK,
            "CLOCHER_SECRET_KEY": settings.SECRET_KEY,
            "CLOCHER_LOG_LEVEL": "INFO",
            "CLOCHER_TASKS_BACKEND": "database",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def clocher_process(*arguments: str, **popen: Any) -> subprocess.Popen[str]:
    popen.setdefault("stdout", subprocess.PIPE)
    popen.setdefault("stderr", subprocess.PIPE)
    popen.setdefault("env", child_environment())
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "clocher.config.cli", *arguments], text=True, **popen
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], Any], *, timeout: float = 60.0, step: float = 0.1) -> Any:
    """Poll ``condition`` until it returns something true; fail after ``timeout`` seconds (a
    bound for a slow machine running the suite on every core, not an expected time)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Condition not met within {timeout} s")
        time.sleep(step)
