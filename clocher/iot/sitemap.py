"""The map of a commune's sites, drawn as SVG on the server: no tiles, no script, no foreign
service.

Devices with coordinates are grouped by site (their ``site``, else their building, else their
own name); each site is one numbered marker at the mean of its devices' coordinates, coloured
*and* shaped by the worst status of its devices (a green circle in service, a red triangle when
one is silent, a grey square when one was never heard) so the map reads without colours. The
projection is equirectangular, centred on the sites' bounding box (at least ``MIN_EXTENT_M``
across, with margins), which is exact enough at a commune's scale; a scale bar in metres and a
north arrow go with it. The page gives the same sites as a table (coordinates, device counts, a
plain link to OpenStreetMap at those coordinates), so the drawing is never the only way in.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from html import escape
from typing import Any, NamedTuple

from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clocher.iot.dashboards import STATUS_LABELS, DeviceStatus, device_status, status_in_database
from clocher.iot.models import Device

EARTH_RADIUS_M = 6_371_000.0
WIDTH = 640
HEIGHT = 440
PAD = 16
PLOT_TOP = PAD
PLOT_BOTTOM = 372  # below: scale bar and legend
PLOT_LEFT = PAD
PLOT_RIGHT = WIDTH - PAD
MARGIN_SHARE = 0.12  # of the sites' extent, on each side
MIN_EXTENT_M = 300.0
MAX_LABELLED_SITES = 30  # beyond, markers carry only their number (names are in the table)
MARKER_SIZE = 7.0
OSM_ZOOM = 18

TEXT_COLOUR = "#1b1f23"
FRAME_COLOUR = "#8a949e"
BACKGROUND = "#f4f6f8"
# status → (fill, shape); shapes tell the statuses apart without colour.
MARKERS: dict[DeviceStatus, tuple[str, str]] = {
    DeviceStatus.OK: ("#1e7d32", "circle"),
    DeviceStatus.SILENT: ("#b3261e", "triangle"),
    DeviceStatus.NEVER_SEEN: ("#5f6b76", "square"),
}
# The status a site shows: its worst device's.
STATUS_SEVERITY = {DeviceStatus.OK: 0, DeviceStatus.NEVER_SEEN: 1, DeviceStatus.SILENT: 2}


@dataclass
class MapSite:
    number: int
    label: str
    latitude: float
    longitude: float
    device_count: int = 0
    counts: dict[DeviceStatus, int] = field(default_factory=dict)
    x: float = 0.0
    y: float = 0.0

    @property
    def status(self) -> DeviceStatus:
        present = [status for status, count in self.counts.items() if count]
        return max(present, key=STATUS_SEVERITY.__getitem__, default=DeviceStatus.NEVER_SEEN)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def ok_count(self) -> int:
        return self.counts.get(DeviceStatus.OK, 0)

    @property
    def silent_count(self) -> int:
        return self.counts.get(DeviceStatus.SILENT, 0)

    @property
    def never_seen_count(self) -> int:
        return self.counts.get(DeviceStatus.NEVER_SEEN, 0)

    @property
    def osm_url(self) -> str:
        lat, lon = f"{self.latitude:.5f}", f"{self.longitude:.5f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map={OSM_ZOOM}/{lat}/{lon}"


@dataclass(frozen=True)
class Bounds:
    """The area drawn, in degrees (the sites' bounding box widened to the minimum extent and
    the margins, then to the drawing's proportions)."""

    south: float
    west: float
    north: float
    east: float


@dataclass
class SitesMap:
    sites: list[MapSite]
    without_coordinates: int
    svg: SafeString = field(default_factory=lambda: SafeString(""))
    bounds: Bounds | None = None
    scale_metres: int = 0


class DeviceOnMap(NamedTuple):
    """What the map reads of a device: ``commune_sites_map`` loads these columns only, as
    tuples, with the status worked out by the database (a thousand model instances, or a
    thousand times of last uplink, cost more than the rest of the map)."""

    pk: int
    name: str
    site: str
    building: str
    latitude: Decimal | None
    longitude: Decimal | None
    status: DeviceStatus

    @classmethod
    def of(cls, device: Device, *, now: datetime) -> DeviceOnMap:
        return cls(
            device.pk,
            device.name,
            device.site,
            device.building,
            device.latitude,
            device.longitude,
            device_status(device, now=now),
        )


def _site_key(device: DeviceOnMap) -> tuple[str, str]:
    """Devices of one site share a marker; a device with neither site nor building is a site of
    its own, named after it."""
    if device.site:
        return ("site", device.site)
    if device.building:
        return ("building", device.building)
    return ("device", f"{device.pk}")


def _alphabetical(label: str) -> tuple[str, str]:
    """French alphabetical order: « École » between « Eau » and « Foyer », not after « Z »."""
    plain = "".join(
        char for char in unicodedata.normalize("NFKD", label) if not unicodedata.combining(char)
    )
    return plain.casefold(), label


def group_sites(devices: Iterable[DeviceOnMap]) -> tuple[list[MapSite], int]:
    """The sites of ``devices`` with coordinates (numbered in name order) and how many devices
    have none."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    without = 0
    for device in devices:
        if device.latitude is None or device.longitude is None:
            without += 1
            continue
        key = _site_key(device)
        label = device.site or device.building or device.name
        group = groups.setdefault(key, {"label": label, "points": [], "counts": {}})
        group["points"].append((float(device.latitude), float(device.longitude)))
        group["counts"][device.status] = group["counts"].get(device.status, 0) + 1
    sites: list[MapSite] = []
    for group in sorted(groups.values(), key=lambda item: _alphabetical(item["label"])):
        points = group["points"]
        sites.append(
            MapSite(
                number=len(sites) + 1,
                label=group["label"],
                latitude=sum(lat for lat, _lon in points) / len(points),
                longitude=sum(lon for _lat, lon in points) / len(points),
                device_count=len(points),
                counts=group["counts"],
            )
        )
    return sites, without


def nice_distance(metres: float) -> int:
    """The largest 1, 2 or 5 × 10ⁿ metres not above ``metres`` (at least 1)."""
    if metres < 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(metres))
    return int(max(f * magnitude for f in (1, 2, 5) if f * magnitude <= metres))


def _distance_label(metres: int) -> str:
    if metres >= 1000:
        return _("%(km)s km") % {
            "km": number_format(metres / 1000, decimal_pos=0 if metres % 1000 == 0 else 1)
        }
    return _("%(m)s m") % {"m": number_format(metres)}


def project(sites: list[MapSite]) -> tuple[Bounds, float]:
    """Place every site (``x``, ``y`` in the drawing) and return the bounds drawn and the
    scale in pixels per metre."""
    south = min(site.latitude for site in sites)
    north = max(site.latitude for site in sites)
    west = min(site.longitude for site in sites)
    east = max(site.longitude for site in sites)
    centre_lat = (south + north) / 2
    centre_lon = (west + east) / 2
    cos_lat = max(math.cos(math.radians(centre_lat)), 0.01)
    metres_per_degree_lat = EARTH_RADIUS_M * math.pi / 180
    metres_per_degree_lon = metres_per_degree_lat * cos_lat
    extent_x = max((east - west) * metres_per_degree_lon, MIN_EXTENT_M)
    extent_y = max((north - south) * metres_per_degree_lat, MIN_EXTENT_M)
    extent_x *= 1 + 2 * MARGIN_SHARE
    extent_y *= 1 + 2 * MARGIN_SHARE
    plot_width, plot_height = PLOT_RIGHT - PLOT_LEFT, PLOT_BOTTOM - PLOT_TOP
    scale = min(plot_width / extent_x, plot_height / extent_y)
    # The area drawn fills the plot: widen the shorter side to the drawing's proportions.
    extent_x, extent_y = plot_width / scale, plot_height / scale
    bounds = Bounds(
        south=centre_lat - extent_y / 2 / metres_per_degree_lat,
        west=centre_lon - extent_x / 2 / metres_per_degree_lon,
        north=centre_lat + extent_y / 2 / metres_per_degree_lat,
        east=centre_lon + extent_x / 2 / metres_per_degree_lon,
    )
    for site in sites:
        site.x = PLOT_LEFT + (site.longitude - bounds.west) * metres_per_degree_lon * scale
        site.y = PLOT_TOP + (bounds.north - site.latitude) * metres_per_degree_lat * scale
    return bounds, scale


def _marker(status: DeviceStatus, x: float, y: float, size: float = MARKER_SIZE) -> str:
    colour, shape = MARKERS[status]
    common = f'fill="{colour}" stroke="#ffffff" stroke-width="1.5"'
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" {common}/>'
    if shape == "triangle":
        height = size * 2.1
        points = (
            f"{x:.1f},{y - height * 0.6:.1f} {x - size * 1.2:.1f},{y + height * 0.4:.1f} "
            f"{x + size * 1.2:.1f},{y + height * 0.4:.1f}"
        )
        return f'<polygon points="{points}" {common}/>'
    side = size * 1.7
    return (
        f'<rect x="{x - side / 2:.1f}" y="{y - side / 2:.1f}" width="{side:.1f}" '
        f'height="{side:.1f}" {common}/>'
    )


def _label_text(site: MapSite, labelled: bool) -> str:
    if not labelled:
        return str(site.number)
    label = site.label if len(site.label) <= 28 else site.label[:27] + "…"
    return f"{site.number}. {label}"


def draw(
    sites: list[MapSite], *, title: str, map_id: str = "sites-map"
) -> tuple[SafeString, Bounds, int]:
    """The SVG of ``sites`` (placed by ``project``), its bounds and its scale bar in metres."""
    bounds, scale = project(sites)
    title_id, desc_id = f"{map_id}-title", f"{map_id}-desc"
    description = ngettext(
        "%(count)d site placé selon ses coordonnées ; les mêmes informations sont dans le "
        "tableau qui suit.",
        "%(count)d sites placés selon leurs coordonnées ; les mêmes informations sont dans le "
        "tableau qui suit.",
        len(sites),
    ) % {"count": len(sites)}
    plot_width, plot_height = PLOT_RIGHT - PLOT_LEFT, PLOT_BOTTOM - PLOT_TOP
    parts = [
        f'<svg class="sites-map" id="{escape(map_id)}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        f'<rect class="map-frame" x="{PLOT_LEFT}" y="{PLOT_TOP}" width="{plot_width}" '
        f'height="{plot_height}" fill="{BACKGROUND}" stroke="{FRAME_COLOUR}"/>',
    ]
    labelled = len(sites) <= MAX_LABELLED_SITES
    parts.append(f'<g class="map-sites" font-size="12" fill="{TEXT_COLOUR}">')
    # The most severe markers are drawn last, on top of the others.
    for site in sorted(sites, key=lambda item: (STATUS_SEVERITY[item.status], item.number)):
        tip = ngettext(
            "%(label)s : %(count)d objet, %(status)s",
            "%(label)s : %(count)d objets, état le plus grave : %(status)s",
            site.device_count,
        ) % {"label": site.label, "count": site.device_count, "status": site.status_label}
        anchor, dx = (
            ("end", -MARKER_SIZE - 4) if site.x > WIDTH * 0.7 else ("start", MARKER_SIZE + 4)
        )
        parts.append(
            f'<g class="map-site map-site-{site.status.value}" data-site="{site.number}">'
            f"<title>{escape(f'{site.number}. {tip}')}</title>"
            f"{_marker(site.status, site.x, site.y)}"
            f'<text x="{site.x + dx:.1f}" y="{site.y + 4:.1f}" text-anchor="{anchor}" '
            f'stroke="#ffffff" stroke-width="3" paint-order="stroke">'
            f"{escape(_label_text(site, labelled))}</text></g>"
        )
    parts.append("</g>")
    # North arrow, top right.
    arrow_x, arrow_top = PLOT_RIGHT - 24, PLOT_TOP + 10
    north_up = escape(_("Nord vers le haut"))
    parts.append(
        f'<g class="map-north" fill="{TEXT_COLOUR}" font-size="13" font-weight="bold">'
        f"<title>{north_up}</title>"
        f'<polygon points="{arrow_x},{arrow_top + 14} {arrow_x - 7},{arrow_top + 34} '
        f'{arrow_x},{arrow_top + 29} {arrow_x + 7},{arrow_top + 34}"/>'
        f'<text x="{arrow_x}" y="{arrow_top + 10}" text-anchor="middle">N</text></g>'
    )
    # Scale bar, bottom left: a round distance about a quarter of the width.
    metres = nice_distance(plot_width / scale / 4)
    bar = metres * scale
    bar_y = PLOT_BOTTOM + 26
    parts.append(
        f'<g class="map-scale" fill="{TEXT_COLOUR}" font-size="12" stroke="{TEXT_COLOUR}">'
        f'<line x1="{PLOT_LEFT}" x2="{PLOT_LEFT + bar:.1f}" y1="{bar_y}" y2="{bar_y}" '
        'stroke-width="2"/>'
        f'<line x1="{PLOT_LEFT}" x2="{PLOT_LEFT}" y1="{bar_y - 5}" y2="{bar_y + 5}"/>'
        f'<line x1="{PLOT_LEFT + bar:.1f}" x2="{PLOT_LEFT + bar:.1f}" y1="{bar_y - 5}" '
        f'y2="{bar_y + 5}"/>'
        f'<text x="{PLOT_LEFT}" y="{bar_y + 20}" stroke="none">'
        f"{escape(_distance_label(metres))}</text></g>"
    )
    # Legend, bottom right: one shape and label per status.
    parts.append(f'<g class="map-legend" font-size="12" fill="{TEXT_COLOUR}">')
    x = WIDTH - 360
    for status in (DeviceStatus.OK, DeviceStatus.SILENT, DeviceStatus.NEVER_SEEN):
        parts.append(_marker(status, x + 8, bar_y, size=6))
        parts.append(
            f'<text x="{x + 20}" y="{bar_y + 4}">{escape(str(STATUS_LABELS[status]))}</text>'
        )
        x += 120
    parts.append("</g></svg>")
    return mark_safe("".join(parts)), bounds, metres  # noqa: S308 (every text is escaped above)


def sites_map(devices: Iterable[Device], *, now: datetime, title: str = "") -> SitesMap:
    """The map of ``devices``' sites, or only the count without coordinates when none has any."""
    return _sites_map((DeviceOnMap.of(device, now=now) for device in devices), title=title)


def _sites_map(devices: Iterable[DeviceOnMap], *, title: str = "") -> SitesMap:
    sites, without = group_sites(devices)
    if not sites:
        return SitesMap(sites=[], without_coordinates=without)
    svg, bounds, metres = draw(sites, title=title or _("Carte des sites"))
    return SitesMap(
        sites=sites, without_coordinates=without, svg=svg, bounds=bounds, scale_metres=metres
    )


def commune_sites_map(devices: QuerySet[Device], *, now: datetime) -> SitesMap:
    """The map of a commune's devices (already scoped and filtered): the columns the map needs
    as tuples, the status computed by the database (two queries: ``status_in_database``)."""
    rows = (
        devices.order_by()
        .annotate(map_status=status_in_database(devices, now=now))
        .values_list("pk", "name", "site", "building", "latitude", "longitude", "map_status")
    )
    statuses = {status.value: status for status in DeviceStatus}
    return _sites_map(
        DeviceOnMap(pk, name, site, building, latitude, longitude, statuses[status])
        for pk, name, site, building, latitude, longitude, status in rows
    )
