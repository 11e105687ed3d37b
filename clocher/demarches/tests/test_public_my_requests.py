"""A signed-in citizen's own requests, and nobody else's."""

import pytest
from django.urls import reverse

from clocher.accounts.citizen import session_key
from clocher.accounts.models import CitizenAccount
from clocher.demarches.tests.factories import make_procedure, submit


def _sign_in(client, commune, email):
    account = CitizenAccount(commune=commune, email_index=f"index-{email}")
    account.email = email
    account.save()
    session = client.session
    session[session_key(commune)] = account.pk
    session.save()
    return account


def _url(commune):
    return reverse("public:demarches:my-requests", kwargs={"commune_slug": commune.slug})


@pytest.mark.django_db
def test_signed_out_visitors_are_told_how_to_sign_in(client, commune_a):
    """Without an account session, the page explains and links to the commune's sign-in."""
    response = client.get(_url(commune_a))
    assert response.status_code == 200
    content = response.content.decode()
    assert reverse("public:citizen:login", kwargs={"commune_slug": "agey"}) in content
    assert "Aucun compte n" in content


@pytest.mark.django_db
def test_only_own_requests_are_listed_without_secrets(
    client, commune_a, commune_b, django_assert_max_num_queries
):
    """Requests with the account's e-mail are listed; others' and other communes' are not."""
    procedure = make_procedure(commune_a)
    mine = [submit(procedure, email="lou@example.test") for _ in range(3)]
    theirs = submit(procedure, email="sam@example.test")
    elsewhere = submit(make_procedure(commune_b), email="lou@example.test")
    _sign_in(client, commune_a, "lou@example.test")
    with django_assert_max_num_queries(12):
        response = client.get(_url(commune_a))
    content = response.content.decode()
    for submitted in mine:
        assert submitted.request.number in content
        assert submitted.token not in content
    assert content.count('<th scope="row">') == 3
    assert theirs.request.number not in content
    assert "/suivi/" not in content
    assert elsewhere.token not in content
    assert "3 demandes" in content
