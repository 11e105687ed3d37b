"""ChirpStack v4 events (MQTT integration and HTTP integration) and downlink commands.

The same JSON bodies arrive on ``application/{application_id}/device/{dev_eui}/event/{event}``
and as ``POST …?event={event}``. ChirpStack omits zero-valued fields: a missing ``fCnt`` is 0.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
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
    read_mapping,
    read_number,
    read_optional_string,
    read_string,
    read_timestamp,
    uplink_dedup_key,
)

EVENTS = frozenset({"up", "status", "join", "ack", "txack", "log", "location"})

_TOPIC = re.compile(
    r"application/(?P<application>[^/]+)/device/(?P<device>[^/]+)/event/(?P<event>[^/]+)"
)


def chirpstack_topic(topic: str) -> tuple[str, str, str]:
    """Split an event topic into (application_id, dev_eui, event)."""
    match = _TOPIC.fullmatch(read_string(topic, "topic"))
    if match is None:
        raise MessageRejected(
            f"{topic!r:.80} is not application/{{id}}/device/{{dev_eui}}/event/{{event}}", "topic"
        )
    return (
        match["application"],
        read_dev_eui(match["device"], "topic"),
        _known_event(match["event"]),
    )


def parse_chirpstack(
    event: str, body: bytes | str | Mapping[str, Any]
) -> NormalisedUplink | NormalisedEvent:
    """Read one ChirpStack event; ``event`` is the HTTP ``?event=`` or the topic's last segment."""
    event = _known_event(event)
    message = read_json_object(body)
    device_info = read_mapping(message.get("deviceInfo"), "deviceInfo")
    dev_eui = read_dev_eui(device_info.get("devEui"), "deviceInfo.devEui")
    at = read_timestamp(message.get("time"), "time")
    if event == "up":
        return _uplink(message, device_info, dev_eui, at)
    kind, read_data = _EVENT_READERS[event]
    return NormalisedEvent(
        kind=kind,
        dev_eui=dev_eui,
        at=at,
        data=read_data(message),
        source="chirpstack",
        raw=message,
    )


def parse_chirpstack_mqtt(
    topic: str, body: bytes | str | Mapping[str, Any]
) -> NormalisedUplink | NormalisedEvent:
    """Read an MQTT event, refusing a body about another device than its topic names."""
    _, dev_eui, event = chirpstack_topic(topic)
    parsed = parse_chirpstack(event, body)
    if parsed.dev_eui != dev_eui:
        raise MessageRejected(
            f"topic names {dev_eui} but the body is about {parsed.dev_eui}", "deviceInfo.devEui"
        )
    return parsed


def chirpstack_downlink(
    dev_eui: str,
    f_port: int,
    payload: bytes | Mapping[str, Any],
    confirmed: bool,
    id: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """Build a downlink command: (topic suffix after ``application/{id}/``, JSON body).

    ``payload`` is the bytes to send, or an object for the device profile's encoder.
    """
    eui = read_dev_eui(dev_eui, "dev_eui").lower()
    command: dict[str, Any] = {
        "devEui": eui,
        "confirmed": read_boolean(confirmed, "confirmed"),
        "fPort": read_integer(f_port, "f_port", 1, 223),
    }
    if isinstance(payload, bytes | bytearray):
        command["data"] = base64.b64encode(payload).decode("ascii")
    elif isinstance(payload, Mapping):
        command["object"] = dict(payload)
    else:
        raise MessageRejected("expected bytes or an object to encode", "payload")
    if id is not None:
        try:
            command["id"] = str(uuid.UUID(read_string(id, "id")))
        except ValueError:
            raise MessageRejected(f"{id!r:.40} is not a UUID", "id") from None
    return f"device/{eui}/command/down", command


def _known_event(event: object) -> str:
    if not isinstance(event, str) or event not in EVENTS:
        raise MessageRejected(f"unknown ChirpStack event {event!r:.40}", "event")
    return event


def _uplink(
    message: dict[str, Any], device_info: dict[str, Any], dev_eui: str, at: datetime
) -> NormalisedUplink:
    f_cnt = read_integer(message.get("fCnt", 0), "fCnt", 0, UINT32_MAX)
    f_port_value = message.get("fPort")
    f_port = None if f_port_value is None else read_integer(f_port_value, "fPort", 0, 255)
    decoded = message.get("object")
    rssi, snr = best_signal(message.get("rxInfo", []), "rxInfo", rssi_keys=("rssi",))
    dedup_key = read_optional_string(message, "deduplicationId", "deduplicationId")
    return NormalisedUplink(
        source="chirpstack",
        dev_eui=dev_eui,
        received_at=at,
        f_cnt=f_cnt,
        f_port=f_port,
        payload=decode_base64(message.get("data", ""), "data"),
        decoded=None if decoded is None else read_mapping(decoded, "object"),
        rssi=rssi,
        snr=snr,
        dedup_key=dedup_key or uplink_dedup_key(dev_eui, f_cnt, at),
        application_id=read_optional_string(
            device_info, "applicationId", "deviceInfo.applicationId"
        ),
        device_name=read_optional_string(device_info, "deviceName", "deviceInfo.deviceName"),
        raw=message,
    )


def _status(message: dict[str, Any]) -> dict[str, Any]:
    external_power = read_boolean(message.get("externalPowerSource", False), "externalPowerSource")
    unavailable = read_boolean(
        message.get("batteryLevelUnavailable", False), "batteryLevelUnavailable"
    )
    level = read_number(message.get("batteryLevel", 0), "batteryLevel")
    return {
        "margin": read_integer(message.get("margin", 0), "margin", -128, 127),
        "external_power_source": external_power,
        "battery_level_unavailable": unavailable,
        "battery_level": None if external_power or unavailable else level,
    }


def _join(message: dict[str, Any]) -> dict[str, Any]:
    return {"dev_addr": read_optional_string(message, "devAddr", "devAddr")}


def _ack(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "queue_item_id": read_optional_string(message, "queueItemId", "queueItemId"),
        "acknowledged": read_boolean(message.get("acknowledged", False), "acknowledged"),
        "f_cnt_down": read_integer(message.get("fCntDown", 0), "fCntDown", 0, UINT32_MAX),
    }


def _txack(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "downlink_id": read_integer(message.get("downlinkId", 0), "downlinkId", 0, UINT32_MAX),
        "queue_item_id": read_optional_string(message, "queueItemId", "queueItemId"),
        "f_cnt_down": read_integer(message.get("fCntDown", 0), "fCntDown", 0, UINT32_MAX),
        "gateway_id": read_optional_string(message, "gatewayId", "gatewayId"),
    }


def _log(message: dict[str, Any]) -> dict[str, Any]:
    context = read_mapping(message.get("context", {}), "context")
    return {
        "level": read_optional_string(message, "level", "level") or "INFO",
        "code": read_optional_string(message, "code", "code") or "UNKNOWN",
        "description": read_optional_string(message, "description", "description") or "",
        "context": {key: read_string(value, f"context.{key}") for key, value in context.items()},
    }


def _location(message: dict[str, Any]) -> dict[str, Any]:
    location = read_mapping(message.get("location"), "location")
    return {
        key: read_number(location.get(key, 0), f"location.{key}")
        for key in ("latitude", "longitude", "altitude")
    }


_EVENT_READERS: dict[str, tuple[EventKind, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "status": ("status", _status),
    "join": ("join", _join),
    "ack": ("ack", _ack),
    "txack": ("txack", _txack),
    "log": ("log", _log),
    "location": ("location", _location),
}
