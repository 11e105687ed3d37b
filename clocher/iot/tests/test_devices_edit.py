"""Editing a device's registry entry: site, building, coordinates, expected interval, personal
flag and profile, validated, and who may do it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.iot.models import Device, ProfileAdoption, PublishedDatastream
from clocher.iot.services.devices import clean_coordinates, device_update
from clocher.iot.services.opendata import datastream_publish
from clocher.iot.tests.factories import device, profile

pytestmark = pytest.mark.django_db

MANAGERS = ["admin_a", "technician_a"]
NOT_MANAGERS = ["agent_a", "elected_a", "operator_admin", "operator_support"]


@pytest.fixture
def sensor(commune_a, operator) -> Device:
    elsys = profile(operator)
    ProfileAdoption.objects.create(commune=commune_a, profile=elsys)
    return device(commune_a, elsys)


def _url(commune, target: Device) -> str:
    return reverse("staff:iot:device-edit", args=[commune.slug, target.pk])


def _data(target: Device, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "CO2 salle 3",
        "profile": target.profile_id,
        "site": "École du bourg",
        "building": "École",
        "asset": "Salle 3",
        "latitude": "47.32178",
        "longitude": "5.04148",
        "expected_interval_minutes": "15",
    }
    data.update(changes)
    return data


def test_anonymous_goes_to_sign_in(commune_a, sensor):
    """An anonymous visitor is sent to sign in and changes nothing."""
    response = Client().post(_url(commune_a, sensor), _data(sensor))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    sensor.refresh_from_db()
    assert sensor.site == ""


def test_member_of_another_commune_gets_not_found(commune_a, sensor, admin_b):
    """Commune B's administrator cannot open nor change A's device."""
    client = signed_in_client(admin_b)
    assert client.get(_url(commune_a, sensor)).status_code == 404
    assert client.post(_url(commune_a, sensor), _data(sensor)).status_code == 404
    sensor.refresh_from_db()
    assert sensor.site == ""


@pytest.mark.parametrize("role", NOT_MANAGERS)
def test_roles_without_manage_devices_are_refused(commune_a, sensor, role, request):
    """Agents, elected officials and operator staff cannot edit a device."""
    client = signed_in_client(request.getfixturevalue(role))
    assert client.get(_url(commune_a, sensor)).status_code == 403
    assert client.post(_url(commune_a, sensor), _data(sensor)).status_code == 403
    sensor.refresh_from_db()
    assert sensor.site == ""
    page = client.get(reverse("staff:iot:device", args=[commune_a.slug, sensor.pk]))
    assert _url(commune_a, sensor) not in page.content.decode()


@pytest.mark.parametrize("role", MANAGERS)
def test_managers_edit_the_device(commune_a, sensor, role, request):
    """The administrator and the technician change site, building, coordinates and interval."""
    client = signed_in_client(request.getfixturevalue(role))
    device_page = client.get(reverse("staff:iot:device", args=[commune_a.slug, sensor.pk]))
    assert _url(commune_a, sensor) in device_page.content.decode()
    response = client.post(_url(commune_a, sensor), _data(sensor))
    assert response["Location"] == reverse("staff:iot:device", args=[commune_a.slug, sensor.pk])
    sensor.refresh_from_db()
    assert (
        sensor.name,
        sensor.site,
        sensor.building,
        sensor.asset,
        sensor.latitude,
        sensor.longitude,
        sensor.expected_interval_minutes,
        sensor.is_personal,
    ) == (
        "CO2 salle 3",
        "École du bourg",
        "École",
        "Salle 3",
        Decimal("47.32178"),
        Decimal("5.04148"),
        15,
        False,
    )


def test_french_decimal_comma_is_accepted(commune_a, sensor, admin_a):
    """Coordinates typed with a decimal comma are understood."""
    signed_in_client(admin_a).post(
        _url(commune_a, sensor), _data(sensor, latitude="-21,11517", longitude="55,53638")
    )
    sensor.refresh_from_db()
    assert (sensor.latitude, sensor.longitude) == (Decimal("-21.11517"), Decimal("55.53638"))


@pytest.mark.parametrize(
    ("latitude", "longitude", "field", "message"),
    [
        ("91", "5", "latitude", "La latitude est en degrés décimaux, entre -90 et 90"),
        ("47", "-180.5", "longitude", "La longitude est en degrés décimaux, entre -180 et 180"),
        ("47.3", "", "longitude", "Donnez aussi la longitude, ou effacez la latitude."),
        ("", "5.0", "latitude", "Donnez aussi la latitude, ou effacez la longitude."),
        ("quarante-sept", "5", "latitude", "Saisissez un nombre."),
    ],
)
def test_bad_coordinates_are_refused_on_their_field(
    commune_a, sensor, admin_a, latitude, longitude, field, message
):
    """Coordinates outside WGS84, or only one of the two, are refused on the field concerned;
    what was typed is kept; nothing changes."""
    response = signed_in_client(admin_a).post(
        _url(commune_a, sensor), _data(sensor, latitude=latitude, longitude=longitude)
    )
    form = response.context["form"]
    assert response.status_code == 200
    assert any(message in error for error in form.errors[field])
    assert form["site"].value() == "École du bourg"
    sensor.refresh_from_db()
    assert (sensor.latitude, sensor.site) == (None, "")


def test_interval_and_name_are_checked(commune_a, sensor, admin_a):
    """An empty name or an interval of 0 minutes is refused."""
    response = signed_in_client(admin_a).post(
        _url(commune_a, sensor), _data(sensor, name="", expected_interval_minutes="0")
    )
    assert set(response.context["form"].errors) == {"name", "expected_interval_minutes"}


def test_profile_choices_are_the_adopted_ones(commune_a, operator, sensor, admin_a):
    """The device's profile can be changed to one the commune adopted, not to another."""
    adopted = profile(operator, slug="em500", model="Milesight EM500-CO2")
    ProfileAdoption.objects.create(commune=commune_a, profile=adopted)
    other = profile(operator, slug="other", model="Non adopté")
    client = signed_in_client(admin_a)
    choices = list(client.get(_url(commune_a, sensor)).context["form"].fields["profile"].queryset)
    assert choices == [sensor.profile, adopted]
    refused = client.post(_url(commune_a, sensor), _data(sensor, profile=other.pk))
    assert "profile" in refused.context["form"].errors
    client.post(_url(commune_a, sensor), _data(sensor, profile=adopted.pk))
    sensor.refresh_from_db()
    assert sensor.profile == adopted
    with pytest.raises(ValidationError) as raised:
        device_update(device=sensor, name="x", profile=other)
    assert raised.value.message_dict == {"profile": ["Choisissez un profil adopté par la commune."]}


def test_marking_personal_withdraws_open_data_and_says_so(commune_a, sensor, admin_a):
    """Flagging a device as personal withdraws its published datastreams, with a message."""
    datastream_publish(device=sensor, quantity="co2")
    response = signed_in_client(admin_a).post(
        _url(commune_a, sensor), _data(sensor, is_personal="on"), follow=True
    )
    assert "1 flux publié(s) retiré(s) des données ouvertes" in response.content.decode()
    assert not PublishedDatastream.objects.exists()
    sensor.refresh_from_db()
    assert sensor.is_personal


def test_clean_coordinates_rounds_to_five_decimals():
    """Coordinates are kept to 5 decimals (about a metre)."""
    assert clean_coordinates(Decimal("47.321784"), Decimal("5.041476")) == (
        Decimal("47.32178"),
        Decimal("5.04148"),
    )
    assert clean_coordinates(None, None) == (None, None)
