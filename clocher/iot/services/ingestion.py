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
  (PostgreSQL and SQLite), so a late or replayed message lands in its true slot. On PostgreSQL
  that upsert is part of the measurements' own statement (``store_batch``).
- The commune's alert rules are evaluated on the new readings (and on a status event's battery
  level) in the same transaction: ``services.alerting.evaluate_batch``.
- Uplinks arrive one at a time (HTTP endpoints, ``ingest``) or in batches (the MQTT worker,
  ``ingest_batch``): a batch is one transaction and a fixed number of statements — the devices,
  the uplinks (``INSERT … RETURNING``, with ``ON CONFLICT DO NOTHING`` when one is already
  stored: ``_insert_rows``; what it returns tells the duplicates), the measurements, the
  roll-ups, the alert rules — plus one update per device seen.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, connections, transaction
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
from clocher.iot.models.devices import CodecKind, DeviceProfile
from clocher.iot.network import NormalisedEvent, NormalisedRecord, NormalisedUplink
from clocher.iot.services.alerting import evaluate_batch, evaluate_readings
from clocher.iot.services.rows import db_time_adapter, execute_rows, row_chunks, rows_source

ROLLUP_ZONE = ZoneInfo("Europe/Paris")
JAVASCRIPT_TIME_LIMIT_MS = 100
ERROR_MAX_LENGTH = 2000
SENML_EUI_PREFIX = "urn:dev:eui:"

# Downlink events, applied to the command they report on (services.commands).
COMMAND_EVENT_KINDS = frozenset(
    {"ack", "txack", "down_queued", "down_sent", "down_ack", "down_nack", "down_failed"}
)

IngestStatus = Literal["stored", "duplicate", "pending_device", "decode_failed", "ignored"]


class Reading(NamedTuple):
    """One normalised value of a device at a moment (a tuple: the ingestion makes millions)."""

    quantity: str
    time: datetime
    value: float
    unit: str


@dataclasses.dataclass(frozen=True)
class IngestResult:
    status: IngestStatus
    uplink_id: int | None = None  # the uplink stored (none for a duplicate or an event)
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
    return ingest_batch(integration=integration, messages=[message])[0]


def ingest_batch(
    *, integration: Integration, messages: Sequence[NormalisedUplink]
) -> list[IngestResult]:
    """Store several uplinks of one integration in one transaction; one result per message, in
    order. The MQTT worker hands over what the broker delivered since the last commit and
    acknowledges every message once this has returned."""
    return _ingest_many(
        integration,
        [
            _Incoming(
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
                application_id=message.application_id or "",
            )
            for message in messages
        ],
    )


def ingest_records(
    *, integration: Integration, dev_eui: str, records: Sequence[NormalisedRecord]
) -> IngestResult:
    """Store a SenML pack of one device (generic endpoint) as one uplink, each value at its own
    time. Its idempotency key is the hash of the device and the resolved records."""
    serialised = [_record_as_json(record) for record in records]
    received_at = max((record.time for record in records), default=timezone.now())
    digest = hashlib.sha256(json.dumps([dev_eui, serialised], sort_keys=True).encode()).hexdigest()
    incoming = _Incoming(
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
    )
    return _ingest_many(integration, [incoming])[0]


def ingest_event(*, integration: Integration, event: NormalisedEvent) -> IngestResult:
    """A device event: a status updates the battery of a registered device; an event of an
    unregistered device is counted in the pending devices; other kinds are not kept yet."""
    commune_id = integration.commune_id
    with transaction.atomic():
        device = Device.objects.filter(commune_id=commune_id, dev_eui=event.dev_eui).first()
        if device is None:
            _pending_upsert(commune_id, event.dev_eui, event.at, "", uplinks=0)
            return IngestResult(status="pending_device")
        if event.kind in COMMAND_EVENT_KINDS:  # remote control: delivery of a command
            from clocher.iot.services.commands import command_event_record

            changed, reason = command_event_record(
                commune_id=commune_id, device=device, event=event
            )
            return IngestResult(status="stored" if changed else "ignored", reason=reason)
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


@dataclasses.dataclass(frozen=True)
class _Incoming:
    dev_eui: str
    source: str
    dedup_key: str
    received_at: datetime
    f_cnt: int
    f_port: int | None
    payload: bytes
    network_decoded: dict[str, Any] | None
    rssi: float | None
    snr: float | None
    device_name: str
    application_id: str = ""


@dataclasses.dataclass(slots=True)
class UplinkRow:
    """An uplink of a batch on its way to the database: its columns without the model (a batch
    makes hundreds, and building a model instance cost more than the rest of its row)."""

    device: Device | None
    dev_eui: str
    source: str
    dedup_key: str
    received_at: datetime
    f_cnt: int
    f_port: int | None
    payload: bytes
    decoded: dict[str, Any] | None
    rssi: int | None
    snr: float | None
    status: str = UplinkStatus.STORED
    error: str = ""
    pk: int | None = None


def _ingest_many(integration: Integration, incoming: Sequence[_Incoming]) -> list[IngestResult]:
    """The pipeline for a batch: decode, insert the new uplinks (the rows the insert returns
    tell the duplicates, ``_insert_uplinks``), their measurements and roll-ups, move the
    devices' state forward, count pending devices — a fixed number of statements whatever the
    batch's size."""
    commune_id = integration.commune_id
    results: list[IngestResult | None] = [None] * len(incoming)
    with transaction.atomic():
        devices = _devices_with_profiles(commune_id, {item.dev_eui for item in incoming})
        uplinks: list[tuple[int, UplinkRow, Decoded | None]] = []
        seen: set[str] = set()
        for index, item in enumerate(incoming):
            if item.dedup_key in seen:  # twice in the same batch
                results[index] = IngestResult(status="duplicate")
                continue
            seen.add(item.dedup_key)
            device = devices.get(item.dev_eui)
            uplink = UplinkRow(
                device=device,
                dev_eui=item.dev_eui,
                source=item.source,
                dedup_key=item.dedup_key,
                received_at=item.received_at,
                f_cnt=item.f_cnt,
                f_port=item.f_port,
                payload=bytes(item.payload),
                decoded=item.network_decoded,
                rssi=None if item.rssi is None else round(item.rssi),
                snr=item.snr,
            )
            decoded: Decoded | None = None
            if device is None:
                uplink.status = UplinkStatus.PENDING_DEVICE
            else:
                decoded = decode_uplink(device, uplink, network_decoded=item.network_decoded)
                _apply(uplink, decoded)
            uplinks.append((index, uplink, decoded))
        inserted = _insert_uplinks(commune_id, [uplink for _index, uplink, _decoded in uplinks])
        stored: list[tuple[Device, Sequence[Reading]]] = []
        stored_at_index: list[int] = []
        seen_devices: list[tuple[Device, datetime]] = []
        pending: dict[str, list[_Incoming]] = {}
        for index, uplink, decoded in uplinks:
            if uplink.dedup_key not in inserted:
                results[index] = IngestResult(status="duplicate")
                continue
            uplink.pk = inserted[uplink.dedup_key]
            if decoded is None:
                pending.setdefault(uplink.dev_eui, []).append(incoming[index])
                results[index] = IngestResult(status="pending_device", uplink_id=uplink.pk)
                continue
            assert uplink.device is not None
            stored.append((uplink.device, decoded.readings))
            stored_at_index.append(index)
            seen_devices.append((uplink.device, uplink.received_at))
            status: IngestStatus = "decode_failed" if decoded.error else "stored"
            results[index] = IngestResult(status=status, uplink_id=uplink.pk)
        for index, count in zip(stored_at_index, store_batch(stored), strict=True):
            result = results[index]
            assert result is not None
            results[index] = dataclasses.replace(result, measurements=count)
        _touch_devices(seen_devices, stored)
        _note_network_addresses(incoming, uplinks)
        evaluate_batch([(device, readings) for device, readings in stored if readings])
        for dev_eui, items in sorted(pending.items()):  # lock order (see _uplink_row_key)
            named = [item.device_name for item in items if item.device_name]
            _pending_upsert(
                commune_id,
                dev_eui,
                min(item.received_at for item in items),
                named[-1] if named else "",
                uplinks=len(items),
                last_heard_at=max(item.received_at for item in items),
            )
    return [result or IngestResult(status="duplicate") for result in results]


# What ingestion reads of a device: decoding, storage, alert rules (by device, profile or site)
# and the network address downlinks go to. Another field is loaded when first read, one query
# per device (test_ingestion_batch checks that a batch's queries do not grow with its devices).
INGESTION_DEVICE_FIELDS = (
    "id",
    "commune_id",
    "dev_eui",
    "profile_id",
    "site",
    "network_server",
    "network_application_id",
    "network_device_id",
)


def _devices_with_profiles(commune_id: int, dev_euis: set[str]) -> dict[str, Device]:
    """The commune's devices among ``dev_euis``, by DevEUI, each with its profile; only the
    fields ingestion reads (``INGESTION_DEVICE_FIELDS``: a whole device, with its dates and
    coordinates to parse, cost twice as much to load, and a batch loads hundreds). The
    profiles come in a second query, one row each: joined to every device, each device's row
    would carry (and Django parse) its profile's JSON again."""
    if connection.vendor == "postgresql":
        # One array for the DevEUIs, read by a binary cursor: Django's cursor parsed the
        # hundreds of placeholders of a batch's IN list in Python (docs/performance.md).
        quote = connection.ops.quote_name
        by_name = {field.attname: field for field in Device._meta.concrete_fields}
        fields = [by_name[name] for name in INGESTION_DEVICE_FIELDS]
        rows = execute_rows(
            f"SELECT {', '.join(quote(field.column) for field in fields)} "  # noqa: S608
            f"FROM {quote(Device._meta.db_table)} "
            "WHERE commune_id = %s AND dev_eui = ANY(CAST(%s AS text[]))",
            [commune_id, sorted(dev_euis)],
            fetch=True,
        )
        devices = [Device.from_db(connection.alias, INGESTION_DEVICE_FIELDS, row) for row in rows]
    else:
        devices = list(
            Device.objects.filter(commune_id=commune_id, dev_eui__in=dev_euis).only(
                *INGESTION_DEVICE_FIELDS
            )
        )
    profiles = DeviceProfile.objects.in_bulk({device.profile_id for device in devices})
    for device in devices:
        device.profile = profiles[device.profile_id]
    return {device.dev_eui: device for device in devices}


def _note_network_addresses(
    incoming: Sequence[_Incoming], uplinks: Sequence[tuple[int, UplinkRow, Decoded | None]]
) -> None:
    """Remote control: where downlinks to each device go, from its uplinks (an UPDATE only when
    it changed; the batch's devices are shared objects, so once per device at most)."""
    from clocher.iot.services.commands import device_network_note

    for index, uplink, _decoded in uplinks:
        if uplink.pk and uplink.device is not None:
            item = incoming[index]
            device_network_note(
                uplink.device,
                source=item.source,
                application_id=item.application_id or None,
                device_id=item.device_name or None,
            )


_UPLINK_COLUMNS = (
    "commune_id",
    "device_id",
    "dev_eui",
    "source",
    "dedup_key",
    "received_at",
    "stored_at",
    "f_cnt",
    "f_port",
    "payload",
    "decoded",
    "status",
    "error",
    "rssi",
    "snr",
)
_UPLINK_TYPES = (
    "bigint",
    "bigint",
    "text",
    "text",
    "text",
    "timestamptz",
    "timestamptz",
    "bigint",
    "integer",
    "bytea",
    "jsonb",
    "text",
    "text",
    "integer",
    "double precision",
)
# Lock order: workers sharing a subscription write overlapping rows at the same time (the same
# roll-up slots, devices, a redelivered uplink). Every statement of a batch takes its rows sorted
# by their key, so two batches lock shared rows in the same order and never deadlock each other.


def _uplink_row_key(row: Sequence[Any]) -> tuple[Any, ...]:
    return (row[5], row[4])  # received_at, dedup_key: the unique key within the commune


def _insert_rows(plain: str, idempotent: str, parameters: list[Any]) -> list[Any]:
    """Run an insert that must leave rows already stored alone, and return what it returns:
    ``idempotent`` is the statement with its ``ON CONFLICT`` clause, ``plain`` the same without.

    On PostgreSQL the plain statement is tried first, in a savepoint, and ``idempotent`` runs
    only if a row was already stored (the unique violation rolls the attempt back). For every
    row, ``ON CONFLICT`` first searches the unique index for a conflict and then inserts with a
    second descent of it (and one more WAL record); a plain insert checks uniqueness during
    its own descent. That search was a fifth of the measurements' insert, and a row already
    stored is rare: a duplicate uplink is almost always told before its measurements, and
    a batch of uplinks delivered again pays one attempt more. Elsewhere (SQLite, where the
    conflict check costs nothing more) ``idempotent`` alone."""
    if connection.vendor != "postgresql":
        return execute_rows(idempotent, parameters, fetch=True)
    try:
        with transaction.atomic():
            return execute_rows(plain, parameters, fetch=True)
    except IntegrityError:
        return execute_rows(idempotent, parameters, fetch=True)


def _insert_uplinks(commune_id: int, uplinks: Sequence[UplinkRow]) -> dict[str, int]:
    """Insert the uplinks not stored yet; returns ``{dedup_key: id}`` of those inserted (a key
    already stored in the commune, by this or another worker, is left out: a duplicate)."""
    if not uplinks:
        return {}
    quote = connection.ops.quote_name
    table = quote(Uplink._meta.db_table)
    decoded_field = Uplink._meta.get_field("decoded")
    payload_field = Uplink._meta.get_field("payload")
    adapt = db_time_adapter()
    stored_at = adapt(timezone.now())
    columns = ", ".join(quote(name) for name in _UPLINK_COLUMNS)
    # The connection itself, not the proxy: each of the proxy's attribute reads costs a lookup
    # of the thread's connections, twice a row here.
    database = connections[connection.alias]
    rows = [
        (
            commune_id,
            uplink.device.pk if uplink.device is not None else None,
            uplink.dev_eui,
            uplink.source,
            uplink.dedup_key,
            adapt(uplink.received_at),
            stored_at,
            uplink.f_cnt,
            uplink.f_port,
            payload_field.get_db_prep_save(uplink.payload, database),
            decoded_field.get_db_prep_save(uplink.decoded, database),
            uplink.status,
            uplink.error,
            uplink.rssi,
            uplink.snr,
        )
        for uplink in uplinks
    ]
    rows.sort(key=_uplink_row_key)  # lock order (see above)
    inserted: dict[str, int] = {}
    for chunk in row_chunks(rows, len(_UPLINK_COLUMNS)):
        source, parameters = rows_source(_UPLINK_TYPES, chunk)
        # Identifiers are the model's quoted names; every value is a query parameter. No conflict
        # target: the uplink's unique key is whatever the table declares (it includes the time
        # on PostgreSQL, where the table is partitioned by it).
        insert = f"INSERT INTO {table} ({columns}) {source}"
        returning = "RETURNING dedup_key, id"
        inserted.update(
            _insert_rows(
                f"{insert} {returning}", f"{insert} ON CONFLICT DO NOTHING {returning}", parameters
            )
        )
    return inserted


def _apply(uplink: Uplink | UplinkRow, decoded: Decoded) -> None:
    if decoded.error:
        uplink.status = UplinkStatus.DECODE_FAILED
        uplink.error = decoded.error[:ERROR_MAX_LENGTH]
    else:
        uplink.status = UplinkStatus.STORED
        uplink.error = ""
    uplink.decoded = decoded.data


def decode_uplink(
    device: Device, uplink: Uplink | UplinkRow, *, network_decoded: dict[str, Any] | None = None
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
    """Insert the measurements of ``device`` not stored yet and add them to their roll-ups;
    returns how many were new. Must run inside the caller's transaction."""
    return store_batch([(device, readings)])[0]


def store_batch(items: Sequence[tuple[Device, Sequence[Reading]]]) -> list[int]:
    """``store_readings`` for several devices at once. Returns, per item, how many were new.

    On PostgreSQL one statement inserts the measurements and merges the new ones into their
    roll-ups (``_measurements_and_rollups_sql``): the database groups them by slot itself, so the
    roll-up rows are neither built in Python nor sent over. Elsewhere one statement for the
    measurements, then one for the roll-ups of those that were new (per chunk of parameters)."""
    time_key = _time_key()
    owner: dict[tuple[int, str, Any], int] = {}
    rows: list[tuple[Device, Reading, Any]] = []
    for position, (device, readings) in enumerate(items):
        for reading in readings:
            key = (device.pk, reading.quantity, time_key(reading.time))
            if key not in owner:
                owner[key] = position
                rows.append((device, reading, key))
    counts = [0] * len(items)
    if not rows:
        return counts
    requested = {key: (device, reading) for device, reading, key in rows}
    fresh: list[tuple[Device, Reading]] = []
    for key in _insert_measurements(rows):
        match = requested.get(key)
        if match is not None:
            fresh.append(match)
            counts[owner[key]] += 1
    if connection.vendor != "postgresql":  # PostgreSQL merged them with the measurements
        _upsert_rollups(fresh)
    return counts


def _time_key() -> Callable[[datetime], Any]:
    """A measurement's time as ``_insert_measurements`` gives it back: whole microseconds since
    the epoch on PostgreSQL (an integer, cheap to read back), the UTC datetime on SQLite."""
    if connection.vendor == "postgresql":
        return _epoch_microseconds
    return _as_utc


def _as_utc(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _epoch_microseconds(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


_MEASUREMENT_TYPES = ("bigint", "bigint", "text", "timestamptz", "double precision", "text")


def _insert_measurements(rows: Sequence[tuple[Device, Reading, Any]]) -> list[tuple[int, str, Any]]:
    """Insert the measurements (on PostgreSQL, merging the new ones into their roll-ups in the
    same statement); returns the (device id, quantity, ``_time_key``) of the new ones."""
    quote = connection.ops.quote_name
    table = quote(Measurement._meta.db_table)
    adapt = db_time_adapter()
    values = [
        (
            device.commune_id,
            device.pk,
            reading.quantity,
            adapt(reading.time),
            reading.value,
            reading.unit[:20],
        )
        for device, reading, _key in rows
    ]
    values.sort(key=lambda row: (row[1], row[2], row[3]))  # lock order (see _uplink_row_key)
    time = quote("time")
    inserted: list[tuple[int, str, Any]] = []
    for chunk in row_chunks(values, len(_MEASUREMENT_TYPES)):
        source, parameters = rows_source(_MEASUREMENT_TYPES, chunk)
        # Identifiers are the model's quoted names; every value is a query parameter.
        insert = (
            f"INSERT INTO {table} (commune_id, device_id, quantity, {time}, value, unit) {source}"
        )
        idempotent = f"{insert} ON CONFLICT (device_id, quantity, {time}) DO NOTHING"
        if connection.vendor == "postgresql":  # one chunk: the rows of ``rows``, all of them
            parameters += [RollupPeriod.HOUR.value, RollupPeriod.DAY.value, ROLLUP_ZONE.key]
            try:
                # As _insert_rows, without sending back the rows: if the plain insert went
                # through, every row was new.
                with transaction.atomic():
                    execute_rows(_measurements_and_rollups_sql(insert, returning=False), parameters)
                inserted += [key for _device, _reading, key in rows]
            except IntegrityError:
                returned = execute_rows(
                    _measurements_and_rollups_sql(idempotent), parameters, fetch=True
                )
                inserted += [tuple(row) for row in returned]
        else:
            back = f"RETURNING device_id, quantity, {time}"
            returned = _insert_rows(f"{insert} {back}", f"{idempotent} {back}", parameters)
            inserted += [
                (device, quantity, _as_utc(moment)) for device, quantity, moment in returned
            ]
    return inserted


def _measurements_and_rollups_sql(insert: str, *, returning: bool = True) -> str:
    """PostgreSQL: ``insert`` (the measurements) and, from the rows it inserted, their hour and
    day slots merged into the roll-ups, in one statement; it returns the new measurements'
    (device id, quantity, microseconds since the epoch). Its last three parameters are the two
    periods and the roll-ups' time zone. The slots are those of ``slot_starts``; each is
    touched once, in key order (lock order, see ``_uplink_row_key``). Without ``returning``,
    the statement gives only how many it inserted (sending back and reading thousands of rows a
    batch cost both sides, docs/performance.md)."""
    quote = connection.ops.quote_name
    rollups = quote(Rollup._meta.db_table)
    time, start, count, last, last_time = (
        quote(name) for name in ("time", "start", "count", "last", "last_time")
    )
    back = (
        f"SELECT device_id, quantity, CAST(EXTRACT(EPOCH FROM {time}) * 1000000 AS bigint) "  # noqa: S608 - a quoted name
        "FROM fresh"
        if returning
        else "SELECT count(*) FROM fresh"
    )
    # Identifiers are the models' quoted names; every value is a query parameter.
    return (
        f"WITH fresh AS ({insert} RETURNING commune_id, device_id, quantity, {time}, value), "  # noqa: S608
        "slots AS ("
        f"SELECT commune_id, device_id, quantity, CAST(%s AS text) AS period, "
        f"date_trunc('hour', {time}, 'UTC') AS slot, value, {time} FROM fresh "
        f"UNION ALL SELECT commune_id, device_id, quantity, CAST(%s AS text), "
        f"date_trunc('day', {time}, CAST(%s AS text)), value, {time} FROM fresh), "
        f"merged AS (INSERT INTO {rollups} (commune_id, device_id, quantity, period, {start}, "
        f"minimum, maximum, total, {count}, {last}, {last_time}) "
        f"SELECT commune_id, device_id, quantity, period, slot, min(value), max(value), "
        f"sum(value), count(*), (array_agg(value ORDER BY {time} DESC))[1], max({time}) "
        "FROM slots GROUP BY commune_id, device_id, quantity, period, slot "
        "ORDER BY device_id, quantity, period, slot "
        f"{_rollup_conflict_sql(rollups)}) {back}"
    )


def _rollup_conflict_sql(table: str) -> str:
    """How a roll-up slot already stored takes in new readings (``table`` quoted)."""
    quote = connection.ops.quote_name
    least, greatest = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    start, count, last, last_time = (quote(n) for n in ("start", "count", "last", "last_time"))
    newer = f"excluded.{last_time} >= {table}.{last_time}"
    return (
        f"ON CONFLICT (device_id, quantity, period, {start}) DO UPDATE SET "
        f"minimum = {least}({table}.minimum, excluded.minimum), "
        f"maximum = {greatest}({table}.maximum, excluded.maximum), "
        f"total = {table}.total + excluded.total, "
        f"{count} = {table}.{count} + excluded.{count}, "
        f"{last} = CASE WHEN {newer} THEN excluded.{last} ELSE {table}.{last} END, "
        f"{last_time} = CASE WHEN {newer} THEN excluded.{last_time} "
        f"ELSE {table}.{last_time} END"
    )


def slot_starts(moment: datetime) -> dict[str, datetime]:
    """Start of the hour (UTC; Paris offsets are whole hours) and of the Europe/Paris day."""
    hour = moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return {RollupPeriod.HOUR: hour, RollupPeriod.DAY: _day_of_hour(hour)}


@functools.lru_cache(maxsize=4096)
def _day_of_hour(hour: datetime) -> datetime:
    """Start (UTC) of the Europe/Paris day an hour lies in: every reading of a batch asks, and
    readings come in a few hours at a time."""
    local = hour.astimezone(ROLLUP_ZONE)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def _upsert_rollups(rows: Sequence[tuple[Device, Reading]]) -> None:
    """Merge each reading into its hour and day slots; readings in the same slot are merged in
    Python first, so one statement touches each slot once."""
    slots: dict[tuple[int, str, str, datetime], list[Reading]] = {}
    communes: dict[int, int] = {}
    for device, reading in rows:
        communes[device.pk] = device.commune_id
        for period, slot_start in slot_starts(reading.time).items():
            slots.setdefault((device.pk, reading.quantity, period, slot_start), []).append(reading)
    if not slots:
        return
    quote = connection.ops.quote_name
    table = quote(Rollup._meta.db_table)
    start, count, last, last_time = (quote(n) for n in ("start", "count", "last", "last_time"))
    adapt = db_time_adapter()
    starts = {slot_start: adapt(slot_start) for _d, _q, _p, slot_start in slots}  # a few hours
    values = []
    for (device_id, quantity, period, slot_start), members in sorted(slots.items()):
        latest = max(members, key=lambda reading: reading.time)
        numbers = [member.value for member in members]
        values.append(
            (
                communes[device_id],
                device_id,
                quantity,
                str(period),
                starts[slot_start],
                min(numbers),
                max(numbers),
                sum(numbers),
                len(numbers),
                latest.value,
                adapt(latest.time),
            )
        )
    types = (
        "bigint",
        "bigint",
        "text",
        "text",
        "timestamptz",
        "double precision",
        "double precision",
        "double precision",
        "integer",
        "double precision",
        "timestamptz",
    )
    for chunk in row_chunks(values, len(types)):
        source, parameters = rows_source(types, chunk)
        # Identifiers are the model's quoted names; every value is a query parameter.
        sql = (
            f"INSERT INTO {table} (commune_id, device_id, quantity, period, {start}, minimum, "
            f"maximum, total, {count}, {last}, {last_time}) {source} "
            f"{_rollup_conflict_sql(table)}"
        )
        execute_rows(sql, parameters)


def _battery_percent(value: object) -> int | None:
    if not _is_number(value):
        return None
    number = float(value)  # type: ignore[arg-type]
    return round(number) if 0 <= number <= 100 else None


def _touch_devices(
    seen: Sequence[tuple[Device, datetime]], stored: Sequence[tuple[Device, Sequence[Reading]]]
) -> None:
    """Move each device's ``last_seen_at`` (and the battery its latest readings reported)
    forward, never back: a late message does not make a device look older than it is."""
    latest: dict[int, datetime] = {}
    for device, received_at in seen:
        if device.pk not in latest or received_at > latest[device.pk]:
            latest[device.pk] = received_at
    battery: dict[int, tuple[datetime, int]] = {}
    for device, readings in stored:
        for reading in readings:
            if reading.quantity == "battery" and reading.unit == "%":
                percent = _battery_percent(reading.value)
                known = battery.get(device.pk)
                if percent is not None and (known is None or reading.time >= known[0]):
                    battery[device.pk] = (reading.time, percent)
    rows = [
        (device_id, received_at, battery[device_id][1] if device_id in battery else None)
        for device_id, received_at in sorted(latest.items())  # lock order (see _uplink_row_key)
    ]
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(Device._meta.db_table)
    adapt = db_time_adapter()
    values = [(device_id, adapt(at), percent) for device_id, at, percent in rows]
    for chunk in row_chunks(values, 3):
        source, parameters = rows_source(("bigint", "timestamptz", "integer"), chunk)
        # One statement for every device of the batch; identifiers are the model's quoted
        # names, every value a query parameter.
        sql = (
            f"WITH seen (device_id, seen_at, battery) AS ({source}) "  # noqa: S608
            f"UPDATE {table} SET last_seen_at = seen.seen_at, "
            f"battery_percent = COALESCE(seen.battery, {table}.battery_percent) "
            f"FROM seen WHERE {table}.id = seen.device_id AND "
            f"({table}.last_seen_at IS NULL OR {table}.last_seen_at < seen.seen_at)"
        )
        execute_rows(sql, parameters)


def _pending_upsert(
    commune_id: int,
    dev_eui: str,
    heard_at: datetime,
    device_name: str,
    *,
    uplinks: int,
    last_heard_at: datetime | None = None,
) -> None:
    last_heard_at = last_heard_at or heard_at
    pending, created = PendingDevice.objects.get_or_create(
        commune_id=commune_id,
        dev_eui=dev_eui,
        defaults={
            "first_seen_at": heard_at,
            "last_seen_at": last_heard_at,
            "uplinks": uplinks,
            "network_device_name": device_name[:200],
        },
    )
    if created:
        return
    pending.uplinks += uplinks
    pending.first_seen_at = min(pending.first_seen_at, heard_at)
    pending.last_seen_at = max(pending.last_seen_at, last_heard_at)
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
        _touch_devices([(device, latest)], [(device, all_readings)])
    PendingDevice.objects.filter(commune_id=device.commune_id, dev_eui=device.dev_eui).delete()
    return len(uplinks)
