"""The Things Stack v3 messages (MQTT and webhooks) and downlink pushes.

MQTT topics are ``v3/{application_id}@{tenant_id}/devices/{device_id}/{kind}`` (just
``v3/{application_id}/…`` on the open-source edition); a webhook body says what it is by the one
message key it holds (``uplink_message``, ``downlink_ack``…). Empty fields are omitted.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any

from clocher.iot.network import (
    UINT32_MAX,
    EventKind,
    MessageRejected,
    NormalisedEvent,
    NormalisedUplink,
    best_signal,
    decode_base64,
    read_boolean,
    read_dev_eui,
    read_integer,
    read_json_object,
    read_list,
    read_mapping,
    read_number,
    read_optional_string,
    read_string,
    read_timestamp,
    uplink_dedup_key,
)

# Topic suffix of each message kind, and the body key that carries it.
KINDS: dict[str, str] = {
    "up": "uplink_message",
    "join": "join_accept",
    "down/queued": "downlink_queued",
    "down/sent": "downlink_sent",
    "down/ack": "downlink_ack",
    "down/nack": "downlink_nack",
    "down/failed": "downlink_failed",
    "location/solved": "location_solved",
}
_KIND_OF_KEY = {key: kind for kind, key in KINDS.items()}
_EVENT_KINDS: dict[str, EventKind] = {
    "join": "join",
    "down/queued": "down_queued",
    "down/sent": "down_sent",
    "down/ack": "down_ack",
    "down/nack": "down_nack",
    "down/failed": "down_failed",
    "location/solved": "location",
}
PRIORITIES = frozenset(
    {"LOWEST", "LOW", "BELOW_NORMAL", "NORMAL", "ABOVE_NORMAL", "HIGH", "HIGHEST"}
)

_TOPIC = re.compile(
    r"v3/(?P<application>[^/@]+)(?:@(?P<tenant>[^/@]+))?/devices/(?P<device>[^/]+)/(?P<kind>.+)"
)


def tts_topic(topic: str) -> tuple[str, str | None, str, str]:
    """Split a topic into (application_id, tenant_id or None, device_id, kind)."""
    match = _TOPIC.fullmatch(read_string(topic, "topic"))
    if match is None:
        raise MessageRejected(
            f"{topic!r:.80} is not v3/{{application}}/devices/{{device}}/{{kind}}", "topic"
        )
    return match["application"], match["tenant"], match["device"], _known_kind(match["kind"])


def parse_tts(
    topic_or_kind: str | None, body: bytes | str | Mapping[str, Any]
) -> NormalisedUplink | NormalisedEvent:
    """Read one message from an MQTT topic, or a webhook (``topic_or_kind`` None).

    ``topic_or_kind`` may be a whole topic or a kind (``up``, ``down/ack``…); the kind must
    agree with the body, and a topic's application and device with the body's identifiers.
    """
    message = read_json_object(body)
    kind = _kind_of_body(message)
    identifiers = read_mapping(message.get("end_device_ids"), "end_device_ids")
    device_id = read_optional_string(identifiers, "device_id", "end_device_ids.device_id")
    application_ids = read_mapping(
        identifiers.get("application_ids", {}), "end_device_ids.application_ids"
    )
    application_id = read_optional_string(
        application_ids, "application_id", "end_device_ids.application_ids.application_id"
    )
    if topic_or_kind:
        if topic_or_kind.startswith("v3/"):
            topic_application, _, topic_device, expected = tts_topic(topic_or_kind)
            if (topic_application, topic_device) != (application_id, device_id):
                raise MessageRejected(
                    f"topic names {topic_application}/{topic_device} but the body is about "
                    f"{application_id}/{device_id}",
                    "end_device_ids",
                )
        else:
            expected = _known_kind(topic_or_kind)
        if expected != kind:
            raise MessageRejected(f"expected a {expected} message, the body holds {KINDS[kind]}")
    dev_eui = read_dev_eui(identifiers.get("dev_eui"), "end_device_ids.dev_eui")
    content = read_mapping(message[KINDS[kind]], KINDS[kind])
    if kind == "up":
        return _uplink(message, content, dev_eui, application_id, device_id)
    return NormalisedEvent(
        kind=_EVENT_KINDS[kind],
        dev_eui=dev_eui,
        at=read_timestamp(message.get("received_at"), "received_at"),
        data=_event_data(kind, content, identifiers),
        source="tts",
        raw=message,
    )


def tts_downlink(
    f_port: int,
    payload: bytes | Mapping[str, Any],
    confirmed: bool,
    correlation_id: str,
    *,
    priority: str = "NORMAL",
) -> dict[str, Any]:
    """Build the body to publish on ``…/down/push`` (or ``…/down/replace``).

    ``payload`` is the bytes to send, or an object for the device's payload formatter.
    """
    downlink: dict[str, Any] = {"f_port": read_integer(f_port, "f_port", 1, 223)}
    if isinstance(payload, bytes | bytearray):
        downlink["frm_payload"] = base64.b64encode(payload).decode("ascii")
    elif isinstance(payload, Mapping):
        downlink["decoded_payload"] = dict(payload)
    else:
        raise MessageRejected("expected bytes or an object to encode", "payload")
    if priority not in PRIORITIES:
        raise MessageRejected(f"unknown priority {priority!r:.40}", "priority")
    correlation = read_string(correlation_id, "correlation_id", max_length=100)
    if not correlation:
        raise MessageRejected("must not be empty", "correlation_id")
    downlink["priority"] = priority
    downlink["confirmed"] = read_boolean(confirmed, "confirmed")
    downlink["correlation_ids"] = [correlation]
    return {"downlinks": [downlink]}


def _known_kind(kind: str) -> str:
    """The topic-suffix form of a kind also given as ``down_ack`` or ``downlink_ack``."""
    if kind in KINDS:
        return kind
    if kind in _KIND_OF_KEY:
        return _KIND_OF_KEY[kind]
    spelled = kind.replace("_", "/", 1)
    if spelled in KINDS:
        return spelled
    raise MessageRejected(f"unknown The Things Stack message kind {kind!r:.40}", "kind")


def _kind_of_body(message: dict[str, Any]) -> str:
    kinds = [kind for key, kind in _KIND_OF_KEY.items() if key in message]
    if len(kinds) != 1:
        found = "none" if not kinds else " and ".join(KINDS[kind] for kind in kinds)
        raise MessageRejected(f"expected one known message key, found {found}")
    return kinds[0]


def _uplink(
    message: dict[str, Any],
    uplink: dict[str, Any],
    dev_eui: str,
    application_id: str | None,
    device_id: str | None,
) -> NormalisedUplink:
    if uplink.get("received_at") is not None:
        received_at = read_timestamp(uplink["received_at"], "uplink_message.received_at")
    else:
        received_at = read_timestamp(message.get("received_at"), "received_at")
    f_cnt = read_integer(uplink.get("f_cnt", 0), "uplink_message.f_cnt", 0, UINT32_MAX)
    f_port_value = uplink.get("f_port")
    f_port = (
        None
        if f_port_value is None
        else read_integer(f_port_value, "uplink_message.f_port", 0, 255)
    )
    decoded = uplink.get("decoded_payload")
    rssi, snr = best_signal(
        uplink.get("rx_metadata", []),
        "uplink_message.rx_metadata",
        rssi_keys=("rssi", "channel_rssi"),
    )
    return NormalisedUplink(
        source="tts",
        dev_eui=dev_eui,
        received_at=received_at,
        f_cnt=f_cnt,
        f_port=f_port,
        payload=decode_base64(uplink.get("frm_payload", ""), "uplink_message.frm_payload"),
        decoded=None
        if decoded is None
        else read_mapping(decoded, "uplink_message.decoded_payload"),
        rssi=rssi,
        snr=snr,
        dedup_key=uplink_dedup_key(dev_eui, f_cnt, received_at),
        application_id=application_id,
        device_name=device_id,
        raw=message,
    )


def _event_data(kind: str, content: dict[str, Any], identifiers: dict[str, Any]) -> dict[str, Any]:
    if kind == "join":
        return {
            "dev_addr": read_optional_string(identifiers, "dev_addr", "end_device_ids.dev_addr"),
            "session_key_id": read_optional_string(
                content, "session_key_id", "join_accept.session_key_id"
            ),
        }
    if kind == "location/solved":
        location = read_mapping(content.get("location"), "location_solved.location")
        data: dict[str, Any] = {
            key: read_number(location.get(key, 0), f"location_solved.location.{key}")
            for key in ("latitude", "longitude", "altitude")
        }
        data["service"] = read_optional_string(content, "service", "location_solved.service")
        return data
    where = KINDS[kind]
    error: str | None = None
    if kind == "down/failed":
        failure = read_mapping(content.get("error", {}), f"{where}.error")
        error = (
            read_optional_string(failure, "message_format", f"{where}.error.message_format")
            or read_optional_string(failure, "name", f"{where}.error.name")
            or "downlink failed"
        )
        where = f"{where}.downlink"
        content = read_mapping(content.get("downlink", {}), where)
    elif kind == "down/nack":
        error = "the device did not acknowledge the downlink"
    f_port_value = content.get("f_port")
    return {
        "f_port": None
        if f_port_value is None
        else read_integer(f_port_value, f"{where}.f_port", 0, 255),
        "f_cnt_down": read_integer(content.get("f_cnt", 0), f"{where}.f_cnt", 0, UINT32_MAX),
        "confirmed": read_boolean(content.get("confirmed", False), f"{where}.confirmed"),
        "correlation_ids": [
            read_string(value, f"{where}.correlation_ids")
            for value in read_list(content.get("correlation_ids", []), f"{where}.correlation_ids")
        ],
        "error": error,
    }
