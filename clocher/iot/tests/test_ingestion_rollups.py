"""Hourly and daily roll-ups are maintained incrementally, exact whatever the arrival order."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from clocher.iot.models import Device, Measurement, Rollup
from clocher.iot.services.ingestion import ingest, slot_starts
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
