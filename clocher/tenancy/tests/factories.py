"""Factories of tenancy objects for the isolation test."""

from __future__ import annotations

from clocher.core.testing.factories import MembershipFactory, UserFactory
from clocher.core.testing.isolation import isolation_factory
from clocher.tenancy.models import Membership, Role


@isolation_factory(Membership)
def membership_for_isolation(commune, marker: str) -> Membership:
    user = UserFactory(last_name=marker, email=f"{marker.lower()}@example.test")
    return MembershipFactory(commune=commune, user=user, role=Role.TECHNICIAN)
