"""Who may open each document and register, and what the responses carry.

Registers and listings need VIEW_CEMETERY; the deed and the renewal letter (holders' data) and
the template copies need MANAGE_CEMETERY; authorisations MANAGE_CEMETERY or
AUTHORISE_FUNERAL_OPERATION. Anonymous people go to the sign-in page, staff of another commune
(or none) get 404, a role without the capability gets 403 and a refused POST changes nothing.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from clocher.cimetiere.models import (
    DocumentKind,
    DocumentTemplate,
    Holder,
    Operation,
    OperationKind,
)
from clocher.cimetiere.tests.factories import BurialFactory, ConcessionFactory, PlotFactory
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
AUTHORISE = dict(MANAGE, elected_a=OK)
PAGES = {
    "documents": ([], "", READ),
    "document-template-edit": ([], "?kind=concession_deed", MANAGE),
    "document-template-example": ([], "?kind=renewal_letter", READ),
    "document-concession-deed": (["concession"], "", MANAGE),
    "document-renewal-letter": (["concession"], "", MANAGE),
    "document-burial-authorisation": (["burial"], "", AUTHORISE),
    "document-exhumation-authorisation": (["exhumation"], "", AUTHORISE),
    "document-ossuary-register": ([], "", READ),
    "document-ash-register": ([], "", READ),
    "ossuary-register": ([], "", READ),
    "ash-register": ([], "", READ),
    "document-section-listing": (["section"], "", READ),
}
PARAMETER_NAMES = {"burial": "operation", "exhumation": "operation"}


@pytest.fixture
def objects(commune_a):
    concession = ConcessionFactory.create(
        plot=PlotFactory.create(section__cemetery__commune=commune_a),
        number="2010-007",
        act_date=datetime.date(2010, 5, 1),
    )
    Holder.objects.create(commune=commune_a, concession=concession, full_name="Hélène Vernier")
    burial = BurialFactory.create(plot=concession.plot, concession=concession)
    make = Operation.objects.create
    return {
        "concession": concession,
        "section": concession.plot.section,
        "burial": make(
            commune=commune_a, kind=OperationKind.BURIAL, plot=concession.plot, burial=burial
        ),
        "exhumation": make(
            commune=commune_a, kind=OperationKind.EXHUMATION, plot=concession.plot, burial=burial
        ),
    }


def _client(person, request):
    if person == "anonymous":
        return Client()
    return signed_in_client(request.getfixturevalue(person))


def _url(name, parameters, query, commune, objects):
    kwargs = {"commune_slug": commune.slug}
    kwargs.update({PARAMETER_NAMES.get(p, p): objects[p].pk for p in parameters})
    return reverse(f"staff:cimetiere:{name}", kwargs=kwargs) + query


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_document_page_answers_each_person_by_the_role_table(
    page, person, request, commune_a, objects
):
    """Each document answers the status the role table gives that person."""
    parameters, query, expected = PAGES[page]
    response = _client(person, request).get(_url(page, parameters, query, commune_a, objects))
    if expected[person] == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected[person]


def test_pdf_is_served_inline_with_a_filename(agent_a, commune_a, objects):
    """A PDF answers as an inline attachment with a meaningful file name."""
    response = signed_in_client(agent_a).get(
        _url("document-concession-deed", ["concession"], "", commune_a, objects)
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="titre-concession-2010-007.pdf"'
    assert response.content.startswith(b"%PDF")


def test_authorisation_of_the_wrong_kind_is_not_found(agent_a, commune_a, objects):
    """A burial operation has no exhumation authorisation (404)."""
    url = reverse(
        "staff:cimetiere:document-exhumation-authorisation",
        kwargs={"commune_slug": commune_a.slug, "operation": objects["burial"].pk},
    )
    assert signed_in_client(agent_a).get(url).status_code == 404


def test_unknown_template_kind_is_not_found(agent_a, commune_a):
    """A template page for a kind that does not exist answers 404."""
    url = reverse("staff:cimetiere:document-template-edit", kwargs={"commune_slug": "agey"})
    assert signed_in_client(agent_a).get(url + "?kind=nope").status_code == 404


def _edit(client, commune, data):
    url = reverse("staff:cimetiere:document-template-edit", kwargs={"commune_slug": commune.slug})
    return client.post(url, data)


def test_agent_saves_the_commune_copy(agent_a, commune_a):
    """Saving stores the commune's copy and goes back to the documents page."""
    response = _edit(
        signed_in_client(agent_a),
        commune_a,
        {
            "kind": "ash_register",
            "title": "Registre",
            "body": "Texte {{ commune.name }}",
            "action": "save",
        },
    )
    assert response.status_code == 302
    row = DocumentTemplate.objects.get(commune=commune_a)
    assert (row.kind, row.body, row.updated_by_id) == (
        "ash_register",
        "Texte {{ commune.name }}",
        agent_a.pk,
    )


def test_preview_renders_without_saving(agent_a, commune_a):
    """The preview shows the text rendered on example values and stores nothing."""
    response = _edit(
        signed_in_client(agent_a),
        commune_a,
        {
            "kind": "concession_deed",
            "title": "Titre",
            "body": "Pour {{ concession.holders_text }}",
            "action": "preview",
        },
    )
    assert response.status_code == 200
    assert "Pour Hélène Exemple" in response.content.decode()
    assert DocumentTemplate.objects.count() == 0


def test_broken_template_shows_the_error_and_keeps_the_text(agent_a, commune_a):
    """A syntax error is a French message on the field; what was typed is kept."""
    response = _edit(
        signed_in_client(agent_a),
        commune_a,
        {"kind": "concession_deed", "title": "Titre", "body": "Début {% if %}", "action": "save"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Le modèle contient une erreur" in page
    assert "Début {% if %}" in page
    assert DocumentTemplate.objects.count() == 0


@pytest.mark.parametrize("person", ["technician_a", "elected_a", "operator_support"])
def test_refused_template_writes_change_nothing(person, request, commune_a, admin_a):
    """Saving or resetting without MANAGE_CEMETERY is refused with 403 and changes nothing."""
    from clocher.cimetiere.services.documents import commune_template_save

    commune_template_save(
        commune=commune_a, actor=admin_a, kind=DocumentKind.ASH_REGISTER, title="T", body="Local"
    )
    client = _client(person, request)
    saved = _edit(
        client, commune_a, {"kind": "ash_register", "title": "X", "body": "Y", "action": "save"}
    )
    reset = client.post(
        reverse("staff:cimetiere:document-template-reset", kwargs={"commune_slug": commune_a.slug}),
        {"kind": "ash_register"},
    )
    assert (saved.status_code, reset.status_code) == (403, 403)
    assert list(DocumentTemplate.objects.values_list("body", flat=True)) == ["Local"]


def test_reset_drops_the_commune_copy(agent_a, commune_a, admin_a):
    """Reset removes the commune's copy: the shared version applies again."""
    from clocher.cimetiere.services.documents import commune_template_save

    commune_template_save(
        commune=commune_a, actor=admin_a, kind=DocumentKind.ASH_REGISTER, title="T", body="Local"
    )
    response = signed_in_client(agent_a).post(
        reverse("staff:cimetiere:document-template-reset", kwargs={"commune_slug": commune_a.slug}),
        {"kind": "ash_register"},
    )
    assert response.status_code == 302
    assert DocumentTemplate.objects.count() == 0


def test_documents_page_query_count_is_bounded(agent_a, commune_a, django_assert_max_num_queries):
    """The documents page reads a fixed number of rows whatever the number of sections."""
    for _index in range(12):
        PlotFactory.create(section__cemetery__commune=commune_a)
    client = signed_in_client(agent_a)
    url = reverse("staff:cimetiere:documents", kwargs={"commune_slug": commune_a.slug})
    client.get(url)
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.content.decode().count("(PDF)") == 12


def test_documents_page_offers_editing_only_to_managers(agent_a, technician_a, commune_a):
    """The "Adapter" links appear for an agent, not for a technician who may only read."""
    url = reverse("staff:cimetiere:documents", kwargs={"commune_slug": commune_a.slug})
    agent_page = signed_in_client(agent_a).get(url).content.decode()
    technician_page = signed_in_client(technician_a).get(url).content.decode()
    assert agent_page.count(">Adapter<") == len(DocumentKind.values)
    assert technician_page.count(">Adapter<") == 0
    assert technician_page.count("Exemple en PDF") == len(DocumentKind.values)


def test_section_listing_query_count_is_bounded(agent_a, commune_a, django_assert_max_num_queries):
    """The listing of a section reads a fixed number of queries whatever its size."""
    section = PlotFactory.create(section__cemetery__commune=commune_a).section
    for number in range(20):
        plot = PlotFactory.create(section=section, number=f"P{number}")
        concession = ConcessionFactory.create(plot=plot)
        BurialFactory.create(plot=plot, concession=concession)
    client = signed_in_client(agent_a)
    url = reverse(
        "staff:cimetiere:document-section-listing",
        kwargs={"commune_slug": commune_a.slug, "section": section.pk},
    )
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
