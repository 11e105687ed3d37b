"""Steps that several accounts tests share: codes, the password form, the provider round trip."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import requests
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from clocher.core.testing.factories import TEST_PASSWORD


def totp_code(device: Any) -> str:
    """The code the person's authenticator app shows right now."""
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{value:0{device.digits}d}"


def follow_provider(client: Client, start_response: Any) -> Any:
    """Go through the fake provider's authorization page and back to Clocher's callback."""
    assert start_response.status_code == 302, start_response.status_code
    answer = requests.get(start_response["Location"], allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    callback = urlsplit(answer.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def password_step(client: Client, user: Any, password: str = TEST_PASSWORD, **extra: Any) -> Any:
    return client.post(
        reverse("accounts:login"), {"username": user.email, "password": password, **extra}
    )


MAGIC_LINK = re.compile(r"https?://[^/\s]+(/communes/[a-z0-9-]+/compte/lien/\?jeton=\S+)")


def ask_magic_link(client: Client, commune: Any, email: str) -> Any:
    return client.post(
        reverse("public:citizen:login", kwargs={"commune_slug": commune.slug}), {"email": email}
    )


def link_in(message: Any) -> str:
    """The path (with its token) of the magic link in a sent e-mail."""
    found = MAGIC_LINK.search(message.body)
    assert found is not None, message.body
    return found.group(1)
