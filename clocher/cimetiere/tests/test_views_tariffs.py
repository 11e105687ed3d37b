"""The council's tariffs: list (bounded queries), add, and replacement of the previous one."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from clocher.cimetiere.models import ConcessionKind, PlotKind, Tariff
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


def _url(name, commune):
    return reverse(f"staff:cimetiere:{name}", kwargs={"commune_slug": commune.slug})


def _tariff(commune, *, valid_from, valid_until=None, price="300.00", kind="thirty_years"):
    return Tariff.objects.create(
        commune=commune,
        plot_kind=PlotKind.CONCESSION_GROUND,
        kind=kind,
        price=Decimal(price),
        valid_from=valid_from,
        valid_until=valid_until,
    )


def test_new_tariff_closes_the_previous_one_of_its_category(commune_a, agent_a):
    """A new thirty-year tariff ends the open one the day before; another category is kept."""
    previous = _tariff(commune_a, valid_from=datetime.date(2020, 1, 1))
    other = _tariff(commune_a, valid_from=datetime.date(2020, 1, 1), kind="fifty_years")
    response = signed_in_client(agent_a).post(
        _url("tariff-create", commune_a),
        {
            "plot_kind": "concession_ground",
            "kind": "thirty_years",
            "price": "350.00",
            "valid_from": "2025-01-01",
            "deliberation_reference": "DCM-2024-40",
        },
    )
    assert response.status_code == 302
    previous.refresh_from_db()
    other.refresh_from_db()
    assert previous.valid_until == datetime.date(2024, 12, 31)
    assert other.valid_until is None
    new = Tariff.objects.get(valid_from=datetime.date(2025, 1, 1))
    assert (new.price, new.valid_until, new.deliberation_reference) == (
        Decimal("350.00"),
        None,
        "DCM-2024-40",
    )


def test_tariff_older_than_the_current_one_is_refused(commune_a, agent_a):
    """A tariff starting on or before the current one's start is refused; nothing changes."""
    _tariff(commune_a, valid_from=datetime.date(2024, 1, 1))
    response = signed_in_client(agent_a).post(
        _url("tariff-create", commune_a),
        {
            "plot_kind": "concession_ground",
            "kind": "thirty_years",
            "price": "350.00",
            "valid_from": "2023-06-01",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["valid_from"] == [
        "Un tarif de cette catégorie est déjà en vigueur à partir de cette date ou après : le "
        "nouveau tarif doit commencer plus tard (L2223-15)."
    ]
    assert Tariff.objects.count() == 1
    assert Tariff.objects.get().valid_until is None


def test_temporary_tariff_over_fifteen_years_is_refused(commune_a, agent_a):
    """A temporary tariff longer than 15 years is refused on its field."""
    response = signed_in_client(agent_a).post(
        _url("tariff-create", commune_a),
        {
            "plot_kind": "concession_ground",
            "kind": "temporary",
            "duration_years": "20",
            "price": "100",
            "valid_from": "2025-01-01",
        },
    )
    assert response.context["form"].errors["duration_years"] == [
        "Assurez-vous que cette valeur est inférieure ou égale à 15."
    ]
    assert Tariff.objects.count() == 0


def test_tariffs_list_splits_in_force_and_past_with_bounded_queries(
    commune_a, agent_a, django_assert_max_num_queries
):
    """In force and past tariffs are listed apart, in a fixed number of queries."""
    client = signed_in_client(agent_a)
    for year in range(2000, 2020):
        _tariff(
            commune_a,
            valid_from=datetime.date(year, 1, 1),
            valid_until=datetime.date(year, 12, 31),
            price=f"{year}.00",
            kind=ConcessionKind.FIFTY_YEARS,
        )
    _tariff(commune_a, valid_from=datetime.date(2020, 1, 1), price="777.00")
    client.get(_url("tariffs", commune_a))
    with django_assert_max_num_queries(12):
        response = client.get(_url("tariffs", commune_a))
    assert [t.price for t in response.context["in_force"]] == [Decimal("777.00")]
    assert len(response.context["past"]) == 20
    assert response.context["past"][0].price == Decimal("2019.00")
    text = response.content.decode()
    assert 'aria-labelledby="tariffs-in-force"' in text
    assert '<th scope="col">' in text
