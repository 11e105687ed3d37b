"""The personal-data access journal that each commune admin can read.

Operator staff (the hosting body's IT team) may need to open a commune's data to help it. Every
such decryption is written to the audit journal as ``personal_data_read`` for that commune, once
per request and place, and the commune admin sees it in the back-office
(``backoffice:access-journal``). Reads by the commune's own members are not journaled here (their
own modules journal what the law asks, e.g. every opening of a citizen request).
"""

from __future__ import annotations

from typing import Any

from clocher.core import context
from clocher.core.models.audit import AuditAction, AuditEntry


def _is_outside_reader(actor: Any, commune_id: int) -> bool:
    from clocher.tenancy.models import Membership

    if not getattr(actor, "is_operator_staff", False):
        return False
    return not Membership.objects.filter(user=actor, commune_id=commune_id).exists()


def note_personal_data_read(*, commune_id: int, context: str) -> None:
    from clocher.core import audit

    acting = _current()
    if acting is None:
        return
    actor = acting.current_actor()
    if actor is None:
        return
    key = (commune_id, context)
    if key in acting.journaled_reads:
        return
    acting.journaled_reads.add(key)
    if not _is_outside_reader(actor, commune_id):
        return
    request = acting.request
    audit.log(
        AuditAction.PERSONAL_DATA_READ,
        actor=actor,
        commune_id=commune_id,
        target=context,
        data={"path": request.path if request is not None else "", "request_id": acting.request_id},
    )


def _current() -> context.ActingContext | None:
    return context.current()


def entries_for_commune(commune: Any) -> Any:
    """The access journal of one commune, newest first (a selector for the back-office page)."""
    return (
        AuditEntry.objects.filter(commune=commune, action=AuditAction.PERSONAL_DATA_READ)
        .select_related("actor")
        .order_by("-id")
    )
