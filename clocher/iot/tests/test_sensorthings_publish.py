"""Publishing and withdrawing a datastream; personal devices can never be published."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from clocher.iot.models import PublishedDatastream
from clocher.iot.services.opendata import datastream_publish, datastream_unpublish
from clocher.iot.tests import factories


@pytest.mark.django_db
def test_publish_defaults_to_etalab_and_is_idempotent(commune_a, operator):
    """Publishing twice keeps one row, updated; the licence defaults to Etalab 2.0."""
    device = factories.device(commune_a, factories.profile(operator))
    first = datastream_publish(device=device, quantity="co2")
    again = datastream_publish(device=device, quantity="co2", name="CO2 classe A")
    assert again.pk == first.pk
    stream = PublishedDatastream.objects.get()
    assert (stream.commune, stream.name, stream.licence) == (
        commune_a,
        "CO2 classe A",
        "Licence Ouverte / Etalab 2.0",
    )


@pytest.mark.django_db
def test_personal_device_is_refused(commune_a, operator):
    """A household meter (is_personal) is refused with a clear message, nothing stored."""
    device = factories.device(commune_a, factories.profile(operator))
    device.is_personal = True
    device.save()
    with pytest.raises(ValidationError) as error:
        datastream_publish(device=device, quantity="co2")
    assert error.value.message_dict == {
        "device": [
            "L'objet « Capteur A81758FFFE030A8F » relève des données personnelles (compteur "
            "d'un foyer) : ses mesures ne peuvent pas être publiées en données ouvertes."
        ]
    }
    assert PublishedDatastream.objects.count() == 0


@pytest.mark.django_db
def test_unknown_quantity_and_bad_licence_url_are_refused(commune_a, operator):
    """A quantity the profile does not measure, or a licence address that is not a URL."""
    device = factories.device(commune_a, factories.profile(operator))
    with pytest.raises(ValidationError) as error:
        datastream_publish(device=device, quantity="water_volume")
    assert list(error.value.message_dict) == ["quantity"]
    with pytest.raises(ValidationError) as error:
        datastream_publish(device=device, quantity="co2", licence_url="javascript:alert(1)\n")
    assert list(error.value.message_dict) == ["licence_url"]
    assert PublishedDatastream.objects.count() == 0


@pytest.mark.django_db
def test_unpublish_removes_it_from_the_api(client, commune_a, operator):
    """After withdrawal the datastream answers 404."""
    device = factories.device(commune_a, factories.profile(operator))
    stream = datastream_publish(device=device, quantity="co2")
    url = f"/api/v1/communes/agey/sensorthings/v1.1/Datastreams({stream.pk})"
    assert client.get(url).status_code == 200
    datastream_unpublish(datastream=stream)
    assert client.get(url).status_code == 404
