"""Legal clock: eligibility for the abandonment procedure (R2223-12) on its boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from clocher.cimetiere.legal_clock import concession_clock
from clocher.cimetiere.models import Burial, ConcessionKind
from clocher.cimetiere.tests.factories import BurialFactory, ConcessionFactory

pytestmark = pytest.mark.django_db


def _perpetual(commune, **kwargs):
    values = {"kind": ConcessionKind.PERPETUAL, "act_date": date(1980, 6, 1)}
    values.update(kwargs)
    return ConcessionFactory.create(plot__section__cemetery__commune=commune, **values)


def _clock(concession, today, burial_dates=()):
    burials = [Burial(buried_on=day) for day in burial_dates]
    return concession_clock(concession, today=today, burials=burials, renewals=[])


def test_act_thirty_years_old_boundary(commune_a):
    """Not eligible the day before the act's 30th anniversary; eligible on it."""
    concession = _perpetual(commune_a)
    before = _clock(concession, date(2010, 5, 31), [date(1990, 1, 1)])
    assert before.abandonment_eligible is False
    assert before.abandonment_reasons == [
        "acte de moins de 30 ans : possible à partir du 01/06/2010 (R2223-12)"
    ]
    on = _clock(concession, date(2010, 6, 1), [date(1990, 1, 1)])
    assert on.abandonment_eligible is True
    assert on.abandonment_reasons == []


def test_last_burial_ten_years_boundary(commune_a):
    """Not eligible the day before the last burial's 10th anniversary; eligible on it."""
    concession = _perpetual(commune_a)
    burials = [date(1985, 1, 1), date(2012, 9, 20)]
    before = _clock(concession, date(2022, 9, 19), burials)
    assert before.last_burial_date == date(2012, 9, 20)
    assert before.abandonment_reasons == [
        "dernière inhumation il y a moins de 10 ans : possible à partir du 20/09/2022 (R2223-12)"
    ]
    assert _clock(concession, date(2022, 9, 20), burials).abandonment_eligible is True


def test_leap_day_last_burial(commune_a):
    """A last burial on 29/02/2012 reaches ten years on 28/02/2022."""
    concession = _perpetual(commune_a)
    assert _clock(concession, date(2022, 2, 27), [date(2012, 2, 29)]).abandonment_eligible is False
    assert _clock(concession, date(2022, 2, 28), [date(2012, 2, 29)]).abandonment_eligible is True


def test_unknown_act_date_is_not_eligible(commune_a):
    """Without an act date the 30 years cannot be proved."""
    concession = _perpetual(commune_a, act_date=None)
    clock = _clock(concession, date(2030, 1, 1), [date(1990, 1, 1)])
    assert clock.abandonment_eligible is False
    assert clock.abandonment_reasons == ["date de l'acte inconnue"]


def test_bequest_is_excluded(commune_a):
    """A concession maintained by the commune under a bequest is excluded."""
    concession = _perpetual(commune_a, is_maintained_under_bequest=True)
    clock = _clock(concession, date(2030, 1, 1))
    assert clock.abandonment_eligible is False
    assert clock.abandonment_reasons == [
        "concession entretenue par la commune au titre d'un don ou d'un legs (R2223-12)"
    ]


def test_ended_concession_is_not_eligible(commune_a):
    """An ended concession cannot enter the procedure."""
    concession = _perpetual(commune_a, ended_on=date(2020, 1, 1))
    clock = _clock(concession, date(2030, 1, 1))
    assert clock.abandonment_reasons == ["concession terminée"]


def test_undated_burial_only_is_not_eligible(commune_a):
    """Burials whose dates are all unknown: the 10 years cannot be proved."""
    concession = _perpetual(commune_a)
    clock = _clock(concession, date(2030, 1, 1), [None])
    assert clock.abandonment_reasons == ["date de la dernière inhumation inconnue (R2223-12)"]


def test_no_burial_at_all_is_eligible(commune_a):
    """No burial ever: no burial in the last 10 years, the act alone decides."""
    assert _clock(_perpetual(commune_a), date(2030, 1, 1)).abandonment_eligible is True


def test_burials_read_from_the_database(commune_a):
    """Without prefetched burials the clock reads those of the concession and the unlinked ones of
    its plot, not those of other plots."""
    concession = _perpetual(commune_a)
    BurialFactory.create(plot=concession.plot, concession=concession, buried_on=date(2001, 1, 1))
    BurialFactory.create(plot=concession.plot, buried_on=date(2015, 3, 3))
    BurialFactory.create(plot__section__cemetery__commune=commune_a, buried_on=date(2024, 1, 1))
    clock = concession_clock(concession, today=date(2024, 6, 1))
    assert clock.last_burial_date == date(2015, 3, 3)
