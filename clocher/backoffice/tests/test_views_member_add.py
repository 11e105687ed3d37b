"""Adding a member: a role for an existing account, or a new account invited by e-mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from clocher.accounts.models import User
from clocher.core.models import AuditEntry
from clocher.core.models.audit import AuditAction
from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.factories import UserFactory
from clocher.tenancy.models import Membership, Role

pytestmark = pytest.mark.django_db


def _url(commune):
    return reverse("staff:backoffice:member-add", kwargs={"commune_slug": commune.slug})


def test_grant_a_role_to_an_existing_account(commune_a, admin_a):
    """An existing account gets the role, journaled, with no e-mail and no new account."""
    person = UserFactory.create(email="camille@example.test")
    response = signed_in_client(admin_a).post(
        _url(commune_a), {"email": "Camille@Example.test", "role": Role.ELECTED}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(commune=commune_a, user=person, role=Role.ELECTED).exists()
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.ROLE_GRANTED, target=f"user:{person.pk}"
        ).count()
        == 1
    )
    assert mail.outbox == []


def test_invite_a_new_account(commune_a, admin_a, django_capture_on_commit_callbacks):
    """A new address creates an account without password and e-mails a set-password link."""
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in_client(admin_a).post(
            _url(commune_a),
            {
                "email": "dominique@example.test",
                "role": Role.AGENT,
                "first_name": "Dominique",
                "last_name": "Martin",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="dominique@example.test")
    assert user.get_full_name() == "Dominique Martin"
    assert not user.has_usable_password()
    assert Membership.objects.filter(commune=commune_a, user=user, role=Role.AGENT).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dominique@example.test"]
    assert "/activer-mon-compte/" in mail.outbox[0].body


def test_role_already_held_is_an_error_on_the_role_field(commune_a, admin_a, agent_a):
    """Granting a role the person already has: a message tied to the field, nothing written."""
    before = Membership.objects.count()
    response = signed_in_client(admin_a).post(
        _url(commune_a), {"email": agent_a.email, "role": Role.AGENT}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["role"] == [
        f"{agent_a} a déjà le rôle « Agent » dans la commune."
    ]
    assert Membership.objects.count() == before


def test_invalid_email_keeps_what_was_typed(commune_a, admin_a):
    """A malformed address: error on the e-mail field, the typed values stay in the form."""
    response = signed_in_client(admin_a).post(
        _url(commune_a), {"email": "pas-une-adresse", "role": Role.AGENT, "first_name": "Lou"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert 'value="pas-une-adresse"' in content
    assert 'value="Lou"' in content
    assert 'aria-invalid="true"' in content
    assert not User.objects.filter(email="pas-une-adresse").exists()


def test_denied_post_changes_nothing(commune_a, agent_a):
    """An agent posting the form gets 403 and no account or role is created."""
    before = (User.objects.count(), Membership.objects.count())
    response = signed_in_client(agent_a).post(
        _url(commune_a), {"email": "intrus@example.test", "role": Role.COMMUNE_ADMIN}
    )
    assert response.status_code == 403
    assert (User.objects.count(), Membership.objects.count()) == before
