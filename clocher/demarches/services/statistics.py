"""Statistics of requests per procedure, without personal data: only counts and durations.

Across every family of the commune (they are counts, not files: elected officials read them
too), for requests *received* in a period:

- volumes per month and per channel;
- median processing time, from receipt to decision (or closure when there is no decision);
- the share of decided requests decided within the legal delay, i.e. no later than the day the
  implicit decision would have been born (``decided_at`` ≤ ``implicit_decision_on``, CRPA
  L231-1), among those that have such a delay.

Every figure is an aggregate query (``COUNT … GROUP BY``); no loop over the requests in Python.
The median is ``PERCENTILE_CONT(0.5)`` on PostgreSQL; SQLite has no percentile function, so
there it takes the one or two middle values of each procedure's ordered durations (one small
query per procedure that has any).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from clocher.demarches.models import FINAL_KINDS, Channel, Family, Request
from clocher.demarches.services.legal_delays import add_months
from clocher.tenancy.models import Commune

SECONDS_PER_DAY = 86_400


class _EpochSeconds(Func):
    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


class _Median(Aggregate):
    """PostgreSQL: the continuous median of an expression."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _processing_time() -> ExpressionWrapper:
    return ExpressionWrapper(
        Coalesce(F("decided_at"), F("closed_at")) - F("received_at"),
        output_field=DurationField(),
    )


@dataclass(frozen=True)
class ProcedureFigures:
    procedure_id: int
    title: str
    family_label: str
    received: int
    by_channel: dict[str, int]
    finished: int  # reached a final status
    decided: int  # with a decision date
    with_legal_delay: int  # decided, and the procedure has an implicit-decision date
    decided_in_time: int
    median_days: float | None

    @property
    def share_in_time(self) -> float | None:
        """Percentage of decided requests decided within the legal delay."""
        if not self.with_legal_delay:
            return None
        return round(100 * self.decided_in_time / self.with_legal_delay, 1)

    def channel_counts(self, channels: list[tuple[str, str]]) -> list[int]:
        return [self.by_channel.get(code, 0) for code, _label in channels]


@dataclass(frozen=True)
class MonthCount:
    month: datetime.date  # first day of the month
    count: int


@dataclass(frozen=True)
class Statistics:
    date_from: datetime.date
    date_to: datetime.date
    procedures: list[ProcedureFigures]
    months: list[MonthCount]
    channels: list[tuple[str, str]] = field(default_factory=list)  # (code, label) in use

    @property
    def total(self) -> int:
        return sum(item.received for item in self.procedures)


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last twelve months, from the first day of the month eleven months ago to today."""
    today = today or timezone.localdate()
    return add_months(today.replace(day=1), -11), today


def _received_between(
    commune: Commune, date_from: datetime.date, date_to: datetime.date
) -> QuerySet[Request]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return Request.objects.for_commune(commune).filter(received_at__gte=start, received_at__lt=end)


def _medians(requests: QuerySet[Request], counts: dict[int, int]) -> dict[int, float]:
    """Median processing time in days, per procedure id."""
    finished = requests.filter(Q(decided_at__isnull=False) | Q(closed_at__isnull=False))
    if connection.vendor == "postgresql":
        rows = (
            finished.order_by()
            .values("procedure_id")
            .annotate(median=_Median(_EpochSeconds(_processing_time())))
        )
        return {row["procedure_id"]: row["median"] / SECONDS_PER_DAY for row in rows}
    medians: dict[int, float] = {}
    for procedure_id, count in counts.items():
        if not count:
            continue
        durations = list(
            finished.filter(procedure_id=procedure_id)
            .annotate(duration=_processing_time())
            .order_by("duration")
            .values_list("duration", flat=True)[(count - 1) // 2 : count // 2 + 1]
        )
        seconds = [item.total_seconds() for item in durations]
        medians[procedure_id] = sum(seconds) / len(seconds) / SECONDS_PER_DAY
    return medians


def _months(
    requests: QuerySet[Request], date_from: datetime.date, date_to: datetime.date
) -> list[MonthCount]:
    rows = (
        requests.order_by()
        .annotate(month=TruncMonth("received_at"))
        .values("month")
        .annotate(count=Count("pk"))
    )
    found: dict[datetime.date, int] = {}
    for row in rows:
        month = row["month"]
        day = timezone.localtime(month).date() if isinstance(month, datetime.datetime) else month
        found[day.replace(day=1)] = found.get(day.replace(day=1), 0) + row["count"]
    months = []
    cursor = date_from.replace(day=1)
    while cursor <= date_to:
        months.append(MonthCount(month=cursor, count=found.get(cursor, 0)))
        cursor = add_months(cursor, 1)
    return months


def request_statistics(
    *,
    commune: Commune,
    date_from: datetime.date,
    date_to: datetime.date,
    procedure_id: int | None = None,
) -> Statistics:
    """The figures of every procedure that received requests in the period; ``months`` covers
    all of them, or only ``procedure_id`` when given."""
    requests = _received_between(commune, date_from, date_to)
    channel_rows = requests.order_by().values("procedure_id", "channel").annotate(count=Count("pk"))
    by_channel: dict[int, dict[str, int]] = {}
    for row in channel_rows:
        by_channel.setdefault(row["procedure_id"], {})[row["channel"]] = row["count"]
    decided = Q(decided_at__isnull=False)
    with_delay = decided & Q(implicit_decision_on__isnull=False)
    totals = (
        requests.order_by()
        .values("procedure_id", "procedure__title", "procedure__family")
        .annotate(
            received=Count("pk"),
            finished=Count("pk", filter=Q(status_kind__in=FINAL_KINDS)),
            decided=Count("pk", filter=decided),
            timed=Count("pk", filter=Q(decided_at__isnull=False) | Q(closed_at__isnull=False)),
            with_delay=Count("pk", filter=with_delay),
            in_time=Count(
                "pk", filter=with_delay & Q(decided_at__date__lte=F("implicit_decision_on"))
            ),
        )
    )
    rows: list[dict[str, Any]] = list(totals)
    medians = _medians(requests, {row["procedure_id"]: row["timed"] for row in rows})
    procedures = [
        ProcedureFigures(
            procedure_id=row["procedure_id"],
            title=row["procedure__title"],
            family_label=str(Family(row["procedure__family"]).label)
            if row["procedure__family"] in Family.values
            else row["procedure__family"],
            received=row["received"],
            by_channel=by_channel.get(row["procedure_id"], {}),
            finished=row["finished"],
            decided=row["decided"],
            with_legal_delay=row["with_delay"],
            decided_in_time=row["in_time"],
            median_days=medians.get(row["procedure_id"]),
        )
        for row in rows
    ]
    procedures.sort(key=lambda item: (-item.received, item.title))
    used = {code for counts in by_channel.values() for code in counts}
    channels = [(code, str(label)) for code, label in Channel.choices if code in used]
    month_scope = requests.filter(procedure_id=procedure_id) if procedure_id else requests
    return Statistics(
        date_from=date_from,
        date_to=date_to,
        procedures=procedures,
        months=_months(month_scope, date_from, date_to),
        channels=channels,
    )
