"""Granting a concession on a free concedable plot: deed link, refusals tied to their field."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clocher.cimetiere.models import (
    Beneficiary,
    Concession,
    ConcessionKind,
    Holder,
    PlotKind,
    Tariff,
)
from clocher.cimetiere.tests.factories import ConcessionFactory, PlotFactory
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


def _url(commune, plot):
    return reverse(
        "staff:cimetiere:concession-grant", kwargs={"commune_slug": commune.slug, "plot": plot.pk}
    )


def _data(**extra):
    data = {
        "kind": "thirty_years",
        "duration_years": "",
        "scope": "family",
        "number": "2026-007",
        "act_date": "2026-03-02",
        "surface_m2": "2.50",
        "price_paid": "350.00",
        "holder_0_full_name": "Jeanne DURAND",
        "holder_0_address": "3 rue des Lilas",
        "holder_0_phone": "0600000000",
        "holder_0_email": "jeanne@example.org",
        "holder_1_full_name": "Paul DURAND",
        "beneficiary_0_full_name": "Lucie DURAND",
        "beneficiary_0_relationship": "fille",
    }
    data.update(extra)
    return data


def test_grant_form_suggests_number_date_and_tariff(commune_a, agent_a):
    """The form suggests the next act number, today's date and the council's price."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a, surface_m2=Decimal("2.5"))
    ConcessionFactory.create(plot=PlotFactory.create(section=plot.section), number="2025-041")
    Tariff.objects.create(
        commune=commune_a,
        plot_kind=PlotKind.CONCESSION_GROUND,
        kind=ConcessionKind.THIRTY_YEARS,
        price=Decimal("420.00"),
        valid_from=datetime.date(2020, 1, 1),
    )
    response = signed_in_client(agent_a).get(_url(commune_a, plot))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["number"].value() == "2025-042"
    assert form["act_date"].value() == timezone.localdate()
    assert form["price_paid"].value() == Decimal("420.00")


def test_grant_creates_concession_holders_beneficiaries_and_links_the_deed(commune_a, agent_a):
    """A grant records the act, the holders (sealed), the beneficiaries, then offers the deed."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a)
    client = signed_in_client(agent_a)
    response = client.post(_url(commune_a, plot), _data())
    concession = Concession.objects.get(plot=plot)
    assert response.status_code == 302
    page = client.get(response["Location"])
    deed = reverse(
        "staff:cimetiere:document-concession-deed",
        kwargs={"commune_slug": commune_a.slug, "concession": concession.pk},
    )
    assert deed in page.content.decode()
    assert concession.number == "2026-007"
    assert concession.kind == ConcessionKind.THIRTY_YEARS
    assert concession.price_paid == Decimal("350.00")
    assert [h.full_name for h in Holder.objects.filter(concession=concession)] == [
        "Jeanne DURAND",
        "Paul DURAND",
    ]
    assert Holder.objects.filter(concession=concession)[0].email == "jeanne@example.org"
    beneficiary = Beneficiary.objects.get(concession=concession)
    assert (beneficiary.full_name, beneficiary.relationship) == ("Lucie DURAND", "fille")


def test_temporary_over_fifteen_years_is_refused_on_the_duration_field(commune_a, agent_a):
    """A temporary concession of 20 years is refused (L2223-14); what was typed is kept."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a)
    response = signed_in_client(agent_a).post(
        _url(commune_a, plot), _data(kind="temporary", duration_years="20")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["duration_years"]
    assert errors == [
        "Une concession temporaire dure 15 ans au plus (article L2223-14 du CGCT) : "
        "20 ans n'est pas possible."
    ]
    assert "Jeanne DURAND" in response.content.decode()
    assert Concession.objects.count() == 0
    assert Holder.objects.count() == 0


def test_temporary_without_duration_is_refused(commune_a, agent_a):
    """A temporary concession needs its duration."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a)
    response = signed_in_client(agent_a).post(_url(commune_a, plot), _data(kind="temporary"))
    assert response.context["form"].errors["duration_years"] == [
        "Indiquez la durée d'une concession temporaire (15 ans au plus, L2223-14)."
    ]
    assert Concession.objects.count() == 0


def test_common_ground_is_refused(commune_a, agent_a):
    """Common ground cannot be conceded (L2223-13): the page says so and nothing is written."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a, kind=PlotKind.COMMON_GROUND)
    client = signed_in_client(agent_a)
    assert (
        "ne peut pas faire l'objet d'une concession"
        in client.get(_url(commune_a, plot)).content.decode()
    )
    response = client.post(_url(commune_a, plot), _data())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Un emplacement de type « Terrain commun » ne peut pas faire l'objet d'une concession "
        "(articles L2223-13 et L2223-18 du CGCT)."
    ]
    assert Concession.objects.count() == 0


def test_plot_with_a_current_concession_is_refused(commune_a, agent_a):
    """A second concession on a plot that already has one is refused; nothing is written."""
    current = ConcessionFactory.create(
        plot=PlotFactory.create(section__cemetery__commune=commune_a), number="C-9"
    )
    response = signed_in_client(agent_a).post(_url(commune_a, current.plot), _data())
    assert response.status_code == 200
    assert "porte déjà une concession en cours (n° C-9)" in response.content.decode()
    assert Concession.objects.count() == 1
    assert Holder.objects.count() == 0


def test_missing_holder_and_bad_email_are_tied_to_their_fields(commune_a, agent_a):
    """A grant needs a holder's name; an invalid e-mail is shown on its field."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a)
    response = signed_in_client(agent_a).post(
        _url(commune_a, plot), _data(holder_0_full_name="", holder_0_email="pas-un-courriel")
    )
    errors = response.context["form"].errors
    assert errors["holder_0_full_name"] == ["Ce champ est obligatoire."]
    assert errors["holder_0_email"] == ["Adresse électronique invalide."]
    assert Concession.objects.count() == 0


def test_plot_page_offers_the_grant_only_when_free_and_concedable(commune_a, agent_a):
    """The plot page links to the grant for a free concedable plot, not for common ground."""
    client = signed_in_client(agent_a)
    free = PlotFactory.create(section__cemetery__commune=commune_a)
    common = PlotFactory.create(section=free.section, kind=PlotKind.COMMON_GROUND)
    taken = ConcessionFactory.create(plot=PlotFactory.create(section=free.section)).plot
    for plot, offered in ((free, True), (common, False), (taken, False)):
        page = client.get(
            reverse(
                "staff:cimetiere:plot", kwargs={"commune_slug": commune_a.slug, "plot": plot.pk}
            )
        )
        assert (_url(commune_a, plot) in page.content.decode()) is offered


def test_empty_price_takes_the_tariff_of_the_chosen_duration(commune_a, agent_a):
    """Left empty, the price is the council's tariff for the duration chosen, on the act date."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a)
    Tariff.objects.create(
        commune=commune_a,
        plot_kind=PlotKind.CONCESSION_GROUND,
        kind=ConcessionKind.FIFTY_YEARS,
        price=Decimal("700.00"),
        valid_from=datetime.date(2020, 1, 1),
    )
    signed_in_client(agent_a).post(_url(commune_a, plot), _data(kind="fifty_years", price_paid=""))
    assert Concession.objects.get().price_paid == Decimal("700.00")


def test_first_act_number_suggested_is_the_year_and_one(commune_a, agent_a):
    """Without any numbered act, the suggestion is « <year>-001 »."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a)
    form = signed_in_client(agent_a).get(_url(commune_a, plot)).context["form"]
    assert form["number"].value() == f"{timezone.localdate().year}-001"
