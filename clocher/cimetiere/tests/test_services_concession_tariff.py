"""tariff_in_force: the council's price valid on the day, in the right surface category."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from clocher.cimetiere.models import ConcessionKind, PlotKind, Tariff
from clocher.cimetiere.services.concessions import tariff_in_force

pytestmark = pytest.mark.django_db


def _tariff(commune, price, **kwargs):
    values = {
        "plot_kind": PlotKind.CONCESSION_GROUND,
        "kind": ConcessionKind.THIRTY_YEARS,
        "valid_from": date(2020, 1, 1),
    }
    values.update(kwargs)
    return Tariff.objects.create(commune=commune, price=Decimal(price), **values)


def _find(commune, surface, on, kind=ConcessionKind.THIRTY_YEARS, years=None):
    return tariff_in_force(commune, PlotKind.CONCESSION_GROUND, kind, years, surface, on=on)


def test_smallest_surface_category_that_holds_the_surface(commune_a):
    """2 m² → the "up to 2 m²" tariff; 2.5 m² → "up to 4 m²"; 9 m² → the unbounded one."""
    small = _tariff(commune_a, "300", max_surface_m2=Decimal("2.00"))
    medium = _tariff(commune_a, "500", max_surface_m2=Decimal("4.00"))
    large = _tariff(commune_a, "900", max_surface_m2=None)
    on = date(2025, 1, 1)
    assert _find(commune_a, Decimal("2.00"), on) == small
    assert _find(commune_a, Decimal("2.50"), on) == medium
    assert _find(commune_a, Decimal("9.00"), on) == large
    assert _find(commune_a, None, on) == small


def test_tariff_valid_on_the_decision_day(commune_a):
    """The old tariff until its last day, the new one from its first day."""
    old = _tariff(commune_a, "300", valid_until=date(2024, 12, 31))
    new = _tariff(commune_a, "350", valid_from=date(2025, 1, 1))
    assert _find(commune_a, None, date(2024, 12, 31)) == old
    assert _find(commune_a, None, date(2025, 1, 1)) == new
    assert _find(commune_a, None, date(2019, 12, 31)) is None


def test_temporary_tariff_matches_its_duration(commune_a):
    """A 10-year temporary tariff is not used for 15 years."""
    ten = _tariff(commune_a, "100", kind=ConcessionKind.TEMPORARY, duration_years=10)
    fifteen = _tariff(commune_a, "140", kind=ConcessionKind.TEMPORARY, duration_years=15)
    on = date(2025, 1, 1)
    assert _find(commune_a, None, on, ConcessionKind.TEMPORARY, 10) == ten
    assert _find(commune_a, None, on, ConcessionKind.TEMPORARY, 15) == fifteen
    assert _find(commune_a, None, on, ConcessionKind.TEMPORARY, 5) is None


def test_other_commune_tariff_is_ignored(commune_a, commune_b):
    """Commune B's tariffs never price commune A's concessions."""
    _tariff(commune_b, "999")
    assert _find(commune_a, None, date(2025, 1, 1)) is None
