"""Who may open each back-office page: the role table, enforced page by page.

Anonymous and half-signed-in people go to the sign-in page; staff of another commune (or of
none) get 404, as if the commune had no back-office; a role without the capability gets 403.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.factories import confirmed_totp_device

pytestmark = pytest.mark.django_db

OK, LOGIN, FORBIDDEN, NOT_FOUND = 200, "login", 403, 404

# page → expected answer for each person
MATRIX = {
    "home": {
        "anonymous": LOGIN,
        "outsider": NOT_FOUND,
        "admin_b": NOT_FOUND,
        "agent_a": OK,
        "technician_a": OK,
        "elected_a": OK,
        "admin_a": OK,
        "operator_support": OK,
        "operator_admin": OK,
    },
    "members": {
        "anonymous": LOGIN,
        "outsider": NOT_FOUND,
        "admin_b": NOT_FOUND,
        "agent_a": FORBIDDEN,
        "technician_a": FORBIDDEN,
        "elected_a": FORBIDDEN,
        "admin_a": OK,
        "operator_support": FORBIDDEN,
        "operator_admin": OK,
    },
    "member-add": {
        "anonymous": LOGIN,
        "outsider": NOT_FOUND,
        "admin_b": NOT_FOUND,
        "agent_a": FORBIDDEN,
        "technician_a": FORBIDDEN,
        "elected_a": FORBIDDEN,
        "admin_a": OK,
        "operator_support": FORBIDDEN,
        "operator_admin": OK,
    },
    "member-revoke": {
        "anonymous": LOGIN,
        "outsider": NOT_FOUND,
        "admin_b": NOT_FOUND,
        "agent_a": FORBIDDEN,
        "technician_a": FORBIDDEN,
        "elected_a": FORBIDDEN,
        "admin_a": OK,
        "operator_support": FORBIDDEN,
        "operator_admin": OK,
    },
    "settings": {
        "anonymous": LOGIN,
        "outsider": NOT_FOUND,
        "admin_b": NOT_FOUND,
        "agent_a": FORBIDDEN,
        "technician_a": FORBIDDEN,
        "elected_a": FORBIDDEN,
        "admin_a": OK,
        "operator_support": FORBIDDEN,
        "operator_admin": OK,
    },
    "settings-logo": {
        "anonymous": LOGIN,
        "outsider": NOT_FOUND,
        "admin_b": NOT_FOUND,
        "agent_a": FORBIDDEN,
        "technician_a": FORBIDDEN,
        "elected_a": FORBIDDEN,
        "admin_a": OK,
        "operator_support": FORBIDDEN,
        "operator_admin": OK,
    },
    "access-journal": {
        "anonymous": LOGIN,
        "outsider": NOT_FOUND,
        "admin_b": NOT_FOUND,
        "agent_a": FORBIDDEN,
        "technician_a": FORBIDDEN,
        "elected_a": FORBIDDEN,
        "admin_a": OK,
        "operator_support": FORBIDDEN,
        "operator_admin": FORBIDDEN,
    },
}
CASES = [
    (page, person, expected) for page, row in MATRIX.items() for person, expected in row.items()
]


def _url(page, commune, technician):
    kwargs = {"commune_slug": commune.slug}
    if page == "member-revoke":
        membership = technician.memberships.get(commune=commune)
        kwargs["membership"] = membership.pk
    return reverse(f"staff:backoffice:{page}", kwargs=kwargs)


@pytest.mark.parametrize(("page", "person", "expected"), CASES)
def test_page_access(request, commune_a, technician_a, admin_a, page, person, expected):
    """Each person gets exactly the answer the role table gives for each page."""
    if person == "anonymous":
        client = Client()
    else:
        client = signed_in_client(request.getfixturevalue(person))
    url = _url(page, commune_a, technician_a)
    response = client.get(url)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("page", sorted(MATRIX))
def test_second_factor_pending_goes_to_sign_in(commune_a, technician_a, admin_a, page):
    """A commune admin signed in with a password but not yet their second factor is sent back."""
    confirmed_totp_device(admin_a)
    client = signed_in_client(admin_a, verified=False)
    response = client.get(_url(page, commune_a, technician_a))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
