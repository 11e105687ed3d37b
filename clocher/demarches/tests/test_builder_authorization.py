"""Who may open the form builder and the procedure settings: MANAGE_PROCEDURES (commune admin,
agent) only; anonymous goes to sign-in, another commune's member gets 404, elected officials and
technicians 403, and a refused POST changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.demarches.models import FormVersion
from clocher.demarches.tests.factories import make_procedure

pytestmark = pytest.mark.django_db

OK, LOGIN, FORBIDDEN, NOT_FOUND = 200, "login", 403, 404
EXPECTED = {
    "anonymous": LOGIN,
    "admin_b": NOT_FOUND,
    "elected_a": FORBIDDEN,
    "technician_a": FORBIDDEN,
    "agent_a": OK,
    "admin_a": OK,
}
# Page name → (extra URL kwargs, status of a GET when allowed, POST data).
PAGES = {
    "form-builder": ({}, 200, None),
    "form-field-add": ({}, 200, {"type": "text", "label": "Nouvelle question"}),
    "form-field-edit": ({"field_name": "details"}, 200, {"label": "Autre libellé"}),
    "form-field-move": ({"field_name": "details"}, None, {"direction": "up"}),
    "form-field-delete": ({"field_name": "phone"}, 200, {}),
    "form-field-condition": ({"field_name": "details"}, 200, {"action": "clear"}),
    "form-repeat": ({"field_name": "children"}, 200, None),
    "form-preview": ({}, 200, None),
    "form-json": ({}, 200, {"text": '{"fields": []}'}),
    "form-json-download": ({}, 200, None),
    "form-publish": ({}, 302, {}),
    "form-discard": ({}, 302, {}),
    "procedure-settings": ({}, 200, {"title": "Titre changé"}),
    "procedure-statuses": ({}, 200, {"statuts-TOTAL_FORMS": "0"}),
}
SCHEMA = {
    "fields": [
        {
            "type": "choice",
            "name": "topic",
            "label": "Sujet",
            "required": True,
            "choices": [{"value": "road", "label": "Voirie"}, {"value": "other", "label": "Autre"}],
        },
        {"type": "textarea", "name": "details", "label": "Précisions", "required": True},
        {"type": "text", "name": "full_name", "label": "Nom", "required": True, "personal": True},
        {"type": "phone", "name": "phone", "label": "Téléphone", "personal": True},
        {
            "type": "repeat",
            "name": "children",
            "label": "Enfants",
            "fields": [{"type": "text", "name": "first_name", "label": "Prénom"}],
        },
    ]
}


@pytest.fixture
def procedure(commune_a):
    return make_procedure(commune_a, schema=SCHEMA)


def _client(person, request):
    if person == "anonymous":
        return Client()
    return signed_in_client(request.getfixturevalue(person))


def _url(page, procedure, commune=None):
    kwargs = {
        "commune_slug": (commune or procedure.commune).slug,
        "online_procedure": procedure.pk,
        **PAGES[page][0],
    }
    query = "?type=text" if page == "form-field-add" else ""
    return reverse(f"staff:demarches:{page}", kwargs=kwargs) + query


def _state(procedure):
    procedure.refresh_from_db()
    return (
        list(FormVersion.objects.filter(procedure=procedure).values_list("number", "schema")),
        procedure.title,
        procedure.statuses,
        procedure.current_form_id,
    )


@pytest.mark.parametrize("person", sorted(EXPECTED))
@pytest.mark.parametrize("page", sorted(name for name, spec in PAGES.items() if spec[1]))
def test_page_answers_each_person_by_the_role_table(page, person, request, procedure):
    """Each GET page answers the status the role table gives that person."""
    response = _client(person, request).get(_url(page, procedure))
    expected = EXPECTED[person]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif expected == OK:
        assert response.status_code == PAGES[page][1]
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("person", ["anonymous", "admin_b", "elected_a", "technician_a"])
@pytest.mark.parametrize(
    "page", sorted(name for name, spec in PAGES.items() if spec[2] is not None)
)
def test_refused_post_changes_nothing(page, person, request, procedure):
    """A POST by someone without MANAGE_PROCEDURES in the commune is refused and writes nothing."""
    before = _state(procedure)
    response = _client(person, request).post(_url(page, procedure), PAGES[page][2])
    assert response.status_code in (302, 403, 404)
    if person != "anonymous":
        assert response.status_code == EXPECTED[person]
    assert _state(procedure) == before


@pytest.mark.parametrize("person", ["agent_a", "admin_a"])
def test_agent_with_the_capability_changes_the_draft(person, request, procedure):
    """An agent or the commune admin adds a field: a draft appears, the published form stays."""
    response = _client(person, request).post(
        _url("form-field-add", procedure), {"type": "text", "label": "Nouvelle question"}
    )
    assert response.status_code == 302
    draft = FormVersion.objects.get(procedure=procedure, published_at__isnull=True)
    assert [item["name"] for item in draft.schema["fields"]][-1] == "nouvelle_question"
    procedure.refresh_from_db()
    assert procedure.current_form.schema == SCHEMA


def test_other_communes_procedure_through_own_commune_is_not_found(admin_a, commune_a, commune_b):
    """A procedure of commune B reached through commune A's URL is a 404 and is not changed."""
    other = make_procedure(commune_b, schema=SCHEMA)
    client = signed_in_client(admin_a)
    before = _state(other)
    for page in PAGES:
        url = _url(page, other, commune=commune_a)
        assert client.get(url).status_code == 404, page
        assert client.post(url, PAGES[page][2] or {}).status_code == 404, page
    assert _state(other) == before
