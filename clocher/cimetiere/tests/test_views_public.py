"""Public cemetery pages: "find a grave" and the repossession notices, only where opted in."""

from __future__ import annotations

import datetime
from typing import cast

import pytest
from django.urls import reverse

from clocher.cimetiere.models import AbandonmentStep, CemeterySettings, Concession, Holder, Plot
from clocher.cimetiere.services.abandonment import OpenProcedure, RecordStep
from clocher.cimetiere.tests.factories import BurialFactory, PlotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def grave(commune_a):
    plot = cast(
        Plot, PlotFactory(section__cemetery__commune=commune_a, section__name="B", number="14")
    )
    concession = Concession.objects.create(
        commune=commune_a,
        plot=plot,
        number="P-7",
        act_date=datetime.date(1950, 1, 1),
        kind="perpetual",
    )
    Holder.objects.create(commune=commune_a, concession=concession, full_name="Gérard Titulaire")
    BurialFactory(
        plot=plot,
        concession=concession,
        deceased__last_name="Lefèvre",
        deceased__first_names="Élise",
        deceased__death_date=datetime.date(1988, 2, 3),
        buried_on=datetime.date(1988, 2, 8),
    )
    return concession


def _open_search(commune):
    CemeterySettings.objects.create(commune=commune, public_search_enabled=True)


def _home(commune):
    return reverse("public:portal:commune-home", kwargs={"commune_slug": commune.slug})


def _url(name, commune):
    return reverse(f"public:cimetiere:{name}", kwargs={"commune_slug": commune.slug})


def test_find_grave_answers_404_until_the_commune_opts_in(client, commune_a, grave):
    """A commune that did not publish its search shows no page, and no link on its home."""
    assert client.get(_url("find-grave", commune_a)).status_code == 404
    assert client.get(_url("abandonment-notices", commune_a)).status_code == 404
    home = client.get(
        reverse("public:portal:commune-home", kwargs={"commune_slug": commune_a.slug})
    )
    assert _url("find-grave", commune_a).encode() not in home.content


def test_find_grave_ignores_accents_and_never_shows_holders(client, commune_a, grave):
    """« lefevre elise » finds Élise Lefèvre's grave; the holder's name is nowhere."""
    _open_search(commune_a)
    home = client.get(
        reverse("public:portal:commune-home", kwargs={"commune_slug": commune_a.slug})
    )
    assert _url("find-grave", commune_a).encode() in home.content
    response = client.get(_url("find-grave", commune_a), {"nom": "lefevre elise"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Lefèvre Élise" in content and "<td>14</td>" in content and "<td>B</td>" in content
    assert "Titulaire" not in content


def test_find_grave_with_a_one_letter_name_explains_why(client, commune_a, grave):
    """Too short a name gets a message tied to the field, not a list of every grave."""
    _open_search(commune_a)
    response = client.get(_url("find-grave", commune_a), {"nom": "L"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert response.context["graves"] == []


def test_notices_list_procedures_in_progress_with_the_names_of_the_dead(client, commune_a, grave):
    """A procedure in progress is published with its place, the names and the steps done."""
    _open_search(commune_a)
    day = datetime.date(2024, 1, 5)
    procedure = OpenProcedure(
        commune=commune_a,
        actor=None,
        concession=grave,
        today=day,
        visit_planned_on=datetime.date(2024, 2, 10),
    ).execute()
    RecordStep(
        commune=commune_a,
        actor=None,
        procedure=procedure,
        step=AbandonmentStep.NOTICE,
        done_on=day,
        today=day,
        fields={"was_posted": True},
    ).execute()
    response = client.get(_url("abandonment-notices", commune_a))
    content = response.content.decode()
    assert response.status_code == 200
    assert "carré B, emplacement 14" in content and "Lefèvre Élise" in content
    assert "5 janvier 2024" in content
    assert "Titulaire" not in content
