"""MQTT ingestion through the real broker (Mosquitto): QoS 1, shared subscriptions, stored once,
pending devices, malformed messages, redelivery after a database failure, SIGTERM.
Needs CLOCHER_TEST_MQTT_URL (set by .ci/run when a broker answers)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from io import StringIO
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from django.core.management import call_command
from django.db import OperationalError, connections
from paho.mqtt.enums import CallbackAPIVersion

from clocher.iot import mqtt as iot_mqtt
from clocher.iot.models import Integration, Measurement, PendingDevice, Uplink
from clocher.iot.mqtt import IngestWorker, parse_broker_url
from clocher.iot.tests import factories

MQTT_URL = os.environ.get("CLOCHER_TEST_MQTT_URL", "")

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        not MQTT_URL, reason="CLOCHER_TEST_MQTT_URL is not set: no MQTT broker to test against"
    ),
    pytest.mark.django_db(transaction=True),
]


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def publish() -> Iterator[Callable[[str, bytes], None]]:
    """Publish with QoS 1 and wait for the broker's PUBACK."""
    broker = parse_broker_url(MQTT_URL)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-pub-{uuid.uuid4().hex}")
    client.connect(broker.host, broker.port)
    client.loop_start()

    def send(topic: str, payload: bytes) -> None:
        client.publish(topic, payload, qos=1).wait_for_publish(timeout=5)

    yield send
    client.loop_stop()
    client.disconnect()


@pytest.fixture
def run_worker() -> Iterator[Callable[..., IngestWorker]]:
    """Start workers in threads (unique client ids, short sessions); stop them at the end."""
    started: list[tuple[IngestWorker, threading.Thread]] = []

    def start(integration: Integration, application: str, **options: Any) -> IngestWorker:
        options.setdefault("client_id", f"test-worker-{uuid.uuid4().hex}")
        options.setdefault("broker", parse_broker_url(MQTT_URL))
        worker = IngestWorker(
            integration=integration,
            applications=[application],
            session_expiry_s=30,
            backoff_initial_s=0.2,
            **options,
        )
        thread = threading.Thread(target=worker.run, daemon=True)
        thread.start()
        started.append((worker, thread))
        assert worker.subscribed.wait(10), "the worker did not subscribe"
        return worker

    yield start
    for worker, thread in started:
        worker.stop()
        thread.join(10)


class DroppingProxy:
    """A TCP relay to the broker whose connections can be cut, as when the broker restarts."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.refusing = False
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                downstream, _address = self.server.accept()
            except OSError:
                return
            if self.refusing:
                downstream.close()
                continue
            upstream = socket.create_connection(self.upstream)
            self.sockets += [downstream, upstream]
            for source, target in ((downstream, upstream), (upstream, downstream)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for end in (source, target):
            end.close()

    def drop(self) -> None:
        for end in self.sockets:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
        self.sockets = []

    def close(self) -> None:
        self.drop()
        self.server.close()


def chirpstack_body(application: str, time_: str = "2024-03-05T08:15:00+01:00") -> bytes:
    message = factories.fixture_json("chirpstack_up_decoded.json")
    message["deviceInfo"]["applicationId"] = application
    message["time"] = time_
    message["deduplicationId"] = f"{application}-{time_}"
    return json.dumps(message).encode()


def chirpstack_topic(application: str, dev_eui: str = factories.ELSYS_DEV_EUI) -> str:
    return f"application/{application}/device/{dev_eui.lower()}/event/up"


@pytest.mark.parametrize("mqtt_version", ["5", "3.1.1"])
def test_chirpstack_uplink_published_twice_is_stored_once(
    operator, commune_a, publish, run_worker, mqtt_version
):
    """A ChirpStack uplink published twice with QoS 1 is stored once, decoded, acknowledged."""
    device = factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    application = f"app-{uuid.uuid4().hex}"
    worker = run_worker(integration, application, mqtt_version=mqtt_version)
    publish(chirpstack_topic(application), chirpstack_body(application))
    publish(chirpstack_topic(application), chirpstack_body(application))
    assert wait_for(lambda: worker.counters.stored + worker.counters.duplicates == 2)
    assert (worker.counters.stored, worker.counters.duplicates) == (1, 1)
    assert Uplink.objects.filter(device=device).count() == 1
    assert Measurement.objects.filter(device=device, quantity="co2").count() == 1


def test_tts_uplink_of_unknown_device_becomes_pending_once(commune_a, publish, run_worker):
    """A TTS uplink of an unknown device, published twice: one pending device, one uplink."""
    integration, _token = factories.integration(commune_a, kind="tts")
    application = f"app{uuid.uuid4().hex}"
    message = factories.fixture_json("tts_up.json")
    message["end_device_ids"]["application_ids"]["application_id"] = application
    payload = json.dumps(message).encode()
    worker = run_worker(integration, application)
    publish(f"v3/{application}/devices/dev1/up", payload)
    publish(f"v3/{application}/devices/dev1/up", payload)
    assert wait_for(lambda: worker.counters.stored + worker.counters.duplicates == 2)
    assert (worker.counters.stored, worker.counters.duplicates) == (1, 1)
    pending = PendingDevice.objects.get(commune=commune_a)
    assert (pending.dev_eui, pending.uplinks) == ("0004A30B001C0530", 1)
    assert Uplink.objects.get().status == "pending_device"


def test_malformed_message_does_not_stop_the_next(operator, commune_a, publish, run_worker):
    """Malformed JSON is rejected and acknowledged; the next uplink is stored."""
    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    application = f"app-{uuid.uuid4().hex}"
    worker = run_worker(integration, application)
    publish(chirpstack_topic(application), b"{not json")
    publish(chirpstack_topic(application), chirpstack_body(application))
    assert wait_for(lambda: worker.counters.rejected + worker.counters.stored == 2)
    assert (worker.counters.rejected, worker.counters.stored) == (1, 1)
    assert Uplink.objects.count() == 1


def test_message_not_stored_is_redelivered_after_database_failure(
    operator, commune_a, publish, run_worker, monkeypatch
):
    """The database fails once: the message is not acknowledged, comes back, is stored."""
    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    application = f"app-{uuid.uuid4().hex}"
    real_ingest = iot_mqtt.ingest_batch
    calls: list[int] = []

    def ingest_failing_once(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database restarting")
        return real_ingest(**kwargs)

    monkeypatch.setattr(iot_mqtt, "ingest_batch", ingest_failing_once)
    worker = run_worker(integration, application)
    publish(chirpstack_topic(application), chirpstack_body(application))
    assert wait_for(lambda: worker.counters.stored == 1, timeout=15)
    assert (worker.counters.failed, worker.counters.received, len(calls)) == (1, 2, 2)
    assert Uplink.objects.count() == 1


def test_worker_reconnects_and_gets_what_was_published_meanwhile(
    operator, commune_a, publish, run_worker
):
    """The broker connection drops: the worker reconnects on its session and stores what was
    published while it was away."""
    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    application = f"app-{uuid.uuid4().hex}"
    broker = parse_broker_url(MQTT_URL)
    proxy = DroppingProxy(broker.host, broker.port)
    try:
        worker = run_worker(
            integration, application, broker=parse_broker_url(f"mqtt://127.0.0.1:{proxy.port}")
        )
        publish(chirpstack_topic(application), chirpstack_body(application, "2024-03-05T08:00:00Z"))
        assert wait_for(lambda: worker.counters.stored == 1)
        proxy.refusing = True
        proxy.drop()
        assert wait_for(lambda: not worker.subscribed.is_set())
        publish(chirpstack_topic(application), chirpstack_body(application, "2024-03-05T09:00:00Z"))
        time.sleep(0.5)
        assert worker.counters.received == 1
        proxy.refusing = False
        assert wait_for(lambda: worker.counters.stored == 2, timeout=15)
    finally:
        proxy.close()
    assert Uplink.objects.count() == 2


def test_shared_subscription_splits_messages_between_workers(
    operator, commune_a, publish, run_worker
):
    """Two workers of one group: each message is delivered to one of them only."""
    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    application = f"app-{uuid.uuid4().hex}"
    group = f"g{uuid.uuid4().hex}"
    first = run_worker(integration, application, group=group)
    second = run_worker(integration, application, group=group)
    for minute in range(10):
        publish(
            chirpstack_topic(application),
            chirpstack_body(application, f"2024-03-05T08:{minute:02d}:00Z"),
        )
    assert wait_for(lambda: first.counters.stored + second.counters.stored == 10)
    time.sleep(0.3)
    assert first.counters.received + second.counters.received == 10
    assert first.counters.received > 0 and second.counters.received > 0
    assert Uplink.objects.count() == 10


def test_command_stores_and_stops_on_sigterm(operator, commune_a, publish):
    """``clocher iot-ingest`` stores what arrives and exits cleanly on SIGTERM."""
    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    application = f"app-{uuid.uuid4().hex}"

    def feed_then_terminate() -> None:
        time.sleep(1.5)  # the command connects and subscribes
        publish(chirpstack_topic(application), chirpstack_body(application))
        wait_for(lambda: Uplink.objects.filter(commune=commune_a).exists())
        connections.close_all()
        os.kill(os.getpid(), signal.SIGTERM)

    previous = signal.getsignal(signal.SIGTERM)
    feeder = threading.Thread(target=feed_then_terminate)
    feeder.start()
    out = StringIO()
    try:
        call_command(
            "iot_ingest",
            "--integration-prefix",
            integration.token_prefix,
            "--broker",
            MQTT_URL,
            "--application",
            application,
            "--client-id",
            f"test-cmd-{uuid.uuid4().hex}",
            stdout=out,
        )
    finally:
        feeder.join(15)
        signal.signal(signal.SIGTERM, previous)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"Réception MQTT de l'intégration {integration.token_prefix}")
    assert lines[-1] == "received=1 stored=1 duplicates=0 ignored=0 rejected=0 failed=0"
    assert Uplink.objects.count() == 1
