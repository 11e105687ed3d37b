"""Factories of tenancy objects for the isolation test."""

from __future__ import annotations

from clocher.accounts.models import User
from clocher.core.testing.isolation import isolation_factory
from clocher.tenancy.models import Membership, Role


@isolation_factory(Membership)
def membership_for_isolation(commune, marker: str) -> Membership:
    user = User.objects.create_user(f"{marker.lower()}@example.test", None, last_name=marker)
    return Membership.objects.create(commune=commune, user=user, role=Role.TECHNICIAN)
