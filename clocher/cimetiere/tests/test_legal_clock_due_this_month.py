"""Legal clock: what the secretary has to do this month."""

from __future__ import annotations

from datetime import date

import pytest

from clocher.cimetiere.legal_clock import DueKind, due_this_month
from clocher.cimetiere.models import CemeterySettings, ConcessionKind, PlotKind
from clocher.cimetiere.tests.factories import BurialFactory, ConcessionFactory, PlotFactory

pytestmark = pytest.mark.django_db
TODAY = date(2025, 3, 10)


def _concession(commune, act_date, **kwargs):
    return ConcessionFactory.create(
        plot__section__cemetery__commune=commune, act_date=act_date, **kwargs
    )


def test_expiry_this_month(commune_a):
    """A concession expiring this month is listed once, with its expiry date."""
    concession = _concession(commune_a, date(1995, 3, 31), number="E-1")
    _concession(commune_a, date(1995, 4, 1))  # next month: only a letter
    items = [
        item for item in due_this_month(commune_a, today=TODAY) if item.concession == concession
    ]
    assert [(item.kind, item.due_on) for item in items] == [(DueKind.EXPIRY, date(2025, 3, 31))]
    assert items[0].label.startswith("La concession n° E-1 (")
    assert items[0].label.endswith("expire le 31/03/2025 (L2223-15).")


def test_renewal_letters_within_the_notice_months(commune_a):
    """With 6 months' notice, letters for expiries up to the end of September, not October."""
    inside = _concession(commune_a, date(1995, 9, 30), number="L-1")
    outside = _concession(commune_a, date(1995, 10, 1), number="L-2")
    items = due_this_month(commune_a, today=TODAY)
    letters = [item for item in items if item.kind == DueKind.RENEWAL_LETTER]
    assert [item.concession for item in letters] == [inside]
    assert letters[0].due_on == date(2025, 3, 30)
    assert "Lettre de renouvellement à envoyer" in letters[0].label
    assert outside not in [item.concession for item in items]


def test_notice_months_come_from_the_settings(commune_a):
    """With 2 months' notice, an expiry in September needs no letter yet, one in May does."""
    CemeterySettings.objects.create(commune=commune_a, renewal_notice_months=2)
    may = _concession(commune_a, date(1995, 5, 20))
    _concession(commune_a, date(1995, 9, 30))
    letters = [
        item
        for item in due_this_month(commune_a, today=TODAY)
        if item.kind == DueKind.RENEWAL_LETTER
    ]
    assert [(item.concession, item.due_on) for item in letters] == [(may, date(2025, 3, 20))]


def test_renewal_window_closing_this_month(commune_a):
    """The two-year window of a concession expired on 05/03/2023 closes on 04/03/2025."""
    concession = _concession(commune_a, date(1993, 3, 5))
    _concession(commune_a, date(1993, 4, 2))  # window closes on 01/04/2025
    items = [
        item
        for item in due_this_month(commune_a, today=TODAY)
        if item.kind == DueKind.RENEWAL_WINDOW_CLOSES
    ]
    assert [(item.concession, item.due_on) for item in items] == [(concession, date(2025, 3, 4))]


def test_perpetual_and_ended_are_never_due(commune_a):
    """Perpetual and ended concessions have nothing due."""
    _concession(commune_a, date(1995, 3, 20), kind=ConcessionKind.PERPETUAL)
    _concession(commune_a, date(1995, 3, 20), ended_on=date(2020, 1, 1))
    assert due_this_month(commune_a, today=TODAY) == []


def test_common_ground_reusable_this_month(commune_a):
    """A common-ground grave whose last burial is 5 years old this month is listed."""
    grave = PlotFactory.create(section__cemetery__commune=commune_a, kind=PlotKind.COMMON_GROUND)
    BurialFactory.create(plot=grave, buried_on=date(2020, 3, 28))
    later = PlotFactory.create(section__cemetery__commune=commune_a, kind=PlotKind.COMMON_GROUND)
    BurialFactory.create(plot=later, buried_on=date(2020, 4, 1))
    items = due_this_month(commune_a, today=TODAY)
    assert [(item.kind, item.plot, item.due_on) for item in items] == [
        (DueKind.COMMON_GROUND_REUSABLE, grave, date(2025, 3, 28))
    ]
    assert "cinq ans après la dernière inhumation (R2223-5)" in items[0].label


def test_other_commune_is_not_listed(commune_a, commune_b):
    """Commune B's expiries are not in commune A's list."""
    _concession(commune_b, date(1995, 3, 31))
    assert due_this_month(commune_a, today=TODAY) == []
