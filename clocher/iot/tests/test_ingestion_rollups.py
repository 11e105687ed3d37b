"""Hourly and daily roll-ups are maintained incrementally, exact whatever the arrival order."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from clocher.iot.models import Device, Measurement, Rollup
from clocher.iot.services.ingestion import Reading, ingest, slot_starts, store_batch
from clocher.iot.tests import factories

pytestmark = pytest.mark.django_db


def _co2_frame(ppm: int) -> str:
    return base64.b64encode(bytes([0x06, ppm >> 8, ppm & 0xFF])).decode()


def _send(integration, time: str, ppm: int) -> str:
    message = factories.chirpstack_uplink(time=time, data=_co2_frame(ppm))
    return ingest(integration=integration, message=message).status


def test_rollups_exact_after_out_of_order_messages(operator, commune_a):
    """Min, max, mean, count and last of the hour and the day, messages sent out of order."""
    device = factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    # 10:05, 10:50 and 10:20 UTC (11:xx in Paris), then a late 09:30 UTC message.
    for time, ppm in [
        ("2024-03-05T10:05:00Z", 600),
        ("2024-03-05T10:50:00Z", 900),
        ("2024-03-05T10:20:00Z", 450),
        ("2024-03-05T09:30:00Z", 1200),
    ]:
        assert _send(integration, time, ppm) == "stored"
    hour = Rollup.objects.get(
        device=device, quantity="co2", period="hour", start=datetime(2024, 3, 5, 10, tzinfo=UTC)
    )
    assert (hour.minimum, hour.maximum, hour.total, hour.count) == (450, 900, 1950, 3)
    assert hour.mean == 650
    assert (hour.last, hour.last_time) == (900, datetime(2024, 3, 5, 10, 50, tzinfo=UTC))
    early = Rollup.objects.get(
        device=device, quantity="co2", period="hour", start=datetime(2024, 3, 5, 9, tzinfo=UTC)
    )
    assert (early.minimum, early.maximum, early.count, early.last) == (1200, 1200, 1, 1200)
    day = Rollup.objects.get(device=device, quantity="co2", period="day")
    assert day.start == datetime(2024, 3, 4, 23, tzinfo=UTC)  # Paris midnight (UTC+1)
    assert (day.minimum, day.maximum, day.total, day.count) == (450, 1200, 3150, 4)
    assert (day.last, day.last_time) == (900, datetime(2024, 3, 5, 10, 50, tzinfo=UTC))
    assert Measurement.objects.filter(device=device).count() == 4
    device.refresh_from_db()
    assert device.last_seen_at == datetime(2024, 3, 5, 10, 50, tzinfo=UTC)


def test_paris_day_boundaries_in_summer(operator, commune_a):
    """In summer (UTC+2), 22:30 UTC belongs to the next Paris day."""
    assert slot_starts(datetime(2024, 7, 1, 22, 30, tzinfo=UTC))["day"] == datetime(
        2024, 7, 1, 22, tzinfo=UTC
    )
    assert slot_starts(datetime(2024, 7, 1, 21, 59, tzinfo=UTC))["day"] == datetime(
        2024, 6, 30, 22, tzinfo=UTC
    )


def test_replayed_measurement_is_not_counted_twice(operator, commune_a):
    """A second uplink with the same device, quantity and time adds nothing to the roll-ups."""
    device = factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    first = factories.chirpstack_uplink(time="2024-03-05T10:05:00Z", data=_co2_frame(500))
    again = factories.chirpstack_uplink(
        time="2024-03-05T10:05:00Z", data=_co2_frame(500), deduplicationId="other-id"
    )
    assert ingest(integration=integration, message=first).measurements == 1
    assert ingest(integration=integration, message=again).measurements == 0
    assert Rollup.objects.get(device=device, period="hour").count == 1


def test_battery_measurement_updates_the_device(operator, commune_a):
    """A `battery` reading in % updates the device's battery; an older message does not."""
    profile = factories.profile(
        operator,
        slug="net",
        codec_kind="network",
        builtin_codec="",
        quantities={"battery": "%", "co2": "ppm"},
    )
    device = factories.device(commune_a, profile)
    integration, _token = factories.integration(commune_a)
    newer = factories.chirpstack_uplink(
        time="2024-03-05T10:00:00Z", keep_object=True, object={"battery": 80, "co2": 500}
    )
    older = factories.chirpstack_uplink(
        time="2024-03-05T09:00:00Z", keep_object=True, object={"battery": 95, "co2": 400}
    )
    ingest(integration=integration, message=newer)
    ingest(integration=integration, message=older)
    device = Device.objects.get(pk=device.pk)
    assert device.battery_percent == 80
    assert device.last_seen_at == datetime(2024, 3, 5, 10, tzinfo=UTC)


def test_rollups_of_a_batch_match_their_slots(operator, commune_a):
    """Readings stored together (several in one slot, around Paris midnight, across the autumn
    clock change, one already stored) land in the slots ``slot_starts`` names, with exact
    figures: on PostgreSQL the database groups them itself, elsewhere Python does."""
    profile = factories.profile(operator)
    first = factories.device(commune_a, profile)
    second = factories.device(commune_a, profile, dev_eui="A81758FFFE000002")
    moments = [
        datetime(2024, 7, 1, 21, 59, tzinfo=UTC),  # Paris day of 1 July
        datetime(2024, 7, 1, 22, 0, tzinfo=UTC),  # Paris midnight: day of 2 July
        datetime(2024, 7, 1, 22, 40, tzinfo=UTC),
        datetime(2024, 10, 27, 0, 30, tzinfo=UTC),  # 02:30 Paris summer time
        datetime(2024, 10, 27, 1, 30, tzinfo=UTC),  # 02:30 Paris winter time
        datetime(2024, 10, 27, 22, 59, tzinfo=UTC),  # 23:59 Paris, still 27 October
    ]
    already = Reading("co2", moments[0], 410.0, "ppm")
    assert store_batch([(first, [already])]) == [1]
    batch = [
        (
            first,
            [
                already,
                *(Reading("co2", m, 400.0 + 10 * i, "ppm") for i, m in enumerate(moments[1:])),
            ],
        ),
        (second, [Reading("co2", m, 1000.0 - i, "ppm") for i, m in enumerate(moments)]),
    ]
    assert store_batch(batch) == [5, 6]

    expected: dict[tuple[int, str, datetime], list[Reading]] = {}
    for device, readings in batch:
        for reading in readings:
            for period, start in slot_starts(reading.time).items():
                expected.setdefault((device.pk, str(period), start), []).append(reading)
    stored = {
        (rollup.device_id, rollup.period, rollup.start): rollup
        for rollup in Rollup.objects.filter(device__in=[first, second])
    }
    assert set(stored) == set(expected)
    for key, readings in expected.items():
        rollup = stored[key]
        values = [reading.value for reading in readings]
        latest = max(readings, key=lambda reading: reading.time)
        assert (rollup.minimum, rollup.maximum, rollup.total, rollup.count) == (
            min(values),
            max(values),
            sum(values),
            len(values),
        ), key
        assert (rollup.last, rollup.last_time) == (latest.value, latest.time), key
    days = sorted({start for _device, period, start in stored if period == "day"})
    assert days == [
        datetime(2024, 6, 30, 22, tzinfo=UTC),
        datetime(2024, 7, 1, 22, tzinfo=UTC),
        datetime(2024, 10, 26, 22, tzinfo=UTC),  # 27 October began in summer time
    ]
