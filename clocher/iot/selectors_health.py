"""Reads of the ingestion health: a commune's counters and last errors (staff page), and the
instance-wide view of the operator console (refused tokens by address and token prefix)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q, Sum

from clocher.iot.models import (
    HealthCounter,
    HealthOutcome,
    Integration,
    PendingDevice,
    RejectedMessage,
    Uplink,
    UplinkStatus,
)
from clocher.iot.services.health import hour_of
from clocher.tenancy.models import Commune

OUTCOMES: list[str] = list(HealthOutcome.values)
PROBLEM_OUTCOMES = (
    HealthOutcome.DECODE_FAILED,
    HealthOutcome.REJECTED,
    HealthOutcome.UNAUTHORIZED,
    HealthOutcome.FAILED,
)
LAST_ERRORS = 20
UNAUTHORIZED_SOURCES = 50


@dataclasses.dataclass(frozen=True)
class Window:
    key: str
    hours: int

    def since(self, now: datetime) -> datetime:
        """The first hour counted: the current hour and the ``hours - 1`` before it."""
        return hour_of(now) - timedelta(hours=self.hours - 1)


WINDOWS = (Window("day", 24), Window("week", 24 * 7))


@dataclasses.dataclass
class OutcomeRow:
    """Counts by outcome of one integration (or of the instance, or of a commune)."""

    label: str
    counts: dict[str, int]
    detail: Any = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def problems(self) -> int:
        return sum(self.counts.get(outcome, 0) for outcome in PROBLEM_OUTCOMES)

    def ordered(self) -> list[int]:
        return [self.counts.get(outcome, 0) for outcome in OUTCOMES]


def _counts_by(rows: Iterable[dict[str, Any]], key: str) -> dict[Any, dict[str, int]]:
    result: dict[Any, dict[str, int]] = {}
    for row in rows:
        result.setdefault(row[key], {})[row["outcome"]] = int(row["total"])
    return result


def integrations_of_commune(commune: Commune) -> list[Integration]:
    """The commune's integrations, oldest first (each says its ``last_used_at``)."""
    return list(Integration.objects.for_commune(commune).order_by("created_at", "pk"))


def commune_outcomes(
    commune: Commune, integrations: list[Integration], since: datetime
) -> list[OutcomeRow]:
    """One row per integration of the commune: its counts by outcome since ``since``."""
    rows = (
        HealthCounter.objects.filter(commune=commune, hour__gte=since)
        .values("integration_id", "outcome")
        .annotate(total=Sum("count"))
        .order_by()
    )
    counts = _counts_by(rows, "integration_id")
    return [
        OutcomeRow(
            label=integration.label or integration.get_kind_display(),
            counts=counts.get(integration.pk, {}),
            detail=integration,
        )
        for integration in integrations
    ]


def total_row(label: str, rows: Iterable[OutcomeRow]) -> OutcomeRow:
    total: dict[str, int] = {}
    for row in rows:
        for outcome, count in row.counts.items():
            total[outcome] = total.get(outcome, 0) + count
    return OutcomeRow(label=label, counts=total)


def last_rejected(commune: Commune, limit: int = LAST_ERRORS) -> list[RejectedMessage]:
    return list(
        RejectedMessage.objects.filter(commune=commune)
        .select_related("integration")
        .defer("body")
        .order_by("-received_at", "-pk")[:limit]
    )


def last_decode_failures(commune: Commune, limit: int = LAST_ERRORS) -> list[Uplink]:
    return list(
        Uplink.objects.for_commune(commune)
        .filter(status=UplinkStatus.DECODE_FAILED)
        .select_related("device")
        .defer("payload", "decoded")
        .order_by("-received_at")[:limit]
    )


def pending_devices_count(commune: Commune) -> int:
    return PendingDevice.objects.for_commune(commune).count()


# --- The operator's view -----------------------------------------------------------------------


def communes_outcomes(communes: Iterable[Commune], since: datetime) -> list[OutcomeRow]:
    """Per commune of ``communes`` that had messages since ``since``: its counts, those with
    the most problems first."""
    by_id = {commune.pk: commune for commune in communes}
    rows = (
        HealthCounter.objects.filter(commune_id__in=list(by_id), hour__gte=since)
        .values("commune_id", "outcome")
        .annotate(total=Sum("count"))
        .order_by()
    )
    counts = _counts_by(rows, "commune_id")
    result = [
        OutcomeRow(label=by_id[commune_id].name, counts=values, detail=by_id[commune_id])
        for commune_id, values in counts.items()
    ]
    return sorted(result, key=lambda row: (-row.problems, -row.total, row.label))


def instance_outcomes(since: datetime) -> list[OutcomeRow]:
    """Counts without an integration (refused tokens), one row per source."""
    rows = (
        HealthCounter.objects.filter(integration__isnull=True, hour__gte=since)
        .values("source", "outcome")
        .annotate(total=Sum("count"))
        .order_by()
    )
    counts = _counts_by(rows, "source")
    return [OutcomeRow(label=source or "?", counts=counts[source]) for source in sorted(counts)]


@dataclasses.dataclass(frozen=True)
class UnauthorizedSource:
    client_address: str
    token_prefix: str
    source: str
    attempts: int
    last_at: datetime
    integration: Integration | None


def unauthorized_sources(
    since: datetime, limit: int = UNAUTHORIZED_SOURCES
) -> list[UnauthorizedSource]:
    """Refused tokens since ``since`` grouped by client network and token prefix (never more of
    a token than its public prefix), most attempts first; with the integration that prefix
    names, if any (a revoked token still in use, a commune deactivated…)."""
    rows = list(
        RejectedMessage.objects.filter(
            commune__isnull=True, outcome=HealthOutcome.UNAUTHORIZED, received_at__gte=since
        )
        .values("client_address", "token_prefix", "source")
        .annotate(attempts=Count("pk"), last_at=Max("received_at"))
        .order_by("-attempts", "-last_at")[:limit]
    )
    prefixes = {row["token_prefix"] for row in rows if row["token_prefix"]}
    integrations = {
        integration.token_prefix: integration
        for integration in Integration.objects.filter(token_prefix__in=prefixes).select_related(
            "commune"
        )
    }
    return [
        UnauthorizedSource(
            client_address=row["client_address"],
            token_prefix=row["token_prefix"],
            source=row["source"],
            attempts=row["attempts"],
            last_at=row["last_at"],
            integration=integrations.get(row["token_prefix"]),
        )
        for row in rows
    ]


def last_rejected_of_instance(
    communes: Iterable[Commune], limit: int = LAST_ERRORS
) -> list[RejectedMessage]:
    """The last rejected messages of these communes and of no commune (refused tokens)."""
    ids = [commune.pk for commune in communes]
    return list(
        RejectedMessage.objects.filter(Q(commune_id__in=ids) | Q(commune__isnull=True))
        .select_related("commune", "integration")
        .defer("body")
        .order_by("-received_at", "-pk")[:limit]
    )
