"""GET /api/v1/communes/{commune_slug}/cemetery/graves?name=…: public "find a grave", opt-in."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client

from clocher.cimetiere.models import CemeterySettings, Holder
from clocher.cimetiere.tests.factories import BurialFactory, ConcessionFactory, DeceasedFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/communes/{slug}/cemetery/graves"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _search(slug: str, name: str | None):
    params = {} if name is None else {"name": name}
    return Client().get(URL.format(slug=slug), params)


@pytest.fixture
def grave(commune_a):
    """Éloïse Dupré rests in a concession whose holder is Marcel Holder-Secret."""
    concession = ConcessionFactory.create(plot__section__cemetery__commune=commune_a)
    Holder.objects.create(
        commune=commune_a,
        concession=concession,
        full_name="Marcel TitulaireSecret",
        address="8 impasse Confidentielle",
    )
    deceased = DeceasedFactory.create(
        commune=commune_a, last_name="DUPRÉ", first_names="Éloïse", death_date=date(2019, 4, 3)
    )
    BurialFactory.create(plot=concession.plot, concession=concession, deceased=deceased)
    return concession


def _open(commune):
    CemeterySettings.objects.create(commune=commune, public_search_enabled=True)


def test_closed_commune_is_404(commune_a, grave):
    """Without the commune's opt-in: 404, nothing found."""
    response = _search("agey", "dupre")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "DUPR" not in response.content.decode()


def test_settings_present_but_closed_is_404(commune_a, grave):
    """Settings with the search turned off: 404."""
    CemeterySettings.objects.create(commune=commune_a, public_search_enabled=False)
    assert _search("agey", "dupre").status_code == 404


def test_unknown_commune_is_404(commune_a):
    """An unknown slug: 404."""
    assert _search("nulle-part", "dupre").status_code == 404


def test_open_commune_finds_the_grave_without_accents_or_case(commune_a, grave):
    """« eloise dupre » finds Éloïse DUPRÉ, with her place, and nothing about the holder."""
    _open(commune_a)
    response = _search("agey", "eloise dupre")
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "last_name": "DUPRÉ",
                "first_names": "Éloïse",
                "birth_name": "",
                "death_date": "2019-04-03",
                "cemetery": grave.plot.cemetery.name,
                "section": grave.plot.section.name,
                "plot": grave.plot.number,
            }
        ],
        "truncated": False,
    }
    content = response.content.decode()
    assert "TitulaireSecret" not in content
    assert "Confidentielle" not in content
    assert "holder" not in content


def test_accented_query_finds_plain_name(commune_a):
    """« Lefèvre » finds LEFEVRE."""
    _open(commune_a)
    BurialFactory.create(
        plot__section__cemetery__commune=commune_a,
        deceased=DeceasedFactory.create(commune=commune_a, last_name="LEFEVRE"),
    )
    assert [item["last_name"] for item in _search("agey", "Lefèvre").json()["items"]] == ["LEFEVRE"]


def test_exhumed_people_are_not_listed(commune_a):
    """Someone no longer in the grave is not given as resting there."""
    _open(commune_a)
    BurialFactory.create(
        plot__section__cemetery__commune=commune_a,
        deceased=DeceasedFactory.create(commune=commune_a, last_name="PARTI"),
        is_present=False,
    )
    assert _search("agey", "parti").json()["items"] == []


@pytest.mark.parametrize("name", [None, "a", " é "])
def test_too_short_name_is_422(commune_a, grave, name):
    """A missing or one-letter name is refused with a message on the field."""
    _open(commune_a)
    response = _search("agey", name)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "name"


def test_results_are_limited(commune_a):
    """At most 50 results, with truncated set."""
    _open(commune_a)
    for number in range(51):
        BurialFactory.create(
            plot__section__cemetery__commune=commune_a,
            deceased=DeceasedFactory.create(commune=commune_a, last_name=f"MARTIN{number:02d}"),
        )
    body = _search("agey", "martin").json()
    assert len(body["items"]) == 50
    assert body["truncated"] is True


def test_other_commune_graves_are_not_found(commune_a, commune_b):
    """Commune A's search never returns commune B's dead."""
    _open(commune_a)
    _open(commune_b)
    BurialFactory.create(
        plot__section__cemetery__commune=commune_b,
        deceased=DeceasedFactory.create(commune=commune_b, last_name="BEIROIS"),
    )
    assert _search("agey", "beirois").json()["items"] == []
    assert len(_search("beire", "beirois").json()["items"]) == 1
