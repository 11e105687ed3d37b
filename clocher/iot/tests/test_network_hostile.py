"""Malformed network-server messages are rejected with MessageRejected and nothing else."""

import json
from pathlib import Path

import pytest

from clocher.iot.network import MessageRejected
from clocher.iot.network.chirpstack import parse_chirpstack
from clocher.iot.network.senml import parse_senml
from clocher.iot.network.tts import parse_tts

FIXTURES = Path(__file__).parent / "fixtures"
CHIRPSTACK_UP = json.loads((FIXTURES / "chirpstack_up.json").read_bytes())
TTS_UP = json.loads((FIXTURES / "tts_up.json").read_bytes())


def chirpstack_with(**changes: object) -> bytes:
    body = dict(CHIRPSTACK_UP, **changes)
    return json.dumps({key: value for key, value in body.items() if value != "<drop>"}).encode()


def tts_uplink_with(**changes: object) -> bytes:
    uplink = dict(TTS_UP["uplink_message"], **changes)
    return json.dumps(dict(TTS_UP, uplink_message=uplink)).encode()


SHAPELESS_BODIES = [
    b"",
    b"not json",
    b"\xff\xfe{}",
    b"\xef\xbb\xbf{}",
    b"[]",
    b"null",
    b'"up"',
    b"42",
    b'{"time": NaN}',
    b"[" * 100_000,
    b'{"fCnt": ' + b"9" * 5000 + b"}",
    b"{}",
]


@pytest.mark.parametrize("body", SHAPELESS_BODIES)
def test_shapeless_chirpstack_bodies_are_rejected(body):
    """Empty, non-JSON, non-UTF-8, non-object and hostile JSON bodies are rejected."""
    with pytest.raises(MessageRejected):
        parse_chirpstack("up", body)


@pytest.mark.parametrize("body", SHAPELESS_BODIES)
def test_shapeless_tts_bodies_are_rejected(body):
    """The same bodies are rejected by The Things Stack reader."""
    with pytest.raises(MessageRejected):
        parse_tts(None, body)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (chirpstack_with(deviceInfo="<drop>"), "deviceInfo"),
        (chirpstack_with(deviceInfo="device"), "deviceInfo"),
        (chirpstack_with(deviceInfo={"devEui": None}), "deviceInfo.devEui"),
        (chirpstack_with(deviceInfo={"devEui": 101010101010101}), "deviceInfo.devEui"),
        (chirpstack_with(deviceInfo={"devEui": "01010101010101"}), "deviceInfo.devEui"),
        (chirpstack_with(deviceInfo={"devEui": "01010101010101zz"}), "deviceInfo.devEui"),
        (chirpstack_with(time="<drop>"), "time"),
        (chirpstack_with(time="yesterday"), "time"),
        (chirpstack_with(time="2022-07-18T09:34:15"), "time"),
        (chirpstack_with(time="2022-13-18T09:34:15Z"), "time"),
        (chirpstack_with(time=1658136855), "time"),
        (chirpstack_with(data="qg="), "data"),
        (chirpstack_with(data="!!!!"), "data"),
        (chirpstack_with(data=170), "data"),
        (chirpstack_with(fCnt="abc"), "fCnt"),
        (chirpstack_with(fCnt=-1), "fCnt"),
        (chirpstack_with(fCnt=2**32), "fCnt"),
        (chirpstack_with(fCnt=1.5), "fCnt"),
        (chirpstack_with(fPort=256), "fPort"),
        (chirpstack_with(fPort=-1), "fPort"),
        (chirpstack_with(fPort=True), "fPort"),
        (chirpstack_with(object=[1, 2]), "object"),
        (chirpstack_with(object="decoded"), "object"),
        (chirpstack_with(deduplicationId=7), "deduplicationId"),
        (chirpstack_with(rxInfo={"rssi": -36}), "rxInfo"),
        (chirpstack_with(rxInfo=[1]), "rxInfo[0]"),
        (chirpstack_with(rxInfo=[{"rssi": "-36"}]), "rxInfo[0].rssi"),
        (dict(CHIRPSTACK_UP, rxInfo=[{"rssi": -36, "snr": float("inf")}]), "rxInfo[0].snr"),
    ],
)
def test_hostile_chirpstack_uplinks_are_rejected(body, field):
    """Wrong types, missing DevEUI or time, bad base64 and out-of-range numbers are rejected."""
    with pytest.raises(MessageRejected) as caught:
        parse_chirpstack("up", body)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("event", "body", "field"),
    [
        ("unknown", chirpstack_with(), "event"),
        ("", chirpstack_with(), "event"),
        ("status", chirpstack_with(batteryLevel="full"), "batteryLevel"),
        ("status", chirpstack_with(externalPowerSource="yes"), "externalPowerSource"),
        ("ack", chirpstack_with(acknowledged=1), "acknowledged"),
        ("txack", chirpstack_with(fCntDown=-4), "fCntDown"),
        ("log", chirpstack_with(context=["a"]), "context"),
        ("log", chirpstack_with(context={"a": 1}), "context.a"),
        ("location", chirpstack_with(), "location"),
        ("location", chirpstack_with(location={"latitude": "north"}), "location.latitude"),
    ],
)
def test_hostile_chirpstack_events_are_rejected(event, body, field):
    """Unknown events and events with wrong field types are rejected."""
    with pytest.raises(MessageRejected) as caught:
        parse_chirpstack(event, body)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (tts_uplink_with(frm_payload="gkH"), "uplink_message.frm_payload"),
        (tts_uplink_with(f_port=300), "uplink_message.f_port"),
        (tts_uplink_with(f_cnt="many"), "uplink_message.f_cnt"),
        (tts_uplink_with(decoded_payload=[]), "uplink_message.decoded_payload"),
        (tts_uplink_with(received_at="2020-02-12"), "uplink_message.received_at"),
        (tts_uplink_with(rx_metadata=[{"rssi": None, "channel_rssi": "x"}]), None),
        (json.dumps(dict(TTS_UP, uplink_message=[])).encode(), "uplink_message"),
        (json.dumps(dict(TTS_UP, end_device_ids=None)).encode(), "end_device_ids"),
        (
            json.dumps(dict(TTS_UP, end_device_ids={"device_id": "dev1"})).encode(),
            "end_device_ids.dev_eui",
        ),
        (json.dumps({"end_device_ids": TTS_UP["end_device_ids"]}).encode(), None),
        (json.dumps(dict(TTS_UP, downlink_ack={})).encode(), None),
        (
            json.dumps({"end_device_ids": TTS_UP["end_device_ids"], "service_data": {}}).encode(),
            None,
        ),
    ],
)
def test_hostile_tts_messages_are_rejected(body, field):
    """Wrong types, missing DevEUI, bad base64, no or several message kinds are rejected."""
    with pytest.raises(MessageRejected) as caught:
        parse_tts(None, body)
    if field is not None:
        assert caught.value.field == field


@pytest.mark.parametrize(
    "body",
    [
        *(body for body in SHAPELESS_BODIES if body != b"[]"),
        b"[1]",
        b'[{"n": 5, "v": 1}]',
        b'[{"n": "a b", "v": 1}]',
        b'[{"v": 1}]',
        b'[{"n": "x"}]',
        b'[{"n": "x", "v": "1"}]',
        b'[{"n": "x", "v": true}]',
        b'[{"n": "x", "v": 1, "vs": "1"}]',
        b'[{"n": "x", "vb": "true"}]',
        b'[{"n": "x", "vd": "not base64!"}]',
        b'[{"n": "x", "v": 1, "t": 1e300}]',
        b'[{"n": "x", "v": 1, "t": -1e300}]',
        b'[{"n": "x", "v": 1, "bver": 11}]',
        b'[{"n": "x", "v": 1, "custom_": 1}]',
        b'[{"n": "x", "v": 1e400}]',
    ],
)
def test_hostile_senml_bodies_are_rejected(body):
    """Non-arrays, nameless, valueless, mistyped and out-of-range records are rejected."""
    with pytest.raises(MessageRejected):
        parse_senml(body)
