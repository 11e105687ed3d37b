"""The map of the commune's sites on the overview: an SVG drawn on the server (markers, projection,
scale bar, north arrow) with its table, and the devices without coordinates counted."""

from __future__ import annotations

import datetime
import math
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clocher.core.testing.clients import signed_in_client
from clocher.iot import sitemap
from clocher.iot.dashboards import DeviceStatus
from clocher.iot.models import Device
from clocher.iot.tests.factories import profile

NOW = datetime.datetime(2024, 3, 5, 12, 0, tzinfo=datetime.UTC)
LAT = 47.3
# One kilometre of longitude at 47.3° N, in degrees.
KM_LON = 1000 / (sitemap.EARTH_RADIUS_M * math.pi / 180 * math.cos(math.radians(LAT)))


def _device(number: int, lat: float | None, lon: float | None, **fields) -> Device:
    """An unsaved device (the map needs no database)."""
    return Device(
        pk=number,
        name=fields.pop("name", f"Capteur {number}"),
        latitude=None if lat is None else Decimal(f"{lat:.5f}"),
        longitude=None if lon is None else Decimal(f"{lon:.5f}"),
        last_seen_at=fields.pop("last_seen_at", NOW),
        expected_interval_minutes=60,
        **fields,
    )


def _markers(svg: str) -> list[str]:
    return re.findall(r'<g class="map-site map-site-(\w+)" data-site="(\d+)">', svg)


def test_one_marker_per_site_with_worst_status_and_shape():
    """Devices of one site share a marker at their mean position, shown with the worst status
    (shape and colour); devices without coordinates are counted apart."""
    devices = [
        _device(1, LAT, 5.0, site="École"),
        _device(2, LAT + 0.001, 5.0, site="École", last_seen_at=NOW - datetime.timedelta(days=1)),
        _device(3, LAT, 5.0 + KM_LON, site="Mairie"),
        _device(4, LAT, 5.01, site="Stade", last_seen_at=None),
        _device(5, None, None, site="Salle des fêtes"),
        _device(6, LAT, None, site="Lavoir"),
    ]
    result = sitemap.sites_map(devices, now=NOW)
    by_label = {site.label: site for site in result.sites}
    assert [site.label for site in result.sites] == ["École", "Mairie", "Stade"]
    assert result.without_coordinates == 2
    school = by_label["École"]
    assert (school.device_count, school.ok_count, school.silent_count) == (2, 1, 1)
    assert school.status == DeviceStatus.SILENT
    assert school.latitude == pytest.approx(LAT + 0.0005)
    assert by_label["Stade"].status == DeviceStatus.NEVER_SEEN
    svg = str(result.svg)
    assert sorted(_markers(svg)) == [("never_seen", "3"), ("ok", "2"), ("silent", "1")]
    assert svg.count("<polygon points=") == 1 + 1 + 1  # silent site, legend, north arrow
    assert '<rect x="' in svg and "<circle " in svg


def test_projection_fits_the_sites_with_margins_and_keeps_distances():
    """Two sites a kilometre apart east–west sit at the margins of the width, on the same row,
    at the distance the scale says; the bounds drawn contain them."""
    west = _device(1, LAT, 5.0, site="Ouest")
    east = _device(2, LAT, 5.0 + KM_LON, site="Est")
    result = sitemap.sites_map([west, east], now=NOW)
    sites = {site.label: site for site in result.sites}
    plot_width = sitemap.PLOT_RIGHT - sitemap.PLOT_LEFT
    scale = plot_width / (1000 * (1 + 2 * sitemap.MARGIN_SHARE))  # pixels per metre
    assert sites["Ouest"].x == pytest.approx(sitemap.PLOT_LEFT + 120 * scale, abs=0.5)
    assert sites["Est"].x == pytest.approx(sitemap.PLOT_RIGHT - 120 * scale, abs=0.5)
    assert sites["Est"].x - sites["Ouest"].x == pytest.approx(1000 * scale, abs=0.5)
    assert sites["Ouest"].y == pytest.approx((sitemap.PLOT_TOP + sitemap.PLOT_BOTTOM) / 2, abs=0.5)
    bounds = result.bounds
    assert bounds is not None
    assert bounds.west < 5.0 < 5.0 + KM_LON < bounds.east
    assert bounds.south < LAT < bounds.north
    # The scale bar is a round distance about a quarter of the width: 200 m here.
    assert result.scale_metres == 200
    assert ">200 m</text>" in str(result.svg)


def test_north_is_up_and_each_site_is_inside_the_frame():
    """A northern site is drawn above a southern one; every marker is inside the plot."""
    devices = [
        _device(number, LAT + 0.01 * (number % 4), 5.0 + 0.013 * (number // 4), site=f"S{number}")
        for number in range(12)
    ]
    result = sitemap.sites_map(devices, now=NOW)
    by_label = {site.label: site for site in result.sites}
    assert by_label["S3"].y < by_label["S0"].y
    for site in result.sites:
        assert sitemap.PLOT_LEFT < site.x < sitemap.PLOT_RIGHT
        assert sitemap.PLOT_TOP < site.y < sitemap.PLOT_BOTTOM
    assert "map-north" in str(result.svg)


def test_a_single_site_gets_a_minimum_extent():
    """One site alone is centred, with a scale of a few hundred metres."""
    result = sitemap.sites_map([_device(1, LAT, 5.0, site="Mairie")], now=NOW)
    (site,) = result.sites
    assert site.x == pytest.approx((sitemap.PLOT_LEFT + sitemap.PLOT_RIGHT) / 2, abs=0.5)
    assert site.y == pytest.approx((sitemap.PLOT_TOP + sitemap.PLOT_BOTTOM) / 2, abs=0.5)
    assert 50 <= result.scale_metres <= 500


def test_no_coordinates_draws_no_map():
    """Without any coordinates there is no drawing, only the count."""
    result = sitemap.sites_map([_device(1, None, None), _device(2, None, None)], now=NOW)
    assert (result.sites, result.without_coordinates, str(result.svg)) == ([], 2, "")


def test_labels_are_escaped_and_numbers_only_beyond_the_limit():
    """Names are escaped; beyond 30 sites the markers carry only their number."""
    hostile = sitemap.sites_map([_device(1, LAT, 5.0, site="<script>x</script>")], now=NOW)
    assert "<script>" not in str(hostile.svg)
    assert "1. &lt;script&gt;x&lt;/script&gt;" in str(hostile.svg)
    many = [_device(n, LAT + 0.001 * n, 5.0, site=f"Site {n:02d}") for n in range(31)]
    svg = str(sitemap.sites_map(many, now=NOW).svg)
    assert len(_markers(svg)) == 31
    assert "Site 00</text>" not in svg
    assert 'paint-order="stroke">1</text>' in svg


def test_nice_distance():
    """Scale bars use 1, 2 or 5 × a power of ten."""
    assert [sitemap.nice_distance(m) for m in (0.4, 7, 180, 310, 999, 4300)] == [
        1,
        5,
        100,
        200,
        500,
        2000,
    ]


def test_osm_link_points_at_the_coordinates():
    """Each site links to OpenStreetMap at its coordinates (a plain link)."""
    (site,) = sitemap.sites_map([_device(1, 47.32178, 5.04148, site="Mairie")], now=NOW).sites
    assert site.osm_url == (
        "https://www.openstreetmap.org/?mlat=47.32178&mlon=5.04148#map=18/47.32178/5.04148"
    )


@pytest.mark.django_db
def test_overview_shows_the_map_its_table_and_the_count_without_coordinates(
    commune_a, operator, agent_a
):
    """The overview includes the map, the table of sites and « n objets sans coordonnées »."""
    elsys = profile(operator)
    now = timezone.now()
    for number, (lat, lon, site) in enumerate(
        [(47.3, 5.0, "École"), (47.301, 5.0, "École"), (47.31, 5.02, "Mairie"), (None, None, "")]
    ):
        Device.objects.create(
            commune=commune_a,
            dev_eui=f"{number + 1:016X}",
            name=f"Capteur {number}",
            profile=elsys,
            site=site,
            latitude=lat,
            longitude=lon,
            last_seen_at=now,
        )
    response = signed_in_client(agent_a).get(reverse("staff:iot:overview", args=[commune_a.slug]))
    page = response.content.decode()
    assert len(response.context["sites_map"].sites) == 2
    assert page.count('class="map-site map-site-ok"') == 2
    assert 'role="img"' in page and '<title id="sites-map-title">Carte des sites</title>' in page
    assert '<caption id="sites-caption">2 sites avec des coordonnées</caption>' in page
    assert '<th scope="row">École</th>' in page
    assert "https://www.openstreetmap.org/?mlat=47.30050&amp;mlon=5.00000" in page
    assert "1 objet sans coordonnées." in page


@pytest.mark.django_db
def test_overview_without_coordinates_says_so(commune_a, operator, agent_a):
    """With no coordinates at all, the overview says so instead of a map."""
    Device.objects.create(
        commune=commune_a, dev_eui="0000000000000001", name="Capteur", profile=profile(operator)
    )
    page = (
        signed_in_client(agent_a)
        .get(reverse("staff:iot:overview", args=[commune_a.slug]))
        .content.decode()
    )
    assert "Aucun objet n'a de coordonnées" in page
    assert '<svg class="sites-map"' not in page
    assert "1 objet sans coordonnées." in page
