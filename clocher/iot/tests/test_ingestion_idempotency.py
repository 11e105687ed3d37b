"""The same uplink delivered twice is stored once; pending devices are kept and claimed."""

from __future__ import annotations

import pytest

from clocher.iot.models import Device, Measurement, PendingDevice, Rollup, Uplink
from clocher.iot.services.devices import device_add
from clocher.iot.services.ingestion import ingest, ingest_event
from clocher.iot.tests import factories

pytestmark = pytest.mark.django_db


def test_duplicate_uplink_is_stored_once(operator, commune_a):
    """Same deduplicationId twice: one uplink, one set of measurements, answered duplicate."""
    device = factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    message = factories.chirpstack_uplink()
    assert ingest(integration=integration, message=message).status == "stored"
    assert ingest(integration=integration, message=message).status == "duplicate"
    assert Uplink.objects.count() == 1
    assert Measurement.objects.filter(device=device, quantity="co2").count() == 1
    assert Rollup.objects.get(device=device, quantity="co2", period="day").count == 1


def test_unknown_device_is_pending_then_claimed(operator, commune_a):
    """An unknown DevEUI is kept pending; registering it decodes its stored uplinks."""
    profile = factories.profile(operator)
    integration, _token = factories.integration(commune_a)
    first = factories.chirpstack_uplink(time="2024-03-05T08:00:00Z")
    second = factories.chirpstack_uplink(time="2024-03-05T08:10:00Z")
    assert ingest(integration=integration, message=first).status == "pending_device"
    assert ingest(integration=integration, message=second).status == "pending_device"
    pending = PendingDevice.objects.get(commune=commune_a)
    assert (pending.dev_eui, pending.uplinks) == (factories.ELSYS_DEV_EUI, 2)
    assert pending.network_device_name == "Salle CM1"
    assert Measurement.objects.count() == 0

    device = device_add(
        commune=commune_a, dev_eui="a8:17:58:ff:fe:03:0a:8f", profile=profile, name="CM1"
    )

    assert device.dev_eui == factories.ELSYS_DEV_EUI
    assert not PendingDevice.objects.exists()
    assert set(Uplink.objects.values_list("status", "device_id")) == {("stored", device.pk)}
    assert Measurement.objects.filter(device=device, quantity="co2").count() == 2
    assert Rollup.objects.get(device=device, quantity="co2", period="hour").count == 2
    assert Device.objects.get(pk=device.pk).last_seen_at == second.received_at


def test_status_event_updates_the_battery(operator, commune_a):
    """A ChirpStack status event sets the device's battery level."""
    device = factories.device(commune_a, factories.profile(operator), dev_eui="0101010101010101")
    integration, _token = factories.integration(commune_a)
    event = factories.chirpstack_event("status", "chirpstack_status.json")
    assert ingest_event(integration=integration, event=event).status == "stored"
    assert Device.objects.get(pk=device.pk).battery_percent == 88


def test_join_event_is_ignored_with_a_reason(operator, commune_a):
    """Events not kept yet are answered `ignored` with the reason."""
    factories.device(commune_a, factories.profile(operator), dev_eui="0101010101010101")
    integration, _token = factories.integration(commune_a)
    event = factories.chirpstack_event("join", "chirpstack_join.json")
    result = ingest_event(integration=integration, event=event)
    assert (result.status, result.reason) == ("ignored", "join events are not recorded yet")
