"""Importing devices from CSV: all lines or nothing, errors line by line."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError

from clocher.iot.models import Device
from clocher.iot.services.devices import devices_import_csv
from clocher.iot.services.profiles import profiles_load

pytestmark = pytest.mark.django_db

HEADER = "dev_eui;name;profile;site;building;latitude;longitude;expected_interval_minutes;personal"


def _file(*lines: str) -> BytesIO:
    return BytesIO("\n".join([HEADER, *lines]).encode())


def test_clean_file_registers_every_device(operator, commune_a):
    """Every line becomes a device with its fields."""
    profiles_load(operator=operator)
    devices = devices_import_csv(
        commune=commune_a,
        file=_file(
            "a81758fffe030a8f;Salle CM1;elsys-ers-co2;École;Bât. A;47,32;5,04;15;non",
            "24E124136B502217;Compteur;axioma-qalcosonic-w1;;;;;;oui",
        ),
    )
    assert len(devices) == 2
    first = Device.objects.get(dev_eui="A81758FFFE030A8F")
    assert (first.name, first.site, first.building, first.expected_interval_minutes) == (
        "Salle CM1",
        "École",
        "Bât. A",
        15,
    )
    assert (first.latitude, first.longitude, first.is_personal) == (
        Decimal("47.32000"),
        Decimal("5.04000"),
        False,
    )
    assert Device.objects.get(dev_eui="24E124136B502217").is_personal is True


def test_faulty_lines_are_listed_and_nothing_is_written(operator, commune_a):
    """Each faulty line is reported with its number; no device is created."""
    profiles_load(operator=operator)
    with pytest.raises(ValidationError) as caught:
        devices_import_csv(
            commune=commune_a,
            file=_file(
                "a81758fffe030a8f;Ok;elsys-ers-co2;;;;;;",
                "XYZ;Bad;elsys-ers-co2;;;;;;",
                "0102030405060708;Bad;nope;;;;;;",
                "a81758fffe030a8f;Twice;elsys-ers-co2;;;;;;",
                "0102030405060709;Bad;elsys-ers-co2;;;95;;;",
            ),
        )
    messages = caught.value.messages
    assert [message.split(" : ")[0] for message in messages] == [
        "Ligne 3",
        "Ligne 4",
        "Ligne 5",
        "Ligne 6",
    ]
    assert "profil inconnu" in messages[1]
    assert not Device.objects.exists()
