"""Sending the invitation link again to a member who has not chosen a password yet."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.factories import MembershipFactory, UserFactory
from clocher.tenancy.models import Membership, Role

pytestmark = pytest.mark.django_db


def _url(commune, membership):
    return reverse(
        "staff:backoffice:member-resend-invitation",
        kwargs={"commune_slug": commune.slug, "membership": membership.pk},
    )


def test_resend_to_pending_member(commune_a, admin_a, django_capture_on_commit_callbacks):
    """A member without password gets a new link by e-mail."""
    invited = UserFactory.create(email="attente@example.test")
    invited.set_unusable_password()
    invited.save()
    membership = MembershipFactory(commune=commune_a, user=invited, role=Role.AGENT)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in_client(admin_a).post(_url(commune_a, membership))
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["attente@example.test"]]


def test_no_mail_to_a_member_with_a_password(
    commune_a, admin_a, agent_a, django_capture_on_commit_callbacks
):
    """A member who already chose a password receives nothing."""
    membership = Membership.objects.get(user=agent_a, commune=commune_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in_client(admin_a).post(_url(commune_a, membership), follow=True)
    assert "aucun lien n’a été envoyé" in response.content.decode()
    assert mail.outbox == []


def test_denied_for_an_agent(commune_a, agent_a, technician_a, django_capture_on_commit_callbacks):
    """An agent cannot send invitations: 403 and no mail."""
    membership = Membership.objects.get(user=technician_a, commune=commune_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in_client(agent_a).post(_url(commune_a, membership))
    assert response.status_code == 403
    assert mail.outbox == []
