"""Downlinks through the real broker (Mosquitto): a lighting schedule fires and its ChirpStack
command/down arrives, exactly, on the device's topic; a TTS down/push too; a broker that goes away
leaves the command to retry. Needs CLOCHER_TEST_MQTT_URL (set by .ci/run when a broker answers)."""

from __future__ import annotations

import json
import os
import queue
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import paho.mqtt.client as mqtt
import pytest
from django.test import override_settings
from paho.mqtt.enums import CallbackAPIVersion

from clocher.iot.models import Command, CommandEvent
from clocher.iot.models.control import CommandState
from clocher.iot.mqtt import parse_broker_url
from clocher.iot.services.commands import command_request, commands_deliver_due
from clocher.iot.services.schedules import schedules_fire_due
from clocher.iot.tests.factories_control import (
    chirpstack_device,
    fixed_schedule,
    lighting_profile,
    tts_device,
)

MQTT_URL = os.environ.get("CLOCHER_TEST_MQTT_URL", "")

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        not MQTT_URL, reason="CLOCHER_TEST_MQTT_URL is not set: no MQTT broker to test against"
    ),
    pytest.mark.django_db,
]

OCCURRENCE = datetime(2024, 6, 3, 16, 0, tzinfo=UTC)  # Monday 18:00 in Paris


@pytest.fixture
def subscribe() -> Iterator[Callable[[str], queue.Queue[mqtt.MQTTMessage]]]:
    """Subscribe (QoS 1) to a topic filter and collect what arrives."""
    clients: list[mqtt.Client] = []

    def start(topic: str) -> queue.Queue[mqtt.MQTTMessage]:
        broker = parse_broker_url(MQTT_URL)
        received: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        subscribed = queue.Queue[bool]()
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-sub-{uuid.uuid4().hex}")
        if broker.username is not None:
            client.username_pw_set(broker.username, broker.password)
        client.on_message = lambda _c, _u, message: received.put(message)
        client.on_subscribe = lambda *_args: subscribed.put(True)
        client.connect(broker.host, broker.port)
        client.loop_start()
        client.subscribe(topic, qos=1)
        assert subscribed.get(timeout=5)
        clients.append(client)
        return received

    yield start
    for client in clients:
        client.loop_stop()
        client.disconnect()


def test_a_lighting_schedule_sends_its_downlink_to_the_broker(commune_a, subscribe):
    """At sunset-like 18:00 the schedule's "on" arrives as ChirpStack's command/down, exactly."""
    application = f"test-{uuid.uuid4()}"
    lamp = chirpstack_device(
        commune_a, lighting_profile(commune_a.operator), "70B3D57ED00000A1", application=application
    )
    fixed_schedule(
        commune_a,
        lamp,
        command="dim",
        parameters={"level": 40},
        effective_from=OCCURRENCE - timedelta(days=1),
    )
    received = subscribe(f"application/{application}/device/+/command/down")
    with override_settings(IOT_DOWNLINK_MQTT_URL=MQTT_URL):
        assert schedules_fire_due(now=OCCURRENCE).commands == 1
        report = commands_deliver_due(now=OCCURRENCE)
    assert report.sent == 1
    message = received.get(timeout=10)
    command = Command.objects.get()
    assert message.topic == f"application/{application}/device/70b3d57ed00000a1/command/down"
    assert json.loads(message.payload) == {
        "devEui": "70b3d57ed00000a1",
        "confirmed": True,
        "fPort": 10,
        "data": "Aig=",
        "id": str(command.downlink_id),
    }
    assert command.state == CommandState.SENT and command.sent_at is not None
    assert [e.state for e in CommandEvent.objects.filter(command=command)] == ["queued", "sent"]


def test_a_manual_command_to_the_things_stack(commune_a, admin_a, subscribe):
    """A confirmed "off" to a TTS device arrives on down/push with our correlation id."""
    application = f"test-{uuid.uuid4().hex[:12]}"
    lamp = tts_device(
        commune_a,
        lighting_profile(commune_a.operator),
        "70B3D57ED00000A2",
        application=application,
        device_id="lampe-eglise",
    )
    received = subscribe(f"v3/{application}/devices/+/down/push")
    command = command_request(
        commune=commune_a,
        actor=admin_a,
        device=lamp,
        command_name="off",
        parameters={},
        confirmed=True,
    )
    with override_settings(IOT_DOWNLINK_MQTT_URL=MQTT_URL):
        assert commands_deliver_due().sent == 1
    message = received.get(timeout=10)
    assert message.topic == f"v3/{application}/devices/lampe-eglise/down/push"
    assert json.loads(message.payload) == {
        "downlinks": [
            {
                "f_port": 10,
                "frm_payload": "AA==",
                "priority": "NORMAL",
                "confirmed": True,
                "correlation_ids": [command.correlation_id],
            }
        ]
    }


def test_an_unreachable_broker_leaves_the_command_to_retry(commune_a, admin_a):
    """The broker's host on a closed port: the command waits to be sent again, with the reason;
    once the broker is back it goes."""
    broker = parse_broker_url(MQTT_URL)
    lamp = chirpstack_device(commune_a, lighting_profile(commune_a.operator), "70B3D57ED00000A3")
    command = command_request(
        commune=commune_a,
        actor=admin_a,
        device=lamp,
        command_name="on",
        parameters={},
        confirmed=True,
    )
    with override_settings(IOT_DOWNLINK_MQTT_URL=f"mqtt://{broker.host}:1"):
        assert commands_deliver_due().retried == 1
    command.refresh_from_db()
    assert command.state == CommandState.RETRY and command.error
    with override_settings(IOT_DOWNLINK_MQTT_URL=MQTT_URL):
        assert commands_deliver_due(now=command.next_attempt_at).sent == 1
    command.refresh_from_db()
    assert command.state == CommandState.SENT
