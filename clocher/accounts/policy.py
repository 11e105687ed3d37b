"""Who must use a second factor, and when a staff session counts as fully signed in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def requires_second_factor(user: Any) -> bool:
    """Commune admins, signers (elected officials) and operator staff must use TOTP."""
    from clocher.tenancy.models import ROLES_REQUIRING_SECOND_FACTOR

    if not user.is_authenticated:
        return False
    if user.is_operator_staff or user.is_superuser:
        return True
    return user.memberships.filter(role__in=ROLES_REQUIRING_SECOND_FACTOR).exists()


def has_confirmed_device(user: Any) -> bool:
    from django_otp import devices_for_user

    return any(True for _ in devices_for_user(user, confirmed=True))


def is_fully_authenticated(request: HttpRequest) -> bool:
    """Signed in, and past the second factor whenever the person has one or must have one."""
    user = request.user
    if not user.is_authenticated:
        return False
    if user.is_verified():  # type: ignore[union-attr,attr-defined]
        return True
    return not requires_second_factor(user) and not has_confirmed_device(user)
