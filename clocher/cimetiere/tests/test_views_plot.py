"""The plot page: kind, capacity, current concession with its legal dates, and all history."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from clocher.cimetiere.models import (
    ConcessionEndReason,
    Holder,
    Operation,
    OperationKind,
    PlotKind,
)
from clocher.cimetiere.tests.factories import (
    BurialFactory,
    ConcessionFactory,
    DeceasedFactory,
    PlotFactory,
)
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


def _url(plot):
    return reverse("staff:cimetiere:plot", args=[plot.commune.slug, plot.pk])


def test_plot_page_keeps_previous_concessions_occupants_and_operations(commune_a, agent_a):
    """Nothing is destroyed: the ended concession, the exhumed occupant and every operation show."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a, capacity=3)
    old = ConcessionFactory.create(
        plot=plot,
        number="C-OLD",
        act_date=datetime.date(1950, 1, 1),
        ended_on=datetime.date(1985, 6, 1),
        end_reason=ConcessionEndReason.REPOSSESSED_AFTER_EXPIRY,
    )
    current = ConcessionFactory.create(
        plot=plot, number="C-NEW", act_date=datetime.date(2010, 3, 1)
    )
    gone = BurialFactory.create(
        plot=plot,
        concession=old,
        deceased=DeceasedFactory.create(commune=commune_a, last_name="ANCIEN"),
        is_present=False,
        left_on=datetime.date(1986, 1, 1),
    )
    BurialFactory.create(
        plot=plot,
        concession=current,
        deceased=DeceasedFactory.create(commune=commune_a, last_name="PRÉSENT"),
        buried_on=datetime.date(2011, 5, 5),
    )
    Operation.objects.create(
        commune=commune_a,
        kind=OperationKind.EXHUMATION,
        plot=plot,
        burial=gone,
        deceased=gone.deceased,
        performed_on=datetime.date(1986, 1, 1),
    )
    response = signed_in_client(agent_a).get(_url(plot))
    content = response.content.decode()
    assert response.status_code == 200
    history = response.context["history"]
    assert history.current_concession == current
    assert history.previous_concessions == [old]
    assert [b.deceased.last_name for b in history.present_burials] == ["PRÉSENT"]
    assert [b.deceased.last_name for b in history.previous_burials] == ["ANCIEN"]
    assert [o.kind for o in history.operations] == [OperationKind.EXHUMATION]
    assert "Concession n° C-NEW — Trentenaire" in content
    assert "Concession n° C-OLD — Trentenaire" in content
    assert "Reprise après expiration" in content
    assert "1 mars 2040" in content  # expiry: 30 years after the act
    assert "3 (libres : 2)" in content


def test_plot_page_query_count_does_not_grow_with_history(
    commune_a, agent_a, django_assert_max_num_queries
):
    """Thirty burials and operations cost no more queries than one."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a, capacity=40)
    concession = ConcessionFactory.create(plot=plot)
    Holder.objects.create(commune=commune_a, concession=concession, full_name="Jeanne Titulaire")
    for _index in range(30):
        burial = BurialFactory.create(plot=plot, concession=concession)
        Operation.objects.create(
            commune=commune_a,
            kind=OperationKind.BURIAL,
            plot=plot,
            burial=burial,
            deceased=burial.deceased,
            recorded_by=agent_a,
        )
    client = signed_in_client(agent_a)
    with django_assert_max_num_queries(22):
        response = client.get(_url(plot))
    assert len(response.context["history"].present_burials) == 30


def test_common_ground_plot_shows_when_the_grave_may_be_reopened(commune_a, agent_a):
    """Five years after the last burial (R2223-5)."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a, kind=PlotKind.COMMON_GROUND)
    BurialFactory.create(plot=plot, buried_on=datetime.date(2020, 2, 29))
    response = signed_in_client(agent_a).get(_url(plot))
    assert response.context["reusable_from"] == datetime.date(2025, 2, 28)
    assert "à partir du 28 février 2025" in response.content.decode()
