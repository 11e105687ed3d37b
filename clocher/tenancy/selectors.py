"""Reads on tenants and roles."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clocher.tenancy.models import Commune, Membership


def communes_active() -> QuerySet[Commune]:
    return Commune.objects.filter(is_active=True).order_by("name")


def communes_of_user(user: Any) -> QuerySet[Commune]:
    """The communes where ``user`` holds a role, or all of their operator's for operator staff."""
    if not user.is_authenticated:
        return Commune.objects.none()
    if user.is_operator_staff:
        return communes_active().filter(operator__staff__user=user).distinct()
    return communes_active().filter(pk__in=Membership.objects.filter(user=user).values("commune"))


def memberships_of_commune(commune: Commune) -> QuerySet[Membership]:
    return Membership.objects.for_commune(commune).select_related("user", "granted_by")
