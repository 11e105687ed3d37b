"""The list of concessions under procedure kept at the town hall (R2223-16): each with its plot,
opening date, current step and next step's window, overdue ones flagged, in a bounded number of
queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clocher.cimetiere.models import AbandonmentStep
from clocher.cimetiere.services.abandonment import procedure_close_restored
from clocher.cimetiere.tests.factories import ConcessionFactory, abandonment_procedure
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


def _list_url(commune):
    return reverse("staff:cimetiere:abandonment-list", kwargs={"commune_slug": commune.slug})


def test_list_shows_each_procedure_with_its_next_step(commune_a, technician_a):
    """Current step, next step with its window, and the overdue flag."""
    abandonment_procedure(commune_a, number="L-1", through=AbandonmentStep.FIRST_REPORT)
    abandonment_procedure(commune_a, number="L-2", through=AbandonmentStep.FIRST_NOTIFICATION)
    text = signed_in_client(technician_a).get(_list_url(commune_a)).content.decode()
    assert "n° L-1" in text
    assert "n° L-2" in text
    assert "5 janvier 2024" in text
    assert (
        "Notification et affichage du premier constat — à faire entre le 10 février 2024 et "
        'le 18 février 2024 <strong class="status status-down">en retard</strong>' in text
    )
    assert "Second procès-verbal (un an après) — à partir du 15 février 2025" in text
    assert "2 concessions en cours de procédure" in text


def test_closed_procedures_leave_the_list(commune_a, admin_a):
    """A procedure closed because the family restored the grave is no longer listed."""
    procedure = abandonment_procedure(commune_a, number="F-9", through=AbandonmentStep.NOTICE)
    procedure_close_restored(
        commune=commune_a, actor=admin_a, procedure=procedure, on=procedure.opened_on
    )
    text = signed_in_client(admin_a).get(_list_url(commune_a)).content.decode()
    assert "n° F-9" not in text
    assert "Aucune concession en cours de procédure." in text


def test_list_query_count_does_not_grow_with_the_procedures(commune_a, agent_a):
    """Two or six procedures: the same number of queries."""
    client = signed_in_client(agent_a)
    for index in range(2):
        abandonment_procedure(commune_a, number=f"Q-{index}", through=AbandonmentStep.FIRST_REPORT)
    client.get(_list_url(commune_a))
    with CaptureQueriesContext(connection) as few:
        assert client.get(_list_url(commune_a)).status_code == 200
    for index in range(2, 6):
        abandonment_procedure(commune_a, number=f"Q-{index}", through=AbandonmentStep.FIRST_REPORT)
    with CaptureQueriesContext(connection) as many:
        response = client.get(_list_url(commune_a))
    assert response.content.decode().count("n° Q-") == 6
    assert len(many) == len(few)
    assert len(many) <= 12


def test_list_finds_a_concession_to_open_a_procedure_on(commune_a, agent_a):
    """Searching a concession number links to the opening page of that concession."""
    concession = ConcessionFactory.create(
        plot__section__cemetery__commune=commune_a, number="1932-004"
    )
    response = signed_in_client(agent_a).get(_list_url(commune_a), {"number": "1932"})
    open_url = reverse(
        "staff:cimetiere:abandonment-open",
        kwargs={"commune_slug": commune_a.slug, "concession": concession.pk},
    )
    assert f'href="{open_url}"' in response.content.decode()


def test_list_offers_no_search_to_readers(commune_a, elected_a):
    """The elected official reads the list; opening a procedure is for the staff."""
    ConcessionFactory.create(plot__section__cemetery__commune=commune_a, number="1932-004")
    response = signed_in_client(elected_a).get(_list_url(commune_a), {"number": "1932"})
    assert "1932-004" not in response.content.decode()
    assert 'name="number"' not in response.content.decode()
