"""Family grants: which families of requests each member of a commune may process."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clocher.core import audit
from clocher.demarches.models import Family, FamilyGrant
from clocher.demarches.selectors import forget_granted_families
from clocher.tenancy.models import Commune, Membership
from clocher.tenancy.permissions import CAPABILITIES, Capability


class GrantRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def can_be_granted(commune: Commune, user: Any) -> bool:
    """Only members whose role processes requests (admin, agent) can receive a family."""
    roles = CAPABILITIES[Capability.PROCESS_REQUESTS]
    return Membership.objects.for_commune(commune).filter(user=user, role__in=roles).exists()


def family_grants_set(
    *, commune: Commune, actor: Any, user: Any, families: Iterable[str]
) -> tuple[set[str], set[str]]:
    """Make ``user``'s families in ``commune`` exactly ``families``; audited.

    Returns (granted, revoked). Refuses a family that does not exist, and any family for a
    member who cannot process requests (an elected official, a technician).
    """
    wanted = set(families)
    unknown = wanted - set(Family.values)
    if unknown:
        raise GrantRefused(_("Famille inconnue : %(families)s.") % {"families": ", ".join(unknown)})
    if wanted and not can_be_granted(commune, user):
        raise GrantRefused(
            _("%(name)s n'a pas de rôle qui permet d'instruire des demandes.")
            % {"name": user.get_full_name() or user.email}
        )
    with transaction.atomic():
        current = set(
            FamilyGrant.objects.for_commune(commune)
            .select_for_update(of=("self",))
            .filter(user=user)
            .values_list("family", flat=True)
        )
        granted, revoked = wanted - current, current - wanted
        if revoked:
            FamilyGrant.objects.for_commune(commune).filter(user=user, family__in=revoked).delete()
        now = timezone.now()
        FamilyGrant.objects.bulk_create(
            [
                FamilyGrant(
                    commune=commune, user=user, family=family, granted_by=actor, granted_at=now
                )
                for family in sorted(granted)
            ]
        )
        target = f"user:{user.pk}"
        if granted:
            audit.log(
                audit.AuditAction.ROLE_GRANTED,
                actor=actor,
                commune=commune,
                target=target,
                data={"module": "demarches", "families": sorted(granted)},
            )
        if revoked:
            audit.log(
                audit.AuditAction.ROLE_REVOKED,
                actor=actor,
                commune=commune,
                target=target,
                data={"module": "demarches", "families": sorted(revoked)},
            )
    forget_granted_families(user, commune)
    return granted, revoked
