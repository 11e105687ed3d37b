"""The agent inbox: filters and keyset pagination over :func:`selectors.requests_for_agent`.

Measured with 100,000 requests in one commune on PostgreSQL (``bench/demarches_inbox.py``),
three choices keep every page fast:

- Pages are cut by (received_at, id) — a *keyset* — rather than by offset, so the tenth page
  costs what the first does.
- An agent sees several families, and "newest first over ``family IN (…)``" cannot be read in
  order from one index: PostgreSQL sorted all 50,000 rows of two families for each page
  (~110 ms). So the page's ids are read per *partition* — one family, or one family and status
  kind when the status filter names kinds — each partition walking its own index
  (``demarches_recent`` / ``demarches_inbox``) in order and stopping after one page, merged by a
  ``UNION ALL`` (a Merge Append: ~1 ms). The rows are then loaded by id. SQLite cannot slice the
  parts of a compound query; it reads one query, which is fine for one commune.
- The total shown is counted up to :data:`COUNT_CAP` only (an exact count over everything is what
  makes big inboxes slow; "more than 1,000" is enough to read).

Searching is by request number only — never on personal data (GRU doctrine). A number prefix
reads the ``(commune, number)`` unique index through a range, then checks the prefix.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from clocher.demarches import selectors
from clocher.demarches.models import FINAL_KINDS, OPEN_KINDS, Request, StatusKind
from clocher.tenancy.models import Commune

PAGE_SIZE = 50
COUNT_CAP = 1000
FULL_NUMBER = re.compile(r"^\d{4}-\d{5,}$")
# Sorts after digits and "-" in every collation (also where "-" is ignored at the first level).
NUMBER_RANGE_END = "z"
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)


@dataclass(frozen=True)
class InboxFilters:
    number: str = ""
    procedure: Any = None
    state: str = ""
    assigned: str = ""
    channel: str = ""
    overdue: bool = False


@dataclass(frozen=True)
class InboxPage:
    rows: list[Request]
    next_cursor: str | None
    previous_cursor: str | None
    total: int
    is_total_capped: bool


@dataclass(frozen=True)
class InboxQuery:
    """The filtered requests, and the partitions that read them in order (see module doc)."""

    queryset: QuerySet[Request]
    partitions: list[dict[str, str]]


def _kinds(state: str) -> set[str] | None:
    if state == "open":
        return {str(kind) for kind in OPEN_KINDS}
    if state == "closed":
        return {str(kind) for kind in FINAL_KINDS}
    if state in StatusKind.values:
        return {state}
    return None


def inbox_query(
    user: Any, commune: Commune, filters: InboxFilters, *, today: datetime.date | None = None
) -> InboxQuery:
    """The agent's requests (granted families only) narrowed by the inbox filters."""
    queryset = selectors.requests_for_agent(user, commune)
    families = sorted(selectors.granted_families(user, commune))
    if filters.number:
        if FULL_NUMBER.match(filters.number):
            queryset = queryset.filter(number=filters.number)
        else:
            queryset = queryset.filter(
                number__gte=filters.number,
                number__lt=filters.number + NUMBER_RANGE_END,
                number__startswith=filters.number,
            )
    if filters.procedure is not None:
        queryset = queryset.filter(procedure=filters.procedure)
        families = [family for family in families if family == filters.procedure.family]
    kinds = _kinds(filters.state)
    if kinds is not None:
        queryset = queryset.filter(status_kind__in=kinds)
    if filters.assigned == "me":
        queryset = queryset.filter(assigned_to=user)
    elif filters.assigned == "none":
        queryset = queryset.filter(assigned_to__isnull=True)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.overdue:
        today = today or timezone.localdate()
        queryset = queryset.filter(status_kind__in=OPEN_KINDS).filter(
            Q(deadline_on__lt=today)
            | Q(implicit_decision_on__lt=today, clock_paused_at__isnull=True)
        )
    partitions: list[dict[str, str]] = []
    # A number search and "assigned to me" have better indexes than the date order; the others
    # read each family (and kind) newest first.
    if not filters.number and filters.assigned != "me":
        if kinds is None:
            partitions = [{"family": family} for family in families]
        else:
            partitions = [
                {"family": family, "status_kind": kind}
                for family in families
                for kind in sorted(kinds)
            ]
    return InboxQuery(queryset=queryset, partitions=partitions)


def filtered_requests(
    user: Any, commune: Commune, filters: InboxFilters, *, today: datetime.date | None = None
) -> QuerySet[Request]:
    return inbox_query(user, commune, filters, today=today).queryset


def encode_cursor(row: Request) -> str:
    return f"{(row.received_at - _EPOCH) // _MICROSECOND}.{row.pk}"


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int] | None:
    """The (received_at, id) of a cursor, or None when it is not one (then: first page)."""
    try:
        micros, pk = cursor.split(".", 1)
        return _EPOCH + int(micros) * _MICROSECOND, int(pk)
    except (ValueError, OverflowError):
        return None


def _page_keys(
    queryset: QuerySet[Request],
    partitions: list[dict[str, str]],
    order: tuple[str, str],
    limit: int,
) -> list[int]:
    """The ids of at most ``limit`` requests in ``order``, read partition by partition."""
    keys = queryset.order_by(*order).values_list("id", "received_at")
    if len(partitions) > 1 and connection.features.supports_slicing_ordering_in_compound:
        parts = [keys.filter(**partition)[:limit] for partition in partitions]
        merged = parts[0].union(*parts[1:], all=True).order_by(*order)[:limit]
        return [pk for pk, _at in merged]
    if len(partitions) == 1:
        keys = keys.filter(**partitions[0])
    return [pk for pk, _at in keys[:limit]]


def inbox_page(
    query: InboxQuery | QuerySet[Request],
    *,
    after: str = "",
    before: str = "",
    size: int | None = None,
) -> InboxPage:
    """One page of the requests, newest first, after (older) or before (newer) a cursor."""
    if isinstance(query, InboxQuery):
        queryset, partitions = query.queryset, query.partitions
    else:
        queryset, partitions = query, []
    size = size or PAGE_SIZE
    after_key = decode_cursor(after) if after else None
    before_key = decode_cursor(before) if before and after_key is None else None
    keyed = queryset
    if before_key is not None:
        at, pk = before_key
        keyed = keyed.filter(received_at__gte=at).filter(
            Q(received_at__gt=at) | Q(received_at=at, pk__gt=pk)
        )
        ids = _page_keys(keyed, partitions, ("received_at", "id"), size + 1)
        has_newer = len(ids) > size
        ids = list(reversed(ids[:size]))
    else:
        if after_key is not None:
            at, pk = after_key
            keyed = keyed.filter(received_at__lte=at).filter(
                Q(received_at__lt=at) | Q(received_at=at, pk__lt=pk)
            )
        ids = _page_keys(keyed, partitions, ("-received_at", "-id"), size + 1)
        has_older = len(ids) > size
        ids = ids[:size]
    rows_by_id = (
        queryset.filter(pk__in=ids)
        .select_related("procedure", "assigned_to")
        .defer(
            "values",
            "personal_values",
            "email",
            "tracking_token",
            "procedure__schema",
            "procedure__description",
            "procedure__legal_basis",
            "procedure__acknowledgment_text",
            "procedure__appeal_routes",
        )
        .in_bulk()
    )
    rows = [rows_by_id[pk] for pk in ids if pk in rows_by_id]
    if before_key is not None:
        previous_cursor = encode_cursor(rows[0]) if has_newer and rows else None
        next_cursor = encode_cursor(rows[-1]) if rows else None
    else:
        next_cursor = encode_cursor(rows[-1]) if has_older and rows else None
        previous_cursor = encode_cursor(rows[0]) if after_key is not None and rows else None
    total = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
    return InboxPage(
        rows=rows,
        next_cursor=next_cursor,
        previous_cursor=previous_cursor,
        total=min(total, COUNT_CAP),
        is_total_capped=total > COUNT_CAP,
    )
