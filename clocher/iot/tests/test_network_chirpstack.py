"""ChirpStack v4 events read into the normalised form."""

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clocher.iot.network import MessageRejected, NormalisedEvent, NormalisedUplink
from clocher.iot.network.chirpstack import (
    chirpstack_downlink,
    chirpstack_topic,
    parse_chirpstack,
    parse_chirpstack_mqtt,
)

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_documentation_uplink_is_normalised():
    """The uplink sample of ChirpStack's documentation gives every normalised field."""
    uplink = parse_chirpstack("up", fixture_bytes("chirpstack_up.json"))
    assert isinstance(uplink, NormalisedUplink)
    assert uplink.source == "chirpstack"
    assert uplink.dev_eui == "0101010101010101"
    assert uplink.received_at == datetime(2022, 7, 18, 9, 34, 15, 775023, tzinfo=UTC)
    assert uplink.f_cnt == 0
    assert uplink.f_port == 1
    assert uplink.payload == b"\xaa"
    assert uplink.decoded is None
    assert (uplink.rssi, uplink.snr) == (-36.0, 10.5)
    assert uplink.dedup_key == "3ac7e3c4-4401-4b8d-9386-a5c902f9202d"
    assert uplink.application_id == "17c82e96-be03-4f38-aef3-f83d48582d97"
    assert uplink.device_name == "Test device"
    assert uplink.raw["devAddr"] == "00189440"


def test_decoded_uplink_keeps_object_and_best_gateway():
    """The decoded object is kept and the strongest gateway's signal is reported."""
    uplink = parse_chirpstack("up", fixture_bytes("chirpstack_up_decoded.json"))
    assert isinstance(uplink, NormalisedUplink)
    assert uplink.dev_eui == "A81758FFFE030A8F"
    assert uplink.received_at == datetime(2024, 3, 5, 7, 15, 0, 500000, tzinfo=UTC)
    assert uplink.f_cnt == 4711
    assert uplink.payload == bytes.fromhex("0100E202290400270506060308")
    assert uplink.decoded == {
        "temperature": 22.6,
        "humidity": 41,
        "light": 39,
        "motion": 6,
        "co2": 776,
    }
    assert (uplink.rssi, uplink.snr) == (-98.0, 3.5)


def test_minimal_uplink_reads_omitted_fields_as_zero_or_none():
    """Omitted fCnt is 0, omitted fPort and object are None, omitted data is empty."""
    uplink = parse_chirpstack("up", fixture_bytes("chirpstack_up_minimal.json"))
    assert isinstance(uplink, NormalisedUplink)
    assert uplink.f_cnt == 0
    assert uplink.f_port is None
    assert uplink.payload == b""
    assert uplink.decoded is None
    assert (uplink.rssi, uplink.snr) == (None, None)
    assert (uplink.application_id, uplink.device_name) == (None, None)


def test_dedup_key_without_deduplication_id_is_device_counter_and_time():
    """Without deduplicationId the key is sha256 of DevEUI, frame counter and time."""
    uplink = parse_chirpstack("up", fixture_bytes("chirpstack_up_minimal.json"))
    assert isinstance(uplink, NormalisedUplink)
    expected = hashlib.sha256(b"0101010101010101:0:2022-07-18T09:34:15+00:00").hexdigest()
    assert uplink.dedup_key == expected


def test_same_uplink_over_mqtt_and_http_has_one_key():
    """The same uplink read from a dict and from bytes gives the same key."""
    body = json.loads(fixture_bytes("chirpstack_up_minimal.json"))
    from_http = parse_chirpstack("up", fixture_bytes("chirpstack_up_minimal.json"))
    from_mqtt = parse_chirpstack_mqtt("application/app/device/0101010101010101/event/up", body)
    assert isinstance(from_mqtt, NormalisedUplink)
    assert isinstance(from_http, NormalisedUplink)
    assert from_mqtt.dedup_key == from_http.dedup_key
    assert from_mqtt == from_http


def test_status_event_gives_battery_level():
    """A status event gives the battery level and link margin."""
    event = parse_chirpstack("status", fixture_bytes("chirpstack_status.json"))
    assert event == NormalisedEvent(
        kind="status",
        dev_eui="0101010101010101",
        at=datetime(2022, 7, 18, 9, 40, 0, 123456, tzinfo=UTC),
        data={
            "margin": 7,
            "external_power_source": False,
            "battery_level_unavailable": False,
            "battery_level": 87.5,
        },
        source="chirpstack",
        raw=json.loads(fixture_bytes("chirpstack_status.json")),
    )


def test_status_event_on_external_power_has_no_battery_level():
    """A mains-powered device has no battery level."""
    event = parse_chirpstack("status", fixture_bytes("chirpstack_status_external_power.json"))
    assert isinstance(event, NormalisedEvent)
    assert event.data == {
        "margin": -3,
        "external_power_source": True,
        "battery_level_unavailable": False,
        "battery_level": None,
    }


@pytest.mark.parametrize(
    ("event", "fixture", "data"),
    [
        ("join", "chirpstack_join.json", {"dev_addr": "01fa9b3c"}),
        (
            "ack",
            "chirpstack_ack.json",
            {
                "queue_item_id": "9b1f1f2e-6a1c-4b5f-8f0e-3d2c1b0a9f8e",
                "acknowledged": True,
                "f_cnt_down": 12,
            },
        ),
        (
            "ack",
            "chirpstack_ack_not_acknowledged.json",
            {
                "queue_item_id": "9b1f1f2e-6a1c-4b5f-8f0e-3d2c1b0a9f8e",
                "acknowledged": False,
                "f_cnt_down": 0,
            },
        ),
        (
            "txack",
            "chirpstack_txack.json",
            {
                "downlink_id": 3521045721,
                "queue_item_id": "9b1f1f2e-6a1c-4b5f-8f0e-3d2c1b0a9f8e",
                "f_cnt_down": 12,
                "gateway_id": "0016c001f153a14c",
            },
        ),
        (
            "log",
            "chirpstack_log.json",
            {
                "level": "ERROR",
                "code": "UPLINK_CODEC",
                "description": "ReferenceError: foo is not defined",
                "context": {"deduplication_id": "3ac7e3c4-4401-4b8d-9386-a5c902f9202d"},
            },
        ),
        (
            "location",
            "chirpstack_location.json",
            {"latitude": 45.764, "longitude": 4.8357, "altitude": 173.0},
        ),
    ],
)
def test_other_events_give_kind_and_data(event, fixture, data):
    """Join, ack, txack, log and location events give their kind and data."""
    parsed = parse_chirpstack(event, fixture_bytes(fixture))
    assert isinstance(parsed, NormalisedEvent)
    assert (parsed.kind, parsed.dev_eui, parsed.data) == (event, "0101010101010101", data)


def test_topic_is_split_into_application_device_and_event():
    """An event topic gives application, upper-case DevEUI and event."""
    topic = "application/17c82e96-be03-4f38-aef3-f83d48582d97/device/01010101010101ab/event/up"
    assert chirpstack_topic(topic) == (
        "17c82e96-be03-4f38-aef3-f83d48582d97",
        "01010101010101AB",
        "up",
    )


@pytest.mark.parametrize(
    ("topic", "field"),
    [
        ("application/a/device/0101010101010101/event/nope", "event"),
        ("application/a/device/0101/event/up", "topic"),
        ("application/a/device/0101010101010101/command/down", "topic"),
        ("v3/app@tenant/devices/dev1/up", "topic"),
        ("application//device/0101010101010101/event/up", "topic"),
    ],
)
def test_bad_topics_are_rejected(topic, field):
    """A topic that is not an event topic is rejected."""
    with pytest.raises(MessageRejected) as caught:
        chirpstack_topic(topic)
    assert caught.value.field == field


def test_mqtt_body_about_another_device_is_rejected():
    """A body whose DevEUI differs from its topic's is rejected."""
    with pytest.raises(MessageRejected) as caught:
        parse_chirpstack_mqtt(
            "application/a/device/0202020202020202/event/up", fixture_bytes("chirpstack_up.json")
        )
    assert caught.value.field == "deviceInfo.devEui"


def test_downlink_command_follows_the_reference_format():
    """A downlink command is the topic suffix and the JSON body ChirpStack expects."""
    topic, body = chirpstack_downlink(
        "0102030405060708", 10, b"\x01\xff", True, id="9B1F1F2E-6A1C-4B5F-8F0E-3D2C1B0A9F8E"
    )
    assert topic == "device/0102030405060708/command/down"
    assert body == {
        "devEui": "0102030405060708",
        "confirmed": True,
        "fPort": 10,
        "data": "Af8=",
        "id": "9b1f1f2e-6a1c-4b5f-8f0e-3d2c1b0a9f8e",
    }


def test_downlink_command_with_object_for_the_encoder():
    """An object payload is sent as ``object`` for the device profile's encoder."""
    _, body = chirpstack_downlink("0102030405060708", 2, {"level": 40}, False)
    assert body == {
        "devEui": "0102030405060708",
        "confirmed": False,
        "fPort": 2,
        "object": {"level": 40},
    }


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        (("0102030405060708", 0, b"", True), "f_port"),
        (("0102030405060708", 224, b"", True), "f_port"),
        (("0102030405060708", True, b"", True), "f_port"),
        (("01020304050607", 1, b"", True), "dev_eui"),
        (("0102030405060708", 1, "text", True), "payload"),
        (("0102030405060708", 1, b"", "yes"), "confirmed"),
        (("0102030405060708", 1, b"", True, "not-a-uuid"), "id"),
    ],
)
def test_bad_downlink_commands_are_rejected(arguments, field):
    """Out-of-range ports, bad DevEUIs, payloads and ids are rejected."""
    with pytest.raises(MessageRejected) as caught:
        chirpstack_downlink(*arguments)
    assert caught.value.field == field
