"""The statistics page and its CSV: who may read them, and what they show."""

import csv
import io

import pytest
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.demarches.models import Channel, Family
from clocher.demarches.tests.factories import make_procedure, submit

pytestmark = pytest.mark.django_db


def _url(name="statistics", slug="agey"):
    return reverse(f"staff:demarches:{name}", kwargs={"commune_slug": slug})


@pytest.fixture
def requests_a(commune_a):
    roads = make_procedure(commune_a, family=Family.ROADS, slug="voirie", title="Voirie")
    submit(roads, full_name="Camille Martin")
    submit(roads, full_name="Jean Dupuis", channel=Channel.PHONE, email="")
    submit(make_procedure(commune_a, family=Family.SOCIAL, slug="ccas", title="Aide CCAS"))
    return roads


@pytest.mark.parametrize("name", ["statistics", "statistics-csv"])
def test_anonymous_is_sent_to_sign_in(commune_a, client, name):
    """Anonymous: 302."""
    assert client.get(_url(name)).status_code == 302


@pytest.mark.parametrize("name", ["statistics", "statistics-csv"])
def test_other_commune_is_404(commune_a, admin_b, name):
    """A member of another commune: 404."""
    assert signed_in_client(admin_b).get(_url(name)).status_code == 404


@pytest.mark.parametrize("name", ["statistics", "statistics-csv"])
def test_member_without_the_capability_is_403(commune_a, technician_a, name):
    """A technician: 403."""
    assert signed_in_client(technician_a).get(_url(name)).status_code == 403


def test_elected_official_sees_counts_across_families(
    requests_a, elected_a, django_assert_max_num_queries
):
    """An elected official (no family granted) reads the counts of every family, no names."""
    client = signed_in_client(elected_a)
    client.get(_url())
    with django_assert_max_num_queries(16):
        response = client.get(_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Voirie" in page and "Aide CCAS" in page
    assert "<svg" in page and "<rect" in page
    assert "Camille Martin" not in page and "Jean Dupuis" not in page
    assert "3 demandes reçues" in page


def test_agent_sees_the_page(requests_a, agent_a):
    """An agent: 200."""
    assert signed_in_client(agent_a).get(_url()).status_code == 200


def test_bad_dates_are_told_on_the_field(requests_a, elected_a):
    """An end before the start: an error tied to the field, no figures."""
    response = signed_in_client(elected_a).get(
        _url(), {"date_from": "2026-03-01", "date_to": "2026-01-01"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "La date de fin doit être postérieure" in page
    assert 'aria-invalid="true"' in page


def test_csv_holds_the_figures(requests_a, elected_a):
    """The CSV has one row per procedure, the channels, then the months."""
    response = signed_in_client(elected_a).get(_url("statistics-csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Démarche", "Famille", "Demandes reçues", "En ligne", "Par téléphone"]
    assert rows[1][:5] == ["Voirie", "Voirie et espace public", "2", "1", "1"]
    assert rows[2][:5] == ["Aide CCAS", "Social (CCAS)", "1", "1", "0"]
    assert rows[3] == []
    assert rows[4] == ["Mois", "Demandes reçues"]
    assert len(rows) == 5 + 12
    assert rows[-1][1] == "3"
