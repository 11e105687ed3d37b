"""The Things Stack v3 messages read into the normalised form."""

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clocher.iot.network import MessageRejected, NormalisedEvent, NormalisedUplink
from clocher.iot.network.tts import parse_tts, tts_downlink, tts_topic

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_documentation_uplink_is_normalised():
    """The uplink sample of The Things Stack's documentation gives every normalised field."""
    uplink = parse_tts("v3/app1@ttn/devices/dev1/up", fixture_bytes("tts_up.json"))
    assert isinstance(uplink, NormalisedUplink)
    assert uplink.source == "tts"
    assert uplink.dev_eui == "0004A30B001C0530"
    assert uplink.received_at == datetime(2020, 2, 12, 15, 15, 45, 789585, tzinfo=UTC)
    assert (uplink.f_cnt, uplink.f_port) == (1, 1)
    assert uplink.payload == b"\x82\x41\xde"
    assert uplink.decoded == {"temperature": 1.0, "luminosity": 0.64}
    assert (uplink.rssi, uplink.snr) == (-35.0, 5.0)
    assert (
        uplink.dedup_key
        == hashlib.sha256(b"0004A30B001C0530:1:2020-02-12T15:15:45.789585+00:00").hexdigest()
    )
    assert (uplink.application_id, uplink.device_name) == ("app1", "dev1")
    assert uplink.raw["correlation_ids"] == ["as:up:01E0WZGT6Y7657CPFPE5WEYDSQ"]


def test_webhook_and_mqtt_give_the_same_uplink():
    """A webhook body (kind inferred) and the MQTT message give equal uplinks."""
    from_webhook = parse_tts(None, fixture_bytes("tts_up.json"))
    from_mqtt = parse_tts("v3/app1/devices/dev1/up", json.loads(fixture_bytes("tts_up.json")))
    assert from_webhook == from_mqtt


def test_minimal_uplink_falls_back_to_top_level_time_and_channel_rssi():
    """Without f_port, f_cnt, decoded payload or network time, defaults are used."""
    uplink = parse_tts("up", fixture_bytes("tts_up_minimal.json"))
    assert isinstance(uplink, NormalisedUplink)
    assert uplink.received_at == datetime(2020, 2, 12, 15, 20, tzinfo=UTC)
    assert (uplink.f_cnt, uplink.f_port, uplink.decoded) == (0, None, None)
    assert uplink.payload == b"\x01\x02"
    assert (uplink.rssi, uplink.snr) == (-101.5, -2.25)


DOWNLINK = {
    "f_port": 15,
    "f_cnt_down": 3,
    "confirmed": True,
    "correlation_ids": ["clocher:cmd:42", "as:downlink:01E0X0000000000000000000"],
}


@pytest.mark.parametrize(
    ("topic", "fixture", "kind", "data"),
    [
        ("down/queued", "tts_down_queued.json", "down_queued", dict(DOWNLINK, error=None)),
        ("down/sent", "tts_down_sent.json", "down_sent", dict(DOWNLINK, error=None)),
        ("down/ack", "tts_down_ack.json", "down_ack", dict(DOWNLINK, error=None)),
        (
            "down/nack",
            "tts_down_nack.json",
            "down_nack",
            dict(DOWNLINK, error="the device did not acknowledge the downlink"),
        ),
        (
            "down/failed",
            "tts_down_failed.json",
            "down_failed",
            dict(DOWNLINK, error="application downlink payload is too long"),
        ),
    ],
)
def test_downlink_events_give_kind_correlation_and_error(topic, fixture, kind, data):
    """Queued, sent, ack, nack and failed downlinks give their kind, counter and error."""
    event = parse_tts(f"v3/app1@ttn/devices/dev1/{topic}", fixture_bytes(fixture))
    assert isinstance(event, NormalisedEvent)
    assert (event.kind, event.source, event.dev_eui) == (kind, "tts", "0004A30B001C0530")
    assert event.at == datetime(2020, 2, 12, 15, 30, 0, 250000, tzinfo=UTC)
    assert event.data == data


def test_join_accept_gives_device_address():
    """A join accept gives the device address and session key id."""
    event = parse_tts(None, fixture_bytes("tts_join.json"))
    assert isinstance(event, NormalisedEvent)
    assert event.kind == "join"
    assert event.data == {"dev_addr": "00BCB929", "session_key_id": "AXA50tHUGUucuzS/bCGMNw=="}


@pytest.mark.parametrize("kind", ["down/ack", "down_ack", "downlink_ack"])
def test_kind_may_be_given_in_any_spelling(kind):
    """A kind given as topic suffix, event name or body key is understood."""
    event = parse_tts(kind, fixture_bytes("tts_down_ack.json"))
    assert isinstance(event, NormalisedEvent)
    assert event.kind == "down_ack"


@pytest.mark.parametrize(
    ("topic_or_kind", "fixture"),
    [
        ("up", "tts_down_ack.json"),
        ("v3/app1@ttn/devices/dev1/down/ack", "tts_up.json"),
        ("v3/app1@ttn/devices/dev2/up", "tts_up.json"),
        ("v3/app2@ttn/devices/dev1/up", "tts_up.json"),
        ("v3/app1@ttn/devices/dev1/down/push", "tts_up.json"),
        ("uplink", "tts_up.json"),
    ],
)
def test_topic_disagreeing_with_body_is_rejected(topic_or_kind, fixture):
    """A kind, application or device that differs from the body's is rejected."""
    with pytest.raises(MessageRejected):
        parse_tts(topic_or_kind, fixture_bytes(fixture))


def test_topic_is_split_with_and_without_tenant():
    """Topics of the cloud (application@tenant) and open-source editions are split."""
    assert tts_topic("v3/app1@ttn/devices/dev1/down/failed") == (
        "app1",
        "ttn",
        "dev1",
        "down/failed",
    )
    assert tts_topic("v3/app1/devices/dev1/up") == ("app1", None, "dev1", "up")


def test_downlink_push_follows_the_reference_format():
    """A downlink push body is what The Things Stack expects on down/push."""
    assert tts_downlink(15, b"\xbe\xef", True, "my-correlation-id") == {
        "downlinks": [
            {
                "f_port": 15,
                "frm_payload": "vu8=",
                "priority": "NORMAL",
                "confirmed": True,
                "correlation_ids": ["my-correlation-id"],
            }
        ]
    }


def test_downlink_push_with_decoded_payload_and_priority():
    """An object payload is sent as decoded_payload with the chosen priority."""
    body = tts_downlink(2, {"on": True}, False, "clocher:cmd:7", priority="HIGHEST")
    assert body["downlinks"][0] == {
        "f_port": 2,
        "decoded_payload": {"on": True},
        "priority": "HIGHEST",
        "confirmed": False,
        "correlation_ids": ["clocher:cmd:7"],
    }


@pytest.mark.parametrize(
    ("arguments", "keywords", "field"),
    [
        ((0, b"", True, "c"), {}, "f_port"),
        ((224, b"", True, "c"), {}, "f_port"),
        ((1, "text", True, "c"), {}, "payload"),
        ((1, b"", None, "c"), {}, "confirmed"),
        ((1, b"", True, ""), {}, "correlation_id"),
        ((1, b"", True, "c" * 101), {}, "correlation_id"),
        ((1, b"", True, "c"), {"priority": "URGENT"}, "priority"),
    ],
)
def test_bad_downlink_pushes_are_rejected(arguments, keywords, field):
    """Out-of-range ports, bad payloads, correlation ids and priorities are rejected."""
    with pytest.raises(MessageRejected) as caught:
        tts_downlink(*arguments, **keywords)
    assert caught.value.field == field
