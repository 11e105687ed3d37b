"""Who may open the secretary's concession pages: the tariffs list and the letters PDF need
VIEW_CEMETERY, every write MANAGE_CEMETERY; a refused POST changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clocher.cimetiere.legal_clock import add_months, add_years
from clocher.cimetiere.models import (
    Beneficiary,
    Concession,
    ConcessionRenewal,
    Holder,
    Tariff,
)
from clocher.cimetiere.tests.factories import ConcessionFactory, PlotFactory
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db

OK, LOGIN, FORBIDDEN = 200, "login", 403
READ = dict(anonymous=LOGIN, technician_a=OK, elected_a=OK, agent_a=OK, admin_a=OK)
WRITE = dict(anonymous=LOGIN, technician_a=FORBIDDEN, elected_a=FORBIDDEN, agent_a=OK, admin_a=OK)
PAGES = {
    "concession-grant": (["plot"], WRITE),
    "concession-granted": (["concession"], WRITE),
    "concession-renew": (["concession"], WRITE),
    "concession-end": (["concession"], WRITE),
    "concession-beneficiary-add": (["concession"], WRITE),
    "concession-holder-add": (["concession"], WRITE),
    "concession-holder-edit": (["holder"], WRITE),
    "tariffs": ([], READ),
    "tariff-create": ([], WRITE),
    "renewal-letters-due": ([], READ),
}


@pytest.fixture
def objects(commune_a):
    today = timezone.localdate()
    concession = ConcessionFactory.create(
        plot=PlotFactory.create(section__cemetery__commune=commune_a),
        act_date=add_years(add_months(today, 3), -30),
    )
    holder = Holder.objects.create(commune=commune_a, concession=concession, full_name="A B")
    return {
        "plot": PlotFactory.create(section__cemetery__commune=commune_a),
        "concession": concession,
        "holder": holder,
    }


def _client(person, request):
    if person == "anonymous":
        return Client()
    return signed_in_client(request.getfixturevalue(person))


def _url(name, parameters, commune, objects):
    kwargs = {"commune_slug": commune.slug}
    kwargs.update({parameter: objects[parameter].pk for parameter in parameters})
    return reverse(f"staff:cimetiere:{name}", kwargs=kwargs)


@pytest.mark.parametrize("person", sorted(READ))
@pytest.mark.parametrize("page", sorted(PAGES))
def test_concession_page_answers_each_person_by_the_role_table(
    page, person, request, commune_a, objects
):
    """Each page answers the status the role table gives that person."""
    parameters, expected = PAGES[page]
    response = _client(person, request).get(_url(page, parameters, commune_a, objects))
    if expected[person] == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif page == "renewal-letters-due" and expected[person] == OK:
        assert response.status_code in (200, 302)  # 302 back home when no letter is due
    else:
        assert response.status_code == expected[person]


def _counts():
    return [
        model.objects.count()
        for model in (Concession, ConcessionRenewal, Holder, Beneficiary, Tariff)
    ]


@pytest.mark.parametrize("person", ["technician_a", "elected_a"])
@pytest.mark.parametrize(
    "page", sorted(name for name, (_p, table) in PAGES.items() if table is WRITE)
)
def test_refused_write_changes_nothing(page, person, request, commune_a, objects):
    """A POST by a role without MANAGE_CEMETERY is refused with 403 and writes nothing."""
    parameters, _table = PAGES[page]
    counts = _counts()
    today = timezone.localdate().isoformat()
    response = _client(person, request).post(
        _url(page, parameters, commune_a, objects),
        {
            "kind": "thirty_years",
            "scope": "family",
            "number": "X-1",
            "act_date": today,
            "holder_0_full_name": "Jean DUPONT",
            "decided_on": today,
            "on": today,
            "confirm": "on",
            "full_name": "Marie DUPONT",
            "plot_kind": "concession_ground",
            "price": "100",
            "valid_from": today,
        },
    )
    assert response.status_code == 403
    assert _counts() == counts
    assert Holder.objects.get().full_name == "A B"
    assert Concession.objects.get(pk=objects["concession"].pk).ended_on is None
