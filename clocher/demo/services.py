"""Loading the demo intercommunality (idempotent: running it twice changes nothing)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils.module_loading import import_string
from django_otp.plugins.otp_totp.models import TOTPDevice

from clocher.accounts.models import User
from clocher.core.modules import registered_modules
from clocher.demo import data
from clocher.tenancy import services as tenancy_services
from clocher.tenancy.models import Commune, Operator


@dataclass(frozen=True)
class LoadedAccount:
    account: data.DemoAccount
    totp_secret: str  # base32, for an authenticator app; "" when the account has no second factor


def demo_totp_key(email: str) -> str:
    """A fixed TOTP key per demo account (hex, as django-otp stores it), so that a secret added
    to an authenticator app keeps working after the demo is loaded again."""
    return hashlib.sha1(f"clocher-demo-totp:{email}".encode()).hexdigest()  # noqa: S324


def base32_secret(hex_key: str) -> str:
    return base64.b32encode(bytes.fromhex(hex_key)).decode().rstrip("=")


@transaction.atomic
def demo_load() -> list[LoadedAccount]:
    operator, _ = Operator.objects.get_or_create(
        slug=data.OPERATOR["slug"],
        defaults={"name": data.OPERATOR["name"], "contact_email": data.OPERATOR["contact_email"]},
    )
    communes: dict[str, Commune] = {}
    for spec in data.COMMUNES:
        commune = Commune.objects.filter(slug=spec["slug"]).first()
        if commune is None:
            commune = tenancy_services.commune_create(operator=operator, **spec)
        communes[commune.slug] = commune

    loaded = []
    for account in data.ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = User.objects.create_user(
                account.email,
                data.DEMO_PASSWORD,
                first_name=account.first_name,
                last_name=account.last_name,
            )
        if account.operator_role:
            tenancy_services.operator_membership_grant(
                operator=operator, user=user, role=account.operator_role
            )
        for role in account.roles:
            tenancy_services.membership_grant(
                commune=communes[account.commune_slug], user=user, role=role
            )
        secret = ""
        if account.second_factor:
            key = demo_totp_key(account.email)
            TOTPDevice.objects.update_or_create(
                user=user,
                name="Démonstration",
                defaults={"key": key, "confirmed": True},
            )
            secret = base32_secret(key)
        loaded.append(LoadedAccount(account=account, totp_secret=secret))

    staff = {account.email: User.objects.get(email=account.email) for account in data.ACCOUNTS}
    for module in registered_modules():
        if module.demo_data:
            loader = import_string(module.demo_data)
            for commune in communes.values():
                loader(commune=commune, staff=staff)
    return loaded
