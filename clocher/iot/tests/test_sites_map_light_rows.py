"""The commune's map of sites reads light rows (tuples of the columns it needs, the status
computed by the database), not devices: the same sites, markers and counts as from the devices
themselves, in two queries."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.db.models import Model
from django.utils import timezone

from clocher.iot import sitemap
from clocher.iot.dashboards import devices_of_commune
from clocher.iot.models import Device
from clocher.iot.tests.factories import profile

pytestmark = pytest.mark.django_db


def _world(commune, operator) -> None:
    """Sites, buildings and lone devices; heard, silent and never heard; some without
    coordinates."""
    elsys = profile(operator)
    now = timezone.now()
    specs = [
        ("École", "", 47.3, 5.0, now),
        ("École", "Bâtiment A", 47.301, 5.001, now - datetime.timedelta(hours=2)),
        ("", "Gymnase", 47.31, 5.02, None),
        ("", "Gymnase", 47.3102, 5.0203, now),
        ("", "", 47.305, 5.01, now),
        ("", "", None, None, now),
        ("Mairie", "", 47.302, None, now),
    ]
    for number, (site, building, lat, lon, heard) in enumerate(specs):
        Device.objects.create(
            commune=commune,
            dev_eui=f"{number + 1:016X}",
            name=f"Capteur {number}",
            profile=elsys,
            site=site,
            building=building,
            latitude=lat,
            longitude=lon,
            last_seen_at=heard,
            expected_interval_minutes=15,
        )


def _summary(result: sitemap.SitesMap) -> list[tuple]:
    return [
        (
            site.number,
            site.label,
            round(site.latitude, 9),
            round(site.longitude, 9),
            site.device_count,
            site.ok_count,
            site.silent_count,
            site.never_seen_count,
            site.status,
        )
        for site in result.sites
    ]


def test_light_rows_draw_the_map_the_devices_draw(commune_a, operator):
    """Same sites, counts, statuses and drawing as sites_map over the model instances."""
    _world(commune_a, operator)
    now = timezone.now()
    devices = devices_of_commune(commune_a)
    from_rows = sitemap.commune_sites_map(devices, now=now)
    from_devices = sitemap.sites_map(list(devices), now=now)
    assert _summary(from_rows) == _summary(from_devices)
    assert [site.label for site in from_rows.sites] == ["Capteur 4", "École", "Gymnase"]
    assert (from_rows.without_coordinates, from_devices.without_coordinates) == (2, 2)
    assert from_rows.svg == from_devices.svg


def test_light_rows_are_two_queries_and_no_model_instance(
    commune_a, operator, django_assert_num_queries
):
    """The devices' intervals, then their rows: two queries for the whole commune, and not a
    Device built from them."""
    _world(commune_a, operator)
    devices = devices_of_commune(commune_a)
    with (
        mock.patch.object(Model, "from_db", side_effect=AssertionError("a model instance")),
        django_assert_num_queries(2),
    ):
        result = sitemap.commune_sites_map(devices, now=timezone.now())
    assert len(result.sites) == 3
