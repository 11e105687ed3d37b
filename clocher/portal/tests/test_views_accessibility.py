"""The accessibility statement (déclaration d'accessibilité, RGAA structure)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_statement_has_the_required_sections(client, operator):
    """Compliance status, contact and the Défenseur des droits as a means of redress."""
    operator.contact_email = "numerique@syndicat.test"
    operator.save()
    response = client.get(reverse("portal:accessibility"))
    content = response.content.decode()
    assert response.status_code == 200
    assert content.count("<h1") == 1
    for heading in (
        "État de conformité",
        "Contenus non accessibles",
        "Retour d’information et contact",
        "Voies de recours",
    ):
        assert f"<h2>{heading}</h2>" in content
    assert "non conforme" in content
    assert "non audité" in content
    assert "mailto:numerique@syndicat.test" in content
    assert "Défenseur des droits" in content


def test_every_page_footer_links_to_the_statement(client, commune_a):
    """The footer of every page links to the statement with the compliance status."""
    for url in ("/", "/communes/agey/"):
        content = client.get(url).content.decode()
        assert '<a href="/accessibilite/">Accessibilité : non conforme</a>' in content
