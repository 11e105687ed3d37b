"""The platform home: the operator and the member communes, searchable without JavaScript."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.core.testing.factories import CommuneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes(operator):
    return [
        CommuneFactory(
            operator=operator,
            name="Saint-Rémy",
            slug="saint-remy",
            insee_code="21570",
            address="Mairie\n1 place de l'Église\n21500 Saint-Rémy",
        ),
        CommuneFactory(
            operator=operator,
            name="Époisses",
            slug="epoisses",
            insee_code="21254",
            address="Mairie\n21460 Époisses",
        ),
        CommuneFactory(operator=operator, name="Agey", slug="agey", insee_code="21001"),
    ]


def _names(response):
    return [entry.name for entry in response.context["page"].object_list]


def test_home_lists_active_communes_and_operator(client, communes):
    """Anyone sees the operator's name and every active commune, linking to its public home."""
    communes[2].is_active = False
    communes[2].save()
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert _names(response) == ["Époisses", "Saint-Rémy"]
    assert "Syndicat numérique de test" in response.content.decode()
    assert 'href="/communes/epoisses/"' in response.content.decode()


def test_search_by_name_ignores_accents_case_and_hyphens(client, communes):
    """ "saint remy" finds "Saint-Rémy", "EPOISSES" finds "Époisses"."""
    assert _names(client.get(reverse("portal:home"), {"q": "saint remy"})) == ["Saint-Rémy"]
    assert _names(client.get(reverse("portal:home"), {"q": "EPOISSES"})) == ["Époisses"]


def test_search_by_insee_code(client, communes):
    """A digit query matches the start of the INSEE code."""
    assert _names(client.get(reverse("portal:home"), {"q": "21254"})) == ["Époisses"]


def test_search_by_postal_code(client, communes):
    """A digit query matches a postal code found in the town hall's address."""
    assert _names(client.get(reverse("portal:home"), {"q": "21500"})) == ["Saint-Rémy"]


def test_search_without_result_says_so_and_keeps_the_query(client, communes):
    """No match: a clear message, and what was typed stays in the field."""
    response = client.get(reverse("portal:home"), {"q": "Zzyzx"})
    content = response.content.decode()
    assert _names(response) == []
    assert "Aucune commune ne correspond à « Zzyzx »" in content
    assert 'value="Zzyzx"' in content


def test_search_form_is_labelled_and_uses_get(client, communes):
    """The search is a plain GET form with a labelled field (works without JavaScript)."""
    content = client.get(reverse("portal:home")).content.decode()
    assert '<form method="get" action="/"' in content
    assert '<label for="id_q">' in content
