"""Reads of démarches, scoped to one commune and — for requests — to the agent's families.

There is deliberately no function that reads requests across families for a person: the inbox,
the request page, exports and the API all start from :func:`requests_for_agent`, which only
returns requests of the families granted to that user in that commune.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from clocher.core.models import VaultFile
from clocher.core.vault import read_file_name
from clocher.demarches.models import (
    FamilyGrant,
    FormVersion,
    Procedure,
    ProcedureTemplate,
    Request,
    RequestEvent,
)
from clocher.tenancy.models import Commune


def granted_families(user: Any, commune: Commune) -> set[str]:
    """The families ``user`` may process in ``commune`` (none for anonymous or operator staff)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cache_name = f"_clocher_families_{commune.pk}"
    cached = getattr(user, cache_name, None)
    if cached is None:
        cached = set(
            FamilyGrant.objects.for_commune(commune)
            .filter(user=user)
            .values_list("family", flat=True)
        )
        setattr(user, cache_name, cached)
    return set(cached)


def vault_file_names(commune: Commune, file_ids: Iterable[str]) -> dict[str, str]:
    """The original names of these vault files of ``commune``, unsealed, by id (one query).
    Ids of no file of the commune (or not ids at all) are left out."""
    wanted = set()
    for file_id in file_ids:
        try:
            wanted.add(uuid.UUID(str(file_id)))
        except ValueError:
            continue
    if not wanted:
        return {}
    files = (
        VaultFile.objects.for_commune(commune)
        .filter(pk__in=wanted)
        .only("id", "commune_id", "name_ciphertext", "compartment")
    )
    return {str(vault_file.pk): read_file_name(vault_file) for vault_file in files}


def forget_granted_families(user: Any, commune: Commune) -> None:
    with contextlib.suppress(AttributeError):
        delattr(user, f"_clocher_families_{commune.pk}")


def requests_for_agent(user: Any, commune: Commune) -> QuerySet[Request]:
    """Every request of the commune in a family granted to ``user``; nothing else."""
    return Request.objects.for_commune(commune).filter(family__in=granted_families(user, commune))


def processing_agents_by_family(commune_ids: set[int]) -> dict[tuple[int, str], list[Any]]:
    """Who processes each (commune, family): active users granted the family who still hold a
    role that processes requests (reminders and retention warnings go to them)."""
    from collections import defaultdict

    from clocher.tenancy.models import Membership
    from clocher.tenancy.permissions import CAPABILITIES, Capability

    roles = CAPABILITIES[Capability.PROCESS_REQUESTS]
    members = set(
        Membership.objects.filter(commune_id__in=commune_ids, role__in=roles).values_list(
            "commune_id", "user_id"
        )
    )
    found: dict[tuple[int, str], list[Any]] = defaultdict(list)
    grants = FamilyGrant.objects.filter(commune_id__in=commune_ids, user__is_active=True)
    for grant in grants.select_related("user").order_by("user_id"):
        if (grant.commune_id, grant.user_id) in members:
            found[(grant.commune_id, grant.family)].append(grant.user)
    return found


def restrict_requests(user: Any, commune: Commune, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """URL-registry restriction for ``<int:citizen_request>`` (see ``core.scoping``)."""
    return queryset.filter(family__in=granted_families(user, commune))


def procedures_for_commune(commune: Commune) -> QuerySet[Procedure]:
    return Procedure.objects.for_commune(commune).select_related("current_form", "template")


def published_procedures(commune: Commune) -> QuerySet[Procedure]:
    return procedures_for_commune(commune).filter(
        is_published=True, current_form__published_at__isnull=False
    )


def has_published_procedures(commune: Commune) -> bool:
    """Whether the commune's public home lists démarches (``ModuleInfo.public_available``)."""
    return published_procedures(commune).exists()


def published_procedure(commune: Commune, slug: str) -> Procedure | None:
    procedure = published_procedures(commune).filter(slug=slug).first()
    if procedure is not None:
        procedure.commune = commune  # already loaded: spare the query
    return procedure


def published_procedure_in_active_commune(
    commune_slug: str, procedure_slug: str
) -> Procedure | None:
    """The published procedure ``procedure_slug`` of the active commune ``commune_slug``, with
    its commune, in one query (the public submission endpoint's lookup)."""
    return (
        Procedure.objects.select_related("commune", "current_form")
        .filter(
            commune__slug=commune_slug,
            commune__is_active=True,
            slug=procedure_slug,
            is_published=True,
            current_form__published_at__isnull=False,
        )
        .first()
    )


def form_versions(procedure: Procedure) -> QuerySet[FormVersion]:
    return FormVersion.objects.for_commune(procedure.commune).filter(procedure=procedure)


def templates_for_operator(operator: Any) -> QuerySet[ProcedureTemplate]:
    return ProcedureTemplate.objects.filter(operator=operator).prefetch_related("versions")


def request_by_tracking_token(commune: Commune, token: str) -> Request | None:
    """The request whose secret tracking link carries ``token`` (public side)."""
    from clocher.demarches.services.tracking import token_hash

    if not token or len(token) > 100:
        return None
    return (
        Request.objects.for_commune(commune)
        .select_related("procedure", "form_version")
        .filter(tracking_token_hash=token_hash(token))
        .first()
    )


def citizen_visible_events(request: Request) -> QuerySet[RequestEvent]:
    return RequestEvent.objects.for_commune(request.commune).filter(
        request=request, is_visible_to_citizen=True
    )


def requests_for_citizen_account(commune: Commune, account: Any) -> QuerySet[Request]:
    """A signed-in citizen's own requests: made from their account or with their e-mail."""
    from django.db.models import Q

    from clocher.core.vault import blind_index
    from clocher.demarches.services.submission import EMAIL_INDEX_CONTEXT

    email = account.email
    index = blind_index(commune.pk, email, context=EMAIL_INDEX_CONTEXT) if email else "-"
    return (
        Request.objects.for_commune(commune)
        .filter(Q(citizen_account=account) | Q(email_index=index))
        .select_related("procedure")
    )
