"""The catalogue pages at work: list, adoption, overview with mentions, publication, update."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.demarches.catalogue import BUILT_IN
from clocher.demarches.models import Procedure
from clocher.demarches.services.catalogue import (
    catalogue_load,
    template_adopt,
    template_version_publish,
)
from clocher.tenancy.services import commune_update

pytestmark = pytest.mark.django_db


def _url(name, commune, procedure=None):
    kwargs = {"commune_slug": commune.slug}
    if procedure is not None:
        kwargs["online_procedure"] = procedure.pk
    return reverse(f"staff:demarches:{name}", kwargs=kwargs)


@pytest.fixture
def loaded(operator):
    catalogue_load(operator=operator)
    return operator


def test_list_shows_procedures_and_templates_to_adopt(
    loaded, commune_a, admin_a, django_assert_max_num_queries
):
    """Adopted procedures with their state, the other templates with an « Adopter » link."""
    for slug in ("contact", "signalement", "acte-etat-civil"):
        version = loaded.procedure_templates.get(slug=slug).latest_version()
        template_adopt(commune=commune_a, template_version=version, actor=admin_a)
    client = signed_in_client(admin_a)
    with django_assert_max_num_queries(16):
        response = client.get(_url("procedures", commune_a))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Hors ligne") == 3
    assert page.count(">Adopter<") == len(BUILT_IN) - 3
    assert "?modele=aide-sociale-ccas" in page
    assert "?modele=contact" not in page


def test_list_query_count_does_not_grow_with_procedures(
    loaded, commune_a, admin_a, django_assert_max_num_queries
):
    """Eight adopted procedures cost no more queries than three."""
    for template in loaded.procedure_templates.all():
        template_adopt(commune=commune_a, template_version=template.latest_version(), actor=admin_a)
    client = signed_in_client(admin_a)
    with django_assert_max_num_queries(16):
        response = client.get(_url("procedures", commune_a))
    assert response.content.decode().count("Hors ligne") == len(BUILT_IN)


def test_adoption_page_prefills_the_commune_and_lists_questions(loaded, commune_a, agent_a):
    """The form starts from the commune's details; the questions are listed with their flags."""
    commune_update(commune=commune_a, email="mairie@agey.test", phone="03 80 11 22 33")
    response = signed_in_client(agent_a).get(
        _url("procedure-adopt", commune_a) + "?modele=aide-sociale-ccas"
    )
    page = response.content.decode()
    assert 'value="mairie@agey.test"' in page
    assert "tribunal administratif de Dijon" in page
    assert "Expliquez votre situation" in page
    assert "Le silence vaut rejet" in page


def test_unknown_or_adopted_template_is_not_found(loaded, commune_a, admin_a):
    """A template that does not exist, or is already adopted, answers 404."""
    client = signed_in_client(admin_a)
    assert client.get(_url("procedure-adopt", commune_a) + "?modele=nope").status_code == 404
    client.post(_url("procedure-adopt", commune_a), {"modele": "contact"})
    assert client.get(_url("procedure-adopt", commune_a) + "?modele=contact").status_code == 404


def test_adoption_with_a_bad_email_keeps_what_was_typed(loaded, commune_a, admin_a):
    """A wrong e-mail is shown on its field; nothing is created, the other values stay."""
    response = signed_in_client(admin_a).post(
        _url("procedure-adopt", commune_a),
        {"modele": "contact", "service_name": "Accueil", "service_email": "pas-une-adresse"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true"' in page
    assert 'value="Accueil"' in page
    assert not Procedure.objects.for_commune(commune_a).exists()


def test_overview_names_the_missing_mentions_and_publication_is_refused(loaded, commune_a, admin_a):
    """Missing mentions are marked; publishing says which one is missing and stays offline."""
    client = signed_in_client(admin_a)
    client.post(
        _url("procedure-adopt", commune_a), {"modele": "contact", "service_name": "Accueil"}
    )
    procedure = Procedure.objects.for_commune(commune_a).get(slug="contact")
    page = client.get(_url("procedure", commune_a, procedure)).content.decode()
    assert page.count("À renseigner") == 4  # address, e-mail, phone, appeal routes
    assert "Il manque 4 mentions obligatoires" in page
    assert _url("form-builder", commune_a, procedure) in page
    assert _url("procedure-settings", commune_a, procedure) in page
    response = client.post(_url("procedure-publish", commune_a, procedure), follow=True)
    page = response.content.decode()
    assert "Mention obligatoire manquante : Adresse postale du service." in page
    assert Procedure.objects.get(pk=procedure.pk).is_published is False


def test_complete_procedure_is_published_from_its_page(loaded, commune_a, admin_a):
    """With the commune's details complete, one click puts the procedure online."""
    commune_update(
        commune=commune_a, address="1 place, 21000 Agey", email="m@agey.test", phone="0380000000"
    )
    version = loaded.procedure_templates.get(slug="signalement").latest_version()
    procedure = template_adopt(commune=commune_a, template_version=version, actor=admin_a)
    response = signed_in_client(admin_a).post(
        _url("procedure-publish", commune_a, procedure), follow=True
    )
    assert "La démarche est en ligne." in response.content.decode()
    assert Procedure.objects.get(pk=procedure.pk).is_published is True


def test_update_is_reviewed_then_accepted(loaded, commune_a, admin_a, operator_admin):
    """The update page lists what changes; accepting moves the procedure to the new version."""
    template = loaded.procedure_templates.get(slug="contact")
    procedure = template_adopt(
        commune=commune_a, template_version=template.latest_version(), actor=admin_a
    )
    v1 = template.latest_version()
    schema = {
        "fields": [*v1.schema["fields"], {"type": "text", "name": "ref", "label": "Référence"}]
    }
    content = {
        name: getattr(v1, name)
        for name in (
            "title",
            "description",
            "legal_basis",
            "acknowledgment_text",
            "silence_rule",
            "silence_delay_months",
            "processing_days",
            "retention_months",
            "statuses",
        )
    }
    v2 = template_version_publish(
        template=template,
        actor=operator_admin,
        content={**content, "schema": schema},
        changelog="Ajout d'une référence de dossier.",
    )
    client = signed_in_client(admin_a)
    overview = client.get(_url("procedure", commune_a, procedure)).content.decode()
    assert "Une nouvelle version du modèle est disponible (version 2)." in overview
    page = client.get(_url("procedure-update", commune_a, procedure)).content.decode()
    assert "Ajout d&#x27;une référence de dossier." in page
    assert "<li>Référence</li>" in page
    response = client.post(_url("procedure-update", commune_a, procedure), follow=True)
    assert "le formulaire en ligne est désormais la version 2" in response.content.decode()
    assert Procedure.objects.get(pk=procedure.pk).adopted_version == v2
    again = client.get(_url("procedure-update", commune_a, procedure), follow=True)
    assert "Cette démarche est à jour avec le catalogue." in again.content.decode()
