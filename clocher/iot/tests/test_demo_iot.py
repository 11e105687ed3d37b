"""The demo commune's simulated sensors go through the real pipeline and decode cleanly."""

from __future__ import annotations

import pytest

from clocher.core.testing.factories import CommuneFactory
from clocher.iot import demo
from clocher.iot.models import Device, Measurement, Rollup, Uplink, UplinkStatus
from clocher.tenancy.models import Commune

pytestmark = pytest.mark.django_db


def test_demo_devices_are_fed_hour_by_hour_and_loading_twice_adds_nothing(operator):
    """Eight devices, three days of readings each, every uplink decoded; a second run adds none."""
    commune: Commune = CommuneFactory(operator=operator, slug=demo.FULL_DEMO_COMMUNE)  # type: ignore[assignment]
    demo.load(commune, staff={})
    devices = Device.objects.for_commune(commune)
    assert devices.count() == len(demo.DEVICES)
    assert not Uplink.objects.for_commune(commune).exclude(status=UplinkStatus.STORED).exists()
    for device in devices:
        assert Measurement.objects.filter(device=device).count() >= demo.HOURS, device.name
        assert Rollup.objects.filter(device=device, period="hour").exists(), device.name
    co2 = Measurement.objects.filter(device__name="CO2 — classe des grands", quantity="co2")
    assert max(co2.values_list("value", flat=True)) > 800
    uplinks = Uplink.objects.for_commune(commune).count()
    demo.load(commune, staff={})
    assert Uplink.objects.for_commune(commune).count() == uplinks
