"""The operator console's catalogue pages: operator staff only; admins load and publish."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.demarches.catalogue import BUILT_IN, built_in
from clocher.demarches.models import ProcedureTemplate, TemplateVersion
from clocher.demarches.services.catalogue import (
    catalogue_load,
    template_adopt,
    template_update_available,
)

pytestmark = pytest.mark.django_db

LIST = reverse("console:demarches-templates")
LOAD = reverse("console:demarches-templates-load")
EDIT = reverse("console:demarches-template", kwargs={"template_slug": "contact"})


def _post_version(client, **changes):
    content = built_in("contact").content()
    data = {
        **{name: content[name] for name in ("title", "description", "legal_basis")},
        "acknowledgment_text": content["acknowledgment_text"],
        "silence_rule": content["silence_rule"],
        "silence_delay_months": content["silence_delay_months"],
        "processing_days": 8,
        "retention_months": content["retention_months"],
        "statuses": "[]",
        "schema": json.dumps(content["schema"]),
        "changelog": "Délai de traitement ramené à 8 jours.",
    }
    data.update(changes)
    return client.post(EDIT, data)


@pytest.mark.parametrize(
    ("person", "read", "write"),
    [
        ("operator_admin", 200, 302),
        ("operator_support", 200, 403),
        ("admin_a", 403, 403),
        ("agent_a", 403, 403),
        ("outsider", 403, 403),
    ],
)
def test_who_may_read_load_and_publish(person, read, write, request, operator):
    """Operator staff read; only operator admins load and publish; commune staff get 403."""
    catalogue_load(operator=operator)
    client = signed_in_client(request.getfixturevalue(person))
    before = TemplateVersion.objects.count()
    assert client.get(LIST).status_code == read
    assert client.get(EDIT).status_code == read
    assert client.post(LOAD).status_code == write
    assert _post_version(client).status_code == write
    assert TemplateVersion.objects.count() == before + (1 if write == 302 else 0)


def test_anonymous_goes_to_sign_in(operator):
    """Anonymous visitors are sent to the sign-in page and change nothing."""
    for response in (Client().get(LIST), Client().post(LOAD), _post_version(Client())):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert not ProcedureTemplate.objects.exists()


def test_load_button_loads_then_reports_up_to_date(operator, operator_admin):
    """The first load publishes one version per built-in template; the second says it is up to
    date."""
    client = signed_in_client(operator_admin)
    first = client.post(LOAD, follow=True).content.decode()
    second = client.post(LOAD, follow=True).content.decode()
    assert f"{len(BUILT_IN)} versions de modèles publiées." in first
    assert "Le catalogue est déjà à jour." in second
    assert "Écrire à la mairie" in second


def test_list_shows_versions_and_adoptions(operator, operator_admin, commune_a, admin_a):
    """Each template shows its versions and how many communes adopted it."""
    catalogue_load(operator=operator)
    version = operator.procedure_templates.get(slug="contact").latest_version()
    template_adopt(commune=commune_a, template_version=version, actor=admin_a)
    page = signed_in_client(operator_admin).get(LIST).content.decode()
    assert page.count("version 1, publiée le") == len(BUILT_IN)
    assert '<td class="number">1</td>' in page
    assert page.count('<td class="number">0</td>') == len(BUILT_IN) - 1


def test_invalid_json_is_refused_with_its_position(operator, operator_admin):
    """Broken JSON is shown on the field with line and column; nothing is published."""
    catalogue_load(operator=operator)
    response = _post_version(signed_in_client(operator_admin), schema='{"fields": [}')
    page = response.content.decode()
    assert response.status_code == 200
    assert "Le formulaire n&#x27;est pas du JSON valide (ligne 1, colonne 13" in page
    assert "{&quot;fields&quot;: [}" in page
    assert TemplateVersion.objects.count() == len(BUILT_IN)


def test_invalid_form_lists_each_problem(operator, operator_admin):
    """Each problem of the form is listed on its own."""
    catalogue_load(operator=operator)
    schema = {
        "fields": [
            {"type": "text", "name": "Nom", "label": "Nom"},
            {"type": "choice", "name": "kind", "label": "Type", "choices": []},
        ]
    }
    response = _post_version(signed_in_client(operator_admin), schema=json.dumps(schema))
    page = response.content.decode()
    assert "<li>Champ « Nom » : le nom doit commencer" in page
    assert "<li>Champ « kind » : il faut au moins un choix.</li>" in page
    assert TemplateVersion.objects.count() == len(BUILT_IN)


def test_publishing_without_change_is_refused(operator, operator_admin):
    """A version identical to the latest one is not published."""
    catalogue_load(operator=operator)
    content = built_in("contact").content()
    response = _post_version(
        signed_in_client(operator_admin), processing_days=content["processing_days"]
    )
    assert "Rien n&#x27;a changé depuis la version 1." in response.content.decode()
    assert TemplateVersion.objects.count() == len(BUILT_IN)


def test_published_version_reaches_adopting_communes_as_an_update(
    operator, operator_admin, commune_a, admin_a
):
    """After publication, the commune that adopted the template sees version 2 as an update."""
    catalogue_load(operator=operator)
    version = operator.procedure_templates.get(slug="contact").latest_version()
    procedure = template_adopt(commune=commune_a, template_version=version, actor=admin_a)
    response = _post_version(signed_in_client(operator_admin))
    assert response.status_code == 302
    update = template_update_available(procedure)
    assert update is not None
    assert (update.number, update.processing_days, update.changelog) == (
        2,
        8,
        "Délai de traitement ramené à 8 jours.",
    )
    assert procedure.processing_days == 15


def test_unknown_template_is_not_found(operator, operator_admin):
    """A slug that is not one of the operator's templates answers 404."""
    url = reverse("console:demarches-template", kwargs={"template_slug": "inconnu"})
    assert signed_in_client(operator_admin).get(url).status_code == 404
