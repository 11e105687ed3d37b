"""MQTT ingestion without a broker: topics, broker URLs, message handling and acknowledgements."""

from __future__ import annotations

import gc
import json
import weakref
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from clocher.iot import mqtt as iot_mqtt
from clocher.iot.models import Measurement, PendingDevice, Uplink
from clocher.iot.mqtt import (
    BrokerAddress,
    BrokerUrlError,
    IngestWorker,
    handle_message,
    parse_broker_url,
    subscription_topics,
    worker_integration,
)
from clocher.iot.services.integrations import integration_revoke
from clocher.iot.tests import factories

ELSYS_TOPIC = f"application/app-1/device/{factories.ELSYS_DEV_EUI.lower()}/event/up"
TTS_TOPIC = "v3/app1/devices/dev1/up"


def chirpstack_body(time: str = "2024-03-05T08:15:00+01:00") -> bytes:
    message = factories.fixture_json("chirpstack_up_decoded.json")
    message["time"] = time
    message["deduplicationId"] = f"dedup-{time}"
    return json.dumps(message).encode()


class FakeClient:
    """Records acknowledgements and whether the uplink was already in the database then."""

    def __init__(self) -> None:
        self.acks: list[tuple[int, int, int]] = []

    def ack(self, mid: int, qos: int) -> None:
        self.acks.append((mid, qos, Uplink.objects.count()))


def mqtt_message(topic: str, payload: bytes, mid: int = 7) -> mqtt.MQTTMessage:
    message = mqtt.MQTTMessage(mid=mid, topic=topic.encode())
    message.payload = payload
    message.qos = 1
    return message


def test_chirpstack_topics_shared_and_per_application():
    """ChirpStack: every event of every application, or of the given applications."""
    assert subscription_topics("chirpstack") == ["application/+/device/+/event/+"]
    assert subscription_topics("chirpstack", ["42"]) == ["application/42/device/+/event/+"]
    assert iot_mqtt.shared_topic("application/+/device/+/event/+", "clocher") == (
        "$share/clocher/application/+/device/+/event/+"
    )
    assert iot_mqtt.shared_topic("a/b", "") == "a/b"


def test_tts_topics_are_the_server_events_never_down_push():
    """TTS: up, join and downlink events, never the down/push Clocher publishes itself."""
    assert subscription_topics("tts", ["app1@tenant"]) == [
        "v3/app1@tenant/devices/+/up",
        "v3/app1@tenant/devices/+/join",
        "v3/app1@tenant/devices/+/down/queued",
        "v3/app1@tenant/devices/+/down/sent",
        "v3/app1@tenant/devices/+/down/ack",
        "v3/app1@tenant/devices/+/down/nack",
        "v3/app1@tenant/devices/+/down/failed",
        "v3/app1@tenant/devices/+/location/solved",
    ]


def test_topics_refuse_generic_kind_and_wildcard_application():
    """A generic integration has no MQTT topics; an application id cannot hold a wildcard."""
    with pytest.raises(ValueError, match="do not use MQTT"):
        subscription_topics("generic")
    with pytest.raises(ValueError, match="not an application id"):
        subscription_topics("chirpstack", ["a/#"])


def test_broker_urls():
    """mqtt:// and mqtts:// with default ports and credentials; other schemes refused."""
    assert parse_broker_url("mqtt://127.0.0.1:1883") == BrokerAddress("127.0.0.1", 1883)
    address = parse_broker_url("mqtts://ingest:s%40cret@broker.example.fr")
    assert address == BrokerAddress("broker.example.fr", 8883, True, "ingest", "s@cret")
    assert str(address) == "mqtts://broker.example.fr:8883"
    with pytest.raises(BrokerUrlError, match="expected mqtt://"):
        parse_broker_url("http://broker:1883")
    with pytest.raises(BrokerUrlError, match="no host"):
        parse_broker_url("mqtt://:1883")


@pytest.mark.django_db
def test_chirpstack_uplink_stored_then_duplicate(operator, commune_a):
    """The same ChirpStack uplink twice: stored, then duplicate, both acknowledged."""
    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    first = handle_message(integration=integration, topic=ELSYS_TOPIC, payload=chirpstack_body())
    again = handle_message(integration=integration, topic=ELSYS_TOPIC, payload=chirpstack_body())
    assert (first.outcome, first.acknowledge, first.detail) == ("stored", True, "stored")
    assert (again.outcome, again.acknowledge) == ("duplicate", True)
    assert Uplink.objects.count() == 1
    assert Measurement.objects.filter(quantity="co2").count() == 1


@pytest.mark.django_db
def test_tts_uplink_of_unknown_device_is_pending(commune_a):
    """A TTS uplink of an unregistered device is stored as a pending device."""
    integration, _token = factories.integration(commune_a, kind="tts")
    payload = json.dumps(factories.fixture_json("tts_up.json")).encode()
    handled = handle_message(integration=integration, topic=TTS_TOPIC, payload=payload)
    assert (handled.outcome, handled.detail) == ("stored", "pending_device")
    assert PendingDevice.objects.get(commune=commune_a).dev_eui == "0004A30B001C0530"


@pytest.mark.django_db
def test_tts_down_ack_event_is_acknowledged_and_counted_ignored(commune_a, operator):
    """A downlink acknowledgement of a registered device is read and acknowledged."""
    factories.device(commune_a, factories.profile(operator), dev_eui="0004A30B001C0530")
    integration, _token = factories.integration(commune_a, kind="tts")
    payload = json.dumps(factories.fixture_json("tts_down_ack.json")).encode()
    handled = handle_message(
        integration=integration, topic="v3/app1/devices/dev1/down/ack", payload=payload
    )
    assert (handled.outcome, handled.acknowledge) == ("ignored", True)


@pytest.mark.django_db
def test_malformed_and_mismatched_messages_are_rejected_and_acknowledged(commune_a):
    """Bad JSON, or a body about another device than the topic: rejected, acknowledged."""
    integration, _token = factories.integration(commune_a)
    broken = handle_message(integration=integration, topic=ELSYS_TOPIC, payload=b"{not json")
    other = handle_message(
        integration=integration,
        topic="application/app-1/device/0101010101010101/event/up",
        payload=chirpstack_body(),
    )
    assert (broken.outcome, broken.acknowledge) == ("rejected", True)
    assert broken.detail.startswith("body is not JSON")
    assert (other.outcome, other.acknowledge) == ("rejected", True)
    assert "topic names 0101010101010101" in other.detail
    assert Uplink.objects.count() == 0


@pytest.mark.django_db
def test_database_error_is_not_acknowledged(commune_a, monkeypatch):
    """A database failure: failed, not acknowledged, flagged to leave the broker."""
    integration, _token = factories.integration(commune_a)

    def broken_ingest(**_kwargs):
        raise OperationalError("database is restarting")

    monkeypatch.setattr(iot_mqtt, "ingest_batch", broken_ingest)
    handled = handle_message(integration=integration, topic=ELSYS_TOPIC, payload=chirpstack_body())
    assert handled == iot_mqtt.Handled(
        "failed",
        acknowledge=False,
        detail="OperationalError: database is restarting",
        database_error=True,
    )


@pytest.mark.django_db
def test_worker_acknowledges_after_storing_and_counts(operator, commune_a):
    """The worker acks a stored message after it is in the database, and a rejected one."""
    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    worker = IngestWorker(
        integration=integration, broker=BrokerAddress("127.0.0.1", 1), client_id="unit"
    )
    client: Any = FakeClient()
    worker._on_message(client, None, mqtt_message(ELSYS_TOPIC, chirpstack_body(), mid=3))
    worker._on_message(client, None, mqtt_message(ELSYS_TOPIC, chirpstack_body(), mid=4))
    worker._on_message(client, None, mqtt_message(ELSYS_TOPIC, b"[]", mid=5))
    assert client.acks == []  # nothing acknowledged before the batch is stored
    worker._flush(client)
    assert client.acks == [(3, 1, 1), (4, 1, 1), (5, 1, 1)]
    assert worker.counters.as_dict() == {
        "received": 3,
        "stored": 1,
        "duplicates": 1,
        "ignored": 0,
        "rejected": 1,
        "failed": 0,
    }
    assert worker.topics == ["$share/clocher/application/+/device/+/event/+"]


class _MessageInACycle(mqtt.MQTTMessage):
    """A message that only the cycle collector can free (paho leaves such garbage behind for
    every message it delivers)."""

    def __init__(self, topic: str, payload: bytes, mid: int) -> None:
        super().__init__(mid=mid, topic=topic.encode())
        self.payload = payload
        self.qos = 1
        self.itself = self


@pytest.mark.django_db
def test_worker_collects_a_batch_garbage_once_the_batch_is_stored(operator, commune_a):
    """Reference cycles left by a batch are freed as soon as it is stored: the worker collects
    the young generation between batches (the collector no longer starts by itself in the
    middle of a batch, see ``settle_garbage_collector``)."""
    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    worker = IngestWorker(
        integration=integration, broker=BrokerAddress("127.0.0.1", 1), client_id="unit"
    )
    client: Any = FakeClient()
    message = _MessageInACycle(ELSYS_TOPIC, chirpstack_body(), mid=3)
    freed = weakref.ref(message)
    enabled = gc.isenabled()
    gc.disable()  # only the worker's own collection may free it
    try:
        worker._on_message(client, None, message)
        del message
        assert freed() is not None  # held by the batch, then by itself
        worker._flush(client)
        assert freed() is None
    finally:
        if enabled:
            gc.enable()
    assert client.acks == [(3, 1, 1)]


@pytest.mark.django_db
def test_worker_leaves_on_database_error_without_ack(commune_a, monkeypatch):
    """After a database error nothing is acknowledged until the worker comes back."""
    integration, _token = factories.integration(commune_a)
    worker = IngestWorker(
        integration=integration, broker=BrokerAddress("127.0.0.1", 1), client_id="unit"
    )

    def broken_ingest(**_kwargs):
        raise OperationalError("gone")

    monkeypatch.setattr(iot_mqtt, "ingest_batch", broken_ingest)
    client: Any = FakeClient()
    worker._on_message(client, None, mqtt_message(ELSYS_TOPIC, chirpstack_body(), mid=3))
    worker._on_message(client, None, mqtt_message(ELSYS_TOPIC, b"[]", mid=4))
    worker._flush(client)
    # Not even the malformed one: acknowledgements must follow the order of delivery.
    assert client.acks == []
    assert (worker.counters.received, worker.counters.failed, worker.counters.rejected) == (
        2,
        1,
        1,
    )
    assert worker._leave
    worker._on_message(client, None, mqtt_message(ELSYS_TOPIC, chirpstack_body(), mid=5))
    assert worker._batch == []  # while leaving, nothing is taken in


@pytest.mark.django_db
def test_worker_logs_its_counters(commune_a, caplog):
    """The counters are logged as one line with each counter as a field."""
    integration, _token = factories.integration(commune_a)
    worker = IngestWorker(
        integration=integration, broker=BrokerAddress("127.0.0.1", 1), client_id="unit"
    )
    worker.counters.count("stored")
    worker.counters.count("duplicate")
    with caplog.at_level("INFO", logger="clocher.iot.mqtt"):
        worker.log_counters()
    (record,) = caplog.records
    assert record.getMessage() == (
        "iot-ingest counters: received=0 stored=1 duplicates=1 ignored=0 rejected=0 failed=0"
    )
    assert (record.integration, record.stored) == (integration.token_prefix, 1)


@pytest.mark.django_db
def test_worker_integration_lookup(commune_a):
    """By prefix, or the only live one of a commune and kind; revoked and generic refused."""
    chirpstack, _token = factories.integration(commune_a)
    generic, _token = factories.integration(commune_a, kind="generic")
    assert worker_integration(prefix=chirpstack.token_prefix) == chirpstack
    assert worker_integration(commune_slug="agey", kind="chirpstack") == chirpstack
    with pytest.raises(LookupError, match="no live ChirpStack or TTS integration"):
        worker_integration(prefix=generic.token_prefix)
    with pytest.raises(LookupError, match="no live tts integration in commune 'agey'"):
        worker_integration(commune_slug="agey", kind="tts")
    second, _token = factories.integration(commune_a)
    with pytest.raises(LookupError, match="several live chirpstack integrations"):
        worker_integration(commune_slug="agey", kind="chirpstack")
    integration_revoke(integration=second)
    integration_revoke(integration=chirpstack)
    with pytest.raises(LookupError, match="no live chirpstack integration"):
        worker_integration(commune_slug="agey", kind="chirpstack")


@pytest.mark.django_db
def test_command_refuses_missing_broker_and_unknown_integration(commune_a, settings):
    """No broker configured, a bad URL or an unknown integration: a clear error, no loop."""
    settings.IOT_MQTT_URL = ""
    with pytest.raises(CommandError, match="Aucun broker MQTT"):
        call_command("iot_ingest", "--commune", "agey", "--kind", "chirpstack")
    with pytest.raises(CommandError, match="Adresse de broker invalide"):
        call_command("iot_ingest", "--broker", "http://x", "--commune", "agey", "--kind", "tts")
    settings.IOT_MQTT_URL = "mqtt://127.0.0.1:1883"
    with pytest.raises(CommandError, match="no live tts integration in commune 'agey'"):
        call_command("iot_ingest", "--commune", "agey", "--kind", "tts")


@pytest.mark.django_db
def test_worker_batch_counts_health_and_keeps_unreadable_messages(operator, commune_a):
    """A batch's outcomes are counted for the health page with the batch, and an unreadable
    message is kept (nothing received is lost)."""
    from clocher.iot.models import HealthCounter, RejectedMessage

    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    worker = IngestWorker(
        integration=integration, broker=BrokerAddress("127.0.0.1", 1), client_id="unit"
    )
    client: Any = FakeClient()
    for mid, body in [(1, chirpstack_body()), (2, chirpstack_body()), (3, b"{not json")]:
        worker._on_message(client, None, mqtt_message(ELSYS_TOPIC, body, mid=mid))
    worker._flush(client)
    counts = dict(
        HealthCounter.objects.filter(integration=integration, source="mqtt").values_list(
            "outcome", "count"
        )
    )
    assert counts == {"stored": 1, "duplicate": 1, "rejected": 1}
    kept = RejectedMessage.objects.get(integration=integration)
    assert bytes(kept.body) == b"{not json"
    assert kept.topic == ELSYS_TOPIC
