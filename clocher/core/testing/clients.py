"""Signed-in test clients: a staff member past their second factor, in one call."""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from clocher.accounts.models import User
from clocher.core.testing.factories import confirmed_totp_device


def signed_in_client(user: User, *, verified: bool = True) -> Client:
    """A client with ``user`` signed in; with ``verified`` their TOTP step is done too."""
    client = Client()
    client.force_login(user)
    if verified:
        device = confirmed_totp_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
