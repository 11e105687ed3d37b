"""The staff page that publishes a commune's datastreams as open data: the list of devices ×
quantities, publishing with a licence, withdrawing, and personal devices never publishable."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.queries import rls_scope_queries
from clocher.iot.models import Device, PublishedDatastream
from clocher.iot.models.opendata import ETALAB_LICENCE, ETALAB_LICENCE_URL
from clocher.iot.services.devices import device_update
from clocher.iot.services.opendata import datastream_publish
from clocher.iot.tests.factories import profile

pytestmark = pytest.mark.django_db

READERS = ["admin_a", "agent_a", "elected_a", "technician_a", "operator_admin", "operator_support"]
MANAGERS = ["admin_a", "technician_a"]
NOT_MANAGERS = ["agent_a", "elected_a", "operator_admin", "operator_support"]


@pytest.fixture
def world(commune_a, operator):
    elsys = profile(operator)
    school = Device.objects.create(
        commune=commune_a, dev_eui="A81758FFFE030A8F", name="CO2 salle 3", profile=elsys
    )
    meter = Device.objects.create(
        commune=commune_a,
        dev_eui="0000000000000009",
        name="Compteur du 3 rue Haute",
        profile=profile(
            operator, slug="water", model="Compteur d'eau", quantities={"volume": "m3"}
        ),
        is_personal=True,
    )
    return {"school": school, "meter": meter}


def _list(commune) -> str:
    return reverse("staff:iot:opendata", args=[commune.slug])


def _publish(commune, device, quantity: str = "co2") -> str:
    return reverse("staff:iot:opendata-publish", args=[commune.slug, device.pk, quantity])


def _unpublish(commune, device, quantity: str = "co2") -> str:
    return reverse("staff:iot:opendata-unpublish", args=[commune.slug, device.pk, quantity])


# --- Authorization ------------------------------------------------------------------------------


def test_anonymous_goes_to_sign_in(commune_a, world):
    """Anonymous visitors are sent to sign in and publish nothing."""
    client = Client()
    for response in (
        client.get(_list(commune_a)),
        client.get(_publish(commune_a, world["school"])),
        client.post(_publish(commune_a, world["school"]), {"licence": "x"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert not PublishedDatastream.objects.exists()


def test_member_of_another_commune_gets_not_found(commune_a, world, admin_b):
    """Commune B's administrator can neither read nor publish nor withdraw A's datastreams."""
    datastream_publish(device=world["school"], quantity="co2")
    client = signed_in_client(admin_b)
    assert client.get(_list(commune_a)).status_code == 404
    assert client.post(_publish(commune_a, world["school"], "humidity"), {}).status_code == 404
    assert client.post(_unpublish(commune_a, world["school"])).status_code == 404
    assert list(PublishedDatastream.objects.values_list("quantity", flat=True)) == ["co2"]


@pytest.mark.parametrize("role", READERS)
def test_every_role_reads_the_page(commune_a, world, role, request):
    """Every commune role and the operator's staff read the publishing page."""
    client = signed_in_client(request.getfixturevalue(role))
    assert client.get(_list(commune_a)).status_code == 200


@pytest.mark.parametrize("role", NOT_MANAGERS)
def test_roles_without_manage_devices_cannot_publish(commune_a, world, role, request):
    """Agents, elected officials and operator staff are refused publishing and withdrawing."""
    datastream_publish(device=world["school"], quantity="co2")
    client = signed_in_client(request.getfixturevalue(role))
    assert client.get(_publish(commune_a, world["school"], "humidity")).status_code == 403
    assert client.post(_publish(commune_a, world["school"], "humidity"), {}).status_code == 403
    assert client.post(_unpublish(commune_a, world["school"])).status_code == 403
    assert list(PublishedDatastream.objects.values_list("quantity", flat=True)) == ["co2"]
    assert "Retirer" not in client.get(_list(commune_a)).content.decode()


@pytest.mark.parametrize("role", MANAGERS)
def test_managers_publish_and_withdraw(commune_a, world, role, request):
    """The administrator and the technician publish a quantity and withdraw it."""
    client = signed_in_client(request.getfixturevalue(role))
    response = client.post(
        _publish(commune_a, world["school"]),
        {"name": "", "description": "", "licence": ETALAB_LICENCE, "licence_url": ""},
    )
    assert response["Location"] == _list(commune_a)
    assert PublishedDatastream.objects.get().quantity == "co2"
    assert client.post(_unpublish(commune_a, world["school"]))["Location"] == _list(commune_a)
    assert not PublishedDatastream.objects.exists()


# --- Behaviour ----------------------------------------------------------------------------------


def test_list_shows_each_quantity_with_its_state_and_public_links(commune_a, world, agent_a):
    """Each device × quantity has a row; a published one links to its SensorThings entity and
    its CSV; a personal device is « jamais publiable » with the reason."""
    stream = datastream_publish(device=world["school"], quantity="co2", name="CO2 de la classe")
    response = signed_in_client(agent_a).get(_list(commune_a))
    page = response.content.decode()
    groups = {group.device.name: group for group in response.context["groups"]}
    assert [(row.quantity, row.published) for row in groups["CO2 salle 3"].rows] == [
        ("temperature", None),
        ("humidity", None),
        ("co2", stream),
    ]
    root = f"/api/v1/communes/{commune_a.slug}/sensorthings/v1.1"
    assert f'href="{root}/Datastreams({stream.pk})"' in page
    assert f'href="{root}/Datastreams({stream.pk})/Observations.csv"' in page
    assert "« CO2 de la classe », Licence Ouverte / Etalab 2.0" in page
    assert "Données personnelles (compteur d'un foyer) : ses mesures ne peuvent pas" in page
    assert page.count('status-unknown">jamais publiable</span>') == 1  # the meter's quantity


def test_links_on_the_page_answer(commune_a, world, agent_a):
    """The public addresses shown answer without signing in."""
    stream = datastream_publish(device=world["school"], quantity="co2")
    page = signed_in_client(agent_a).get(_list(commune_a))
    row = next(row for group in page.context["groups"] for row in group.rows if row.published)
    assert row.published == stream
    for url in row.links.values():
        assert Client().get(url).status_code == 200, url


def test_publish_form_defaults_to_etalab_and_saves_the_metadata(commune_a, world, technician_a):
    """The form proposes the Etalab 2.0 licence; what is typed is published."""
    client = signed_in_client(technician_a)
    form_page = client.get(_publish(commune_a, world["school"])).content.decode()
    assert f'value="{ETALAB_LICENCE}"' in form_page
    assert f'value="{ETALAB_LICENCE_URL}"' in form_page
    assert 'value="CO2 salle 3 — CO₂"' in form_page
    client.post(
        _publish(commune_a, world["school"]),
        {
            "name": "Air de l'école",
            "description": "Capteur au fond de la classe.",
            "licence": "ODbL",
            "licence_url": "https://opendatacommons.org/licenses/odbl/",
        },
    )
    stream = PublishedDatastream.objects.get()
    assert (stream.name, stream.description, stream.licence, stream.licence_url) == (
        "Air de l'école",
        "Capteur au fond de la classe.",
        "ODbL",
        "https://opendatacommons.org/licenses/odbl/",
    )
    edit_page = client.get(_publish(commune_a, world["school"])).content.decode()
    assert 'value="ODbL"' in edit_page
    assert "Publié depuis le" in edit_page


def test_bad_licence_url_is_reported_on_its_field(commune_a, world, admin_a):
    """A licence address that is not a web address is refused on its field, input kept."""
    response = signed_in_client(admin_a).post(
        _publish(commune_a, world["school"]),
        {"name": "Flux", "licence": ETALAB_LICENCE, "licence_url": "ftp://licence"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Entrez l&#x27;adresse web (http ou https) de la licence." in page
    assert 'value="ftp://licence"' in page
    assert not PublishedDatastream.objects.exists()


def test_personal_device_is_refused(commune_a, world, admin_a):
    """A personal device's page says it is never publishable; a forced POST is refused and
    publishes nothing."""
    client = signed_in_client(admin_a)
    page = client.get(_publish(commune_a, world["meter"], "volume")).content.decode()
    assert "Jamais publiable" in page
    assert '<form method="post" novalidate>' not in page
    response = client.post(
        _publish(commune_a, world["meter"], "volume"),
        {"name": "Fuite ?", "licence": ETALAB_LICENCE, "licence_url": ""},
    )
    assert response.status_code == 200
    assert "relève des données personnelles" in response.content.decode()
    assert not PublishedDatastream.objects.exists()


def test_unknown_quantity_or_unpublished_withdrawal_is_not_found(commune_a, world, admin_a):
    """A quantity the profile does not measure, or withdrawing what is not published: 404."""
    client = signed_in_client(admin_a)
    assert client.get(_publish(commune_a, world["school"], "volume")).status_code == 404
    assert client.post(_unpublish(commune_a, world["school"])).status_code == 404


def test_flagging_a_device_personal_withdraws_its_datastreams(commune_a, world):
    """Marking a device personal withdraws what was published of it."""
    school = world["school"]
    datastream_publish(device=school, quantity="co2")
    datastream_publish(device=school, quantity="temperature")
    withdrawn = device_update(
        device=school, name=school.name, profile=school.profile, is_personal=True
    )
    assert withdrawn == 2
    assert not PublishedDatastream.objects.exists()


def test_page_query_count_does_not_grow_with_devices(
    commune_a, operator, agent_a, django_assert_max_num_queries
):
    """Fifty devices with published streams are listed in a fixed number of queries."""
    elsys = profile(operator, slug="many")
    for number in range(50):
        device = Device.objects.create(
            commune=commune_a, dev_eui=f"{number:016X}", name=f"Capteur {number:02d}", profile=elsys
        )
        datastream_publish(device=device, quantity="co2")
    client = signed_in_client(agent_a)
    client.get(_list(commune_a))
    with django_assert_max_num_queries(10 + rls_scope_queries()):
        response = client.get(_list(commune_a))
    assert len(response.context["groups"]) == 50
