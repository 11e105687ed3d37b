"""Writes of the cemetery's layout: cemeteries, sections (carrés), plots, and their geometry.

- ``cemetery_create``, ``section_create``, ``plot_create``, ``plots_create_batch`` (« rang A,
  numéros 1 à 20 » placed side by side on the grid editor), ``plot_update``;
- ``geometry_import_geojson`` and ``geometry_import_csv``: plot outlines from a GeoJSON
  FeatureCollection of Polygons (coordinates in metres, or in longitude/latitude projected to
  local metres with an equirectangular projection around the centroid) or from a CSV of
  ``section,plot,x,y,width,height`` (metres). An import writes nothing unless every line is clean.

Plots are never deleted (their history is a public archive); a change that would contradict what
lies in the ground (capacity below the present burials) is refused.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clocher.cimetiere.models import (
    CONCEDABLE_KINDS,
    Burial,
    Cemetery,
    Concession,
    Plot,
    PlotKind,
    Row,
    Section,
)
from clocher.tenancy.models import Commune

EARTH_RADIUS_METRES = 6_371_008.8
MAX_BATCH = 500
SECTION_KEYS = ("section", "carre", "carré", "square")
PLOT_KEYS = ("plot", "number", "numero", "numéro", "emplacement")
COMBINED_KEYS = ("ref", "reference", "référence", "name", "nom", "label", "id")
COMBINED_SEPARATOR = re.compile(r"^\s*(?P<section>.+?)\s*[-/ ]\s*(?P<number>[^-/ ]+)\s*$")


class LayoutError(ValueError):
    """A layout change refused; ``field`` names the form field it concerns."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- Cemeteries, sections, plots -------------------------------------------------------------


@transaction.atomic
def cemetery_create(*, commune: Commune, actor: Any, name: str, address: str = "") -> Cemetery:
    name = name.strip()
    if not name:
        raise LayoutError(_("Indiquez le nom du cimetière."), field="name")
    if Cemetery.objects.for_commune(commune).filter(name__iexact=name).exists():
        raise LayoutError(_("Un cimetière porte déjà ce nom."), field="name")
    return Cemetery.objects.create(commune=commune, name=name, address=address.strip())


@transaction.atomic
def section_create(*, cemetery: Cemetery, actor: Any, name: str) -> Section:
    name = name.strip()
    if not name:
        raise LayoutError(_("Indiquez le nom du carré."), field="name")
    sections = Section.objects.for_commune(cemetery.commune).filter(cemetery=cemetery)
    if sections.filter(name__iexact=name).exists():
        raise LayoutError(_("Ce cimetière a déjà un carré de ce nom."), field="name")
    position = sections.count()
    return Section.objects.create(
        commune=cemetery.commune, cemetery=cemetery, name=name, position=position
    )


def _row(section: Section, name: str) -> Row | None:
    name = name.strip()
    if not name:
        return None
    row, _created = Row.objects.for_commune(section.commune).get_or_create(
        commune=section.commune, section=section, name=name
    )
    return row


def _check_section(cemetery: Cemetery, section: Section) -> None:
    if section.cemetery_id != cemetery.pk or section.commune_id != cemetery.commune_id:
        raise LayoutError(_("Ce carré n'appartient pas à ce cimetière."), field="section")


@transaction.atomic
def plots_create_batch(
    *,
    cemetery: Cemetery,
    actor: Any,
    section: Section,
    numbers: list[str],
    kind: str,
    capacity: int,
    row_name: str = "",
    grid_x: int | None = None,
    grid_y: int | None = None,
    grid_width: int = 1,
    grid_height: int = 2,
    surface_m2: Decimal | None = None,
) -> list[Plot]:
    """Create plots ``numbers`` in ``section``, side by side on the grid from (``grid_x``,
    ``grid_y``) when given. Refused as a whole if one number already exists."""
    _check_section(cemetery, section)
    if kind not in PlotKind.values:
        raise LayoutError(_("Type d'emplacement inconnu."), field="kind")
    if capacity < 1:
        raise LayoutError(_("Un emplacement a au moins une place."), field="capacity")
    numbers = [number.strip() for number in numbers if number.strip()]
    if not numbers:
        raise LayoutError(_("Indiquez au moins un numéro."), field="number_from")
    if len(numbers) > MAX_BATCH:
        raise LayoutError(
            _("%(count)s emplacements d'un coup, c'est trop : %(max)s au plus.")
            % {"count": len(numbers), "max": MAX_BATCH},
            field="number_to",
        )
    if len(set(numbers)) != len(numbers):
        raise LayoutError(_("Un numéro est répété."), field="number_from")
    existing = sorted(
        Plot.objects.for_commune(cemetery.commune)
        .filter(section=section, number__in=numbers)
        .values_list("number", flat=True)
    )
    if existing:
        raise LayoutError(
            _("Ces numéros existent déjà dans le carré %(section)s : %(numbers)s.")
            % {"section": section, "numbers": ", ".join(existing)},
            field="number_from",
        )
    row = _row(section, row_name)
    plots = []
    for index, number in enumerate(numbers):
        plots.append(
            Plot(
                commune=cemetery.commune,
                cemetery=cemetery,
                section=section,
                row=row,
                number=number,
                kind=kind,
                capacity=capacity,
                surface_m2=surface_m2,
                grid_x=None if grid_x is None else grid_x + index * grid_width,
                grid_y=grid_y,
                grid_width=grid_width,
                grid_height=grid_height,
            )
        )
    try:
        with transaction.atomic():
            return Plot.objects.bulk_create(plots)
    except IntegrityError as error:  # a concurrent creation of the same number
        raise LayoutError(_("Un de ces numéros vient d'être créé."), field="number_from") from error


def batch_numbers(*, number_from: int, number_to: int, prefix: str = "") -> list[str]:
    """« numéros 1 à 20 » → ``["1", …, "20"]`` (with an optional prefix, e.g. ``A``)."""
    if number_to < number_from:
        raise LayoutError(
            _("Le dernier numéro doit être supérieur ou égal au premier."), field="number_to"
        )
    if number_to - number_from + 1 > MAX_BATCH:
        raise LayoutError(
            _("%(max)s emplacements au plus d'un coup.") % {"max": MAX_BATCH}, field="number_to"
        )
    return [f"{prefix}{number}" for number in range(number_from, number_to + 1)]


@transaction.atomic
def plot_update(
    *,
    plot: Plot,
    actor: Any,
    kind: str,
    capacity: int,
    surface_m2: Decimal | None,
    notes: str = "",
    grid_x: int | None = None,
    grid_y: int | None = None,
    grid_width: int | None = None,
    grid_height: int | None = None,
) -> Plot:
    """Change what a plot is. Refused when it would contradict the ground: fewer places than
    the people resting there, or a kind that cannot carry its concession in force."""
    commune = plot.commune
    present = Burial.objects.for_commune(commune).filter(plot=plot, is_present=True).count()
    if capacity < max(present, 1):
        raise LayoutError(
            _(
                "%(present)s personne(s) reposent dans cet emplacement : il faut au moins "
                "%(present)s place(s)."
            )
            % {"present": present},
            field="capacity",
        )
    if kind not in PlotKind.values:
        raise LayoutError(_("Type d'emplacement inconnu."), field="kind")
    has_concession = (
        Concession.objects.for_commune(commune).filter(plot=plot, ended_on__isnull=True).exists()
    )
    if has_concession and kind not in CONCEDABLE_KINDS:
        raise LayoutError(
            _(
                "Une concession est en cours sur cet emplacement : il doit rester d'un type "
                "concessible (L2223-13)."
            ),
            field="kind",
        )
    plot.kind = kind
    plot.capacity = capacity
    plot.surface_m2 = surface_m2
    plot.notes = notes
    fields = ["kind", "capacity", "surface_m2", "notes"]
    if grid_x is not None or grid_y is not None:
        plot.grid_x, plot.grid_y = grid_x, grid_y
        fields += ["grid_x", "grid_y"]
    if grid_width:
        plot.grid_width = grid_width
        fields.append("grid_width")
    if grid_height:
        plot.grid_height = grid_height
        fields.append("grid_height")
    plot.save(update_fields=fields)
    return plot


# --- Geometry import -------------------------------------------------------------------------


@dataclass
class GeometryLine:
    line: int
    section: str
    number: str
    polygon: list[list[float]]


@dataclass
class GeometryImportResult:
    """What an import did, or why it did nothing (``errors``: ``(line, message)``)."""

    updated: int = 0
    created: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    projected_from_degrees: bool = False

    @property
    def is_clean(self) -> bool:
        return not self.errors


def _first(properties: dict[str, Any], keys: tuple[str, ...]) -> str:
    lowered = {str(key).strip().lower(): value for key, value in properties.items()}
    for key in keys:
        value = lowered.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _looks_like_degrees(points: list[tuple[float, float]]) -> bool:
    """Longitude/latitude: every point within ±180/±90 and the whole spanning less than a tenth
    of a degree (a cemetery is a few hundred metres wide; in metres it would span more)."""
    if not points:
        return False
    xs = [x for x, _y in points]
    ys = [y for _x, y in points]
    in_range = all(-180 <= x <= 180 for x in xs) and all(-90 <= y <= 90 for y in ys)
    return in_range and max(xs) - min(xs) < 0.1 and max(ys) - min(ys) < 0.1


def project_to_metres(
    rings: list[list[tuple[float, float]]],
) -> list[list[list[float]]]:
    """Equirectangular projection of lon/lat rings around their centroid: x east, y north, in
    metres. At cemetery scale (≤ 1 km) the error is far below a grave's width."""
    points = [point for ring in rings for point in ring]
    lon0 = sum(x for x, _y in points) / len(points)
    lat0 = sum(y for _x, y in points) / len(points)
    scale_x = math.radians(1) * EARTH_RADIUS_METRES * math.cos(math.radians(lat0))
    scale_y = math.radians(1) * EARTH_RADIUS_METRES
    return [
        [[round((x - lon0) * scale_x, 3), round((y - lat0) * scale_y, 3)] for x, y in ring]
        for ring in rings
    ]


def _outer_ring(geometry: Any) -> list[tuple[float, float]] | None:
    if not isinstance(geometry, dict) or geometry.get("type") != "Polygon":
        return None
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates or not isinstance(coordinates[0], list):
        return None
    ring = []
    try:
        for point in coordinates[0]:
            x, y = float(point[0]), float(point[1])
            if not (math.isfinite(x) and math.isfinite(y)):
                return None
            ring.append((x, y))
    except (TypeError, ValueError, IndexError):
        return None
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring = ring[:-1]
    return ring if len(ring) >= 3 else None


def parse_geojson(
    content: bytes | str, *, units: str = "auto"
) -> tuple[list[GeometryLine], list[tuple[int, str]], bool]:
    """Read a FeatureCollection: ``(lines, errors, projected_from_degrees)``. ``units`` is
    ``"auto"``, ``"metres"`` or ``"degrees"``. A feature's position in the collection (from 1)
    is its line number in the errors."""
    try:
        text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        return [], [(0, _("Le fichier n'est pas un GeoJSON lisible (JSON en UTF-8)."))], False
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        return [], [(0, _("Le fichier doit être une FeatureCollection GeoJSON."))], False
    features = data.get("features")
    if not isinstance(features, list) or not features:
        return [], [(0, _("La FeatureCollection ne contient aucun contour."))], False
    errors: list[tuple[int, str]] = []
    raw: list[tuple[int, str, str, list[tuple[float, float]]]] = []
    for index, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            errors.append((index, _("Élément illisible.")))
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            properties = {}
        section, number = _first(properties, SECTION_KEYS), _first(properties, PLOT_KEYS)
        if not section or not number:
            # One property naming both: « A-12 », « A/12 » or « A 12 ».
            combined = COMBINED_SEPARATOR.match(_first(properties, COMBINED_KEYS))
            if combined:
                section, number = combined["section"], combined["number"]
        if not section or not number:
            errors.append(
                (
                    index,
                    _(
                        "Propriétés « section » et « plot » (carré et numéro) attendues, ou "
                        "« ref » sous la forme « A-12 »."
                    ),
                )
            )
            continue
        ring = _outer_ring(feature.get("geometry"))
        if ring is None:
            errors.append((index, _("La géométrie doit être un polygone (Polygon) valide.")))
            continue
        raw.append((index, section, number, ring))
    all_points = [point for _i, _s, _n, ring in raw for point in ring]
    if units == "degrees":
        degrees = True
    elif units == "metres":
        degrees = False
    else:
        degrees = _looks_like_degrees(all_points)
    if degrees and raw:
        if not all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in all_points):
            return (
                [],
                [(0, _("Des coordonnées sortent des longitudes et latitudes possibles."))],
                True,
            )
        projected = project_to_metres([ring for _i, _s, _n, ring in raw])
        lines = [
            GeometryLine(index, section, number, polygon)
            for (index, section, number, _ring), polygon in zip(raw, projected, strict=True)
        ]
    else:
        lines = [
            GeometryLine(index, section, number, [[x, y] for x, y in ring])
            for index, section, number, ring in raw
        ]
    return lines, errors, degrees


def _number(text: str) -> float:
    value = float(text.strip().replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def parse_csv(content: bytes | str) -> tuple[list[GeometryLine], list[tuple[int, str]]]:
    """Read ``section,plot,x,y,width,height`` (metres; x, y the south-west corner; ``;`` or
    ``,`` as separator; decimal comma accepted with ``;``)."""
    try:
        text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    except UnicodeDecodeError:
        return [], [(0, _("Le fichier doit être encodé en UTF-8."))]
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    expected = ["section", "plot", "x", "y", "width", "height"]
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in expected if name not in header]
    if missing:
        return [], [(1, _("Colonnes manquantes : %(columns)s.") % {"columns": ", ".join(missing)})]
    lines: list[GeometryLine] = []
    errors: list[tuple[int, str]] = []
    for line_number, record in enumerate(reader, start=2):
        values = {str(k).strip().lower(): (v or "") for k, v in record.items() if k is not None}
        section, number = values["section"].strip(), values["plot"].strip()
        if not section and not number and not any(values.values()):
            continue
        if not section or not number:
            errors.append((line_number, _("Carré et numéro d'emplacement obligatoires.")))
            continue
        try:
            x, y = _number(values["x"]), _number(values["y"])
            width, height = _number(values["width"]), _number(values["height"])
        except ValueError:
            errors.append((line_number, _("x, y, largeur et hauteur doivent être des nombres.")))
            continue
        if width <= 0 or height <= 0:
            errors.append((line_number, _("La largeur et la hauteur doivent être positives.")))
            continue
        polygon = [[x, y], [x + width, y], [x + width, y + height], [x, y + height]]
        lines.append(GeometryLine(line_number, section, number, polygon))
    if not lines and not errors:
        errors.append((0, _("Le fichier ne contient aucune ligne.")))
    return lines, errors


@transaction.atomic
def geometry_apply(
    *,
    cemetery: Cemetery,
    actor: Any,
    lines: list[GeometryLine],
    errors: list[tuple[int, str]] | None = None,
    create_missing: bool = False,
    default_kind: str = PlotKind.CONCESSION_GROUND,
) -> GeometryImportResult:
    """Set the outline of each plot named in ``lines``; with ``create_missing``, create the
    sections and plots that do not exist yet. Nothing is written if any line is in error."""
    result = GeometryImportResult(errors=list(errors or []))
    commune = cemetery.commune
    sections = {
        section.name.casefold(): section
        for section in Section.objects.for_commune(commune).filter(cemetery=cemetery)
    }
    plots = {
        (plot.section.name.casefold(), plot.number.casefold()): plot
        for plot in Plot.objects.for_commune(commune)
        .filter(cemetery=cemetery)
        .select_related("section")
    }
    seen: set[tuple[str, str]] = set()
    for line in lines:
        key = (line.section.casefold(), line.number.casefold())
        if key in seen:
            result.errors.append((line.line, _("Cet emplacement apparaît deux fois.")))
            continue
        seen.add(key)
        if key not in plots and not create_missing:
            result.errors.append(
                (
                    line.line,
                    _("Emplacement inconnu : carré %(section)s, n° %(number)s.")
                    % {"section": line.section, "number": line.number},
                )
            )
    if result.errors:
        result.errors.sort()
        return result
    to_update = []
    for line in lines:
        key = (line.section.casefold(), line.number.casefold())
        plot = plots.get(key)
        if plot is None:
            section = sections.get(key[0])
            if section is None:
                section = sections[key[0]] = Section.objects.create(
                    commune=commune, cemetery=cemetery, name=line.section, position=len(sections)
                )
            plot = Plot.objects.create(
                commune=commune,
                cemetery=cemetery,
                section=section,
                number=line.number,
                kind=default_kind,
                geometry=line.polygon,
            )
            result.created += 1
        else:
            plot.geometry = line.polygon
            to_update.append(plot)
    Plot.objects.bulk_update(to_update, ["geometry"], batch_size=500)
    result.updated = len(to_update)
    return result


def geometry_import_geojson(
    *,
    cemetery: Cemetery,
    actor: Any,
    content: bytes | str,
    units: str = "auto",
    create_missing: bool = False,
) -> GeometryImportResult:
    lines, errors, degrees = parse_geojson(content, units=units)
    if errors and not lines:
        return GeometryImportResult(errors=errors, projected_from_degrees=degrees)
    result = geometry_apply(
        cemetery=cemetery, actor=actor, lines=lines, errors=errors, create_missing=create_missing
    )
    result.projected_from_degrees = degrees
    return result


def geometry_import_csv(
    *, cemetery: Cemetery, actor: Any, content: bytes | str, create_missing: bool = False
) -> GeometryImportResult:
    lines, errors = parse_csv(content)
    if errors and not lines:
        return GeometryImportResult(errors=errors)
    return geometry_apply(
        cemetery=cemetery, actor=actor, lines=lines, errors=errors, create_missing=create_missing
    )
