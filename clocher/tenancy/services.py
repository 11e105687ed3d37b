"""Writes on tenants and roles. Every one is journaled."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _

from clocher.core import audit, vault
from clocher.tenancy.models import Commune, Membership, Operator, OperatorMembership, Role


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


# Fields of a commune its own admin may change (identity fields are the operator's business).
COMMUNE_SETTINGS_FIELDS = ("address", "email", "phone", "opening_hours", "population")


@transaction.atomic
def commune_update(*, commune: Commune, actor: Any = None, **changes: Any) -> list[str]:
    """Change the town hall's details; returns the names of the fields that really changed."""
    unknown = set(changes) - set(COMMUNE_SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Not a commune setting: {sorted(unknown)}")
    changed = [name for name, value in changes.items() if getattr(commune, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(commune, name, changes[name])
    commune.full_clean()
    commune.save(update_fields=changed)
    audit.log(
        audit.AuditAction.COMMUNE_UPDATED,
        actor=actor,
        commune=commune,
        target=f"commune:{commune.pk}",
        data={"fields": changed},
    )
    return changed


@transaction.atomic
def commune_set_logo(
    *,
    commune: Commune,
    data: bytes | None,
    name: str = "",
    content_type: str = "",
    actor: Any = None,
) -> None:
    """Store a new logo (sealed in the commune's vault), or remove it when ``data`` is None.

    The previous logo's sealed file is kept: files are never deleted outside the commune's own
    erasure and key destruction procedures.
    """
    if data is None:
        if commune.logo_id is None:
            return
        commune.logo = None
        detail: dict[str, Any] = {"fields": ["logo"], "logo": "removed"}
    else:
        commune.logo = vault.store_file(
            commune=commune, data=data, name=name, content_type=content_type
        )
        detail = {"fields": ["logo"], "logo": "replaced", "size": len(data)}
    commune.save(update_fields=["logo"])
    audit.log(
        audit.AuditAction.COMMUNE_UPDATED,
        actor=actor,
        commune=commune,
        target=f"commune:{commune.pk}",
        data=detail,
    )


def staff_activation_url(user: Any) -> str:
    """The absolute, one-time link with which a new staff member chooses their password.

    The token is Django's password-reset token: it stops working once the password is set, and
    after ``PASSWORD_RESET_TIMEOUT`` seconds.
    """

    path = reverse(
        "portal:staff-activation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def staff_invite(
    *,
    commune: Commune,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    actor: Any = None,
) -> Membership:
    """Create a staff account without a password, give it ``role`` in ``commune``, and e-mail
    (after commit) a link to choose a password. The role grant is journaled."""

    user = get_user_model().objects.create_user(
        email=email, password=None, first_name=first_name, last_name=last_name
    )
    membership = membership_grant(commune=commune, user=user, role=role, actor=actor)
    _send_staff_invitation(membership=membership, actor=actor)
    return membership


def staff_invitation_resend(*, membership: Membership, actor: Any = None) -> bool:
    """Send the link again to a member who has not chosen a password yet; False if they have."""
    if membership.user.has_usable_password():
        return False
    _send_staff_invitation(membership=membership, actor=actor)
    return True


def _send_staff_invitation(*, membership: Membership, actor: Any) -> None:

    user, commune = membership.user, membership.commune
    link = staff_activation_url(user)
    days = max(1, int(settings.PASSWORD_RESET_TIMEOUT) // 86400)
    inviter = (actor.get_full_name() or actor.email) if getattr(actor, "pk", None) else ""
    subject = _("Votre accès à l'espace de la mairie : %(commune)s") % {"commune": commune.name}
    body = _(
        "Bonjour,\n\n"
        "%(inviter)s vous a ouvert un accès à Clocher, l'espace numérique des communes, "
        "pour la commune %(commune)s, avec le rôle « %(role)s ».\n\n"
        "Pour choisir votre mot de passe, ouvrez ce lien (valable %(days)s jours, "
        "utilisable une seule fois) :\n%(link)s\n\n"
        "Votre identifiant est votre adresse e-mail : %(email)s\n\n"
        "Si vous ne vous attendiez pas à ce message, ignorez-le : aucun accès ne sera "
        "ouvert sans que vous choisissiez un mot de passe.\n"
    ) % {
        "inviter": inviter or _("La mairie"),
        "commune": commune.name,
        "role": Role(membership.role).label,
        "days": days,
        "link": link,
        "email": user.email,
    }
    recipient = user.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]))
