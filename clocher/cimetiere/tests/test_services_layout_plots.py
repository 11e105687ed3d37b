"""Layout services: cemeteries, sections, a batch « rang A, numéros 1 à 20 », plot changes."""

from __future__ import annotations

import pytest

from clocher.cimetiere.models import Plot, PlotKind, Row
from clocher.cimetiere.services import layout
from clocher.cimetiere.tests.factories import (
    BurialFactory,
    ConcessionFactory,
    PlotFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


def test_cemetery_names_are_unique_in_a_commune(commune_a, commune_b):
    """A second « Cimetière communal » in the same commune is refused, not in another."""
    layout.cemetery_create(commune=commune_a, actor=None, name="Cimetière communal")
    with pytest.raises(layout.LayoutError) as refused:
        layout.cemetery_create(commune=commune_a, actor=None, name="cimetière communal")
    assert refused.value.field == "name"
    layout.cemetery_create(commune=commune_b, actor=None, name="Cimetière communal")


def test_batch_places_row_a_numbers_1_to_20_side_by_side_on_the_grid(commune_a):
    """Twenty plots in row A, grid columns 5, 6, … 24 on line 3."""
    section = SectionFactory.create(cemetery__commune=commune_a, name="A")
    plots = layout.plots_create_batch(
        cemetery=section.cemetery,
        actor=None,
        section=section,
        numbers=layout.batch_numbers(number_from=1, number_to=20),
        kind=PlotKind.CONCESSION_GROUND,
        capacity=2,
        row_name="Rang A",
        grid_x=5,
        grid_y=3,
    )
    assert [plot.number for plot in plots] == [str(n) for n in range(1, 21)]
    stored = Plot.objects.filter(section=section).order_by("grid_x")
    assert [(p.grid_x, p.grid_y) for p in stored] == [(5 + i, 3) for i in range(20)]
    assert {p.row for p in stored} == {Row.objects.get(section=section, name="Rang A")}


def test_batch_with_an_existing_number_writes_nothing(commune_a):
    """One number taken: the whole batch is refused, the taken numbers named."""
    section = SectionFactory.create(cemetery__commune=commune_a, name="B")
    PlotFactory.create(section=section, number="B3")
    with pytest.raises(layout.LayoutError) as refused:
        layout.plots_create_batch(
            cemetery=section.cemetery,
            actor=None,
            section=section,
            numbers=layout.batch_numbers(number_from=1, number_to=5, prefix="B"),
            kind=PlotKind.CONCESSION_GROUND,
            capacity=1,
        )
    assert refused.value.message == "Ces numéros existent déjà dans le carré B : B3."
    assert Plot.objects.filter(section=section).count() == 1


def test_batch_numbers_refuse_a_reversed_or_huge_range():
    """« 20 à 1 » and more than 500 plots at once are refused."""
    with pytest.raises(layout.LayoutError):
        layout.batch_numbers(number_from=20, number_to=1)
    with pytest.raises(layout.LayoutError):
        layout.batch_numbers(number_from=1, number_to=501)


def test_section_of_another_cemetery_is_refused(commune_a):
    """The section must belong to the cemetery."""
    section = SectionFactory.create(cemetery__commune=commune_a)
    other = SectionFactory.create(cemetery__commune=commune_a)
    with pytest.raises(layout.LayoutError):
        layout.plots_create_batch(
            cemetery=other.cemetery,
            actor=None,
            section=section,
            numbers=["1"],
            kind=PlotKind.VAULT,
            capacity=4,
        )


def test_capacity_below_present_burials_is_refused(commune_a):
    """Two people rest there: one place is not possible."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a, capacity=3)
    BurialFactory.create(plot=plot)
    BurialFactory.create(plot=plot)
    with pytest.raises(layout.LayoutError) as refused:
        layout.plot_update(plot=plot, actor=None, kind=plot.kind, capacity=1, surface_m2=None)
    assert refused.value.field == "capacity"
    plot.refresh_from_db()
    assert plot.capacity == 3


def test_kind_that_cannot_carry_the_concession_in_force_is_refused(commune_a):
    """A conceded plot cannot become common ground."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a)
    ConcessionFactory.create(plot=plot)
    with pytest.raises(layout.LayoutError) as refused:
        layout.plot_update(
            plot=plot, actor=None, kind=PlotKind.COMMON_GROUND, capacity=2, surface_m2=None
        )
    assert refused.value.field == "kind"
    layout.plot_update(plot=plot, actor=None, kind=PlotKind.VAULT, capacity=6, surface_m2=None)
    plot.refresh_from_db()
    assert (plot.kind, plot.capacity) == (PlotKind.VAULT, 6)
