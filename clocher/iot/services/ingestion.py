"""Ingestion: one uplink from a network server → raw uplink, measurements, roll-ups, device state.

- The commune is always the integration's: a message never lands in another commune.
- Idempotent: an uplink whose ``dedup_key`` is already stored in the commune is answered as a
  duplicate and changes nothing (MQTT redelivery, network-server retries, MQTT and HTTP both).
- A DevEUI not registered in the commune (unknown, or registered in another commune) is kept as
  an uplink ``pending_device`` and listed in the commune's pending devices, to be claimed.
- Decoding uses the network server's decoded object when present, otherwise the profile's codec
  (built-in or JavaScript). A codec that fails, throws or times out marks the uplink
  ``decode_failed`` with its error; nothing is raised, the stream goes on.
- Measurements are timed by the uplink's own time; hourly and daily roll-ups (Europe/Paris days)
  are maintained incrementally, in the same transaction, by an ``INSERT … ON CONFLICT DO UPDATE``
  (PostgreSQL and SQLite), so a late or replayed message lands in its true slot.
- The commune's alert rules are evaluated on the new readings (and on a status event's battery
  level) in the same transaction: ``services.alerting.evaluate_readings``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from clocher.iot.models import (
    Device,
    Integration,
    Measurement,
    PendingDevice,
    Rollup,
    RollupPeriod,
    Uplink,
    UplinkStatus,
)
from clocher.iot.models.devices import CodecKind
from clocher.iot.network import NormalisedEvent, NormalisedRecord, NormalisedUplink
from clocher.iot.services.alerting import evaluate_readings

ROLLUP_ZONE = ZoneInfo("Europe/Paris")
JAVASCRIPT_TIME_LIMIT_MS = 100
ERROR_MAX_LENGTH = 2000
SENML_EUI_PREFIX = "urn:dev:eui:"

IngestStatus = Literal["stored", "duplicate", "pending_device", "decode_failed", "ignored"]


@dataclasses.dataclass(frozen=True)
class Reading:
    """One normalised value of a device at a moment."""

    quantity: str
    time: datetime
    value: float
    unit: str


@dataclasses.dataclass(frozen=True)
class IngestResult:
    status: IngestStatus
    uplink: Uplink | None = None
    measurements: int = 0
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class Decoded:
    data: dict[str, Any] | None
    readings: list[Reading]
    error: str = ""


# --- Entry points ------------------------------------------------------------------------------


def ingest(*, integration: Integration, message: NormalisedUplink) -> IngestResult:
    """Store one uplink for the integration's commune (see the module's docstring)."""
    return _ingest(
        integration=integration,
        dev_eui=message.dev_eui,
        source=message.source,
        dedup_key=message.dedup_key,
        received_at=message.received_at,
        f_cnt=message.f_cnt,
        f_port=message.f_port,
        payload=message.payload,
        network_decoded=message.decoded,
        rssi=message.rssi,
        snr=message.snr,
        device_name=message.device_name or "",
        records=None,
    )


def ingest_records(
    *, integration: Integration, dev_eui: str, records: Sequence[NormalisedRecord]
) -> IngestResult:
    """Store a SenML pack of one device (generic endpoint) as one uplink, each value at its own
    time. Its idempotency key is the hash of the device and the resolved records."""
    serialised = [_record_as_json(record) for record in records]
    received_at = max((record.time for record in records), default=timezone.now())
    digest = hashlib.sha256(json.dumps([dev_eui, serialised], sort_keys=True).encode()).hexdigest()
    return _ingest(
        integration=integration,
        dev_eui=dev_eui,
        source="generic",
        dedup_key=f"senml:{digest}",
        received_at=received_at,
        f_cnt=0,
        f_port=None,
        payload=b"",
        network_decoded={"records": serialised},
        rssi=None,
        snr=None,
        device_name="",
        records=serialised,
    )


def ingest_event(*, integration: Integration, event: NormalisedEvent) -> IngestResult:
    """A device event: a status updates the battery of a registered device; an event of an
    unregistered device is counted in the pending devices; other kinds are not kept yet."""
    commune_id = integration.commune_id
    with transaction.atomic():
        device = Device.objects.filter(commune_id=commune_id, dev_eui=event.dev_eui).first()
        if device is None:
            _pending_upsert(commune_id, event.dev_eui, event.at, "", uplinks=0)
            return IngestResult(status="pending_device")
        if event.kind != "status":
            return IngestResult(
                status="ignored", reason=f"{event.kind} events are not recorded yet"
            )
        level = event.data.get("battery_level")
        battery = _battery_percent(level)
        if battery is None:
            return IngestResult(status="ignored", reason="no battery level in this status")
        Device.objects.filter(pk=device.pk).update(battery_percent=battery)
        evaluate_readings(device, [Reading("battery", event.at, float(battery), "%")])
        return IngestResult(status="stored")


# --- The pipeline ------------------------------------------------------------------------------


def _ingest(
    *,
    integration: Integration,
    dev_eui: str,
    source: str,
    dedup_key: str,
    received_at: datetime,
    f_cnt: int,
    f_port: int | None,
    payload: bytes,
    network_decoded: dict[str, Any] | None,
    rssi: float | None,
    snr: float | None,
    device_name: str,
    records: list[dict[str, Any]] | None,
) -> IngestResult:
    commune_id = integration.commune_id
    with transaction.atomic():
        if Uplink.objects.filter(commune_id=commune_id, dedup_key=dedup_key).exists():
            return IngestResult(status="duplicate")
        device = (
            Device.objects.select_related("profile")
            .filter(commune_id=commune_id, dev_eui=dev_eui)
            .first()
        )
        uplink = Uplink(
            commune_id=commune_id,
            device=device,
            dev_eui=dev_eui,
            source=source,
            dedup_key=dedup_key,
            received_at=received_at,
            f_cnt=f_cnt,
            f_port=f_port,
            payload=bytes(payload),
            decoded=network_decoded,
            rssi=None if rssi is None else round(rssi),
            snr=snr,
        )
        decoded: Decoded | None = None
        if device is None:
            uplink.status = UplinkStatus.PENDING_DEVICE
        else:
            decoded = decode_uplink(device, uplink, network_decoded=network_decoded)
            _apply(uplink, decoded)
        try:
            with transaction.atomic():
                uplink.save(force_insert=True)
        except IntegrityError:  # the same uplink, stored meanwhile by another worker
            return IngestResult(status="duplicate")
        if device is None:
            _pending_upsert(commune_id, dev_eui, received_at, device_name, uplinks=1)
            return IngestResult(status="pending_device", uplink=uplink)
        assert decoded is not None
        count = store_readings(device, decoded.readings)
        _touch_device(device, received_at, decoded.readings)
        evaluate_readings(device, decoded.readings)
        status: IngestStatus = "decode_failed" if decoded.error else "stored"
        return IngestResult(status=status, uplink=uplink, measurements=count)


def _apply(uplink: Uplink, decoded: Decoded) -> None:
    if decoded.error:
        uplink.status = UplinkStatus.DECODE_FAILED
        uplink.error = decoded.error[:ERROR_MAX_LENGTH]
    else:
        uplink.status = UplinkStatus.STORED
        uplink.error = ""
    uplink.decoded = decoded.data


def decode_uplink(
    device: Device, uplink: Uplink, *, network_decoded: dict[str, Any] | None = None
) -> Decoded:
    """Decode a stored or arriving uplink for ``device``: never raises."""
    profile = device.profile
    quantities: dict[str, str] = dict(profile.quantities or {})
    time = uplink.received_at
    if uplink.source == "generic":
        records = (network_decoded or uplink.decoded or {}).get("records", [])
        return Decoded(network_decoded or uplink.decoded, _readings_of_records(records, quantities))
    if network_decoded is not None:
        return Decoded(network_decoded, _readings_of_data(network_decoded, quantities, time))
    payload = bytes(uplink.payload or b"")
    if not payload:
        return Decoded(None, [])
    f_port = uplink.f_port or 0
    if profile.codec_kind == CodecKind.BUILTIN:
        from clocher.iot.codecs.builtin import BUILTIN_DECODERS

        decoder = BUILTIN_DECODERS.get(profile.builtin_codec)
        if decoder is None:
            return Decoded(None, [], f"unknown built-in codec {profile.builtin_codec!r}")
        try:
            result = decoder.decode(payload, f_port, time)
        except Exception as error:
            return Decoded(None, [], f"{type(error).__name__}: {error}")
        if result.errors:
            return Decoded(result.data or None, [], "; ".join(map(str, result.errors)))
        readings = [
            Reading(quantity, time, float(value), unit)
            for quantity, value, unit in decoder.measurements(result)
            if math.isfinite(value)
        ]
        return Decoded(result.data, readings)
    if profile.codec_kind == CodecKind.JAVASCRIPT:
        return _decode_javascript(profile.javascript_codec, payload, f_port, time, quantities)
    return Decoded(None, [], "no decoded object from the network server")


def _decode_javascript(
    source: str, payload: bytes, f_port: int, time: datetime, quantities: dict[str, str]
) -> Decoded:
    try:
        from clocher.iot.codecs.javascript import JavaScriptCodec

        codec = JavaScriptCodec(source, time_limit_ms=JAVASCRIPT_TIME_LIMIT_MS)
        result = codec.decode_uplink(payload, f_port, time)
    except Exception as error:
        return Decoded(None, [], f"{type(error).__name__}: {error}")
    result_map: Mapping[str, Any] = result if isinstance(result, Mapping) else {}
    errors = result_map.get("errors") or []
    data = result_map.get("data")
    data = dict(data) if isinstance(data, Mapping) else None
    if errors:
        return Decoded(data, [], "; ".join(map(str, errors)))
    if data is None:
        return Decoded(None, [], "the codec returned no data object")
    return Decoded(data, _readings_of_data(data, quantities, time))


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _readings_of_data(
    data: Mapping[str, Any], quantities: Mapping[str, str], time: datetime
) -> list[Reading]:
    """The profile's quantities found as numbers in ``data``; every top-level number when the
    profile declares none."""
    if quantities:
        return [
            Reading(name, time, float(data[name]), unit)
            for name, unit in quantities.items()
            if _is_number(data.get(name))
        ]
    return [
        Reading(str(name), time, float(value), "")
        for name, value in data.items()
        if _is_number(value) and len(str(name)) <= 60
    ]


def _record_as_json(record: NormalisedRecord) -> dict[str, Any]:
    value = record.value if record.value is not None else record.sum
    return {
        "name": record.name,
        "unit": record.unit or "",
        "time": record.time.astimezone(UTC).isoformat(),
        "value": value,
    }


def senml_quantity(name: str) -> tuple[str | None, str]:
    """``urn:dev:eui:0102030405060708:temperature`` → (``0102030405060708``, ``temperature``);
    any other name → (None, its last ``:`` segment)."""
    if name.lower().startswith(SENML_EUI_PREFIX):
        rest = name[len(SENML_EUI_PREFIX) :]
        eui, _sep, quantity = rest.partition(":")
        return eui.upper(), quantity
    return None, name.rsplit(":", 1)[-1]


def _readings_of_records(
    records: Iterable[Mapping[str, Any]], quantities: Mapping[str, str]
) -> list[Reading]:
    readings = []
    for record in records:
        value = record.get("value")
        if not _is_number(value):
            continue
        _eui, quantity = senml_quantity(str(record["name"]))
        if not quantity or len(quantity) > 60:
            continue
        unit = str(record.get("unit") or quantities.get(quantity, ""))[:20]
        readings.append(
            Reading(quantity, datetime.fromisoformat(record["time"]), float(value or 0), unit)
        )
    return readings


# --- Storage -----------------------------------------------------------------------------------


def store_readings(device: Device, readings: Sequence[Reading]) -> int:
    """Insert the measurements not stored yet and add them to their roll-ups; returns how many
    were new. Must run inside the caller's transaction."""
    if not readings:
        return 0
    unique = {(reading.quantity, reading.time): reading for reading in readings}
    inserted = _insert_measurements(device, list(unique.values()))
    fresh = [unique[key] for key in inserted if key in unique]
    _upsert_rollups(device, fresh)
    return len(fresh)


def _db_time(moment: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


def _insert_measurements(device: Device, readings: list[Reading]) -> list[tuple[str, datetime]]:
    quote = connection.ops.quote_name
    table = quote(Measurement._meta.db_table)
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(readings))
    parameters: list[Any] = []
    for reading in readings:
        parameters += [
            device.commune_id,
            device.pk,
            reading.quantity,
            _db_time(reading.time),
            reading.value,
            reading.unit[:20],
        ]
    # Identifiers are the model's quoted names; every value is a query parameter.
    sql = (
        f"INSERT INTO {table} (commune_id, device_id, quantity, {quote('time')}, value, unit) "  # noqa: S608
        f"VALUES {rows} ON CONFLICT (device_id, quantity, {quote('time')}) DO NOTHING "
        f"RETURNING quantity, {quote('time')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        returned = cursor.fetchall()
    requested = {(r.quantity, r.time.astimezone(UTC)): r for r in readings}
    inserted = []
    for quantity, stored_time in returned:
        moment = (
            stored_time
            if isinstance(stored_time, datetime)
            else datetime.fromisoformat(str(stored_time))
        )
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
        match = requested.get((quantity, moment.astimezone(UTC)))
        if match is not None:
            inserted.append((match.quantity, match.time))
    return inserted


def slot_starts(moment: datetime) -> dict[str, datetime]:
    """Start of the hour (UTC; Paris offsets are whole hours) and of the Europe/Paris day."""
    utc = moment.astimezone(UTC)
    hour = utc.replace(minute=0, second=0, microsecond=0)
    local = utc.astimezone(ROLLUP_ZONE)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    return {RollupPeriod.HOUR: hour, RollupPeriod.DAY: day}


def _upsert_rollups(device: Device, readings: Sequence[Reading]) -> None:
    """Merge each reading into its hour and day slots; readings in the same slot are merged in
    Python first, so one statement touches each slot once."""
    slots: dict[tuple[str, str, datetime], list[Reading]] = {}
    for reading in readings:
        for period, slot_start in slot_starts(reading.time).items():
            slots.setdefault((reading.quantity, period, slot_start), []).append(reading)
    if not slots:
        return
    quote = connection.ops.quote_name
    table = quote(Rollup._meta.db_table)
    least, greatest = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    start, count, last, last_time = (quote(n) for n in ("start", "count", "last", "last_time"))
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(slots))
    parameters: list[Any] = []
    for (quantity, period, slot_start), members in slots.items():
        latest = max(members, key=lambda reading: reading.time)
        parameters += [
            device.commune_id,
            device.pk,
            quantity,
            str(period),
            _db_time(slot_start),
            min(member.value for member in members),
            max(member.value for member in members),
            sum(member.value for member in members),
            len(members),
            latest.value,
            _db_time(latest.time),
        ]
    newer = f"excluded.{last_time} >= {table}.{last_time}"
    # Identifiers are the model's quoted names; every value is a query parameter.
    sql = (
        f"INSERT INTO {table} (commune_id, device_id, quantity, period, {start}, minimum, "  # noqa: S608
        f"maximum, total, {count}, {last}, {last_time}) VALUES {rows} "
        f"ON CONFLICT (device_id, quantity, period, {start}) DO UPDATE SET "
        f"minimum = {least}({table}.minimum, excluded.minimum), "
        f"maximum = {greatest}({table}.maximum, excluded.maximum), "
        f"total = {table}.total + excluded.total, "
        f"{count} = {table}.{count} + excluded.{count}, "
        f"{last} = CASE WHEN {newer} THEN excluded.{last} ELSE {table}.{last} END, "
        f"{last_time} = CASE WHEN {newer} THEN excluded.{last_time} ELSE {table}.{last_time} END"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)


def _battery_percent(value: object) -> int | None:
    if not _is_number(value):
        return None
    number = float(value)  # type: ignore[arg-type]
    return round(number) if 0 <= number <= 100 else None


def _touch_device(device: Device, received_at: datetime, readings: Sequence[Reading]) -> None:
    """Move ``last_seen_at`` (and the battery it reported) forward, never back: a late message
    does not make a device look older than it is."""
    changes: dict[str, Any] = {"last_seen_at": received_at}
    for reading in readings:
        if reading.quantity == "battery" and reading.unit == "%":
            battery = _battery_percent(reading.value)
            if battery is not None:
                changes["battery_percent"] = battery
    Device.objects.filter(pk=device.pk).filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=received_at)
    ).update(**changes)


def _pending_upsert(
    commune_id: int, dev_eui: str, heard_at: datetime, device_name: str, *, uplinks: int
) -> None:
    pending, created = PendingDevice.objects.get_or_create(
        commune_id=commune_id,
        dev_eui=dev_eui,
        defaults={
            "first_seen_at": heard_at,
            "last_seen_at": heard_at,
            "uplinks": uplinks,
            "network_device_name": device_name[:200],
        },
    )
    if created:
        return
    pending.uplinks += uplinks
    pending.first_seen_at = min(pending.first_seen_at, heard_at)
    pending.last_seen_at = max(pending.last_seen_at, heard_at)
    if device_name:
        pending.network_device_name = device_name[:200]
    pending.save(update_fields=["uplinks", "first_seen_at", "last_seen_at", "network_device_name"])


@transaction.atomic
def uplinks_claim(*, device: Device) -> int:
    """Attach the commune's pending uplinks of ``device``'s DevEUI to it and decode them into
    measurements; removes the pending entry. Returns the number of uplinks claimed."""
    uplinks = list(
        Uplink.objects.filter(
            commune_id=device.commune_id,
            dev_eui=device.dev_eui,
            status=UplinkStatus.PENDING_DEVICE,
        ).order_by("received_at", "pk")
    )
    latest: datetime | None = None
    all_readings: list[Reading] = []
    for uplink in uplinks:
        network_decoded = uplink.decoded if uplink.source != "generic" else None
        decoded = decode_uplink(device, uplink, network_decoded=network_decoded)
        _apply(uplink, decoded)
        uplink.device = device
        uplink.save(update_fields=["device", "status", "error", "decoded"])
        all_readings.extend(decoded.readings)
        latest = uplink.received_at if latest is None else max(latest, uplink.received_at)
    store_readings(device, all_readings)
    if latest is not None:
        _touch_device(device, latest, all_readings)
    PendingDevice.objects.filter(commune_id=device.commune_id, dev_eui=device.dev_eui).delete()
    return len(uplinks)
