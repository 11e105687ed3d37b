"""The agent inbox: filters and keyset pagination over :func:`selectors.requests_for_agent`.

Pages are cut by (received_at, id) rather than by offset, so the tenth page costs what the first
does, even with 100,000 requests in a commune (the ``demarches_inbox`` and ``demarches_recent``
indexes serve the order). The total shown is counted up to :data:`COUNT_CAP` only: an exact
count over everything is what makes big inboxes slow, and "more than 1,000" is enough to read.
Searching is by request number only — never on personal data (GRU doctrine).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from clocher.demarches import selectors
from clocher.demarches.models import FINAL_KINDS, OPEN_KINDS, Request, StatusKind
from clocher.tenancy.models import Commune

PAGE_SIZE = 50
COUNT_CAP = 1000
FULL_NUMBER = re.compile(r"^\d{4}-\d{5,}$")
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


def filtered_requests(
    user: Any, commune: Commune, filters: InboxFilters, *, today: datetime.date | None = None
) -> QuerySet[Request]:
    """The agent's requests (granted families only) narrowed by the inbox filters."""
    queryset = selectors.requests_for_agent(user, commune)
    if filters.number:
        if FULL_NUMBER.match(filters.number):
            queryset = queryset.filter(number=filters.number)
        else:
            queryset = queryset.filter(number__startswith=filters.number)
    if filters.procedure is not None:
        queryset = queryset.filter(procedure=filters.procedure)
    if filters.state == "open":
        queryset = queryset.filter(status_kind__in=OPEN_KINDS)
    elif filters.state == "closed":
        queryset = queryset.filter(status_kind__in=FINAL_KINDS)
    elif filters.state in StatusKind.values:
        queryset = queryset.filter(status_kind=filters.state)
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
    return queryset


def encode_cursor(row: Request) -> str:
    return f"{(row.received_at - _EPOCH) // _MICROSECOND}.{row.pk}"


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int] | None:
    """The (received_at, id) of a cursor, or None when it is not one (then: first page)."""
    try:
        micros, pk = cursor.split(".", 1)
        return _EPOCH + int(micros) * _MICROSECOND, int(pk)
    except (ValueError, OverflowError):
        return None


def inbox_page(
    queryset: QuerySet[Request],
    *,
    after: str = "",
    before: str = "",
    size: int | None = None,
) -> InboxPage:
    """One page of ``queryset``, newest first, after (older) or before (newer) a cursor."""
    size = size or PAGE_SIZE
    rows_query = queryset.select_related("procedure", "assigned_to").defer(
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
    after_key = decode_cursor(after) if after else None
    before_key = decode_cursor(before) if before and after_key is None else None
    if before_key is not None:
        at, pk = before_key
        newer = rows_query.filter(Q(received_at__gt=at) | Q(received_at=at, pk__gt=pk))
        rows = list(newer.order_by("received_at", "pk")[: size + 1])
        has_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        previous_cursor = encode_cursor(rows[0]) if has_newer and rows else None
        next_cursor = encode_cursor(rows[-1]) if rows else None
    else:
        if after_key is not None:
            at, pk = after_key
            rows_query = rows_query.filter(Q(received_at__lt=at) | Q(received_at=at, pk__lt=pk))
        rows = list(rows_query.order_by("-received_at", "-pk")[: size + 1])
        has_older = len(rows) > size
        rows = rows[:size]
        next_cursor = encode_cursor(rows[-1]) if has_older else None
        previous_cursor = encode_cursor(rows[0]) if after_key is not None and rows else None
    total = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
    return InboxPage(
        rows=rows,
        next_cursor=next_cursor,
        previous_cursor=previous_cursor,
        total=min(total, COUNT_CAP),
        is_total_capped=total > COUNT_CAP,
    )
