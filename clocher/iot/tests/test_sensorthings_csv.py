"""SensorThings API: CSV download of one published datastream's observations."""

from __future__ import annotations

import datetime

import pytest

from clocher.iot.models import Measurement
from clocher.iot.services.opendata import datastream_publish
from clocher.iot.tests import factories

ROOT = "/api/v1/communes/agey/sensorthings/v1.1"


@pytest.fixture
def stream(commune_a, operator):
    device = factories.device(commune_a, factories.profile(operator))
    for hour, value in ((0, 612.0), (1, 1480.5), (2, 803.0)):
        Measurement.objects.create(
            commune=commune_a,
            device=device,
            quantity="co2",
            time=datetime.datetime(2026, 3, 2, 8 + hour, tzinfo=datetime.UTC),
            value=value,
            unit="ppm",
        )
    return datastream_publish(device=device, quantity="co2")


@pytest.mark.django_db
def test_csv_lists_every_observation(client, stream):
    """The CSV has a header and one line per observation, oldest first, with licence headers."""
    response = client.get(f"{ROOT}/Datastreams({stream.pk})/Observations.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="agey-datastream-{stream.pk}.csv"'
    )
    assert response["Link"] == (
        '<https://www.etalab.gouv.fr/licence-ouverte-open-licence/>; rel="license"'
    )
    assert response.content.decode() == (
        "phenomenonTime,result,unit\r\n"
        "2026-03-02T08:00:00Z,612.0,ppm\r\n"
        "2026-03-02T09:00:00Z,1480.5,ppm\r\n"
        "2026-03-02T10:00:00Z,803.0,ppm\r\n"
    )


@pytest.mark.django_db
def test_csv_applies_filter_and_order(client, stream):
    """$filter and $orderby apply to the CSV; a bad one answers 400."""
    response = client.get(
        f"{ROOT}/Datastreams({stream.pk})/Observations.csv",
        {"$filter": "phenomenonTime gt 2026-03-02T08:00:00Z", "$orderby": "phenomenonTime desc"},
    )
    assert response.content.decode().splitlines() == [
        "phenomenonTime,result,unit",
        "2026-03-02T10:00:00Z,803.0,ppm",
        "2026-03-02T09:00:00Z,1480.5,ppm",
    ]
    bad = client.get(f"{ROOT}/Datastreams({stream.pk})/Observations.csv", {"$filter": "x"})
    assert bad.status_code == 400
