"""status_in_database: the database tells a device's status as device_status does, to the
microsecond around the silence threshold, whatever the devices' intervals."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from clocher.iot.dashboards import (
    DeviceStatus,
    device_status,
    devices_of_commune,
    silence_allowed,
    status_in_database,
)
from clocher.iot.models import Device
from clocher.iot.tests.factories import numbered_device, profile

pytestmark = pytest.mark.django_db

MICROSECOND = datetime.timedelta(microseconds=1)


def test_the_database_status_is_device_status(commune_a, operator):
    """Never heard, heard just now, exactly at, just before and just after three intervals, long
    ago: for intervals of 7 minutes, 10 minutes and a day."""
    elsys = profile(operator)
    now = timezone.now().replace(microsecond=654321)
    number = 0
    for minutes in (7, 10, 1440):
        allowed = silence_allowed(minutes)
        for heard in (
            None,
            now,
            now - allowed + MICROSECOND,
            now - allowed,
            now - allowed - MICROSECOND,
            now - datetime.timedelta(days=30),
        ):
            number += 1
            numbered_device(
                commune_a, elsys, number, last_seen_at=heard, expected_interval_minutes=minutes
            )
    devices = devices_of_commune(commune_a)
    rows = devices.annotate(in_database=status_in_database(devices, now=now))
    found = [(device.in_database, device_status(device, now=now).value) for device in rows]
    assert [database for database, _python in found] == [python for _database, python in found]
    assert sorted({python for _database, python in found}) == ["never_seen", "ok", "silent"]
    exactly_at = Device.objects.get(last_seen_at=now - silence_allowed(10))
    assert device_status(exactly_at, now=now) == DeviceStatus.OK


def test_without_devices_the_expression_still_runs(commune_a, django_assert_num_queries):
    """No device, no interval: the expression is still valid SQL (an empty condition would not
    be), after one query for the intervals."""
    devices = devices_of_commune(commune_a)
    with django_assert_num_queries(1):
        expression = status_in_database(devices, now=timezone.now())
    assert list(devices.annotate(status=expression).values_list("status", flat=True)) == []
