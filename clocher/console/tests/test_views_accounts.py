"""The console's list of staff accounts: roles per commune and second factor."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.factories import CommuneFactory, MembershipFactory, OperatorFactory

pytestmark = pytest.mark.django_db


def test_accounts_show_roles_and_second_factor(operator_admin, admin_a, agent_a):
    """Each account with its roles per commune and whether a second factor is enrolled."""
    client = signed_in_client(operator_admin)  # enrols operator_admin's TOTP device
    response = client.get(reverse("console:accounts"))
    content = response.content.decode()
    accounts = {account.email: account for account in response.context["page"].object_list}
    assert set(accounts) == {operator_admin.email, admin_a.email, agent_a.email}
    assert accounts[operator_admin.email].has_second_factor is True
    assert accounts[agent_a.email].has_second_factor is False
    assert "Administrateur de la commune — Agey" in content
    assert "Administrateur de l&#x27;opérateur — Syndicat numérique de test" in content


def test_accounts_of_another_operator_are_hidden(operator_admin, admin_a):
    """Staff who only work for another operator's communes are not listed."""
    other = OperatorFactory(slug="autre", name="Autre")
    stranger = MembershipFactory(commune=CommuneFactory(operator=other, insee_code="71003")).user
    response = signed_in_client(operator_admin).get(reverse("console:accounts"))
    assert stranger not in list(response.context["page"].object_list)


def test_search_filters_by_name_or_email(operator_admin, admin_a, agent_a):
    """The search keeps only matching accounts."""
    response = signed_in_client(operator_admin).get(
        reverse("console:accounts"), {"q": agent_a.email}
    )
    assert list(response.context["page"].object_list) == [agent_a]


def test_accounts_query_count_is_bounded(operator_admin, commune_a, django_assert_max_num_queries):
    """Thirty accounts cost no more queries than three."""
    client = signed_in_client(operator_admin)
    for _ in range(30):
        MembershipFactory(commune=commune_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("console:accounts"))
    assert len(response.context["page"].object_list) == 31
