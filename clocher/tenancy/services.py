"""Writes on tenants and roles. Every one is journaled."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from clocher.core import audit, vault
from clocher.tenancy.models import Commune, Membership, Operator, OperatorMembership


@transaction.atomic
def commune_create(
    *,
    operator: Operator,
    insee_code: str,
    name: str,
    slug: str = "",
    population: int | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    actor: Any = None,
    **details: Any,
) -> Commune:
    commune = Commune(
        operator=operator,
        insee_code=insee_code,
        name=name,
        slug=slug or slugify(name),
        population=population,
        latitude=latitude,
        longitude=longitude,
        **details,
    )
    commune.full_clean()
    commune.save()
    vault.ensure_commune_key(commune)
    audit.log(
        audit.AuditAction.COMMUNE_CREATED,
        actor=actor,
        commune=commune,
        target=f"commune:{commune.pk}",
        data={"insee_code": insee_code, "name": name},
    )
    return commune


@transaction.atomic
def membership_grant(*, commune: Commune, user: Any, role: str, actor: Any = None) -> Membership:
    membership, created = Membership.objects.get_or_create(
        commune=commune, user=user, role=role, defaults={"granted_by": actor}
    )
    if created:
        audit.log(
            audit.AuditAction.ROLE_GRANTED,
            actor=actor,
            commune=commune,
            target=f"user:{user.pk}",
            data={"role": role, "user": user.email},
        )
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, actor: Any = None) -> None:
    audit.log(
        audit.AuditAction.ROLE_REVOKED,
        actor=actor,
        commune_id=membership.commune_id,
        target=f"user:{membership.user_id}",
        data={"role": membership.role, "user": membership.user.email},
    )
    membership.delete()


@transaction.atomic
def operator_membership_grant(
    *, operator: Operator, user: Any, role: str, actor: Any = None
) -> OperatorMembership:
    membership, created = OperatorMembership.objects.get_or_create(
        operator=operator, user=user, role=role
    )
    if created:
        audit.log(
            audit.AuditAction.ROLE_GRANTED,
            actor=actor,
            target=f"user:{user.pk}",
            data={"role": role, "user": user.email, "operator": operator.slug},
        )
    return membership
