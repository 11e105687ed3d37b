"""Who may open each registry page: reading needs VIEW_CEMETERY, writing MANAGE_CEMETERY.

Anonymous people go to the sign-in page; staff of another commune (or of none) get 404; a role
without the capability gets 403, and a refused POST changes nothing.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from clocher.cimetiere.models import Burial, Cemetery, Operation, OperationKind, Plot, Section
from clocher.cimetiere.tests.factories import (
    BurialFactory,
    ConcessionFactory,
    PlotFactory,
)
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db

OK, LOGIN, FORBIDDEN, NOT_FOUND = 200, "login", 403, 404
PEOPLE = (
    "anonymous",
    "outsider",
    "admin_b",
    "agent_a",
    "technician_a",
    "elected_a",
    "admin_a",
    "operator_support",
    "operator_admin",
)
READ = dict(
    anonymous=LOGIN,
    outsider=NOT_FOUND,
    admin_b=NOT_FOUND,
    agent_a=OK,
    technician_a=OK,
    elected_a=OK,
    admin_a=OK,
    operator_support=OK,
    operator_admin=OK,
)
WRITE = dict(
    anonymous=LOGIN,
    outsider=NOT_FOUND,
    admin_b=NOT_FOUND,
    agent_a=OK,
    technician_a=FORBIDDEN,
    elected_a=FORBIDDEN,
    admin_a=OK,
    operator_support=FORBIDDEN,
    operator_admin=FORBIDDEN,
)
PAGES = {
    "home": ([], READ),
    "cemetery": (["cemetery"], READ),
    "plot": (["plot"], READ),
    "concession": (["concession"], READ),
    "deceased-search": ([], READ),
    "operations": ([], READ),
    "operation": (["operation"], READ),
    "cemetery-create": ([], WRITE),
    "section-create": (["cemetery"], WRITE),
    "plots-create": (["cemetery"], WRITE),
    "geometry-import": (["cemetery"], WRITE),
    "plot-edit": (["plot"], WRITE),
    "burial-create": (["plot"], WRITE),
    "exhumation-create": (["plot"], WRITE),
    "transfer-create": (["plot"], WRITE),
    "reduction-create": (["plot"], WRITE),
    "urn-removal-create": (["plot"], WRITE),
    "ash-scattering-create": (["plot"], WRITE),
    "ossuary-move-create": (["plot"], WRITE),
}


@pytest.fixture
def objects(commune_a):
    concession = ConcessionFactory.create(
        plot=PlotFactory.create(section__cemetery__commune=commune_a)
    )
    burial = BurialFactory.create(plot=concession.plot, concession=concession)
    operation = Operation.objects.create(
        commune=commune_a, kind=OperationKind.BURIAL, plot=concession.plot, burial=burial
    )
    return {
        "cemetery": concession.plot.cemetery,
        "plot": concession.plot,
        "concession": concession,
        "operation": operation,
    }


def _client(person, request):
    if person == "anonymous":
        return Client()
    return signed_in_client(request.getfixturevalue(person))


def _url(name, parameters, commune, objects):
    kwargs = {"commune_slug": commune.slug}
    kwargs.update({parameter: objects[parameter].pk for parameter in parameters})
    return reverse(f"staff:cimetiere:{name}", kwargs=kwargs)


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_registry_page_answers_each_person_by_the_role_table(
    page, person, request, commune_a, objects
):
    """Each page answers the status the role table gives that person."""
    parameters, expected = PAGES[page]
    response = _client(person, request).get(_url(page, parameters, commune_a, objects))
    if expected[person] == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected[person]


@pytest.mark.parametrize("person", ["technician_a", "elected_a", "operator_support"])
@pytest.mark.parametrize(
    "page", sorted(name for name, (_p, table) in PAGES.items() if table is WRITE)
)
def test_refused_write_changes_nothing(page, person, request, commune_a, objects):
    """A POST by a role without MANAGE_CEMETERY is refused with 403 and writes nothing."""
    parameters, _table = PAGES[page]
    counts = [model.objects.count() for model in (Cemetery, Section, Plot, Burial, Operation)]
    response = _client(person, request).post(
        _url(page, parameters, commune_a, objects),
        {
            "name": "Nouveau",
            "last_name": "Durand",
            "death_date": "2020-01-01",
            "buried_on": "2020-01-05",
            "container": "coffin",
            "number_from": "1",
            "number_to": "3",
            "kind": "concession_ground",
            "capacity": "2",
            "grid_width": "1",
            "grid_height": "2",
            "performed_on": datetime.date(2020, 1, 1).isoformat(),
        },
    )
    assert response.status_code == 403
    assert [
        model.objects.count() for model in (Cemetery, Section, Plot, Burial, Operation)
    ] == counts
