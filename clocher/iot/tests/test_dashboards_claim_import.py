"""Claiming a pending device and importing devices from CSV, through the staff pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.iot.models import (
    Device,
    Measurement,
    PendingDevice,
    ProfileAdoption,
    Uplink,
    UplinkStatus,
)
from clocher.iot.services.ingestion import ingest
from clocher.iot.tests.factories import ELSYS_DEV_EUI, chirpstack_uplink, integration, profile

pytestmark = pytest.mark.django_db

HEADER = "dev_eui;name;profile;site;building;latitude;longitude;expected_interval_minutes;personal"


def _claim_url(commune, dev_eui: str = ELSYS_DEV_EUI) -> str:
    return reverse("staff:iot:claim", args=[commune.slug, dev_eui])


def _import_url(commune) -> str:
    return reverse("staff:iot:import", args=[commune.slug])


def _csv(*lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("objets.csv", "\n".join([HEADER, *lines]).encode(), "text/csv")


@pytest.fixture
def heard(commune_a, operator):
    """An Elsys sensor heard by commune A before being registered (its profile adopted)."""
    elsys = profile(operator)
    ProfileAdoption.objects.create(commune=commune_a, profile=elsys)
    link, _token = integration(commune_a)
    assert ingest(integration=link, message=chirpstack_uplink()).status == "pending_device"
    return elsys


def test_claim_registers_the_device_and_decodes_its_uplinks(commune_a, heard, technician_a):
    """Claiming with a profile and a name creates the device and decodes the kept uplink."""
    response = signed_in_client(technician_a).post(
        _claim_url(commune_a),
        {
            "profile": heard.pk,
            "name": "CO2 salle 3",
            "building": "École",
            "site": "",
            "expected_interval_minutes": "15",
        },
    )
    device = Device.objects.get(dev_eui=ELSYS_DEV_EUI)
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:iot:device", args=[commune_a.slug, device.pk])
    assert (device.commune, device.name, device.building, device.expected_interval_minutes) == (
        commune_a,
        "CO2 salle 3",
        "École",
        15,
    )
    assert not PendingDevice.objects.filter(dev_eui=ELSYS_DEV_EUI).exists()
    assert Uplink.objects.get(dev_eui=ELSYS_DEV_EUI).status == UplinkStatus.STORED
    assert Measurement.objects.filter(device=device, quantity="co2").count() == 1


def test_claim_without_profile_keeps_the_device_pending(commune_a, heard, technician_a):
    """A missing profile is reported on its field and nothing is registered."""
    response = signed_in_client(technician_a).post(
        _claim_url(commune_a), {"profile": "", "name": "CO2", "expected_interval_minutes": "60"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"profile": ["Ce champ est obligatoire."]}
    assert 'id="id_profile_error"' in response.content.decode()
    assert not Device.objects.exists()
    assert PendingDevice.objects.filter(dev_eui=ELSYS_DEV_EUI).count() == 1


def test_claim_of_an_unknown_dev_eui_is_not_found(commune_a, heard, admin_a):
    """A DevEUI not pending in the commune answers 404."""
    response = signed_in_client(admin_a).get(_claim_url(commune_a, "0000000000000001"))
    assert response.status_code == 404


def test_import_page_registers_a_clean_file(commune_a, operator, admin_a):
    """A clean CSV registers every line and returns to the overview."""
    profile(operator)
    response = signed_in_client(admin_a).post(
        _import_url(commune_a),
        {
            "file": _csv(
                "A81758FFFE030A8F;Salle 1;elsys-ers-co2;École;;;;15;non",
                "A81758FFFE030A90;Salle 2;elsys-ers-co2;École;;;;15;non",
            )
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:iot:overview", args=[commune_a.slug])
    assert sorted(Device.objects.values_list("name", flat=True)) == ["Salle 1", "Salle 2"]


def test_import_page_lists_errors_line_by_line_and_writes_nothing(commune_a, operator, admin_a):
    """A faulty line is reported with its number and no device is registered."""
    profile(operator)
    response = signed_in_client(admin_a).post(
        _import_url(commune_a),
        {
            "file": _csv(
                "A81758FFFE030A8F;Salle 1;elsys-ers-co2;;;;;;",
                "A81758FFFE030A90;Salle 2;inconnu;;;;;;",
            )
        },
    )
    assert response.status_code == 200
    assert response.context["line_errors"] == ["Ligne 3 : profil inconnu : « inconnu »."]
    content = response.content.decode()
    assert "Ligne 3 : profil inconnu : « inconnu »." in content
    assert "aucun objet n'a été enregistré" in content
    assert not Device.objects.exists()


def test_import_page_without_file_says_so(commune_a, admin_a):
    """Posting no file reports it on the field."""
    response = signed_in_client(admin_a).post(_import_url(commune_a), {})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["file"]
    assert not Device.objects.exists()
