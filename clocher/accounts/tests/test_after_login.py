"""Where staff land after signing in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.factories import MembershipFactory, confirmed_totp_device
from clocher.tenancy.models import Role

pytestmark = pytest.mark.django_db

AFTER_LOGIN = reverse("accounts:after-login")


def test_safe_next_is_honoured(agent_a):
    """A local ``next`` wins over every other destination."""
    response = signed_in_client(agent_a).get(AFTER_LOGIN, {"next": "/mairie/agey/parametres/"})

    assert response.status_code == 302
    assert response["Location"] == "/mairie/agey/parametres/"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_foreign_next_is_ignored(agent_a, target):
    """A ``next`` pointing elsewhere is ignored: the person goes to their commune."""
    response = signed_in_client(agent_a).get(AFTER_LOGIN, {"next": target})

    assert response["Location"] == "/mairie/agey/"


def test_operator_staff_go_to_the_console(operator_admin, commune_a):
    """Operator staff land on the operator console."""
    response = signed_in_client(operator_admin).get(AFTER_LOGIN)

    assert response["Location"] == "/console/"


def test_member_of_one_commune_goes_to_its_back_office(elected_a):
    """A member of exactly one commune lands on its back-office."""
    response = signed_in_client(elected_a).get(AFTER_LOGIN)

    assert response["Location"] == "/mairie/agey/"


def test_member_of_several_communes_chooses(agent_a, commune_b):
    """A member of several communes gets a page listing them."""
    MembershipFactory(commune=commune_b, user=agent_a, role=Role.TECHNICIAN)

    response = signed_in_client(agent_a).get(AFTER_LOGIN)

    assert response.status_code == 200
    assert "Choisir une commune" in response.text
    assert 'href="/mairie/agey/">Agey</a>' in response.text
    assert 'href="/mairie/beire/">Beire</a>' in response.text


def test_member_of_no_commune_is_told_so(outsider):
    """Someone without any role gets an explanation instead of an empty page."""
    response = signed_in_client(outsider).get(AFTER_LOGIN)

    assert response.status_code == 200
    assert "aucune commune" in response.text


def test_unverified_session_must_pass_the_second_factor(admin_a):
    """A session without the second factor a person needs is sent back to sign in."""
    client = signed_in_client(admin_a, verified=False)
    confirmed_totp_device(admin_a)

    response = client.get(AFTER_LOGIN)
    assert response["Location"].startswith(reverse("accounts:login"))
    response = client.get(response["Location"])
    assert response["Location"] == reverse("accounts:verify")


def test_anonymous_is_sent_to_login(client, db):
    """Nobody signed in: the login page, with the way back."""
    response = client.get(AFTER_LOGIN)

    assert response["Location"] == f"{reverse('accounts:login')}?next={AFTER_LOGIN}"
