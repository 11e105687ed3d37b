"""Who may open the operator console: operator staff past their second factor, nobody else."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.factories import confirmed_totp_device

pytestmark = pytest.mark.django_db

PAGES = ["console:home", "console:communes", "console:accounts", "console:commune-create"]
ALLOWED = {
    "operator_admin": {page: 200 for page in PAGES},
    "operator_support": {**{page: 200 for page in PAGES}, "console:commune-create": 403},
    "admin_a": {page: 403 for page in PAGES},
    "agent_a": {page: 403 for page in PAGES},
    "outsider": {page: 403 for page in PAGES},
}
CASES = [(person, page, status) for person, row in ALLOWED.items() for page, status in row.items()]


@pytest.mark.parametrize(("person", "page", "expected"), CASES)
def test_console_access(request, person, page, expected):
    """Operator staff open the console (creation for admins only); commune staff get 403."""
    client = signed_in_client(request.getfixturevalue(person))
    assert client.get(reverse(page)).status_code == expected


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_goes_to_sign_in(page):
    """Anonymous visitors are sent to the sign-in page, then back."""
    response = Client().get(reverse(page))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse(page)}"


@pytest.mark.parametrize("page", PAGES)
def test_second_factor_pending_goes_to_sign_in(operator_admin, page):
    """Operator staff with a password but no second factor yet are sent to sign in."""
    confirmed_totp_device(operator_admin)
    response = signed_in_client(operator_admin, verified=False).get(reverse(page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
