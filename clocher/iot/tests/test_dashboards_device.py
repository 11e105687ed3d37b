"""Device and building pages: charts per quantity and period, data tables, recent uplinks."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.queries import rls_scope_queries
from clocher.iot.models import Device, RollupPeriod, Uplink, UplinkStatus
from clocher.iot.services.ingestion import Reading, store_readings
from clocher.iot.tests.factories import profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def classroom(commune_a, operator):
    device = Device.objects.create(
        commune=commune_a,
        dev_eui="A81758FFFE030A8F",
        name="CO2 salle 3",
        profile=profile(operator),
        building="École Jules-Ferry",
    )
    hour = timezone.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=2)
    store_readings(
        device,
        [
            Reading("co2", hour + datetime.timedelta(minutes=5), 700.0, "ppm"),
            Reading("co2", hour + datetime.timedelta(minutes=25), 900.0, "ppm"),
            Reading("co2", hour - datetime.timedelta(days=20), 450.0, "ppm"),
        ],
    )
    return device


def _device_url(device: Device, period: str = "") -> str:
    url = reverse("staff:iot:device", args=[device.commune.slug, device.pk])
    return f"{url}?periode={period}" if period else url


def test_device_page_draws_a_chart_per_quantity_with_its_table(classroom, agent_a):
    """The day chart of CO2 has one point (mean 800) and its table the same numbers."""
    response = signed_in_client(agent_a).get(_device_url(classroom))
    assert response.status_code == 200
    charts = {chart.quantity: chart for chart in response.context["charts"]}
    assert list(charts) == ["temperature", "humidity", "co2"]
    co2 = charts["co2"]
    assert [(r.period, r.mean, r.minimum, r.maximum, r.count) for r in co2.rollups] == [
        (RollupPeriod.HOUR, 800.0, 700.0, 900.0, 2)
    ]
    assert str(co2.svg).count("<circle ") == 1
    assert "Aucune mesure sur cette période" in str(charts["temperature"].svg)
    content = response.content.decode()
    assert 'role="img"' in content
    assert "<summary>Tableau des valeurs</summary>" in content
    assert '<td class="number">800</td>' in content
    assert content.count("<script") == 1  # only the site's own deferred script, none inline


def test_device_page_month_uses_day_rollups(classroom, agent_a):
    """Over a month, the points are days: the reading of 20 days ago appears."""
    response = signed_in_client(agent_a).get(_device_url(classroom, "mois"))
    co2 = next(chart for chart in response.context["charts"] if chart.quantity == "co2")
    assert (co2.rollups[0].period, co2.rollups[0].count) == (RollupPeriod.DAY, 1)
    assert sum(r.count for r in co2.rollups) == 3
    assert response.context["period"].key == "mois"
    assert 'aria-current="true"><strong>Mois</strong>' in response.content.decode()


def test_device_page_week_uses_hour_rollups(classroom, agent_a):
    """Over a week the points are hours and the reading of 20 days ago is out of range."""
    response = signed_in_client(agent_a).get(_device_url(classroom, "semaine"))
    co2 = next(chart for chart in response.context["charts"] if chart.quantity == "co2")
    assert [(r.period, r.count) for r in co2.rollups] == [(RollupPeriod.HOUR, 2)]


def test_device_page_lists_failed_uplinks_with_their_error(classroom, agent_a):
    """A failed decode is listed with its status and error message."""
    Uplink.objects.create(
        commune=classroom.commune,
        device=classroom,
        dev_eui=classroom.dev_eui,
        source="chirpstack",
        dedup_key="k1",
        received_at=timezone.now(),
        status=UplinkStatus.DECODE_FAILED,
        error="Trame trop courte (2 octets)",
        f_cnt=42,
    )
    content = signed_in_client(agent_a).get(_device_url(classroom)).content.decode()
    assert '<span class="status status-down">Décodage en échec</span>' in content
    assert "Trame trop courte (2 octets)" in content


def test_device_page_query_count(classroom, agent_a, django_assert_max_num_queries):
    """The device page reads its charts in one roll-up query whatever the period."""
    client = signed_in_client(agent_a)
    client.get(_device_url(classroom))
    # +1: the open alerts summary (alerts_summary tag).
    with django_assert_max_num_queries(11 + rls_scope_queries()):
        client.get(_device_url(classroom, "annee"))


def test_building_page_gathers_its_devices(classroom, commune_a, operator, agent_a):
    """A building shows each of its devices and their charts, not the others'."""
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
    url = reverse("staff:iot:building", args=[commune_a.slug, "École Jules-Ferry"])
    response = signed_in_client(agent_a).get(url)
    assert response.status_code == 200
    assert [row.device.name for row in response.context["rows"]] == [
        "CO2 salle 3",
        "Compteur d'eau école",
    ]
    assert [(c.device.name, c.quantity) for c in response.context["charts"]] == [
        ("CO2 salle 3", "temperature"),
        ("CO2 salle 3", "humidity"),
        ("CO2 salle 3", "co2"),
        ("Compteur d'eau école", "volume"),
    ]
    assert "Capteur mairie" not in response.content.decode()
