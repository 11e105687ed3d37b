"""Device page: one quantity's chart at a time, per period, its folded data table, recent
uplinks."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.queries import rls_scope_queries
from clocher.iot.models import Device, RollupPeriod, Uplink, UplinkStatus
from clocher.iot.services.ingestion import ROLLUP_ZONE, Reading, store_readings
from clocher.iot.tests.dashboards_support import classroom_sensor, quantity_nav, with_query
from clocher.iot.tests.factories import profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def classroom(commune_a, operator):
    return classroom_sensor(commune_a, operator)


def _device_url(device: Device, period: str = "", quantity: str = "") -> str:
    url = reverse("staff:iot:device", args=[device.commune.slug, device.pk])
    return with_query(url, period=period, quantity=quantity)


def test_device_page_shows_the_first_quantity_by_default(classroom, agent_a):
    """Without ``quantity``, only the first quantity of the profile's order is drawn."""
    response = signed_in_client(agent_a).get(_device_url(classroom))
    assert response.status_code == 200
    assert [chart.quantity for chart in response.context["charts"]] == ["temperature"]
    assert "Aucune mesure sur cette période" in str(response.context["charts"][0].svg)
    content = response.content.decode()
    assert content.count('<section class="chart-block"') == 1
    assert "<p>Aucune mesure sur cette période.</p>" in content
    assert "<details>" not in content  # no table to fold without values


def test_device_page_lists_its_quantities_with_their_last_value(classroom, agent_a):
    """The quantity nav links every quantity with its last value; the one shown is marked."""
    content = signed_in_client(agent_a).get(_device_url(classroom)).content.decode()
    assert quantity_nav(content) == [
        (
            "?quantity=temperature",
            ' aria-current="page"',
            "<strong>Température : aucune valeur</strong>",
        ),
        ("?quantity=humidity", "", "Humidité : aucune valeur"),
        ("?quantity=co2", "", "CO₂ : 900 ppm"),
    ]


def test_device_page_switches_quantity_and_keeps_the_period(classroom, agent_a):
    """``quantity=co2`` draws CO2 alone (one hour, mean 800); the period links keep the
    quantity and the quantity links keep the period."""
    response = signed_in_client(agent_a).get(_device_url(classroom, "jour", "co2"))
    assert response.status_code == 200
    [co2] = response.context["charts"]
    assert co2.quantity == "co2"
    assert [(r.period, r.mean, r.minimum, r.maximum, r.count) for r in co2.rollups] == [
        (RollupPeriod.HOUR, 800.0, 700.0, 900.0, 2)
    ]
    assert str(co2.svg).count("<circle ") == 1
    assert quantity_nav(response.content.decode()) == [
        ("?periode=jour&amp;quantity=temperature", "", "Température : aucune valeur"),
        ("?periode=jour&amp;quantity=humidity", "", "Humidité : aucune valeur"),
        (
            "?periode=jour&amp;quantity=co2",
            ' aria-current="page"',
            "<strong>CO₂ : 900 ppm</strong>",
        ),
    ]
    content = response.content.decode()
    assert 'role="img"' in content
    assert '<td class="number">800</td>' in content
    assert '<a href="?periode=annee&amp;quantity=co2">Année</a>' in content
    assert content.count("<script") == 1  # only the site's own deferred script, none inline


def test_device_page_folds_the_data_table_in_details(classroom, agent_a):
    """The data table stays in the page, folded under a summary that counts its values."""
    client = signed_in_client(agent_a)
    content = client.get(_device_url(classroom, "mois", "co2")).content.decode()
    details = content[content.index("<details>") : content.index("</details>")]
    assert "<summary>Voir les données du graphique (2 valeurs)</summary>" in details
    assert details.count('<th scope="row">') == 2
    assert '<td class="number">450</td>' in details
    content = client.get(_device_url(classroom, "jour", "co2")).content.decode()
    assert "<summary>Voir les données du graphique (1 valeur)</summary>" in content


def test_device_page_unknown_quantity_falls_back_to_the_default(classroom, agent_a):
    """An unknown quantity is no error: the first quantity is drawn and a notice says so."""
    response = signed_in_client(agent_a).get(_device_url(classroom, quantity="<b>pm25</b>"))
    assert response.status_code == 200
    assert [chart.quantity for chart in response.context["charts"]] == ["temperature"]
    content = response.content.decode()
    assert (
        '<p class="notice notice-warning" role="status">Cet objet ne mesure pas la grandeur '
        "« &lt;b&gt;pm25&lt;/b&gt; » : voici sa grandeur « Température ».</p>"
    ) in content
    assert "<b>pm25" not in content
    assert quantity_nav(content)[0][1] == ' aria-current="page"'


def test_device_page_of_a_device_without_quantity(commune_a, operator, agent_a):
    """A device whose profile declares nothing and which never reported has no chart."""
    mute = Device.objects.create(
        commune=commune_a,
        dev_eui="0000000000000009",
        name="Muet",
        profile=profile(operator, slug="mute", quantities={}),
    )
    response = signed_in_client(agent_a).get(_device_url(mute, quantity="co2"))
    assert response.status_code == 200
    assert response.context["charts"] == []
    content = response.content.decode()
    assert "<p>Aucune grandeur mesurée.</p>" in content
    assert "Cet objet ne mesure pas la grandeur « co2 ».</p>" in content


def test_device_page_month_uses_day_rollups(classroom, agent_a):
    """Over a month, the points are days: the reading of 20 days ago appears."""
    response = signed_in_client(agent_a).get(_device_url(classroom, "mois", "co2"))
    [co2] = response.context["charts"]
    assert (co2.rollups[0].period, co2.rollups[0].count) == (RollupPeriod.DAY, 1)
    assert sum(r.count for r in co2.rollups) == 3
    assert response.context["period"].key == "mois"
    assert 'aria-current="true"><strong>Mois</strong>' in response.content.decode()


def test_device_page_week_uses_hour_rollups(classroom, agent_a):
    """Over a week the points are hours and the reading of 20 days ago is out of range."""
    response = signed_in_client(agent_a).get(_device_url(classroom, "semaine", "co2"))
    [co2] = response.context["charts"]
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
    """The device page reads its last values and its chart in one roll-up query each."""
    client = signed_in_client(agent_a)
    client.get(_device_url(classroom))
    # +1: the open alerts summary (alerts_summary tag).
    with django_assert_max_num_queries(12 + rls_scope_queries()):
        client.get(_device_url(classroom, "annee", "co2"))


def test_device_page_queries_do_not_grow_with_its_quantities(commune_a, operator, agent_a):
    """A device of six quantities costs the queries of a device of one, and its chart reads
    the roll-ups of the quantity shown alone."""
    six = {
        "temperature": "°C",
        "humidity": "%",
        "co2": "ppm",
        "light": "lx",
        "motion": "",
        "vdd": "mV",
    }
    one_quantity = Device.objects.create(
        commune=commune_a,
        dev_eui="0000000000000011",
        name="Un",
        profile=profile(operator, slug="one", quantities={"co2": "ppm"}),
    )
    six_quantities = Device.objects.create(
        commune=commune_a,
        dev_eui="0000000000000012",
        name="Six",
        profile=profile(operator, slug="six", quantities=six),
    )
    moments = [timezone.now() - datetime.timedelta(hours=h) for h in range(0, 40 * 24, 12)]
    store_readings(one_quantity, [Reading("co2", moment, 600.0, "ppm") for moment in moments])
    store_readings(
        six_quantities,
        [Reading(name, moment, 1.0, unit) for moment in moments for name, unit in six.items()],
    )
    days = {moment.astimezone(ROLLUP_ZONE).date() for moment in moments}
    client = signed_in_client(agent_a)
    client.get(_device_url(one_quantity, "annee"))
    with CaptureQueriesContext(connection) as few:
        client.get(_device_url(one_quantity, "annee", "co2"))
    with CaptureQueriesContext(connection) as many:
        response = client.get(_device_url(six_quantities, "annee", "co2"))
    assert len(many) == len(few)
    assert len(response.context["quantities"]) == 6
    [co2] = response.context["charts"]
    assert len(co2.rollups) == len(days)
    assert {rollup.quantity for rollup in co2.rollups} == {"co2"}
    rollup_queries = [
        query["sql"] for query in many.captured_queries if "iot_rollup" in query["sql"]
    ]
    # The last values of every quantity in one query, then the chart's roll-ups of CO2 alone.
    assert len(rollup_queries) == 2
    assert '"iot_rollup"."quantity" = ' in rollup_queries[1]


def test_chart_table_is_written_as_the_date_and_floatformat_filters_write_it(classroom, agent_a):
    """The data table's lines are made in Python (``ChartRow``): the same text as the filters
    the template used before, in French and in Paris time, for awkward numbers."""
    from django.template import Context, Template

    base = (timezone.now() - datetime.timedelta(days=40)).replace(
        hour=20, minute=30, second=0, microsecond=0
    )  # readings across Paris midnight, each day its own line
    values = [0.1, -0.0004, 1234.5678, 20.0005, -7.0, 1e-9, 418.1235]
    store_readings(
        classroom,
        [
            Reading("humidity", base + datetime.timedelta(hours=2 * hour), value, "%")
            for hour, value in enumerate(values)
        ],
    )
    response = signed_in_client(agent_a).get(_device_url(classroom, "annee", "humidity"))
    [chart] = response.context["charts"]
    assert len(chart.table) == len(chart.rollups) > 1
    filters = Template(
        '{{ r.start|date:\'c\' }}|{{ r.start|date:"j/m/Y H:i" }}|{{ r.mean|floatformat:"-3" }}|'
        '{{ r.minimum|floatformat:"-3" }}|{{ r.maximum|floatformat:"-3" }}|{{ r.count }}'
    )
    content = response.content.decode()
    for row, rollup in zip(chart.table, chart.rollups, strict=True):
        iso, text, mean, minimum, maximum, count = filters.render(Context({"r": rollup})).split("|")
        assert (row.start.iso, row.start.text, row.mean, row.minimum, row.maximum) == (
            iso,
            text,
            mean,
            minimum,
            maximum,
        )
        assert str(row.readings) == count
        assert (
            f'<th scope="row"><time datetime="{iso}">{text}</time></th>\n'
            f'        <td class="number">{mean}</td>'
        ) in content
