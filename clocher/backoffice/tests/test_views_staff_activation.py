"""A new staff member chooses their password from the invitation link, once."""

from __future__ import annotations

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clocher.accounts.models import User
from clocher.core.testing.factories import UserFactory
from clocher.tenancy.services import staff_activation_url

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "une cloche sonne au village"


@pytest.fixture
def invited(db):
    user = UserFactory.create(email="invitee@example.test")
    user.set_unusable_password()
    user.save()
    return user


def _path(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/activer-mon-compte/{uid}/{default_token_generator.make_token(user)}/"


def test_link_leads_to_the_form_without_the_token_in_the_address(invited, settings):
    """The token leaves the URL (redirect), then the form is shown for that account."""
    settings.SITE_URL = "https://clocher.test"
    assert staff_activation_url(invited).startswith("https://clocher.test/activer-mon-compte/")
    client = Client()
    response = client.get(_path(invited))
    assert response.status_code == 302
    assert response["Location"].endswith("/set-password/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "invitee@example.test" in page.content.decode()


def test_password_is_set_once(invited):
    """A valid password is saved; the same link then says it is no longer valid."""
    client = Client()
    form_url = client.get(_path(invited))["Location"]
    link = _path(invited)
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(pk=invited.pk).check_password(NEW_PASSWORD)
    again = Client().get(link, follow=True)
    assert "Ce lien n’est plus valable" in again.content.decode()


def test_weak_password_is_refused_on_the_field(invited):
    """A too-short password: an error on the field, the account still has no password."""
    client = Client()
    form_url = client.get(_path(invited))["Location"]
    response = client.post(form_url, {"new_password1": "court", "new_password2": "court"})
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    assert not User.objects.get(pk=invited.pk).has_usable_password()


def test_forged_link_is_refused(invited):
    """A wrong token shows the invalid-link message and sets nothing."""
    uid = urlsafe_base64_encode(force_bytes(invited.pk))
    response = Client().get(f"/activer-mon-compte/{uid}/mauvais-jeton/")
    assert response.status_code == 200
    assert "Ce lien n’est plus valable" in response.content.decode()
