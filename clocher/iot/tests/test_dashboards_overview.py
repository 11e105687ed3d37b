"""Overview of the commune's devices: statuses, last values, filters, query count."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.queries import rls_scope_queries
from clocher.iot.dashboards import DeviceStatus, device_status
from clocher.iot.models import Device, PendingDevice
from clocher.iot.services.ingestion import Reading, store_readings
from clocher.iot.tests.factories import numbered_device, profile

pytestmark = pytest.mark.django_db


def _url(commune, **query) -> str:
    url = reverse("staff:iot:overview", args=[commune.slug])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def test_status_is_ok_silent_or_never_seen():
    """Silent after three expected intervals without an uplink; never seen without any."""
    now = datetime.datetime(2024, 3, 5, 12, 0, tzinfo=datetime.UTC)
    device = Device(expected_interval_minutes=10)
    assert device_status(device, now=now) == DeviceStatus.NEVER_SEEN
    device.last_seen_at = now - datetime.timedelta(minutes=30)
    assert device_status(device, now=now) == DeviceStatus.OK
    device.last_seen_at = now - datetime.timedelta(minutes=31)
    assert device_status(device, now=now) == DeviceStatus.SILENT


def test_overview_shows_status_battery_and_last_values(commune_a, operator, agent_a):
    """Each device shows its status, battery and the last value of each quantity."""
    elsys = profile(operator)
    now = timezone.now()
    fresh = numbered_device(commune_a, elsys, 1, last_seen_at=now, battery_percent=87)
    numbered_device(commune_a, elsys, 2, last_seen_at=now - datetime.timedelta(hours=4))
    numbered_device(commune_a, elsys, 3)
    store_readings(
        fresh,
        [
            Reading("co2", now - datetime.timedelta(minutes=20), 640.0, "ppm"),
            Reading("co2", now - datetime.timedelta(minutes=5), 812.0, "ppm"),
            Reading("temperature", now - datetime.timedelta(minutes=5), 21.5, "°C"),
        ],
    )
    response = signed_in_client(agent_a).get(_url(commune_a))
    assert response.status_code == 200
    rows = {row.device.name: row for row in response.context["rows"]}
    assert [rows[f"Capteur {n:03d}"].status for n in (1, 2, 3)] == [
        DeviceStatus.OK,
        DeviceStatus.SILENT,
        DeviceStatus.NEVER_SEEN,
    ]
    assert [(v.quantity, v.value, v.unit) for v in rows["Capteur 001"].values] == [
        ("temperature", 21.5, "°C"),
        ("co2", 812.0, "ppm"),
    ]
    content = response.content.decode()
    assert "CO₂ : 812 ppm" in content
    assert "87 %" in content
    assert "Silencieux" in content
    assert "Jamais entendu" in content


def test_overview_filters_by_site_and_profile(commune_a, operator, agent_a):
    """The site and profile filters narrow the list."""
    elsys = profile(operator)
    level = profile(operator, slug="em310", model="Milesight EM310-UDL")
    numbered_device(commune_a, elsys, 1, site="École")
    numbered_device(commune_a, level, 2, site="École")
    numbered_device(commune_a, elsys, 3, site="Mairie")
    client = signed_in_client(agent_a)
    by_site = client.get(_url(commune_a, site="École"))
    assert [row.device.name for row in by_site.context["rows"]] == ["Capteur 001", "Capteur 002"]
    by_both = client.get(_url(commune_a, site="École", profile=level.pk))
    assert [row.device.name for row in by_both.context["rows"]] == ["Capteur 002"]


def test_overview_query_count_does_not_grow_with_devices(
    commune_a, operator, agent_a, django_assert_max_num_queries
):
    """Fifty devices with values are listed in a fixed number of queries."""
    elsys = profile(operator)
    now = timezone.now()
    for number in range(50):
        device = numbered_device(
            commune_a, elsys, number, last_seen_at=now, site=f"Site {number % 3}"
        )
        store_readings(device, [Reading("co2", now, 500.0 + number, "ppm")])
    PendingDevice.objects.create(commune=commune_a, dev_eui="ABCDEF0123456789", uplinks=2)
    client = signed_in_client(agent_a)
    client.get(_url(commune_a))  # warm the session
    # 12 (the sites of the filter and the buildings' links in one query), +2: the map of sites
    # reads the devices' intervals, then the coordinates and status of every device of the
    # commune in one query, +1: the open alerts summary (alerts_summary tag).
    with django_assert_max_num_queries(15 + rls_scope_queries()):
        response = client.get(_url(commune_a))
    assert len(response.context["rows"]) == 50
    assert all(row.values for row in response.context["rows"])


def test_overview_is_paginated(commune_a, operator, agent_a):
    """Beyond fifty devices the list continues on a second page."""
    elsys = profile(operator)
    for number in range(51):
        numbered_device(commune_a, elsys, number)
    response = signed_in_client(agent_a).get(_url(commune_a, page=2))
    assert [row.device.name for row in response.context["rows"]] == ["Capteur 050"]


def test_overview_lists_pending_devices_with_claim_link_for_managers(
    commune_a, technician_a, elected_a
):
    """Pending devices are listed; only a manager sees the link to register one."""
    PendingDevice.objects.create(commune=commune_a, dev_eui="ABCDEF0123456789", uplinks=2)
    claim_url = reverse("staff:iot:claim", args=[commune_a.slug, "ABCDEF0123456789"])
    as_technician = signed_in_client(technician_a).get(_url(commune_a)).content.decode()
    as_elected = signed_in_client(elected_a).get(_url(commune_a)).content.decode()
    assert "ABCDEF0123456789" in as_technician
    assert claim_url in as_technician
    assert "ABCDEF0123456789" in as_elected
    assert claim_url not in as_elected
