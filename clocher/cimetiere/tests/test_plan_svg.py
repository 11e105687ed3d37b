"""The SVG plan: one link per drawn plot, coloured and patterned by state, with its table."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from clocher.cimetiere.legal_clock import PlotState
from clocher.cimetiere.models import PlotKind
from clocher.cimetiere.plan import (
    BACKGROUND,
    STATE_STYLES,
    contrast_ratio,
    plot_url_builder,
    render_plan,
    state_key,
)
from clocher.cimetiere.selectors import PlanPlot, plan_of_cemetery
from clocher.cimetiere.tests.factories import (
    BurialFactory,
    CemeteryFactory,
    ConcessionFactory,
    PlotFactory,
    SectionFactory,
)
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


def _cemetery_with_plots(commune):
    cemetery = CemeteryFactory.create(commune=commune, name="Cimetière du bourg")
    north = SectionFactory.create(cemetery=cemetery, name="Nord")
    south = SectionFactory.create(cemetery=cemetery, name="Sud")
    drawn = PlotFactory.create(section=north, number="1", geometry=[[0, 0], [1, 0], [1, 2], [0, 2]])
    grid = PlotFactory.create(section=north, number="2", grid_x=3, grid_y=0)
    hidden = PlotFactory.create(section=south, number="9")
    return cemetery, drawn, grid, hidden


def test_plan_draws_one_link_per_placed_plot_with_its_title(commune_a):
    """A plot with geometry and a plot on the grid are links; a plot with neither is not."""
    cemetery, drawn, grid, _hidden = _cemetery_with_plots(commune_a)
    sections, plots = plan_of_cemetery(cemetery)
    drawing = render_plan(
        plots,
        {drawn.pk: PlotState.OCCUPIED, grid.pk: PlotState.FREE},
        sections=sections,
        plot_url=plot_url_builder(commune_a.slug),
        title="Plan",
    )
    svg = str(drawing.svg)
    links = re.findall(r'<a href="([^"]+)"><title>([^<]+)</title><polygon fill=', svg)
    assert links == [
        (reverse("staff:cimetiere:plot", args=[commune_a.slug, drawn.pk]), "Nord n° 1 : Occupé"),
        (reverse("staff:cimetiere:plot", args=[commune_a.slug, grid.pk]), "Nord n° 2 : Libre"),
    ]
    assert drawing.drawn_count == 2
    assert 'role="group" aria-labelledby="plan-title plan-description"' in svg
    assert svg.count('<polygon fill="url(#plan-occupied)"') == 1
    assert svg.count('<polygon fill="url(#plan-free)"') == 1
    assert [
        (section.name, [(row.number, row.state.key, row.is_drawn) for row in rows])
        for section, rows in drawing.sections
    ] == [("Nord", [("1", "occupied", True), ("2", "free", True)]), ("Sud", [("9", "free", False)])]


def test_plan_flips_the_northward_metric_frame_to_screen_coordinates(commune_a):
    """Outlines stay in metres; one transform flips y (north up) and shifts into the view box."""
    section = SectionFactory.create(cemetery__commune=commune_a)
    south = PlotFactory.create(
        section=section, number="S", geometry=[[0, 0], [1, 0], [1, 1], [0, 1]]
    )
    north = PlotFactory.create(
        section=section, number="N", geometry=[[0, 5], [1, 5], [1, 6], [0, 6]]
    )
    sections, plots = plan_of_cemetery(section.cemetery)
    svg = str(
        render_plan(plots, {}, sections=sections, plot_url=lambda pk: f"/p/{pk}/", title="Plan").svg
    )
    fill = 'fill="url(#plan-free)"'
    assert (
        f'<a href="/p/{south.pk}/"><title>{section.name} n° S : Libre</title>'
        f'<polygon {fill} points="0.00,0.00 1.00,0.00 1.00,1.00 0.00,1.00"/></a>'
    ) in svg
    assert (
        f'<a href="/p/{north.pk}/"><title>{section.name} n° N : Libre</title>'
        f'<polygon {fill} points="0.00,5.00 1.00,5.00 1.00,6.00 0.00,6.00"/></a>'
    ) in svg
    assert 'viewBox="0 0 3.00 8.00"' in svg
    assert 'transform="matrix(1 0 0 -1 1.00 7.00)"' in svg


def test_plan_ignores_an_outline_that_is_not_numbers(commune_a):
    """A malformed outline falls back to the grid cell and never reaches the markup."""
    section = SectionFactory.create(cemetery__commune=commune_a)
    PlotFactory.create(
        section=section,
        number="1",
        geometry=[['"/><script>', 0], [1, 0], [1, 1]],
        grid_x=2,
        grid_y=1,
    )
    sections, plots = plan_of_cemetery(section.cemetery)
    svg = str(render_plan(plots, {}, sections=sections, plot_url=lambda pk: "/p/", title="P").svg)
    assert "<script>" not in svg and "&lt;script" not in svg
    assert 'points="2.00,-1.00 3.00,-1.00 3.00,-3.00 2.00,-3.00"' in svg


def test_plan_escapes_names(commune_a):
    """A section or number with markup is shown as text, never as markup."""
    section = SectionFactory.create(cemetery__commune=commune_a, name="<b>A</b>")
    plot = PlotFactory.create(section=section, number="1&2", grid_x=0, grid_y=0)
    sections, plots = plan_of_cemetery(plot.cemetery)
    drawing = render_plan(
        plots, {}, sections=sections, plot_url=lambda pk: "/p/", title="<i>Plan</i>"
    )
    svg = str(drawing.svg)
    assert "&lt;b&gt;A&lt;/b&gt; n° 1&amp;2" in svg
    assert "<b>" not in svg and "<i>" not in svg
    [(_section, count, rows)] = drawing.table_sections()
    assert count == 1
    assert '<a href="/p/">1&amp;2</a>' in rows


def test_plan_without_any_placed_plot_has_no_svg_but_keeps_the_table(commune_a):
    """No geometry nor grid cell: no drawing, the table still lists the plot."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a)
    sections, plots = plan_of_cemetery(plot.cemetery)
    drawing = render_plan(plots, {}, sections=sections, plot_url=lambda pk: "/p/", title="Plan")
    assert str(drawing.svg) == ""
    assert [row.pk for _section, rows in drawing.sections for row in rows] == [plot.pk]


def test_plan_orders_numbers_naturally(commune_a):
    """A2 comes before A10 in the table."""
    section = SectionFactory.create(cemetery__commune=commune_a)
    for number in ("A10", "A2", "B1", "A1"):
        PlotFactory.create(section=section, number=number)
    _sections, plots = plan_of_cemetery(section.cemetery)
    assert [plot.number for plot in plots] == ["A1", "A2", "A10", "B1"]
    assert isinstance(plots[0], PlanPlot)


def test_every_state_colour_contrasts_with_the_background_and_has_its_own_pattern_and_letter():
    """Legend colours pass 3:1 (in fact 4.5:1) on white; patterns and letters are distinct."""
    for style in STATE_STYLES.values():
        assert contrast_ratio(style.colour, BACKGROUND) >= 4.5, style.key
    assert len({style.pattern for style in STATE_STYLES.values()}) == len(STATE_STYLES)
    assert len({style.letter for style in STATE_STYLES.values()}) == len(STATE_STYLES)
    assert sorted(STATE_STYLES) == sorted(state.value for state in PlotState)


def test_state_key_accepts_the_enum_its_value_or_nothing():
    """PlotState members, their values and None all map to a style."""
    assert state_key(PlotState.UNDER_PROCEDURE) == "under_procedure"
    assert state_key("renewal_window") == "renewal_window"
    assert state_key(None) == "free"


def test_cemetery_page_shows_plan_legend_and_text_table(commune_a, agent_a):
    """The page holds the SVG with one link per drawn plot, the legend and the table."""
    cemetery, drawn, _grid, _hidden = _cemetery_with_plots(commune_a)
    concession = ConcessionFactory.create(plot=drawn, act_date=datetime.date(2020, 1, 1))
    BurialFactory.create(plot=drawn, concession=concession)
    response = signed_in_client(agent_a).get(
        reverse("staff:cimetiere:cemetery", args=[commune_a.slug, cemetery.pk])
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.count("<polygon ") == 2
    assert "Nord n° 1 : Occupé" in content
    assert '<caption id="carre-' in content
    assert "Carré Nord : 2 emplacements" in content
    assert "Carré Sud : 1 emplacement" in content
    assert "O — Occupé" in content and "non placé" in content
    assert "<strong>P</strong> — Reprenable (0)" in content


def test_cemetery_page_query_count_does_not_grow_with_plots(
    commune_a, agent_a, django_assert_max_num_queries
):
    """Two hundred plots with burials cost no more queries than a handful (no N+1)."""
    cemetery = CemeteryFactory.create(commune=commune_a)
    sections = [SectionFactory.create(cemetery=cemetery, name=f"S{index}") for index in range(4)]
    for index in range(200):
        plot = PlotFactory.create(
            section=sections[index % 4],
            number=str(index),
            kind=PlotKind.COMMON_GROUND,
            grid_x=index % 20,
            grid_y=index // 20 * 2,
        )
        if index % 3 == 0:
            BurialFactory.create(plot=plot)
    client = signed_in_client(agent_a)
    url = reverse("staff:cimetiere:cemetery", args=[commune_a.slug, cemetery.pk])
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.content.decode().count("<polygon ") == 200
