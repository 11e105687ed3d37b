"""SensorThings API: $orderby, $filter on phenomenonTime, and bad options answering 400."""

from __future__ import annotations

import datetime

import pytest

from clocher.iot.models import Measurement
from clocher.iot.services.opendata import datastream_publish
from clocher.iot.tests import factories

ROOT = "/api/v1/communes/agey/sensorthings/v1.1"
JAN_2 = "2026-01-02T00:00:00Z"


@pytest.fixture
def stream(commune_a, operator):
    device = factories.device(commune_a, factories.profile(operator))
    for day in range(1, 6):  # 1st to 5th of January 2026, midnight UTC
        Measurement.objects.create(
            commune=commune_a,
            device=device,
            quantity="co2",
            time=datetime.datetime(2026, 1, day, tzinfo=datetime.UTC),
            value=day,
            unit="ppm",
        )
    return datastream_publish(device=device, quantity="co2")


def _results(client, stream, **options):
    response = client.get(f"{ROOT}/Datastreams({stream.pk})/Observations", options)
    assert response.status_code == 200, response.content
    return [item["result"] for item in response.json()["value"]]


@pytest.mark.django_db
def test_orderby_phenomenon_time(client, stream):
    """Ascending by default and with asc; descending with desc."""
    assert _results(client, stream) == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert _results(client, stream, **{"$orderby": "phenomenonTime asc"}) == [
        1.0,
        2.0,
        3.0,
        4.0,
        5.0,
    ]
    assert _results(client, stream, **{"$orderby": "phenomenonTime desc"}) == [
        5.0,
        4.0,
        3.0,
        2.0,
        1.0,
    ]


@pytest.mark.django_db
def test_filter_on_phenomenon_time(client, stream):
    """ge/lt and gt/le bounds, with Z, with an offset, and with an unencoded '+'."""
    assert _results(
        client,
        stream,
        **{"$filter": f"phenomenonTime ge {JAN_2} and phenomenonTime lt 2026-01-04T00:00:00Z"},
    ) == [2.0, 3.0]
    assert _results(
        client,
        stream,
        **{
            "$filter": "phenomenonTime gt 2026-01-02T01:00:00+01:00 AND "
            "phenomenonTime le 2026-01-04T00:00:00Z"
        },
    ) == [3.0, 4.0]
    url = (
        f"{ROOT}/Datastreams({stream.pk})/Observations"
        "?$filter=phenomenonTime%20ge%202026-01-05T01:00:00+01:00"
    )
    assert [item["result"] for item in client.get(url).json()["value"]] == [5.0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("$top", "-1"),
        ("$top", "dix"),
        ("$skip", "1.5"),
        ("$count", "oui"),
        ("$orderby", "result desc"),
        ("$orderby", "phenomenonTime sideways"),
        ("$filter", "result gt 3"),
        ("$filter", "phenomenonTime ge 2026-01-02"),
        ("$filter", "phenomenonTime ge 2026-01-02T00:00:00"),
        ("$filter", "phenomenonTime ge pas-une-date"),
        (
            "$filter",
            "phenomenonTime ge 2026-01-02T00:00:00Z or phenomenonTime lt 2026-01-03T00:00:00Z",
        ),
        (
            "$filter",
            "phenomenonTime ge 2026-01-02T00:00:00Z and phenomenonTime ge 2026-01-03T00:00:00Z",
        ),
        ("$filter", "phenomenonTime ge 2026-01-02T00:00:00Z and " * 20 + "x"),
    ],
)
def test_bad_option_answers_400(client, stream, option, value):
    """A malformed option answers 400 in the error format, naming the option."""
    response = client.get(f"{ROOT}/Datastreams({stream.pk})/Observations", {option: value})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_query_option"
    assert error["details"][0]["field"] == option
    assert error["message"].startswith(f"Option de requête « {option} » invalide")


@pytest.mark.django_db
def test_bad_top_on_other_collections_answers_400(client, stream):
    """$top and $count are checked on every collection."""
    for name in (
        "Things",
        "Locations",
        "Sensors",
        "ObservedProperties",
        "Datastreams",
        "Observations",
    ):
        response = client.get(f"{ROOT}/{name}", {"$top": "x"})
        assert response.status_code == 400, name
