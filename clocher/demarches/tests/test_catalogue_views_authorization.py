"""Who may open the catalogue pages: MANAGE_PROCEDURES (commune admins and agents) only.

Anonymous people go to the sign-in page; staff of another commune (or of none) get 404; a role
without the capability, and operator staff, get 403; a refused POST changes nothing.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.demarches.models import Procedure, TemplateVersion
from clocher.demarches.services.catalogue import (
    catalogue_load,
    template_adopt,
    template_version_publish,
)
from clocher.demarches.tests.factories import make_procedure

pytestmark = pytest.mark.django_db

OK, LOGIN, FORBIDDEN, NOT_FOUND = 200, "login", 403, 404
PEOPLE = (
    "anonymous",
    "outsider",
    "admin_b",
    "technician_a",
    "elected_a",
    "operator_support",
    "operator_admin",
    "agent_a",
    "admin_a",
)
EXPECTED = dict(
    anonymous=LOGIN,
    outsider=NOT_FOUND,
    admin_b=NOT_FOUND,
    technician_a=FORBIDDEN,
    elected_a=FORBIDDEN,
    operator_support=FORBIDDEN,
    operator_admin=FORBIDDEN,
    agent_a=OK,
    admin_a=OK,
)
GET_PAGES = ("procedures", "procedure-adopt", "procedure", "procedure-update")
POST_PAGES = ("procedure-publish", "procedure-unpublish", "procedure-update", "procedure-adopt")


@pytest.fixture
def world(operator, commune_a, admin_a, operator_admin):
    """Commune A has the contact template adopted (with an update waiting) and a published
    procedure of its own; the other templates are adoptable."""
    catalogue_load(operator=operator)
    template = operator.procedure_templates.get(slug="contact")
    adopted = template_adopt(
        commune=commune_a, template_version=template.latest_version(), actor=admin_a
    )
    latest = template.latest_version()
    content = {name: getattr(latest, name) for name in ("title", "description", "legal_basis")}
    content.update(
        acknowledgment_text=latest.acknowledgment_text,
        silence_rule=latest.silence_rule,
        silence_delay_months=latest.silence_delay_months,
        processing_days=7,
        retention_months=latest.retention_months,
        statuses=latest.statuses,
        schema=latest.schema,
    )
    template_version_publish(
        template=template, actor=operator_admin, content=content, changelog="Délai plus court."
    )
    return {"adopted": adopted, "own": make_procedure(commune_a, slug="ma-demarche")}


def _client(person, request):
    if person == "anonymous":
        return Client()
    return signed_in_client(request.getfixturevalue(person))


def _url(name, commune, world):
    kwargs = {"commune_slug": commune.slug}
    if name not in ("procedures", "procedure-adopt"):
        kwargs["online_procedure"] = (world["own"] if "publish" in name else world["adopted"]).pk
    url = reverse(f"staff:demarches:{name}", kwargs=kwargs)
    return url + "?modele=signalement" if name == "procedure-adopt" else url


def _state(commune):
    return list(
        Procedure.objects.for_commune(commune)
        .order_by("pk")
        .values_list("slug", "is_published", "current_form_id", "adopted_version_id")
    )


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("page", GET_PAGES)
def test_page_answers_each_person_by_the_role_table(page, person, request, commune_a, world):
    """Each page answers the status the role table gives that person."""
    response = _client(person, request).get(_url(page, commune_a, world))
    if EXPECTED[person] == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == EXPECTED[person]


@pytest.mark.parametrize("person", [p for p in PEOPLE if EXPECTED[p] != OK])
@pytest.mark.parametrize("page", POST_PAGES)
def test_refused_write_changes_nothing(page, person, request, commune_a, commune_b, world):
    """A POST by anyone without MANAGE_PROCEDURES in commune A is refused and writes nothing."""
    before = (_state(commune_a), _state(commune_b), TemplateVersion.objects.count())
    response = _client(person, request).post(
        _url(page, commune_a, world), {"modele": "signalement", "service_name": "Pirate"}
    )
    assert response.status_code in (302, 403, 404)
    if person == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == EXPECTED[person]
    assert (_state(commune_a), _state(commune_b), TemplateVersion.objects.count()) == before


@pytest.mark.parametrize("person", ["agent_a", "admin_a"])
def test_allowed_people_can_write(person, request, commune_a, world):
    """Agents and admins unpublish, publish and adopt."""
    client = _client(person, request)
    assert client.post(_url("procedure-unpublish", commune_a, world)).status_code == 302
    assert Procedure.objects.get(pk=world["own"].pk).is_published is False
    assert client.post(_url("procedure-publish", commune_a, world)).status_code == 302
    assert Procedure.objects.get(pk=world["own"].pk).is_published is True
    response = client.post(_url("procedure-adopt", commune_a, world), {"modele": "signalement"})
    assert response.status_code == 302
    assert Procedure.objects.for_commune(commune_a).filter(slug="signalement").exists()
