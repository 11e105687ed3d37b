"""Authorization matrix of the IoT staff pages: who may read, who may register devices."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.iot.models import Device, PendingDevice, ProfileAdoption
from clocher.iot.tests.factories import profile

pytestmark = pytest.mark.django_db

READERS = ["admin_a", "agent_a", "elected_a", "technician_a", "operator_admin", "operator_support"]
MANAGERS = ["admin_a", "technician_a"]
NOT_MANAGERS = ["agent_a", "elected_a", "operator_admin", "operator_support"]


@pytest.fixture
def world(commune_a, operator):
    elsys = profile(operator)
    ProfileAdoption.objects.create(commune=commune_a, profile=elsys)
    device = Device.objects.create(
        commune=commune_a,
        dev_eui="A81758FFFE030A8F",
        name="CO2 salle 3",
        profile=elsys,
        building="École",
    )
    PendingDevice.objects.create(commune=commune_a, dev_eui="ABCDEF0123456789", uplinks=1)
    slug = commune_a.slug
    return {
        "profile": elsys,
        "read_urls": [
            reverse("staff:iot:overview", args=[slug]),
            reverse("staff:iot:device", args=[slug, device.pk]),
            reverse("staff:iot:building", args=[slug, "École"]),
        ],
        "claim_url": reverse("staff:iot:claim", args=[slug, "ABCDEF0123456789"]),
        "import_url": reverse("staff:iot:import", args=[slug]),
    }


def _claim_data(world) -> dict[str, object]:
    return {"profile": world["profile"].pk, "name": "Volé", "expected_interval_minutes": "60"}


def test_anonymous_goes_to_sign_in(world):
    """Every page sends an anonymous visitor to sign in, and a claim changes nothing."""
    client = Client()
    for url in [*world["read_urls"], world["claim_url"], world["import_url"]]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))
    assert client.post(world["claim_url"], _claim_data(world)).status_code == 302
    assert Device.objects.count() == 1


def test_member_of_another_commune_gets_not_found(world, admin_b):
    """An administrator of commune B sees none of A's IoT pages and cannot claim."""
    client = signed_in_client(admin_b)
    for url in [*world["read_urls"], world["claim_url"], world["import_url"]]:
        assert client.get(url).status_code == 404, url
    assert client.post(world["claim_url"], _claim_data(world)).status_code == 404
    assert Device.objects.count() == 1
    assert PendingDevice.objects.count() == 1


def test_user_without_role_gets_not_found(world, outsider):
    """A signed-in user with no role in the commune is refused."""
    client = signed_in_client(outsider)
    for url in world["read_urls"]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role", READERS)
def test_every_commune_role_and_operator_staff_reads_the_dashboards(world, role, request):
    """Every commune role and the operator's staff read the overview, device and building."""
    client = signed_in_client(request.getfixturevalue(role))
    for url in world["read_urls"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", NOT_MANAGERS)
def test_roles_without_manage_devices_cannot_claim_or_import(world, role, request):
    """Agents, elected officials and operator staff are refused registering devices."""
    client = signed_in_client(request.getfixturevalue(role))
    assert client.get(world["claim_url"]).status_code == 403
    assert client.post(world["claim_url"], _claim_data(world)).status_code == 403
    assert client.get(world["import_url"]).status_code == 403
    assert client.post(world["import_url"], {}).status_code == 403
    assert Device.objects.count() == 1
    assert PendingDevice.objects.count() == 1


@pytest.mark.parametrize("role", MANAGERS)
def test_administrator_and_technician_claim_and_import(world, role, request):
    """The commune administrator and technician open both pages and claim a device."""
    client = signed_in_client(request.getfixturevalue(role))
    assert client.get(world["claim_url"]).status_code == 200
    assert client.get(world["import_url"]).status_code == 200
    assert client.post(world["claim_url"], _claim_data(world)).status_code == 302
    assert Device.objects.filter(dev_eui="ABCDEF0123456789", name="Volé").count() == 1
