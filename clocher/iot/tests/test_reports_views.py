"""Report pages and PDFs: render with data and empty, period form errors, real PDFs, queries."""

from __future__ import annotations

import datetime
import re
import zlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clocher.core.testing.clients import signed_in_client
from clocher.iot.models import Device
from clocher.iot.reports.common import PARIS
from clocher.iot.tests.reports_support import make_device, readings

pytestmark = pytest.mark.django_db

PAGES = [
    ("report_air_quality", "Qualité de l'air dans les écoles"),
    ("report_energy", "Énergie et eau par bâtiment"),
    ("report_leaks", "Suspicion de fuites d'eau"),
    ("report_containers", "Conteneurs de tri"),
    ("report_river", "Niveau de la rivière"),
]


def _url(commune, name, query=""):
    return reverse(f"staff:iot:{name}", args=[commune.slug]) + (f"?{query}" if query else "")


@pytest.fixture
def demo_like(commune_a):
    """Devices shaped like the demo's, with the last three days of hourly readings."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    hours = [now - datetime.timedelta(hours=hour) for hour in range(72, 0, -1)]
    classroom = make_device(
        commune_a,
        {"co2": "ppm", "temperature": "°C"},
        "CO2 — classe des grands",
        building="École",
        site="École du bourg",
    )
    readings(
        classroom, "co2", [(t, 1650.0 if t.astimezone(PARIS).hour % 2 else 700.0) for t in hours]
    )
    container = make_device(
        commune_a,
        {"distance": "mm", "battery": "%"},
        "Conteneur à verre — place de l'Église",
        site="Place de l'Église",
    )
    readings(container, "distance", [(t, max(150.0, 1600 - 18 * i)) for i, t in enumerate(hours)])
    senml = {"level": "m", "volume": "m3", "energy": "kWh"}
    gauge = make_device(commune_a, senml, "Niveau de l'Ouche — pont de la mairie", site="Pont")
    readings(gauge, "level", [(t, 0.8 + 0.005 * i) for i, t in enumerate(hours)])
    water = make_device(
        commune_a, senml, "Compteur d'eau — mairie", building="Mairie", site="Bourg"
    )
    readings(water, "volume", [(t, 1250 + 0.012 * i) for i, t in enumerate(hours)])
    meter = make_device(commune_a, senml, "Compteur électrique — école", building="École")
    readings(meter, "energy", [(t, 48_300 + 1.5 * i) for i, t in enumerate(hours)])
    return now


def test_index_lists_the_five_reports(agent_a, commune_a):
    """The index links each report."""
    response = signed_in_client(agent_a).get(_url(commune_a, "reports"))
    content = response.content.decode()
    assert response.status_code == 200
    for name, title in PAGES:
        assert _url(commune_a, name) in content
        assert title.replace("'", "&#x27;") in content


@pytest.mark.parametrize(("name", "title"), PAGES)
def test_each_report_renders_empty(name, title, elected_a, commune_a):
    """Without any device, each page renders its title, its form and says there is nothing."""
    response = signed_in_client(elected_a).get(_url(commune_a, name))
    assert response.status_code == 200
    content = response.content.decode()
    assert f"<h1>{title}</h1>".replace("'", "&#x27;") in content
    assert "Télécharger le PDF" in content
    assert 'name="mois"' in content


@pytest.mark.parametrize(("name", "title"), PAGES)
def test_each_report_renders_demo_like_data(name, title, demo_like, elected_a, commune_a):
    """With the demo's kind of data, each page shows tables with captions and row headers."""
    response = signed_in_client(elected_a).get(_url(commune_a, name))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<caption" in content
    assert '<th scope="row">' in content
    assert '<th scope="col"' in content
    assert "<script" not in content.split("</h1>", 1)[1].split("</main>")[0]


def test_air_quality_page_shows_ventilate_now_and_a_chart(demo_like, agent_a, commune_a):
    """The classroom at 1,650 ppm in the latest hour is in "Aérer maintenant"; charts are SVG."""
    latest = (demo_like - datetime.timedelta(hours=1)).astimezone(PARIS).hour
    content = signed_in_client(agent_a).get(_url(commune_a, "report_air_quality")).content.decode()
    assert "Aérer maintenant" in content
    assert ("Salles à aérer maintenant" in content) == (latest % 2 == 1)
    assert 'role="img"' in content


def test_containers_page_lists_today_collection(demo_like, agent_a, commune_a):
    """The demo-like glass container fills 18 mm an hour: full within two days or already."""
    content = signed_in_client(agent_a).get(_url(commune_a, "report_containers")).content.decode()
    assert "Tournée du" in content
    assert "Conteneur à verre — place de l&#x27;Église" in content


@pytest.mark.parametrize(
    ("name", "query", "field", "message"),
    [
        ("report_air_quality", "mois=2025-13", "mois", "Le mois doit être compris entre 01 et 12."),
        ("report_air_quality", "mois=mars", "mois", "Indiquez le mois au format AAAA-MM"),
        (
            "report_leaks",
            "semaine=2021-W53",
            "semaine",
            "L&#x27;année 2021 n&#x27;a pas de semaine 53.",
        ),
        (
            "report_leaks",
            "nuits=0",
            "nuits",
            "Assurez-vous que cette valeur est supérieure ou égale à 1.",
        ),
        (
            "report_river",
            "vigilance=2&alerte=1",
            "alerte",
            "Le seuil d&#x27;alerte doit être plus haut",
        ),
        ("report_river", "jauge=999999", "jauge", "Sélectionnez un choix valide"),
        ("report_energy", "mois=1999-01", "mois", "L&#x27;année doit être comprise entre 2000 et"),
        ("report_containers", "mois=2999-01", "mois", "L&#x27;année doit être comprise"),
    ],
)
def test_bad_query_gives_a_message_on_the_field(name, query, field, message, agent_a, commune_a):
    """A wrong value is refused with a French message tied to its field, and kept in it."""
    response = signed_in_client(agent_a).get(_url(commune_a, name, query))
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert f'id="id_{field}_error"' in content
    assert "Corrigez le formulaire pour afficher le rapport." in content
    typed = query.split(f"{field}=")[1].split("&")[0]
    assert f'value="{typed}"' in content or field == "jauge"


def test_future_period_and_both_month_and_week_are_refused(agent_a, commune_a):
    """A month not started yet is refused; a month and a week together too."""
    client = signed_in_client(agent_a)
    next_year = timezone.localdate().year + 1
    response = client.get(_url(commune_a, "report_leaks", f"mois={timezone.localdate():%Y}-12"))
    if timezone.localdate().month < 12:
        assert "Cette période n&#x27;a pas encore commencé." in response.content.decode()
    response = client.get(_url(commune_a, "report_leaks", "mois=2025-03&semaine=2025-W10"))
    assert response.status_code == 400
    assert "Choisissez un mois ou une semaine, pas les deux." in response.content.decode()
    assert client.get(_url(commune_a, "report_leaks", f"mois={next_year}-01")).status_code == 400


def test_a_week_and_the_french_month_format_are_accepted(agent_a, commune_a):
    """``2025-S10`` is week 10, ``03/2025`` is March 2025; the energy report has no week."""
    client = signed_in_client(agent_a)
    response = client.get(_url(commune_a, "report_leaks", "semaine=2025-S10"))
    assert response.status_code == 200
    assert "Semaine 10 de 2025" in response.content.decode()
    response = client.get(_url(commune_a, "report_energy", "mois=03/2025"))
    assert "Mars 2025 comparé à mars 2024" in response.content.decode()
    assert 'name="semaine"' not in response.content.decode()


def _pdf_text_streams(data: bytes) -> bytes:
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)
    found = b""
    for stream in streams:
        try:
            found += zlib.decompress(stream)
        except zlib.error:
            continue
    return found


@pytest.mark.parametrize(("name", "title"), PAGES)
def test_each_report_downloads_as_a_pdf(name, title, demo_like, elected_a, commune_a):
    """The PDF link gives a real PDF (pages, text drawn) titled like the report."""
    page = signed_in_client(elected_a).get(
        _url(commune_a, name, "mois=" + f"{timezone.localdate():%Y-%m}")
    )
    pdf_url = _url(commune_a, f"{name}_pdf", "mois=" + f"{timezone.localdate():%Y-%m}")
    assert pdf_url.replace("&", "&amp;") in page.content.decode()
    response = signed_in_client(elected_a).get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="')
    data = response.content
    assert data.startswith(b"%PDF-")
    assert b"/Type /Page" in data
    title_utf16 = ("\ufeff" + title).encode("utf-16-be").hex().upper().encode()
    assert title_utf16 in data.upper() or title.encode("latin-1", "ignore") in data
    assert b"Tj" in _pdf_text_streams(data) or b"TJ" in _pdf_text_streams(data)


def test_an_invalid_pdf_query_shows_the_form(agent_a, commune_a):
    """A PDF asked with a wrong month answers the page with the error, not a PDF."""
    response = signed_in_client(agent_a).get(_url(commune_a, "report_river_pdf", "mois=2025-00"))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_page_queries_do_not_grow_with_readings(demo_like, agent_a, commune_a):
    """The air quality page issues the same queries with 200 more readings: none per reading."""
    client = signed_in_client(agent_a)
    url = _url(commune_a, "report_air_quality")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    classroom = Device.objects.get(name="CO2 — classe des grands")
    start = demo_like - datetime.timedelta(hours=72)
    readings(
        classroom,
        "co2",
        [(start - datetime.timedelta(minutes=10 * i), 900.0) for i in range(1, 201)],
    )
    with CaptureQueriesContext(connection) as after:
        assert client.get(url).status_code == 200
    assert len(after) == len(before)
