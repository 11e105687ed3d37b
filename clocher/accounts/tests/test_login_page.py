"""The staff login page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.accounts.tests.helpers import password_step
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def test_page_has_labelled_fields(client, settings):
    """The form has labelled e-mail and password fields and no provider button by default."""
    settings.OIDC_PROVIDERS = {}

    response = client.get(LOGIN)

    assert response.status_code == 200
    assert '<label for="id_username">Adresse e-mail' in response.text
    assert '<label for="id_password">Mot de passe' in response.text
    assert 'autocomplete="current-password"' in response.text
    assert "Se connecter avec" not in response.text


def test_next_is_kept_through_the_form(client, agent_a):
    """A safe ``next`` goes through the form to the page after sign-in."""
    page = client.get(LOGIN, {"next": "/mairie/agey/"})
    assert 'name="next" value="/mairie/agey/"' in page.text

    response = password_step(client, agent_a, next="/mairie/agey/")

    assert response["Location"] == "/compte/apres-connexion/?next=%2Fmairie%2Fagey%2F"


def test_foreign_next_is_dropped(client, agent_a):
    """A ``next`` to another site is not carried along."""
    response = password_step(client, agent_a, next="https://evil.example/")

    assert response["Location"] == reverse("accounts:after-login")


def test_signed_in_person_skips_the_form(agent_a):
    """Someone already signed in goes straight on."""
    response = signed_in_client(agent_a).get(LOGIN)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:after-login")
