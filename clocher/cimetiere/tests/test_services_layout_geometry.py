"""Geometry import: GeoJSON in metres or lon/lat (projected to local metres), and CSV."""

from __future__ import annotations

import json
import math

import pytest

from clocher.cimetiere.models import Plot
from clocher.cimetiere.services import layout
from clocher.cimetiere.tests.factories import PlotFactory, SectionFactory

pytestmark = pytest.mark.django_db


def _feature(section, plot, ring):
    return {
        "type": "Feature",
        "properties": {"section": section, "plot": plot},
        "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
    }


def _collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


@pytest.fixture
def plots(commune_a):
    section = SectionFactory.create(cemetery__commune=commune_a, name="A")
    return [PlotFactory.create(section=section, number=str(n)) for n in (1, 2)]


def test_geojson_in_metres_is_stored_as_is(plots):
    """Metre coordinates are kept; the closing point is dropped."""
    cemetery = plots[0].cemetery
    content = _collection(
        _feature("A", "1", [[10, 20], [11, 20], [11, 22], [10, 22]]),
        _feature("a", "2", [[12, 20], [13, 20], [13, 22], [12, 22]]),
    )
    result = layout.geometry_import_geojson(cemetery=cemetery, actor=None, content=content)
    assert (result.is_clean, result.updated, result.projected_from_degrees) == (True, 2, False)
    plots[0].refresh_from_db()
    assert plots[0].geometry == [[10.0, 20.0], [11.0, 20.0], [11.0, 22.0], [10.0, 22.0]]


def test_geojson_in_lon_lat_is_projected_to_local_metres(plots):
    """Two plots 0.0001° of longitude apart at 47.3°N lie about 7.5 m apart."""
    cemetery = plots[0].cemetery
    lat = 47.3
    ring_1 = [[5.0, lat], [5.00001, lat], [5.00001, lat + 0.00002], [5.0, lat + 0.00002]]
    ring_2 = [[x + 0.0001, y] for x, y in ring_1]
    content = _collection(_feature("A", "1", ring_1), _feature("A", "2", ring_2)).encode()
    result = layout.geometry_import_geojson(cemetery=cemetery, actor=None, content=content)
    assert (result.is_clean, result.projected_from_degrees) == (True, True)
    first, second = (list(Plot.objects.get(pk=plot.pk).geometry or []) for plot in plots)
    expected = math.radians(0.0001) * layout.EARTH_RADIUS_METRES * math.cos(math.radians(lat))
    assert second[0][0] - first[0][0] == pytest.approx(expected, abs=0.01)
    assert first[2][1] - first[0][1] == pytest.approx(
        math.radians(0.00002) * layout.EARTH_RADIUS_METRES, abs=0.01
    )
    # Centred on the centroid: the coordinates are a few metres, not millions.
    assert all(abs(value) < 10 for point in first + second for value in point)


def test_geojson_with_an_unknown_plot_writes_nothing(plots):
    """One unknown plot: the whole file is refused with its feature number."""
    cemetery = plots[0].cemetery
    content = _collection(
        _feature("A", "1", [[0, 0], [1, 0], [1, 2]]),
        _feature("A", "99", [[2, 0], [3, 0], [3, 2]]),
    )
    result = layout.geometry_import_geojson(cemetery=cemetery, actor=None, content=content)
    assert result.errors == [(2, "Emplacement inconnu : carré A, n° 99.")]
    plots[0].refresh_from_db()
    assert plots[0].geometry is None


def test_geojson_can_create_missing_sections_and_plots(plots):
    """With create_missing, an unknown section and plot are created with their outline."""
    cemetery = plots[0].cemetery
    content = _collection(_feature("Nouveau", "7", [[0, 0], [1, 0], [1, 2], [0, 2]]))
    result = layout.geometry_import_geojson(
        cemetery=cemetery, actor=None, content=content, create_missing=True
    )
    assert (result.created, result.updated) == (1, 0)
    created = Plot.objects.get(section__name="Nouveau", number="7")
    assert created.geometry is not None and created.geometry[2] == [1.0, 2.0]


def test_geojson_that_is_not_a_feature_collection_is_refused(plots):
    """Garbage, a bare geometry, or a point instead of a polygon: clear messages."""
    cemetery = plots[0].cemetery
    assert layout.geometry_import_geojson(
        cemetery=cemetery, actor=None, content=b"\xff\xfe pas du json"
    ).errors == [(0, "Le fichier n'est pas un GeoJSON lisible (JSON en UTF-8).")]
    assert layout.geometry_import_geojson(
        cemetery=cemetery, actor=None, content='{"type": "Polygon"}'
    ).errors == [(0, "Le fichier doit être une FeatureCollection GeoJSON.")]
    point = {
        "type": "Feature",
        "properties": {"section": "A", "plot": "1"},
        "geometry": {"type": "Point", "coordinates": [1, 2]},
    }
    assert layout.geometry_import_geojson(
        cemetery=cemetery, actor=None, content=_collection(point)
    ).errors == [(1, "La géométrie doit être un polygone (Polygon) valide.")]


def test_csv_rectangles_in_metres(plots):
    """section,plot,x,y,width,height → a rectangle from the south-west corner."""
    cemetery = plots[0].cemetery
    content = "section,plot,x,y,width,height\nA,1,0,0,1,2\nA,2,1.5,0,1,2\n"
    result = layout.geometry_import_csv(cemetery=cemetery, actor=None, content=content)
    assert (result.is_clean, result.updated) == (True, 2)
    plots[1].refresh_from_db()
    assert plots[1].geometry == [[1.5, 0.0], [2.5, 0.0], [2.5, 2.0], [1.5, 2.0]]


def test_csv_with_semicolons_and_decimal_commas(plots):
    """A French spreadsheet export: « ; » separator and « 1,5 »."""
    cemetery = plots[0].cemetery
    content = b"section;plot;x;y;width;height\nA;1;1,5;0;0,8;2\n"
    result = layout.geometry_import_csv(cemetery=cemetery, actor=None, content=content)
    assert result.is_clean
    plots[0].refresh_from_db()
    assert plots[0].geometry[1] == [2.3, 0.0]


def test_csv_errors_are_given_per_line_and_nothing_is_written(plots):
    """A bad number and a negative width: both lines named, no plot changed."""
    cemetery = plots[0].cemetery
    content = "section,plot,x,y,width,height\nA,1,abc,0,1,2\nA,2,0,0,-1,2\n"
    result = layout.geometry_import_csv(cemetery=cemetery, actor=None, content=content)
    assert result.errors == [
        (2, "x, y, largeur et hauteur doivent être des nombres."),
        (3, "La largeur et la hauteur doivent être positives."),
    ]
    assert Plot.objects.filter(geometry__isnull=False).count() == 0


def test_csv_without_the_expected_columns_is_refused(plots):
    """Missing columns are named."""
    result = layout.geometry_import_csv(
        cemetery=plots[0].cemetery, actor=None, content="section,plot,x\nA,1,0\n"
    )
    assert result.errors == [(1, "Colonnes manquantes : y, width, height.")]


def test_geojson_with_one_property_naming_section_and_number(plots):
    """« ref »: « A-1 » names section A, plot 1."""
    feature = {
        "type": "Feature",
        "properties": {"ref": "A-1"},
        "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 2], [0, 0]]]},
    }
    result = layout.geometry_import_geojson(
        cemetery=plots[0].cemetery, actor=None, content=_collection(feature)
    )
    assert (result.is_clean, result.updated) == (True, 1)
