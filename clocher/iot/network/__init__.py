"""Messages of the network servers read into one normalised form.

``chirpstack`` reads ChirpStack v4 events (MQTT and HTTP integration), ``tts`` reads The Things
Stack v3 messages (MQTT and webhooks), ``senml`` reads the SenML records of the generic endpoint.
Each returns the dataclasses below, whatever the source; every malformed input raises
``MessageRejected`` and nothing else. This module holds the shared types and the strict readers
of JSON values the three parsers are built from.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

Source = Literal["chirpstack", "tts", "generic"]
EventKind = Literal[
    "status",
    "join",
    "ack",
    "txack",
    "log",
    "location",
    "down_queued",
    "down_sent",
    "down_ack",
    "down_nack",
    "down_failed",
]

UINT32_MAX = 2**32 - 1


class MessageRejected(Exception):
    """A message from a network server or device that cannot be read."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        self.reason = reason
        self.field = field
        super().__init__(f"{field}: {reason}" if field else reason)


@dataclasses.dataclass(frozen=True)
class NormalisedUplink:
    """One uplink, whichever network server delivered it."""

    source: Source
    dev_eui: str
    received_at: datetime
    f_cnt: int
    f_port: int | None
    payload: bytes
    decoded: dict[str, Any] | None = dataclasses.field(hash=False)
    rssi: float | None
    snr: float | None
    dedup_key: str
    application_id: str | None
    device_name: str | None
    raw: dict[str, Any] = dataclasses.field(hash=False, repr=False)


@dataclasses.dataclass(frozen=True)
class NormalisedEvent:
    """Any other event of a device: status, join, downlink acknowledgement, log, location."""

    kind: EventKind
    dev_eui: str
    at: datetime
    data: dict[str, Any] = dataclasses.field(hash=False)
    source: Source = "chirpstack"
    raw: dict[str, Any] = dataclasses.field(default_factory=dict, hash=False, repr=False)


@dataclasses.dataclass(frozen=True)
class NormalisedRecord:
    """One SenML record with its base name, time, unit and value resolved (RFC 8428)."""

    name: str
    unit: str | None
    time: datetime
    value: float | None = None
    string: str | None = None
    boolean: bool | None = None
    data: bytes | None = None
    sum: float | None = None


def _reject_constant(name: str) -> Any:
    raise MessageRejected(f"{name} is not a valid JSON value")


# One decoder for every body (``json.loads`` with options builds a new one at each call).
_JSON = json.JSONDecoder(parse_constant=_reject_constant)


def read_json(body: bytes | str | Mapping[str, Any] | list[Any]) -> Any:
    """Return the JSON value of a body given as bytes, text or an already parsed value."""
    if isinstance(body, Mapping | list):
        return body
    if isinstance(body, bytes | bytearray | memoryview):
        try:
            text = bytes(body).decode("utf-8")
        except UnicodeDecodeError as error:
            raise MessageRejected(f"body is not UTF-8 (byte {error.start})") from None
    elif isinstance(body, str):
        text = body
    else:
        raise MessageRejected(f"body of type {type(body).__name__} cannot be read")
    try:
        return _JSON.decode(text)
    except json.JSONDecodeError as error:
        raise MessageRejected(
            f"body is not JSON ({error.msg} at line {error.lineno} column {error.colno})"
        ) from None
    except RecursionError:
        raise MessageRejected("body nests too deeply") from None
    except ValueError as error:  # e.g. an integer longer than Python's digit limit
        raise MessageRejected(f"body is not readable JSON ({error})") from None


def read_json_object(body: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    """Return the JSON object of a body; anything else is rejected."""
    value = read_json(body)
    if not isinstance(value, Mapping):
        raise MessageRejected(f"body is a JSON {_json_type(value)}, not an object")
    return dict(value)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def read_mapping(value: object, field: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise MessageRejected(f"expected an object, got a {_json_type(value)}", field)
    return dict(value)


def read_list(value: object, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise MessageRejected(f"expected an array, got a {_json_type(value)}", field)
    return value


def read_string(value: object, field: str, *, max_length: int = 1024) -> str:
    if not isinstance(value, str):
        raise MessageRejected(f"expected a string, got a {_json_type(value)}", field)
    if len(value) > max_length:
        raise MessageRejected(f"longer than {max_length} characters", field)
    return value


def read_optional_string(message: Mapping[str, Any], key: str, field: str) -> str | None:
    """The string at ``key``; None when absent or null (network servers omit empty fields)."""
    value = message.get(key)
    return None if value is None else read_string(value, field)


def read_boolean(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise MessageRejected(f"expected a boolean, got a {_json_type(value)}", field)
    return value


_INTEGER_TEXT = re.compile(r"-?[0-9]{1,20}")


def read_integer(value: object, field: str, minimum: int, maximum: int) -> int:
    """An integer within bounds; 64-bit integers written as strings (protobuf JSON) are read."""
    number: int
    if isinstance(value, bool):
        raise MessageRejected("expected an integer, got a boolean", field)
    if isinstance(value, int):
        number = value
    elif (isinstance(value, float) and math.isfinite(value) and value.is_integer()) or (
        isinstance(value, str) and _INTEGER_TEXT.fullmatch(value)
    ):
        number = int(value)
    else:
        raise MessageRejected(f"expected an integer, got {value!r:.40}", field)
    if not minimum <= number <= maximum:
        raise MessageRejected(f"{number} is outside {minimum}–{maximum}", field)
    return number


def read_number(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MessageRejected(f"expected a number, got a {_json_type(value)}", field)
    number = float(value)
    if not math.isfinite(number):
        raise MessageRejected("expected a finite number", field)
    return number


_DEV_EUI = re.compile(r"[0-9A-Fa-f]{16}")


def read_dev_eui(value: object, field: str) -> str:
    """A DevEUI as 16 upper-case hexadecimal characters."""
    text = read_string(value, field, max_length=64)
    if not _DEV_EUI.fullmatch(text):
        raise MessageRejected(f"{text!r:.40} is not 16 hexadecimal characters", field)
    return text.upper()


def decode_base64(value: object, field: str) -> bytes:
    text = read_string(value, field, max_length=65536)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise MessageRejected("not valid base64", field) from None


_TIMESTAMP = re.compile(
    r"(?P<main>[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2})"
    r"(?:\.(?P<fraction>[0-9]{1,12}))?"
    r"(?P<zone>[Zz]|[+-][0-9]{2}:?[0-9]{2})"
)


def read_timestamp(value: object, field: str) -> datetime:
    """An RFC 3339 time with its zone, as an aware UTC datetime.

    Network servers write nanoseconds; Python keeps microseconds, so the rest is truncated.
    """
    text = read_string(value, field, max_length=64)
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        raise MessageRejected(f"{text!r} is not an RFC 3339 time with a zone", field)
    fraction = (match["fraction"] or "0")[:6].ljust(6, "0")
    zone = match["zone"].upper()
    zone = "+00:00" if zone == "Z" else zone
    try:
        moment = datetime.fromisoformat(f"{match['main'].upper()}.{fraction}{zone}")
    except ValueError:
        raise MessageRejected(f"{text!r} is not a valid time", field) from None
    return moment.astimezone(UTC)


def uplink_dedup_key(dev_eui: str, f_cnt: int, received_at: datetime) -> str:
    """The idempotency key of an uplink without a network-server deduplication id."""
    text = f"{dev_eui}:{f_cnt}:{received_at.astimezone(UTC).isoformat()}"
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def best_signal(
    gateways: object, field: str, *, rssi_keys: tuple[str, ...]
) -> tuple[float | None, float | None]:
    """RSSI and SNR of the gateway that heard the device best (highest RSSI, then SNR).

    Zero values are omitted by both network servers, so a missing value of a listed gateway is 0.
    """
    best: tuple[float, float] | None = None
    for index, gateway in enumerate(read_list(gateways, field)):
        where = f"{field}[{index}]"
        gateway = read_mapping(gateway, where)
        rssi = 0.0
        for key in rssi_keys:
            if gateway.get(key) is not None:
                rssi = read_number(gateway[key], f"{where}.{key}")
                break
        snr_value = gateway.get("snr")
        snr = 0.0 if snr_value is None else read_number(snr_value, f"{where}.snr")
        if best is None or (rssi, snr) > best:
            best = (rssi, snr)
    return (None, None) if best is None else best
