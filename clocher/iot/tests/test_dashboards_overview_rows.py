"""What the overview's table reads, made in Python once for the page: links, last values as
text, last uplink's time; the sites and buildings in one query; each quantity's latest day."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from clocher.iot import dashboards
from clocher.iot.services.ingestion import Reading, store_readings
from clocher.iot.tests.factories import numbered_device, profile

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
AWKWARD_BUILDINGS = ["Bâtiment 3", "Salle A&B 50 %", "École (nord) ?", "l'atelier #2", "987654321"]


def test_rows_link_the_device_and_its_building_as_reverse_does(commune_a, operator):
    """Each row's links are reverse()'s, whatever the building is called; none without one."""
    elsys = profile(operator)
    devices = [
        numbered_device(commune_a, elsys, number, building=building)
        for number, building in enumerate([*AWKWARD_BUILDINGS, ""])
    ]
    rows = dashboards.overview_rows(commune_a, devices, now=timezone.now())
    assert [(row.url, row.building_url) for row in rows] == [
        (
            reverse("staff:iot:device", args=[commune_a.slug, device.pk]),
            reverse("staff:iot:building", args=[commune_a.slug, device.building])
            if device.building
            else "",
        )
        for device in devices
    ]


def test_rows_write_values_with_units_and_the_last_uplink_in_french(commune_a, operator):
    """« 21,500 °C », « 812 ppm », « -3,250 » without unit; the last uplink in Paris time."""
    elsys = profile(operator, quantities={"temperature": "°C", "co2": "ppm", "offset": ""})
    heard = datetime.datetime(2024, 3, 5, 12, 4, tzinfo=datetime.UTC)
    device = numbered_device(commune_a, elsys, 1, last_seen_at=heard)
    never = numbered_device(commune_a, elsys, 2)
    store_readings(
        device,
        [
            Reading("temperature", heard, 21.5, "°C"),
            Reading("co2", heard, 812.0, "ppm"),
            Reading("offset", heard, -3.25, ""),
        ],
    )
    with translation.override("fr"), timezone.override(PARIS):
        rows = dashboards.overview_rows(commune_a, [device, never], now=heard)
    assert [(value.quantity, value.text) for value in rows[0].values] == [
        ("temperature", "21,500 °C"),
        ("co2", "812 ppm"),
        ("offset", "-3,250"),
    ]
    assert rows[0].last_seen == ("2024-03-05T13:04:00+01:00", "5 mars 2024 13:04")
    assert (rows[1].values, rows[1].last_seen) == ([], None)


def test_last_values_take_each_quantity_from_its_own_latest_day(commune_a, operator):
    """A quantity silent since last week shows last week's last value, not nothing; another
    shows today's last value, not an older day's."""
    elsys = profile(operator)
    device = numbered_device(commune_a, elsys, 1)
    today = timezone.now().replace(minute=0, second=0, microsecond=0)
    week_ago = today - datetime.timedelta(days=7)
    store_readings(
        device,
        [
            Reading("temperature", week_ago - datetime.timedelta(days=1), 15.0, "°C"),
            Reading("temperature", week_ago, 16.0, "°C"),
            Reading("co2", week_ago, 450.0, "ppm"),
            Reading("co2", today - datetime.timedelta(minutes=30), 700.0, "ppm"),
            Reading("co2", today - datetime.timedelta(minutes=10), 900.0, "ppm"),
        ],
    )
    values = dashboards.last_values(commune_a, [device])[device.pk]
    assert [(value.quantity, value.value) for value in values] == [
        ("temperature", 16.0),
        ("co2", 900.0),
    ]


def test_places_are_the_sites_and_buildings_in_their_usual_order(commune_a, operator):
    """One query gives what sites_of_commune and buildings_of_commune give, with the
    buildings' links; a name that is both a site and a building is in both lists."""
    elsys = profile(operator)
    for number, (site, building) in enumerate(
        [
            ("École", "Bâtiment 3"),
            ("Eau", "Salle A&B 50 %"),
            ("Foyer", "École"),
            ("École", "Bâtiment 3"),
            ("", "l'atelier #2"),
            ("Zénith", ""),
        ]
    ):
        numbered_device(commune_a, elsys, number, site=site, building=building)
    places = dashboards.places_of_commune(commune_a)
    assert places.sites == dashboards.sites_of_commune(commune_a)
    assert [building.name for building in places.buildings] == dashboards.buildings_of_commune(
        commune_a
    )
    assert set(places.sites) == {"École", "Eau", "Foyer", "Zénith"}
    assert [building.url for building in places.buildings] == [
        reverse("staff:iot:building", args=[commune_a.slug, building.name])
        for building in places.buildings
    ]


def test_places_of_a_commune_without_devices_are_empty(commune_a, django_assert_num_queries):
    """No device: no site, no building, one query."""
    with django_assert_num_queries(1):
        assert dashboards.places_of_commune(commune_a) == ([], [])
