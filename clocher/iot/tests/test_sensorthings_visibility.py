"""SensorThings API: only published, non-personal datastreams of an active commune are visible."""

from __future__ import annotations

import datetime

import pytest

from clocher.iot.models import Measurement
from clocher.iot.services.opendata import datastream_publish
from clocher.iot.tests import factories

TIME = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
ROOT_A = "/api/v1/communes/agey/sensorthings/v1.1"


def _device(commune, profile, dev_eui, **fields):
    device = factories.device(commune, profile, dev_eui)
    for name, value in fields.items():
        setattr(device, name, value)
    device.save()
    Measurement.objects.create(
        commune=commune, device=device, quantity="co2", time=TIME, value=612, unit="ppm"
    )
    Measurement.objects.create(
        commune=commune, device=device, quantity="temperature", time=TIME, value=19.5, unit="°C"
    )
    return device


@pytest.fixture
def world(commune_a, commune_b, operator):
    profile = factories.profile(operator)
    published = _device(
        commune_a, profile, "0000000000000A01", latitude=47.31, longitude=5.04, site="École"
    )
    stream = datastream_publish(device=published, quantity="co2", description="CO2 salle 1")
    _device(commune_a, profile, "0000000000000A02")  # never published
    later_personal = _device(commune_a, profile, "0000000000000A03")
    hidden = datastream_publish(device=later_personal, quantity="co2")
    later_personal.is_personal = True
    later_personal.save()
    other = _device(commune_b, profile, "0000000000000B01", latitude=47.0, longitude=5.0)
    other_stream = datastream_publish(device=other, quantity="co2")
    return {
        "device": published,
        "stream": stream,
        "hidden": hidden,
        "other": other,
        "other_stream": other_stream,
    }


@pytest.mark.django_db
def test_collections_show_only_published_datastreams(client, world):
    """Things, Datastreams, Observations, Locations, Sensors, ObservedProperties: one each."""
    device, stream = world["device"], world["stream"]
    things = client.get(f"{ROOT_A}/Things").json()["value"]
    assert [thing["@iot.id"] for thing in things] == [device.pk]
    assert [s["@iot.id"] for s in client.get(f"{ROOT_A}/Datastreams").json()["value"]] == [
        stream.pk
    ]
    observations = client.get(f"{ROOT_A}/Observations").json()["value"]
    assert [(o["result"], o["Datastream@iot.navigationLink"]) for o in observations] == [
        (612.0, f"http://testserver{ROOT_A}/Datastreams({stream.pk})")
    ]
    locations = client.get(f"{ROOT_A}/Locations").json()["value"]
    assert [location["location"] for location in locations] == [
        {"type": "Point", "coordinates": [5.04, 47.31]}
    ]
    assert [s["name"] for s in client.get(f"{ROOT_A}/Sensors").json()["value"]] == ["Elsys ERS CO2"]
    assert [p["name"] for p in client.get(f"{ROOT_A}/ObservedProperties").json()["value"]] == [
        "co2"
    ]


@pytest.mark.django_db
def test_datastream_entity_shape(client, world):
    """A datastream gives its unit, observation type, licence and navigation links."""
    stream, device = world["stream"], world["device"]
    body = client.get(f"{ROOT_A}/Datastreams({stream.pk})").json()
    link = f"http://testserver{ROOT_A}/Datastreams({stream.pk})"
    assert body["@iot.selfLink"] == link
    assert body["name"] == "Capteur 0000000000000A01 — co2"
    assert body["description"] == "CO2 salle 1"
    assert body["unitOfMeasurement"] == {
        "name": "partie par million",
        "symbol": "ppm",
        "definition": "https://ucum.org/ucum",
    }
    assert body["observationType"] == (
        "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
    )
    assert body["properties"]["license"] == "Licence Ouverte / Etalab 2.0"
    assert body["Thing@iot.navigationLink"] == f"http://testserver{ROOT_A}/Things({device.pk})"
    assert body["Observations@iot.navigationLink"] == f"{link}/Observations"
    assert body["ObservedProperty"]["@iot.id"] == "co2"
    thing = client.get(body["Thing@iot.navigationLink"]).json()
    assert thing["Datastreams@iot.navigationLink"] == (
        f"http://testserver{ROOT_A}/Things({device.pk})/Datastreams"
    )
    assert [
        s["@iot.id"] for s in client.get(thing["Datastreams@iot.navigationLink"]).json()["value"]
    ] == [stream.pk]


@pytest.mark.django_db
def test_personal_and_foreign_ids_answer_404(client, world):
    """A datastream turned personal, or another commune's ids, answer 404 in commune A."""
    hidden, other, other_stream = world["hidden"], world["other"], world["other_stream"]
    for path in (
        f"Datastreams({hidden.pk})",
        f"Datastreams({hidden.pk})/Observations",
        f"Things({hidden.device_id})",
        f"Datastreams({other_stream.pk})",
        f"Datastreams({other_stream.pk})/Observations",
        f"Datastreams({other_stream.pk})/Observations.csv",
        f"Things({other.pk})",
        f"Locations({other.pk})",
    ):
        response = client.get(f"{ROOT_A}/{path}")
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_inactive_or_unknown_commune_answers_404(client, world, commune_a):
    """An unknown commune or a deactivated one publishes nothing."""
    assert client.get("/api/v1/communes/nulle-part/sensorthings/v1.1/Things").status_code == 404
    commune_a.is_active = False
    commune_a.save()
    assert client.get(f"{ROOT_A}/Datastreams").status_code == 404
