"""Authorization matrix of the decision reports: every commune role and the operator's staff
read them (VIEW_DEVICES); anonymous visitors sign in first; other communes and strangers get
nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.iot.tests.reports_support import at, make_device, readings

pytestmark = pytest.mark.django_db

READERS = ["admin_a", "agent_a", "elected_a", "technician_a", "operator_admin", "operator_support"]
NAMES = [
    "reports",
    "report_air_quality",
    "report_air_quality_pdf",
    "report_energy",
    "report_energy_pdf",
    "report_leaks",
    "report_leaks_pdf",
    "report_containers",
    "report_containers_pdf",
    "report_river",
    "report_river_pdf",
]


@pytest.fixture
def urls(commune_a):
    classroom = make_device(commune_a, {"co2": "ppm"}, "Classe secrète", building="École")
    readings(classroom, "co2", [(at("2025-03-03", "09:00"), 1700.0)])
    return [reverse(f"staff:iot:{name}", args=[commune_a.slug]) for name in NAMES]


def test_anonymous_goes_to_sign_in(urls):
    """Every report page and PDF sends an anonymous visitor to sign in."""
    client = Client()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))


def test_member_of_another_commune_gets_not_found(urls, admin_b):
    """An administrator of commune B reads none of A's reports."""
    client = signed_in_client(admin_b)
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_user_without_role_gets_not_found(urls, outsider):
    """A signed-in user with no role in the commune is refused."""
    client = signed_in_client(outsider)
    for url in urls:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role", READERS)
def test_every_commune_role_and_operator_staff_reads_the_reports(urls, role, request):
    """Elected officials, the mayor, agents, technicians and the operator's staff read them."""
    client = signed_in_client(request.getfixturevalue(role))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if url.endswith("/pdf/"):
            assert response.content.startswith(b"%PDF")


def test_reports_are_read_only(urls, admin_a):
    """A POST is refused (405): a report changes nothing."""
    client = signed_in_client(admin_a)
    for url in urls:
        assert client.post(url, {"mois": "2025-03"}).status_code == 405, url
