"""The members page: every role in the commune, in a bounded number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.factories import MembershipFactory, UserFactory
from clocher.tenancy.models import Role

pytestmark = pytest.mark.django_db


def _url(commune):
    return reverse("staff:backoffice:members", kwargs={"commune_slug": commune.slug})


def test_members_lists_each_role_of_the_commune_only(commune_a, admin_a, agent_a, admin_b):
    """The admin sees the commune's members with their roles, never another commune's."""
    response = signed_in_client(admin_a).get(_url(commune_a))
    content = response.content.decode()
    assert response.status_code == 200
    assert [m.user for m in response.context["memberships"]] == sorted(
        [admin_a, agent_a], key=lambda user: (user.last_name, user.first_name)
    )
    assert agent_a.email in content
    assert admin_b.email not in content
    assert "<caption" in content and '<th scope="col">' in content


def test_members_query_count_does_not_grow_with_members(
    commune_a, admin_a, django_assert_max_num_queries
):
    """Thirty members cost no more queries than two (no N+1)."""
    client = signed_in_client(admin_a)
    for index in range(30):
        MembershipFactory(
            commune=commune_a,
            role=Role.AGENT,
            granted_by=admin_a,
            user=UserFactory.create(last_name=f"Membre{index:02d}"),
        )
    with django_assert_max_num_queries(12):
        response = client.get(_url(commune_a))
    assert len(response.context["memberships"]) == 31


def test_pending_invitation_is_shown_with_a_resend_button(commune_a, admin_a):
    """A member who has not chosen a password yet is marked, with a button to resend the link."""
    invited = UserFactory.create(email="nouvelle@example.test")
    invited.set_unusable_password()
    invited.save()
    MembershipFactory(commune=commune_a, user=invited, role=Role.AGENT)
    content = signed_in_client(admin_a).get(_url(commune_a)).content.decode()
    assert "Invitation en attente" in content
    assert "Renvoyer l’invitation" in content
