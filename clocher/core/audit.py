"""Writing to the audit journal.

``log()`` is the one way to add an entry; it fills the actor and address from the current request
or task when they are not given. The entry is written in the caller's transaction: an action that
rolls back leaves no entry, and an entry never describes something that did not happen.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from clocher.core import context
from clocher.core.models.audit import GENESIS_HASH, AuditAction, AuditEntry

__all__ = ["AuditAction", "AuditEntry", "ChainBreak", "head", "log", "verify_chain"]


def log(
    action: str,
    *,
    actor: Any = None,
    commune: Any = None,
    commune_id: int | None = None,
    target: str = "",
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    acting = context.current()
    if actor is None and acting is not None:
        actor = acting.current_actor()
    if ip_address is None and acting is not None:
        ip_address = acting.ip_address
    if commune is None and commune_id is not None:
        from clocher.tenancy.models import Commune

        commune = Commune.objects.filter(pk=commune_id).first()
    return AuditEntry.append(
        action=action,
        actor=actor,
        commune=commune,
        ip_address=ip_address,
        target=target,
        data=data,
    )


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


def _entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("id").iterator(chunk_size=2000)


def verify_chain() -> tuple[int, list[ChainBreak]]:
    """Walk the whole journal; return how many entries were checked and every break found."""
    previous = GENESIS_HASH
    checked = 0
    breaks: list[ChainBreak] = []
    for entry in _entries():
        checked += 1
        if entry.previous_hash != previous:
            breaks.append(
                ChainBreak(
                    entry.pk, "previous hash does not match: an entry was removed or inserted"
                )
            )
        if entry.compute_hash() != entry.entry_hash:
            breaks.append(
                ChainBreak(entry.pk, "content does not match its hash: entry was altered")
            )
        previous = entry.entry_hash
    return checked, breaks


def head() -> str:
    last = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first()
    return last or GENESIS_HASH
