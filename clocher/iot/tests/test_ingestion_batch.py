"""A batch of uplinks stored in one transaction gives exactly what one-by-one ingestion gives,
with a number of statements that does not grow with the batch."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clocher.iot.models import Alert, Device, Measurement, PendingDevice, Rollup, Uplink
from clocher.iot.services.ingestion import ingest, ingest_batch
from clocher.iot.tests import factories

pytestmark = pytest.mark.django_db


def _co2(ppm: int) -> str:
    return base64.b64encode(bytes([0x06, ppm >> 8, ppm & 0xFF])).decode()


def _messages(dev_euis: list[str], per_device: int) -> list:
    messages = []
    for minute in range(per_device):
        for number, dev_eui in enumerate(dev_euis):
            message = factories.chirpstack_uplink(
                time=f"2024-03-05T10:{minute:02d}:00Z", data=_co2(400 + 10 * minute + number)
            )
            raw = dict(message.raw)
            raw["deviceInfo"] = {**raw["deviceInfo"], "devEui": dev_eui.lower()}
            raw["deduplicationId"] = f"{dev_eui}-{minute}"
            from clocher.iot.network.chirpstack import parse_chirpstack

            messages.append(factories.parsed_uplink(parse_chirpstack("up", raw)))
    return messages


def _rollups(device_ids: list[int]) -> list[tuple]:
    return sorted(
        Rollup.objects.filter(device_id__in=device_ids).values_list(
            "device__dev_eui",
            "quantity",
            "period",
            "start",
            "minimum",
            "maximum",
            "total",
            "count",
            "last",
            "last_time",
        )
    )


def test_batch_equals_one_by_one(operator, commune_a, commune_b):
    """Same measurements, roll-ups and device state as ingesting the messages one at a time."""
    elsys = factories.profile(operator)
    euis = ["A81758FFFE030001", "A81758FFFE030002", "A81758FFFE030003"]
    batch_devices = [factories.device(commune_a, elsys, eui) for eui in euis]
    integration_a, _token = factories.integration(commune_a)
    results = ingest_batch(integration=integration_a, messages=_messages(euis, 5))
    assert [result.status for result in results] == ["stored"] * 15
    assert all(result.measurements == 1 for result in results)  # the frame holds CO2 only

    other_euis = ["A81758FFFE040001", "A81758FFFE040002", "A81758FFFE040003"]
    single_devices = [factories.device(commune_b, elsys, eui) for eui in other_euis]
    integration_b, _token = factories.integration(commune_b)
    for message in _messages(other_euis, 5):
        assert ingest(integration=integration_b, message=message).status == "stored"

    def comparable(device_ids: list[int]) -> list[tuple]:
        return [row[1:] for row in _rollups(device_ids)]

    assert comparable([d.pk for d in batch_devices]) == comparable([d.pk for d in single_devices])
    assert len(comparable([d.pk for d in batch_devices])) == 3 * 2  # devices × (hour, day)
    for device in Device.objects.filter(pk__in=[d.pk for d in batch_devices]):
        assert device.last_seen_at is not None
        assert device.last_seen_at.minute == 4
    assert Measurement.objects.filter(commune=commune_a).count() == 15


def test_duplicates_inside_a_batch_and_against_stored(operator, commune_a):
    """A message twice in the batch, and one already stored, are duplicates stored once."""
    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    first = factories.chirpstack_uplink(time="2024-03-05T08:00:00Z", data=_co2(500))
    assert ingest(integration=integration, message=first).status == "stored"
    second = factories.chirpstack_uplink(time="2024-03-05T08:10:00Z", data=_co2(600))
    results = ingest_batch(integration=integration, messages=[first, second, second])
    assert [result.status for result in results] == ["duplicate", "stored", "duplicate"]
    assert Uplink.objects.filter(commune=commune_a).count() == 2
    day = Rollup.objects.get(quantity="co2", period="day")
    assert (day.count, day.total) == (2, 1100)


def test_pending_devices_counted_once_per_batch(commune_a):
    """Unknown devices in a batch: every uplink kept, one pending entry with the right count."""
    integration, _token = factories.integration(commune_a)
    messages = [
        factories.chirpstack_uplink(time=f"2024-03-05T08:{minute:02d}:00Z", data=_co2(500))
        for minute in (10, 0, 20)
    ]
    results = ingest_batch(integration=integration, messages=messages)
    assert [result.status for result in results] == ["pending_device"] * 3
    pending = PendingDevice.objects.get(commune=commune_a)
    assert pending.uplinks == 3
    assert (pending.first_seen_at.minute, pending.last_seen_at.minute) == (0, 20)


def test_statements_do_not_grow_with_the_batch(operator, commune_a, django_assert_max_num_queries):
    """Forty devices and two hundred uplinks, then forty more: the same handful of statements
    as for one device, the devices' state included."""
    elsys = factories.profile(operator)
    euis = [f"A81758FFFE05{number:04X}" for number in range(40)]
    for eui in euis:
        factories.device(commune_a, elsys, eui)
    integration, _token = factories.integration(commune_a)
    messages = _messages(euis, 5)
    # devices, their profiles, alert rules, uplinks, measurements, roll-ups, devices' last
    # uplink, savepoints; and, the first time only, one update per device of its network
    # address (remote control).
    with django_assert_max_num_queries(10 + len(euis)):
        results = ingest_batch(integration=integration, messages=messages)
    assert {result.status for result in results} == {"stored"}
    later = _messages(euis, 6)[200:]  # one more minute of every device
    with django_assert_max_num_queries(8):
        results = ingest_batch(integration=integration, messages=later)
    assert {result.status for result in results} == {"stored"}
    assert Measurement.objects.filter(commune=commune_a).count() == 240


def _queries_of_a_batch_with_alerts(operator: Any, commune: Any, devices: int) -> int:
    """Django queries of a batch whose every device opens an alert (rule by site), after a
    first batch (which notes each device's network address once)."""
    from clocher.iot.models.alerts import RuleScope
    from clocher.iot.tests.alerts_support import rule

    elsys = factories.profile(operator, slug=f"elsys-{devices}")
    euis = [f"A81758FFFE06{devices:02X}{number:02X}" for number in range(devices)]
    for eui in euis:
        device = factories.device(commune, elsys, eui)
        Device.objects.filter(pk=device.pk).update(site="École")
    rule(commune, scope=RuleScope.SITE, site="École", threshold=300, minimum_duration_minutes=0)
    integration, _token = factories.integration(commune)
    ingest_batch(integration=integration, messages=_messages(euis, 1))
    with CaptureQueriesContext(connection) as queries:
        results = ingest_batch(integration=integration, messages=_messages(euis, 2)[devices:])
    assert {result.status for result in results} == {"stored"}
    assert Alert.objects.filter(commune=commune).count() == devices
    return len(queries)


def test_alerts_opened_in_a_batch_load_nothing_per_device(operator, commune_a, commune_b):
    """Ingestion loads only some fields of its devices (``INGESTION_DEVICE_FIELDS``); another
    field read on the way would be one query per device. A batch of forty devices that all
    open an alert makes as many queries as a batch of three."""
    assert _queries_of_a_batch_with_alerts(
        operator, commune_a, 40
    ) == _queries_of_a_batch_with_alerts(operator, commune_b, 3)
