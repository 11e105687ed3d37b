"""`clocher demo`: idempotent, every role present, and a second factor that really works."""

from __future__ import annotations

import base64
import io
import re

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from clocher.accounts.models import User
from clocher.demo import data
from clocher.tenancy.models import Commune, Membership, OperatorMembership, Role

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, "--force", stdout=out)
    return out.getvalue()


def _counts() -> tuple[int, ...]:
    return (
        Commune.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        OperatorMembership.objects.count(),
        TOTPDevice.objects.count(),
    )


def test_demo_twice_changes_nothing():
    """Loading the demo a second time creates no commune, account, role or device."""
    _run()
    first = _counts()
    _run()
    assert _counts() == first
    assert first[0] == len(data.COMMUNES)


def test_demo_has_staff_of_every_role():
    """Each commune role and each operator role is held by a demo account."""
    _run()
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert set(OperatorMembership.objects.values_list("role", flat=True)) == {
        "operator_admin",
        "operator_support",
    }


def test_printed_secret_gives_the_codes_the_server_accepts():
    """The base32 secret printed for an account produces the code its device verifies."""
    output = _run("--codes")
    account = "secretaire@vaux-la-cloche.demo"
    match = re.search(rf"{re.escape(account)}.*?\n\s+2FA secret: ([A-Z2-7]+)", output)
    assert match, output
    secret = match.group(1)
    code = TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8))).token()
    device = TOTPDevice.objects.get(user__email=account)
    assert device.verify_token(f"{code:06d}")
    assert data.DEMO_PASSWORD in output


def test_demo_refuses_a_server_database_without_force():
    """On PostgreSQL the demo (known passwords) needs --force; nothing is created without it."""
    from django.core.management.base import CommandError
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("runs in the PostgreSQL pass: the embedded SQLite database accepts the demo")
    with pytest.raises(CommandError, match="--force"):
        call_command("demo", stdout=io.StringIO())
    assert Commune.objects.count() == 0
