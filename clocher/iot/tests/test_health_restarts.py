"""Faults of the stream: the database restarting mid-stream (a real connection failure) and the
broker restarting (a private Mosquitto stopped and started again). Nothing acknowledged is lost,
nothing is stored twice."""

from __future__ import annotations

import contextlib
import getpass
import json
import socket
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from django.db import connection, connections
from paho.mqtt.enums import CallbackAPIVersion

from clocher.iot.bench import mosquitto_path
from clocher.iot.models import Uplink
from clocher.iot.mqtt import BrokerAddress, IngestWorker, handle_message
from clocher.iot.services import ingestion
from clocher.iot.tests import factories

MOSQUITTO = mosquitto_path()


def _topic(application: str = "app-1") -> str:
    return f"application/{application}/device/{factories.ELSYS_DEV_EUI.lower()}/event/up"


def _body(time_: str, application: str = "app-1") -> bytes:
    message = factories.fixture_json("chirpstack_up_decoded.json")
    message["deviceInfo"]["applicationId"] = application
    message["time"] = time_
    message["deduplicationId"] = f"{application}-{time_}"
    return json.dumps(message).encode()


def _wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


# --- The database restarts mid-stream -------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL pass")
@pytest.mark.django_db(transaction=True)
def test_postgres_backend_terminated_mid_ingestion_is_retried_and_stored_once(
    operator, commune_a, monkeypatch
):
    """The server ends the worker's connection (pg_terminate_backend from another session) in
    the middle of an uplink's transaction: not acknowledged, nothing stored; on the next
    delivery on a new connection it is stored once, and a redelivery is a duplicate."""
    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    real_store = ingestion.store_batch
    terminated: list[int] = []

    def store_then_lose_the_server(items: Any) -> list[int]:
        if not terminated:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            other = connections.create_connection("default")
            try:
                with other.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            finally:
                other.close()
            terminated.append(pid)
        return real_store(items)

    monkeypatch.setattr(ingestion, "store_batch", store_then_lose_the_server)
    body = _body("2026-03-05T08:15:00Z")
    handled = handle_message(integration=integration, topic=_topic(), payload=body)
    assert (handled.outcome, handled.acknowledge, handled.database_error) == (
        "failed",
        False,
        True,
    )
    # What the worker does before coming back: drop the dead connection.
    connections["default"].close()
    assert Uplink.objects.count() == 0
    again = handle_message(integration=integration, topic=_topic(), payload=body)
    assert (again.outcome, again.acknowledge, again.detail) == ("stored", True, "stored")
    redelivered = handle_message(integration=integration, topic=_topic(), payload=body)
    assert (redelivered.outcome, redelivered.acknowledge) == ("duplicate", True)
    assert len(terminated) == 1
    assert Uplink.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite variant of the restart")
@pytest.mark.django_db(transaction=True)
def test_sqlite_database_locked_mid_stream_is_retried_and_stored_once(operator, commune_a):
    """Another process holds the SQLite write lock: the uplink's transaction fails, the
    message is not acknowledged; once the lock is gone it is stored once."""
    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    body = _body("2026-03-05T08:15:00Z")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 50")
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        handled = handle_message(integration=integration, topic=_topic(), payload=body)
        assert (handled.outcome, handled.acknowledge, handled.database_error) == (
            "failed",
            False,
            True,
        )
        assert "locked" in handled.detail
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    connections["default"].close()
    assert Uplink.objects.count() == 0
    again = handle_message(integration=integration, topic=_topic(), payload=body)
    redelivered = handle_message(integration=integration, topic=_topic(), payload=body)
    assert (again.outcome, redelivered.outcome) == ("stored", "duplicate")
    assert Uplink.objects.count() == 1


# --- The broker restarts --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


class PrivateBroker:
    """A Mosquitto of the test's own, on a free port, persisting its sessions to disk so that
    a restart keeps the worker's session and its queued messages."""

    def __init__(self, directory: Path) -> None:
        self.port = _free_port()
        self.config = directory / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"
            "persistence true\n"
            f"persistence_location {directory}/\n"
            "log_dest none\n"
            # Started as root, Mosquitto would switch to its own user, which cannot write the
            # session store in the test's directory: stay the user running the tests.
            f"user {getpass.getuser()}\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert MOSQUITTO is not None
        self.process = subprocess.Popen(
            [MOSQUITTO, "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert _wait_for(lambda: _answers(self.port), timeout=10), "mosquitto did not start"

    def stop(self) -> None:
        """Stop as a service manager does (SIGTERM): it saves its sessions and exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


@pytest.fixture
def private_broker(tmp_path: Path) -> Iterator[PrivateBroker]:
    if MOSQUITTO is None:
        pytest.skip("mosquitto is not installed: no private broker to restart")
    broker = PrivateBroker(tmp_path)
    broker.start()
    yield broker
    broker.stop()


def _publish(port: int, topic: str, payload: bytes) -> None:
    """Publish with QoS 1 and wait for the broker's PUBACK, on a connection of its own."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-pub-{uuid.uuid4().hex}")
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        info = client.publish(topic, payload, qos=1)
        info.wait_for_publish(timeout=5)
        assert info.is_published()
    finally:
        client.loop_stop()
        client.disconnect()


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("group", ["", "clocher"], ids=["own-subscription", "shared-subscription"])
def test_broker_restart_loses_nothing_and_stores_once(operator, commune_a, private_broker, group):
    """QoS 1 uplinks published before the broker stops and after it starts again, plus one
    published twice: all stored, each once, and the worker is back on its own.

    With its own subscription the worker's persisted session receives what is published right
    after the restart, before the worker is back. Mosquitto (2.0) does not restore *shared*
    subscriptions from its store, so with a shared subscription what is published before the
    workers have subscribed again matches no one: the test then publishes once the worker is
    back (docs/operations.md: run workers that come back within seconds)."""
    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    application = f"app-{uuid.uuid4().hex[:8]}"
    worker = IngestWorker(
        integration=integration,
        broker=BrokerAddress("127.0.0.1", private_broker.port),
        applications=[application],
        group=group,
        client_id=f"test-worker-{uuid.uuid4().hex}",
        session_expiry_s=300,
        backoff_initial_s=0.5,
        backoff_max_s=1.0,
    )
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        assert worker.subscribed.wait(10), "the worker did not subscribe"
        before = [_body(f"2026-03-05T08:0{minute}:00Z", application) for minute in range(3)]
        for body in before:
            _publish(private_broker.port, _topic(application), body)
        assert _wait_for(lambda: worker.counters.stored == 3)

        private_broker.stop()
        assert _wait_for(lambda: not worker.subscribed.is_set())
        private_broker.start()
        if group:
            assert worker.subscribed.wait(15), "the worker did not come back"
        after = [_body(f"2026-03-05T09:0{minute}:00Z", application) for minute in range(3)]
        for body in [*after, before[0]]:
            _publish(private_broker.port, _topic(application), body)
        assert _wait_for(
            lambda: worker.counters.stored + worker.counters.duplicates == 7, timeout=20
        ), worker.counters.as_dict()
        assert worker.subscribed.wait(10)
    finally:
        worker.stop()
        thread.join(10)
    assert (worker.counters.stored, worker.counters.duplicates, worker.counters.failed) == (6, 1, 0)
    assert Uplink.objects.filter(commune=commune_a).count() == 6
