"""SenML records (RFC 8428, JSON) of the generic endpoint for devices outside LoRaWAN.

A pack is an array of records. Base fields (``bn``, ``bt``, ``bu``, ``bv``, ``bs``) apply to
their own record and every later one until changed; a time below 2**28 is relative to now.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from clocher.iot.network import (
    MessageRejected,
    NormalisedRecord,
    read_boolean,
    read_integer,
    read_json,
    read_list,
    read_mapping,
    read_number,
    read_string,
)

SUPPORTED_VERSION = 10
MAX_RECORDS = 10_000
RELATIVE_TIME_LIMIT = 2**28  # RFC 8428 §4.5.3: smaller times are relative to now

_KNOWN_FIELDS = frozenset(
    {"bn", "bt", "bu", "bv", "bs", "bver", "n", "u", "v", "vs", "vb", "vd", "s", "t", "ut"}
)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9:./_-]*")


def parse_senml(
    body: bytes | str | list[Any], *, now: datetime | None = None
) -> list[NormalisedRecord]:
    """Resolve a SenML pack into records with full name, unit, value and aware time."""
    if now is None:
        now = datetime.now(UTC)
    records = read_list(read_json(body), "records")
    if len(records) > MAX_RECORDS:
        raise MessageRejected(f"more than {MAX_RECORDS} records", "records")
    base_name = ""
    base_time = 0.0
    base_unit: str | None = None
    base_value = 0.0
    base_sum = 0.0
    resolved = []
    for index, item in enumerate(records):
        where = f"records[{index}]"
        record = read_mapping(item, where)
        _check_fields(record, where)
        if "bver" in record:
            version = read_integer(record["bver"], f"{where}.bver", 1, 2**31)
            if version > SUPPORTED_VERSION:
                raise MessageRejected(f"version {version} is not supported", f"{where}.bver")
        if "bn" in record:
            base_name = read_string(record["bn"], f"{where}.bn", max_length=256)
        if "bt" in record:
            base_time = read_number(record["bt"], f"{where}.bt")
        if "bu" in record:
            base_unit = read_string(record["bu"], f"{where}.bu", max_length=64)
        if "bv" in record:
            base_value = read_number(record["bv"], f"{where}.bv")
        if "bs" in record:
            base_sum = read_number(record["bs"], f"{where}.bs")
        resolved.append(
            _record(record, where, now, base_name, base_time, base_unit, base_value, base_sum)
        )
    return resolved


def _check_fields(record: Mapping[str, Any], where: str) -> None:
    for key in record:
        if key not in _KNOWN_FIELDS and key.endswith("_"):
            raise MessageRejected(
                "a field that must be understood is not supported", f"{where}.{key}"
            )


def _record(
    record: Mapping[str, Any],
    where: str,
    now: datetime,
    base_name: str,
    base_time: float,
    base_unit: str | None,
    base_value: float,
    base_sum: float,
) -> NormalisedRecord:
    name = base_name + read_string(record.get("n", ""), f"{where}.n", max_length=256)
    if not _NAME.fullmatch(name):
        raise MessageRejected(f"{name!r:.60} is not a valid SenML name", f"{where}.n")
    unit = base_unit
    if "u" in record:
        unit = read_string(record["u"], f"{where}.u", max_length=64)
    values: dict[str, Any] = {}
    if "v" in record:
        values["value"] = base_value + read_number(record["v"], f"{where}.v")
    if "vs" in record:
        values["string"] = read_string(record["vs"], f"{where}.vs", max_length=4096)
    if "vb" in record:
        values["boolean"] = read_boolean(record["vb"], f"{where}.vb")
    if "vd" in record:
        values["data"] = _base64url(record["vd"], f"{where}.vd")
    value_count = len(values)
    if "s" in record:
        values["sum"] = base_sum + read_number(record["s"], f"{where}.s")
    if value_count > 1:
        raise MessageRejected("a record holds at most one of v, vs, vb, vd", where)
    if not values:
        raise MessageRejected("a record needs a value (v, vs, vb, vd) or a sum (s)", where)
    return NormalisedRecord(
        name=name, unit=unit, time=_time(record, where, now, base_time), **values
    )


def _time(record: Mapping[str, Any], where: str, now: datetime, base_time: float) -> datetime:
    seconds = base_time + read_number(record.get("t", 0), f"{where}.t")
    try:
        if seconds < RELATIVE_TIME_LIMIT:
            return now + timedelta(seconds=seconds)
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise MessageRejected(f"time {seconds} is out of range", f"{where}.t") from None


def _base64url(value: object, field: str) -> bytes:
    text = read_string(value, field, max_length=65536)
    if not re.fullmatch(r"[A-Za-z0-9_-]*={0,2}", text):
        raise MessageRejected("not valid base64url", field)
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise MessageRejected("not valid base64url", field) from None
