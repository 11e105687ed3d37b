"""Building page: every chart of its devices, or one quantity's to compare them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.iot.models import Device
from clocher.iot.tests.dashboards_support import classroom_sensor, quantity_nav, with_query
from clocher.iot.tests.factories import profile

pytestmark = pytest.mark.django_db

EVERY_CHART = [
    ("CO2 salle 3", "temperature"),
    ("CO2 salle 3", "humidity"),
    ("CO2 salle 3", "co2"),
    ("Compteur d'eau école", "volume"),
]


@pytest.fixture
def school(commune_a, operator):
    """The École Jules-Ferry: a CO2 sensor and a water meter; a sensor of the town hall."""
    classroom = classroom_sensor(commune_a, operator)
    Device.objects.create(
        commune=commune_a,
        dev_eui="0000000000000002",
        name="Compteur d'eau école",
        profile=profile(operator, slug="water", model="Axioma W1", quantities={"volume": "m³"}),
        building="École Jules-Ferry",
    )
    Device.objects.create(
        commune=commune_a,
        dev_eui="0000000000000003",
        name="Capteur mairie",
        profile=classroom.profile,
        building="Mairie",
    )
    return reverse("staff:iot:building", args=[commune_a.slug, "École Jules-Ferry"])


def _charts(response) -> list[tuple[str, str]]:
    return [(chart.device.name, chart.quantity) for chart in response.context["charts"]]


def test_building_page_gathers_every_chart_of_its_devices(school, agent_a):
    """Without ``quantity``, a building shows each of its devices and all their charts, not
    the others'; "every quantity" is the current link of the quantity nav."""
    response = signed_in_client(agent_a).get(school)
    assert response.status_code == 200
    assert [row.device.name for row in response.context["rows"]] == [
        "CO2 salle 3",
        "Compteur d'eau école",
    ]
    assert _charts(response) == EVERY_CHART
    content = response.content.decode()
    assert "Capteur mairie" not in content
    assert content.count('<section class="chart-block"') == 4
    assert "notice-warning" not in content
    assert quantity_nav(content) == [
        (school, ' aria-current="page"', "<strong>Toutes les grandeurs</strong>"),
        ("?quantity=temperature", "", "Température"),
        ("?quantity=humidity", "", "Humidité"),
        ("?quantity=co2", "", "CO₂"),
        ("?quantity=volume", "", "Volume"),
    ]


def test_building_page_narrows_to_one_quantity(school, agent_a):
    """``quantity=co2`` keeps the CO2 chart of the devices measuring it, the period kept."""
    client = signed_in_client(agent_a)
    response = client.get(with_query(school, period="mois", quantity="co2"))
    assert response.status_code == 200
    assert _charts(response) == [("CO2 salle 3", "co2")]
    [co2] = response.context["charts"]
    assert sum(rollup.count for rollup in co2.rollups) == 3
    content = response.content.decode()
    assert quantity_nav(content)[0] == (f"{school}?periode=mois", "", "Toutes les grandeurs")
    assert quantity_nav(content)[3] == (
        "?periode=mois&amp;quantity=co2",
        ' aria-current="page"',
        "<strong>CO₂</strong>",
    )
    assert "<summary>Voir les données du graphique (2 valeurs)</summary>" in content
    response = client.get(with_query(school, quantity="volume"))
    assert _charts(response) == [("Compteur d'eau école", "volume")]
    # Without another parameter, "every quantity" links to the page's path and an empty query.
    assert quantity_nav(response.content.decode())[0] == (f"{school}?", "", "Toutes les grandeurs")


def test_building_page_unknown_quantity_shows_every_chart(school, agent_a):
    """An unknown quantity keeps the page whole: every chart, and a notice."""
    response = signed_in_client(agent_a).get(with_query(school, quantity="pm25"))
    assert response.status_code == 200
    assert _charts(response) == EVERY_CHART
    assert (
        '<p class="notice notice-warning" role="status">Aucun objet de ce bâtiment ne mesure '
        "la grandeur « pm25 » : toutes les grandeurs sont affichées.</p>"
    ) in response.content.decode()


def test_building_whose_name_has_a_slash_is_linked_and_shown(commune_a, operator, agent_a):
    """A name like « Groupe scolaire A/B » (the import and the forms allow it) gets its page: the
    overview links it instead of failing, and the link leads to that building's devices."""
    classroom = classroom_sensor(commune_a, operator)
    Device.objects.filter(pk=classroom.pk).update(building="Groupe scolaire A/B")
    client = signed_in_client(agent_a)
    overview = client.get(reverse("staff:iot:overview", args=[commune_a.slug]))
    assert overview.status_code == 200
    link = reverse("staff:iot:building", args=[commune_a.slug, "Groupe scolaire A/B"])
    assert link.endswith("/batiments/Groupe%20scolaire%20A/B/")
    assert f'href="{link}"' in overview.content.decode()
    page = client.get(link)
    assert page.status_code == 200
    assert page.context["building"] == "Groupe scolaire A/B"
    assert [row.device.name for row in page.context["rows"]] == ["CO2 salle 3"]
