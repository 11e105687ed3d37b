"""Finding a deceased person by name, ignoring accents and case, with a link to the plot."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.cimetiere.tests.factories import BurialFactory, DeceasedFactory, PlotFactory
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


def _search(client, commune, query):
    return client.get(reverse("staff:cimetiere:deceased-search", args=[commune.slug]), {"q": query})


def test_search_ignores_accents_and_case_and_links_to_the_plot(commune_a, agent_a):
    """« eloise lefevre » finds Éloïse LEFÈVRE, with the link to her plot."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a, section__name="B", number="7")
    person = DeceasedFactory.create(commune=commune_a, last_name="LEFÈVRE", first_names="Éloïse")
    BurialFactory.create(plot=plot, deceased=person)
    DeceasedFactory.create(commune=commune_a, last_name="LEFEBVRE", first_names="Paul")
    response = _search(signed_in_client(agent_a), commune_a, "eloise lefevre")
    content = response.content.decode()
    assert response.status_code == 200
    assert [match.deceased for match in response.context["results"]] == [person]
    assert reverse("staff:cimetiere:plot", args=[commune_a.slug, plot.pk]) in content
    assert "carré B n° 7" in content


def test_search_never_finds_another_communes_dead(commune_a, commune_b, agent_a):
    """The same name in another commune is not found."""
    DeceasedFactory.create(commune=commune_b, last_name="DURAND")
    response = _search(signed_in_client(agent_a), commune_a, "durand")
    assert response.context["results"] == []
    assert "Aucun défunt ne correspond." in response.content.decode()


def test_empty_search_shows_only_the_form(commune_a, agent_a):
    """No query, no results block."""
    response = _search(signed_in_client(agent_a), commune_a, "  ")
    assert response.context["results"] is None


def test_search_query_count_does_not_grow_with_matches(
    commune_a, agent_a, django_assert_max_num_queries
):
    """Forty matching people with their burials cost a fixed number of queries."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a, capacity=50)
    for index in range(40):
        BurialFactory.create(
            plot=plot,
            deceased=DeceasedFactory.create(commune=commune_a, last_name=f"Martin{index}"),
        )
    client = signed_in_client(agent_a)
    with django_assert_max_num_queries(12):
        response = _search(client, commune_a, "MARTIN")
    assert len(response.context["results"]) == 40
