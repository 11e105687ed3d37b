"""url_builder: the URL of ``reverse()`` for every value, reversing once."""

from __future__ import annotations

from unittest import mock

import pytest
from django.http import HttpResponse
from django.urls import NoReverseMatch, include, path, re_path, reverse

from clocher.core import reversing
from clocher.core.reversing import url_builder


def _view(request, **kwargs):
    return HttpResponse()


places = [
    path("buildings/<str:building>/", _view, name="building"),
    path("devices/<int:device>/", _view, name="device"),
    path("slugs/<slug:slug>/", _view, name="slug"),
    path("files/<path:file>/details/", _view, name="file"),
    path("tokens/<uuid:token>/", _view, name="token"),
    re_path(r"^old/(?P<code>[A-Z]+)/$", _view, name="old"),
    re_path(r"^numbered/(?P<number>[0-9]+)/$", _view, name="numbered"),
]
urlpatterns = [path("mairie/<slug:commune_slug>/", include((places, "places")))]

pytestmark = pytest.mark.urls(__name__)

AWKWARD_NAMES = [
    "Bâtiment 3",
    "École Jules-Ferry",
    "Salle A&B",
    "50 %",
    "100%25",
    "a?b#c",
    "question ?",
    "l'atelier (nord)",
    "a+b=c;d,e",
    "~:@!$*",
    "tab\there",
    'quote "«»"',
    "<script>",
    "maison 🏠",
    "987654321",
    "x987654321y",
    " espace ",
]


def _reversed(name: str, commune: str = "banc", **kwargs: object) -> str:
    return reverse(f"places:{name}", kwargs={"commune_slug": commune, **kwargs})


@pytest.mark.parametrize("value", AWKWARD_NAMES)
def test_a_text_part_is_quoted_as_reverse_quotes_it(value):
    """Accents, spaces, %, &, ?, # and the placeholder's own digits: the same URL as reverse()."""
    build = url_builder("places:building", kwargs={"commune_slug": "banc"}, variable="building")
    assert build(value) == _reversed("building", building=value)


@pytest.mark.parametrize("value", [0, 7, 987654321, 123456789012345, "42"])
def test_a_number_part_gives_the_reverse_url(value):
    """Primary keys (and digits given as text) give the URL of reverse()."""
    build = url_builder("places:device", kwargs={"commune_slug": "banc"}, variable="device")
    assert build(value) == _reversed("device", device=value)


@pytest.mark.parametrize(
    ("name", "variable", "value"),
    [
        ("building", "building", "A/B"),
        ("building", "building", ""),
        ("device", "device", -1),
        ("device", "device", "12a"),
        ("slug", "slug", "école"),
        ("slug", "slug", "a b"),
    ],
)
def test_a_value_the_route_refuses_raises_as_reverse_does(name, variable, value):
    """A slash in a text part, a negative number, an accent in a slug: NoReverseMatch both ways."""
    build = url_builder(f"places:{name}", kwargs={"commune_slug": "banc"}, variable=variable)
    with pytest.raises(NoReverseMatch):
        _reversed(name, **{variable: value})
    with pytest.raises(NoReverseMatch):
        build(value)


@pytest.mark.parametrize("value", ["a/b c", "dossier/é/x", "details"])
def test_a_path_part_keeps_its_slashes(value):
    """The path converter accepts slashes; they stay unquoted, as with reverse()."""
    build = url_builder("places:file", kwargs={"commune_slug": "banc"}, variable="file")
    assert build(value) == _reversed("file", file=value)


@pytest.mark.parametrize(
    ("name", "variable", "good", "bad"),
    [
        ("old", "code", "ABC", "abc"),
        ("numbered", "number", 12, "1a"),
        ("token", "token", "6f1c8a6e-8d3b-4c0e-9a59-1f1e2d3c4b5a", "12"),
    ],
)
def test_a_route_without_a_usable_converter_goes_through_reverse(name, variable, good, bad):
    """A re_path (no converter to check values with) or a uuid part (which refuses the
    placeholder): every URL comes from reverse(), refusals included."""
    build = url_builder(f"places:{name}", kwargs={"commune_slug": "banc"}, variable=variable)
    assert build(good) == _reversed(name, **{variable: good})
    with pytest.raises(NoReverseMatch):
        build(bad)


def test_the_placeholder_in_a_fixed_part_does_not_confuse_the_substitution():
    """A commune slug made of the placeholder's digits: still the URL of reverse()."""
    build = url_builder(
        "places:device", kwargs={"commune_slug": reversing.PLACEHOLDER}, variable="device"
    )
    assert build(5) == _reversed("device", commune=reversing.PLACEHOLDER, device=5)


def test_many_urls_cost_one_reverse():
    """Fifty buildings and fifty devices: reverse() runs once per builder, not once per URL."""
    with mock.patch.object(reversing, "reverse", wraps=reversing.reverse) as spied:
        buildings = url_builder(
            "places:building", kwargs={"commune_slug": "banc"}, variable="building"
        )
        devices = url_builder("places:device", kwargs={"commune_slug": "banc"}, variable="device")
        built = [buildings(f"Bâtiment {n}") for n in range(50)]
        built += [devices(n) for n in range(50)]
    assert spied.call_count == 2
    assert built[3] == "/mairie/banc/buildings/B%C3%A2timent%203/"
    assert built[53] == "/mairie/banc/devices/3/"
