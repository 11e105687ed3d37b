"""The list of funeral operations: newest first, filtered by kind, in bounded queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.cimetiere.models import Operation, OperationKind
from clocher.cimetiere.tests.factories import BurialFactory, PlotFactory
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


def test_operations_list_filters_by_kind(commune_a, agent_a):
    """?kind=exhumation keeps only exhumations."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a)
    Operation.objects.create(commune=commune_a, kind=OperationKind.BURIAL, plot=plot)
    exhumation = Operation.objects.create(
        commune=commune_a, kind=OperationKind.EXHUMATION, plot=plot
    )
    response = signed_in_client(agent_a).get(
        reverse("staff:cimetiere:operations", args=[commune_a.slug]), {"kind": "exhumation"}
    )
    assert list(response.context["page"].object_list) == [exhumation]


def test_operations_list_query_count_does_not_grow(
    commune_a, agent_a, django_assert_max_num_queries
):
    """Forty operations on forty plots cost a fixed number of queries."""
    for _index in range(40):
        burial = BurialFactory.create(plot=PlotFactory.create(section__cemetery__commune=commune_a))
        Operation.objects.create(
            commune=commune_a,
            kind=OperationKind.BURIAL,
            plot=burial.plot,
            burial=burial,
            deceased=burial.deceased,
            authorised_by=agent_a,
            recorded_by=agent_a,
        )
    client = signed_in_client(agent_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("staff:cimetiere:operations", args=[commune_a.slug]))
    assert len(response.context["page"].object_list) == 40


def test_operation_page_shows_who_asked_authorised_attended_and_recorded(
    commune_a, agent_a, elected_a
):
    """The sealed requester and attendant are shown in clear with the authoriser."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a)
    operation = Operation.objects.create(
        commune=commune_a,
        kind=OperationKind.EXHUMATION,
        plot=plot,
        requested_by="Anne PETIT",
        requester_relationship="fille",
        sworn_statement_received=True,
        authorised_by=elected_a,
        attended_by="Anne PETIT",
        recorded_by=agent_a,
    )
    content = (
        signed_in_client(agent_a)
        .get(reverse("staff:cimetiere:operation", args=[commune_a.slug, operation.pk]))
        .content.decode()
    )
    assert "Anne PETIT (fille)" in content
    assert str(elected_a) in content and str(agent_a) in content
