"""Legal clock in bulk: every concession's clock and every plot's state, in constant queries."""

from __future__ import annotations

from datetime import date

import pytest

from clocher.cimetiere import legal_clock
from clocher.cimetiere.legal_clock import (
    ConcessionState,
    PlotState,
    clocks_for_commune,
    plot_states,
    register_under_procedure_provider,
)
from clocher.cimetiere.models import ConcessionKind, ConcessionRenewal, PlotKind
from clocher.cimetiere.tests.factories import (
    BurialFactory,
    CemeteryFactory,
    ConcessionFactory,
    PlotFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db
TODAY = date(2025, 6, 15)


@pytest.fixture
def section(commune_a):
    return SectionFactory.create(cemetery=CemeteryFactory.create(commune=commune_a))


def _plot(section, kind=PlotKind.CONCESSION_GROUND):
    return PlotFactory.create(section=section, kind=kind)


def _concession(section, **kwargs):
    return ConcessionFactory.create(plot=_plot(section), **kwargs)


def test_plot_states_follow_concessions(section, commune_a):
    """Each concession state gives its plot state; an ended concession frees its plot."""
    active = _concession(section, act_date=date(2010, 1, 1))
    perpetual = _concession(section, kind=ConcessionKind.PERPETUAL, act_date=date(1900, 1, 1))
    expiring = _concession(section, act_date=date(1995, 12, 1))
    window = _concession(section, act_date=date(1994, 12, 1))
    repossessable = _concession(section, act_date=date(1990, 1, 1))
    ended = _concession(section, act_date=date(1950, 1, 1), ended_on=date(2000, 1, 1))
    states = plot_states(commune_a, today=TODAY)
    assert states[active.plot_id] == PlotState.OCCUPIED
    assert states[perpetual.plot_id] == PlotState.OCCUPIED
    assert states[expiring.plot_id] == PlotState.EXPIRING
    assert states[window.plot_id] == PlotState.RENEWAL_WINDOW
    assert states[repossessable.plot_id] == PlotState.REPOSSESSABLE
    assert states[ended.plot_id] == PlotState.FREE


def test_plot_without_concession(section, commune_a):
    """Without a concession: free when empty, occupied when someone rests there."""
    empty = _plot(section)
    occupied = _plot(section)
    BurialFactory.create(plot=occupied, buried_on=date(1970, 1, 1))
    exhumed = _plot(section)
    BurialFactory.create(plot=exhumed, buried_on=date(1970, 1, 1), is_present=False)
    states = plot_states(commune_a, today=TODAY)
    assert states[empty.pk] == PlotState.FREE
    assert states[occupied.pk] == PlotState.OCCUPIED
    assert states[exhumed.pk] == PlotState.FREE


def test_common_ground_reusable_after_five_years(section, commune_a):
    """Common ground: occupied the day before the 5th anniversary of the burial, reusable on it."""
    grave = _plot(section, PlotKind.COMMON_GROUND)
    BurialFactory.create(plot=grave, buried_on=date(2020, 6, 15))
    assert plot_states(commune_a, today=date(2025, 6, 14))[grave.pk] == PlotState.OCCUPIED
    assert plot_states(commune_a, today=date(2025, 6, 15))[grave.pk] == (
        PlotState.COMMON_GROUND_REUSABLE
    )


def test_common_ground_leap_day_and_undated(section, commune_a):
    """A burial of 29/02/2020 makes the grave reusable on 28/02/2025; an undated one never."""
    grave = _plot(section, PlotKind.COMMON_GROUND)
    BurialFactory.create(plot=grave, buried_on=date(2020, 2, 29))
    undated = _plot(section, PlotKind.COMMON_GROUND)
    BurialFactory.create(plot=undated, buried_on=None)
    assert plot_states(commune_a, today=date(2025, 2, 27))[grave.pk] == PlotState.OCCUPIED
    states = plot_states(commune_a, today=date(2025, 2, 28))
    assert states[grave.pk] == PlotState.COMMON_GROUND_REUSABLE
    assert states[undated.pk] == PlotState.OCCUPIED


def test_under_procedure_hook_wins(section, commune_a, monkeypatch):
    """A plot reported by the abandonment procedure's provider is UNDER_PROCEDURE."""
    concession = _concession(section, kind=ConcessionKind.PERPETUAL, act_date=date(1900, 1, 1))
    monkeypatch.setattr(legal_clock, "_under_procedure_providers", [])
    register_under_procedure_provider(lambda commune: {concession.plot_id})
    assert plot_states(commune_a, today=TODAY)[concession.plot_id] == PlotState.UNDER_PROCEDURE


def test_plot_states_of_one_cemetery(section, commune_a):
    """With a cemetery, only its plots are returned."""
    mine = _plot(section)
    other = PlotFactory.create(
        section=SectionFactory.create(cemetery=CemeteryFactory.create(commune=commune_a))
    )
    states = plot_states(commune_a, today=TODAY, cemetery=section.cemetery)
    assert set(states) == {mine.pk}
    assert other.pk not in states


def test_other_commune_is_ignored(section, commune_a, commune_b):
    """Commune B's plots and concessions never appear in commune A's results."""
    _concession(section)
    foreign = ConcessionFactory.create(plot__section__cemetery__commune=commune_b)
    assert foreign.pk not in clocks_for_commune(commune_a, today=TODAY)
    assert foreign.plot_id not in plot_states(commune_a, today=TODAY)


def test_bulk_clocks_match_single_clocks(section, commune_a):
    """The bulk clocks equal the one-by-one clocks, renewals and burials included."""
    renewed = _concession(
        section, kind=ConcessionKind.TEMPORARY, duration_years=15, act_date=date(1995, 1, 1)
    )
    ConcessionRenewal.objects.create(
        commune=commune_a,
        concession=renewed,
        decided_on=date(2009, 6, 1),
        period_start=date(2010, 1, 1),
        kind=ConcessionKind.THIRTY_YEARS,
    )
    BurialFactory.create(plot=renewed.plot, concession=renewed, buried_on=date(2011, 5, 5))
    plain = _concession(section, act_date=date(1960, 1, 1))
    clocks = clocks_for_commune(commune_a, today=TODAY)
    assert clocks[renewed.pk] == legal_clock.concession_clock(renewed, today=TODAY)
    assert clocks[renewed.pk].expires_on == date(2040, 1, 1)
    assert clocks[renewed.pk].last_burial_date == date(2011, 5, 5)
    assert clocks[plain.pk].state == ConcessionState.REPOSSESSABLE


def test_query_count_is_constant(section, commune_a, django_assert_num_queries):
    """3 queries for the clocks and 5 for the plot states (4 + the abandonment procedure's list of
    plots under procedure), whatever the number of concessions."""
    for year in range(1980, 2000):
        concession = _concession(section, act_date=date(year, 3, 1))
        BurialFactory.create(
            plot=concession.plot, concession=concession, buried_on=date(year, 4, 1)
        )
        ConcessionRenewal.objects.create(
            commune=commune_a,
            concession=concession,
            decided_on=date(year + 30, 1, 1),
            period_start=date(year + 30, 3, 1),
            kind=ConcessionKind.THIRTY_YEARS,
        )
    with django_assert_num_queries(3):
        clocks = clocks_for_commune(commune_a, today=TODAY)
    assert len(clocks) == 20
    with django_assert_num_queries(5):
        states = plot_states(commune_a, today=TODAY)
    assert len(states) == 20
