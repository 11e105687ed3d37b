"""Who may open each page of the abandonment procedure: reading needs VIEW_CEMETERY, acting and
the letters naming living people need MANAGE_CEMETERY.

Anonymous people go to the sign-in page, staff of another commune (or of none) get 404, a role
without the capability gets 403, and a refused POST changes nothing.
"""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from clocher.cimetiere.models import (
    AbandonmentProcedure,
    AbandonmentStep,
    AbandonmentStepRecord,
)
from clocher.cimetiere.tests.factories import ConcessionFactory, abandonment_procedure
from clocher.core.testing.clients import signed_in_client
from clocher.core.vault import store_file

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
_DENIED = dict(anonymous=LOGIN, outsider=NOT_FOUND, admin_b=NOT_FOUND)
READ = dict(
    _DENIED,
    agent_a=OK,
    technician_a=OK,
    elected_a=OK,
    admin_a=OK,
    operator_support=OK,
    operator_admin=OK,
)
MANAGE = dict(
    _DENIED,
    agent_a=OK,
    technician_a=FORBIDDEN,
    elected_a=FORBIDDEN,
    admin_a=OK,
    operator_support=FORBIDDEN,
    operator_admin=FORBIDDEN,
)
PAGES = {
    "abandonment-list": ([], READ),
    "abandonment-list-pdf": ([], READ),
    "abandonment-procedure": (["procedure"], READ),
    "abandonment-reports": (["procedure"], READ),
    "abandonment-photo": (["procedure", "photo"], READ),
    "abandonment-first-report-pdf": (["procedure"], READ),
    "abandonment-second-report-pdf": (["procedure"], READ),
    "abandonment-order-pdf": (["procedure"], READ),
    "abandonment-open": (["concession"], MANAGE),
    "abandonment-restored": (["procedure"], MANAGE),
    "abandonment-cancel": (["procedure"], MANAGE),
    "abandonment-reschedule": (["procedure"], MANAGE),
    "abandonment-notice-pdf": (["procedure"], MANAGE),
    "abandonment-notification-pdf": (["procedure"], MANAGE),
}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (120, 90, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def objects(commune_a):
    procedure = abandonment_procedure(commune_a, through=AbandonmentStep.FIRST_REPORT)
    record = procedure.steps.get(step=AbandonmentStep.FIRST_REPORT)
    photo = store_file(commune=commune_a, data=_png(), name="stele.png", content_type="image/png")
    record.photos.add(photo)
    concession = ConcessionFactory.create(plot__section__cemetery__commune=commune_a)
    return {"procedure": procedure, "photo": photo, "concession": concession}


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
def test_abandonment_page_answers_each_person_by_the_role_table(
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
    "page",
    [
        "abandonment-procedure",
        "abandonment-open",
        "abandonment-restored",
        "abandonment-cancel",
        "abandonment-reschedule",
    ],
)
def test_refused_action_changes_nothing(page, person, request, commune_a, objects):
    """A POST by a role without MANAGE_CEMETERY is refused with 403 and writes nothing."""
    parameters, _table = PAGES[page]
    before = (
        AbandonmentProcedure.objects.count(),
        AbandonmentStepRecord.objects.count(),
        list(AbandonmentProcedure.objects.values_list("closed_on", "outcome", "visit_planned_on")),
    )
    response = _client(person, request).post(
        _url(page, parameters, commune_a, objects),
        {
            "done_on": "2024-02-15",
            "was_posted": "on",
            "visit_planned_on": "2030-01-01",
            "closed_on": "2024-03-01",
            "confirm": "on",
        },
    )
    assert response.status_code == 403
    assert (
        AbandonmentProcedure.objects.count(),
        AbandonmentStepRecord.objects.count(),
        list(AbandonmentProcedure.objects.values_list("closed_on", "outcome", "visit_planned_on")),
    ) == before


def test_procedure_page_shows_the_step_form_only_to_managers(request, commune_a, objects):
    """An elected official reads the timeline but gets no form; an agent gets the next step's."""
    url = _url("abandonment-procedure", ["procedure"], commune_a, objects)
    elected_page = signed_in_client(request.getfixturevalue("elected_a")).get(url)
    agent_page = signed_in_client(request.getfixturevalue("agent_a")).get(url)
    assert b'name="done_on"' not in elected_page.content
    assert b'name="done_on"' in agent_page.content
    assert b'name="was_posted"' in agent_page.content  # next step: notification of the report
