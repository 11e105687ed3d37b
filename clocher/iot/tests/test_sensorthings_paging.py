"""SensorThings API: paging of observations by $top/$skip and @iot.nextLink."""

from __future__ import annotations

import datetime

import pytest

from clocher.iot.models import Measurement
from clocher.iot.services.opendata import datastream_publish
from clocher.iot.tests import factories

START = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
ROOT = "/api/v1/communes/agey/sensorthings/v1.1"


def _stream_with(commune, operator, count):
    device = factories.device(commune, factories.profile(operator))
    for number in range(count):
        Measurement.objects.create(
            commune=commune,
            device=device,
            quantity="co2",
            time=START + datetime.timedelta(minutes=10 * number),
            value=400 + number,
            unit="ppm",
        )
    return datastream_publish(device=device, quantity="co2")


@pytest.mark.django_db
def test_next_link_chain_visits_every_observation_exactly_once(client, commune_a, operator):
    """Following @iot.nextLink from $top=7 returns each of 23 observations once, in order."""
    stream = _stream_with(commune_a, operator, 23)
    url = f"{ROOT}/Datastreams({stream.pk})/Observations?$top=7&$count=true"
    seen, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        body = response.json()
        assert body["@iot.count"] == 23
        seen += [item["result"] for item in body["value"]]
        url = body.get("@iot.nextLink")
        pages += 1
    assert pages == 4
    assert seen == [400.0 + n for n in range(23)]


@pytest.mark.django_db
def test_next_link_keeps_the_other_options(client, commune_a, operator):
    """The next link carries $filter and $orderby along with the new $skip."""
    stream = _stream_with(commune_a, operator, 5)
    response = client.get(
        f"{ROOT}/Datastreams({stream.pk})/Observations",
        {
            "$top": "2",
            "$orderby": "phenomenonTime desc",
            "$filter": "phenomenonTime ge 2026-01-01T00:10:00+00:00",
        },
    )
    body = response.json()
    assert [item["result"] for item in body["value"]] == [404.0, 403.0]
    assert body["@iot.nextLink"] == (
        f"http://testserver{ROOT}/Datastreams({stream.pk})/Observations?"
        "$orderby=phenomenonTime%20desc&$filter=phenomenonTime%20ge%202026-01-01T00:10:00%2B00:00"
        "&$top=2&$skip=2"
    )
    assert [item["result"] for item in client.get(body["@iot.nextLink"]).json()["value"]] == [
        402.0,
        401.0,
    ]


@pytest.mark.django_db
def test_default_page_is_100_and_top_is_capped_at_1000(client, commune_a, operator):
    """Without $top a page holds 100 observations; $top=5000 is capped to 1000."""
    stream = _stream_with(commune_a, operator, 1001)
    url = f"{ROOT}/Datastreams({stream.pk})/Observations"
    default = client.get(url).json()
    assert len(default["value"]) == 100
    assert default["@iot.nextLink"].endswith("$top=100&$skip=100")
    capped = client.get(url, {"$top": "5000"}).json()
    assert len(capped["value"]) == 1000
    assert capped["@iot.nextLink"].endswith("$top=1000&$skip=1000")
    last = client.get(capped["@iot.nextLink"]).json()
    assert [item["result"] for item in last["value"]] == [1400.0]
    assert "@iot.nextLink" not in last


@pytest.mark.django_db
def test_observation_entity_shape(client, commune_a, operator):
    """An observation carries its id, links, phenomenonTime, resultTime and result."""
    stream = _stream_with(commune_a, operator, 1)
    measurement = Measurement.objects.get()
    body = client.get(f"{ROOT}/Datastreams({stream.pk})/Observations").json()
    assert body == {
        "value": [
            {
                "@iot.id": measurement.pk,
                "@iot.selfLink": f"http://testserver{ROOT}/Observations({measurement.pk})",
                "phenomenonTime": "2026-01-01T00:00:00Z",
                "resultTime": "2026-01-01T00:00:00Z",
                "result": 400.0,
                "Datastream@iot.navigationLink": f"http://testserver{ROOT}/Datastreams({stream.pk})",
            }
        ]
    }
