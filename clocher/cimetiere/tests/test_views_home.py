"""The module's home: cemeteries with their counts and what is due this month."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from clocher.cimetiere.models import Cemetery
from clocher.cimetiere.tests.factories import (
    BurialFactory,
    CemeteryFactory,
    ConcessionFactory,
    PlotFactory,
    SectionFactory,
)
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


def test_home_lists_cemeteries_with_counts_and_the_months_due_items(commune_a, agent_a):
    """Counts of sections, plots and people at rest; a concession expiring this month is due."""
    cemetery = CemeteryFactory.create(commune=commune_a, name="Cimetière du bourg")
    section = SectionFactory.create(cemetery=cemetery)
    plot = PlotFactory.create(section=section)
    PlotFactory.create(section=section)
    BurialFactory.create(plot=plot)
    BurialFactory.create(plot=plot, is_present=False)
    today = timezone.localdate()
    act = today.replace(day=1, year=today.year - 30)
    concession = ConcessionFactory.create(plot=plot, number="C-DUE", act_date=act)
    response = signed_in_client(agent_a).get(reverse("staff:cimetiere:home", args=[commune_a.slug]))
    content = response.content.decode()
    assert response.status_code == 200
    [row] = response.context["cemeteries"]
    assert (row.section_count, row.plot_count, row.present_burial_count) == (1, 2, 1)
    assert [item.concession for item in response.context["due_items"]] == [concession]
    assert "À faire ce mois-ci" in content
    assert reverse("staff:cimetiere:concession", args=[commune_a.slug, concession.pk]) in content


def test_home_query_count_does_not_grow_with_cemeteries(
    commune_a, agent_a, django_assert_max_num_queries
):
    """Ten cemeteries cost the same queries as one."""
    for index in range(10):
        PlotFactory.create(
            section__cemetery=CemeteryFactory.create(commune=commune_a, name=f"C{index}")
        )
    client = signed_in_client(agent_a)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("staff:cimetiere:home", args=[commune_a.slug]))
    assert len(response.context["cemeteries"]) == 10


def test_creating_a_cemetery_then_a_section_from_the_forms(commune_a, admin_a):
    """The two forms create the cemetery and its section; a duplicate name is a field error."""
    client = signed_in_client(admin_a)
    created = client.post(
        reverse("staff:cimetiere:cemetery-create", args=[commune_a.slug]),
        {"name": "Cimetière neuf", "address": "Route de Dijon"},
    )
    cemetery = Cemetery.objects.get(commune=commune_a, name="Cimetière neuf")
    assert created.status_code == 302
    url = reverse("staff:cimetiere:section-create", args=[commune_a.slug, cemetery.pk])
    assert client.post(url, {"name": "A"}).status_code == 302
    again = client.post(url, {"name": "a"})
    assert again.context["form"].errors == {"name": ["Ce cimetière a déjà un carré de ce nom."]}
