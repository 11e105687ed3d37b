"""The operator publishes the shared version of a document from the console."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clocher.cimetiere.documents.templates import TemplateSource, template_for
from clocher.cimetiere.models import DocumentKind, DocumentTemplate
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db

EDIT = reverse("console:cemetery-template-edit") + "?kind=ossuary_register"
LIST = reverse("console:cemetery-templates")


def _publish(client, body="Registre de {{ commune.name }}", action="save"):
    return client.post(
        reverse("console:cemetery-template-edit"),
        {"kind": "ossuary_register", "title": "Registre", "body": body, "action": action},
    )


def test_operator_admin_publishes_for_every_commune(operator_admin, commune_a, commune_b):
    """A published version applies to every commune of the operator without a copy."""
    client = signed_in_client(operator_admin)
    assert client.get(EDIT).status_code == 200
    response = _publish(client)
    assert response.status_code == 302
    for commune in (commune_a, commune_b):
        template = template_for(commune, DocumentKind.OSSUARY_REGISTER)
        assert (template.source, template.body) == (
            TemplateSource.OPERATOR,
            "Registre de {{ commune.name }}",
        )
    assert "publiée le" in client.get(LIST).content.decode()


def test_preview_shows_example_values_and_saves_nothing(operator_admin, commune_a):
    """The preview renders on example values; nothing is published."""
    response = _publish(signed_in_client(operator_admin), action="preview")
    assert "Registre de Commune-Exemple" in response.content.decode()
    assert DocumentTemplate.objects.count() == 0


def test_broken_shared_template_is_refused_with_its_text_kept(operator_admin, commune_a):
    """A syntax error is shown on the field, the text is kept and nothing is published."""
    response = _publish(signed_in_client(operator_admin), body="{% for %}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Le modèle contient une erreur" in page
    assert "{% for %}" in page
    assert DocumentTemplate.objects.count() == 0


@pytest.mark.parametrize(
    ("person", "list_status", "edit_status"),
    [
        ("operator_support", 200, 403),
        ("admin_a", 403, 403),
        ("outsider", 403, 403),
    ],
)
def test_who_may_read_and_publish(person, list_status, edit_status, request, commune_a):
    """Support staff read the list; only operator admins publish; commune staff get 403."""
    client = signed_in_client(request.getfixturevalue(person))
    assert client.get(LIST).status_code == list_status
    assert client.get(EDIT).status_code == edit_status
    assert _publish(client).status_code == edit_status
    assert DocumentTemplate.objects.count() == 0


def test_anonymous_goes_to_sign_in(db):
    """Anonymous visitors are sent to the sign-in page and publish nothing."""
    response = _publish(Client())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert DocumentTemplate.objects.count() == 0
