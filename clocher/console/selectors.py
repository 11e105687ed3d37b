"""Reads for the operator console. Operator staff see the communes and staff accounts of their
own operator(s) only; nothing here decrypts commune data."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django_otp.plugins.otp_totp.models import TOTPDevice

from clocher.tenancy.models import Commune, Membership, Operator, OperatorMembership, OperatorRole


def operators_of(user: Any) -> QuerySet[Operator]:
    return Operator.objects.filter(staff__user=user).distinct().order_by("name")


def operators_administered_by(user: Any) -> QuerySet[Operator]:
    return (
        Operator.objects.filter(staff__user=user, staff__role=OperatorRole.ADMIN)
        .distinct()
        .order_by("name")
    )


def communes_for_console(user: Any) -> QuerySet[Commune]:
    """The communes of the user's operators, each with ``member_count`` (distinct people)."""
    members = (
        Membership.objects.filter(commune=OuterRef("pk"))
        .order_by()
        .values("commune")
        .annotate(total=Count("user", distinct=True))
        .values("total")
    )
    return (
        Commune.objects.filter(operator__in=operators_of(user))
        .select_related("operator")
        .annotate(member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0))
        .order_by("name")
    )


def staff_accounts_for_console(user: Any, query: str = "") -> QuerySet[Any]:
    """Staff accounts holding a role in one of the user's operators or their communes, with their
    roles prefetched and ``has_second_factor`` (a confirmed TOTP device)."""
    operators = list(operators_of(user))
    accounts = (
        get_user_model()
        .objects.filter(
            Q(memberships__commune__operator__in=operators)
            | Q(operator_memberships__operator__in=operators)
        )
        .distinct()
        .annotate(
            has_second_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
        )
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(commune__operator__in=operators)
                .select_related("commune")
                .order_by("commune__name", "role"),
            ),
            Prefetch(
                "operator_memberships",
                queryset=OperatorMembership.objects.filter(operator__in=operators)
                .select_related("operator")
                .order_by("role"),
            ),
        )
        .order_by("last_name", "first_name", "email")
    )
    query = query.strip()
    if query:
        accounts = accounts.filter(
            Q(email__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
        )
    return accounts


def console_counts(user: Any) -> dict[str, int]:
    return {
        "communes": communes_for_console(user).filter(is_active=True).count(),
        "accounts": staff_accounts_for_console(user).count(),
    }
