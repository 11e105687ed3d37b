"""Retention of raw uplinks and rejected messages (``IOT_RAW_RETENTION_DAYS``, default 90).

Measurements and roll-ups stay: only the raw messages (kept for replay and audit) go.

- On PostgreSQL, ``iot_uplink`` is partitioned by month (``clocher.iot.partitions``): the month
  partitions entirely older than the limit are dropped whole (no row-by-row delete, no bloat),
  and the rows older than the limit in the default partition (late or very old messages) are
  deleted. An uplink is therefore kept between N days and N days plus one month.
- On SQLite (or a table not partitioned) the rows older than the limit are deleted in batches.
- Rejected messages older than the limit are deleted; health counters after
  ``HEALTH_COUNTERS_KEEP_DAYS``.

``uplinks_purge(dry_run=True)`` counts what would go and changes nothing
(``clocher iot purge-uplinks --dry-run``).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from clocher.iot import partitions
from clocher.iot.models import HealthCounter, RejectedMessage, Uplink

logger = logging.getLogger("clocher.iot.retention")

HEALTH_COUNTERS_KEEP_DAYS = 400
DELETE_BATCH = 5000
UPLINK_TABLE = "iot_uplink"


@dataclasses.dataclass(frozen=True)
class PurgedItem:
    """One thing removed (or that would be): ``kind`` is ``partition``, ``uplinks``,
    ``rejected_messages`` or ``health_counters``; ``name`` the partition's."""

    kind: str
    count: int
    name: str = ""


@dataclasses.dataclass
class PurgeReport:
    cutoff: datetime
    dry_run: bool
    items: list[PurgedItem] = dataclasses.field(default_factory=list)

    def total(self, kinds: tuple[str, ...] = ("partition", "uplinks")) -> int:
        return sum(item.count for item in self.items if item.kind in kinds)

    def as_dict(self) -> dict[str, object]:
        return {
            "cutoff": self.cutoff.isoformat(),
            "dry_run": self.dry_run,
            "uplinks": self.total(),
            "partitions_dropped": [item.name for item in self.items if item.kind == "partition"],
            "rejected_messages": self.total(("rejected_messages",)),
            "health_counters": self.total(("health_counters",)),
        }


def retention_days() -> int:
    return max(1, int(getattr(settings, "IOT_RAW_RETENTION_DAYS", 90)))


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Raw messages received before this moment are past their retention."""
    return (now or timezone.now()) - timedelta(days=retention_days())


def _delete_in_batches(model: type[models.Model], **lookup: object) -> int:
    """Delete the rows matching ``lookup`` a batch at a time (short transactions)."""
    manager = model._default_manager
    deleted = 0
    while True:
        ids = list(manager.filter(**lookup).values_list("pk", flat=True)[:DELETE_BATCH])
        if not ids:
            return deleted
        with transaction.atomic():
            manager.filter(pk__in=ids).delete()
        deleted += len(ids)


def _purge_uplinks_partitioned(report: PurgeReport) -> None:
    for partition in partitions.partitions_expired(UPLINK_TABLE, report.cutoff):
        report.items.append(
            PurgedItem("partition", partitions.partition_row_count(partition), partition.name)
        )
        if not report.dry_run:
            partitions.partition_drop(partition)
    quote = connection.ops.quote_name
    for partition in partitions.partitions_of(UPLINK_TABLE):
        if not partition.is_default:
            continue
        table = quote(partition.name)
        with connection.cursor() as cursor:
            if report.dry_run:
                cursor.execute(
                    f"SELECT count(*) FROM {table} WHERE received_at < %s",  # noqa: S608
                    [report.cutoff],
                )
                count = int((cursor.fetchone() or [0])[0])
            else:
                cursor.execute(
                    f"DELETE FROM {table} WHERE received_at < %s",  # noqa: S608
                    [report.cutoff],
                )
                count = cursor.rowcount
        if count:
            report.items.append(PurgedItem("uplinks", count, partition.name))


def uplinks_purge(*, now: datetime | None = None, dry_run: bool = False) -> PurgeReport:
    """Remove the raw uplinks and rejected messages past their retention (see the module's
    docstring); with ``dry_run`` only count them. Returns what was (or would be) removed."""
    now = now or timezone.now()
    report = PurgeReport(cutoff=retention_cutoff(now), dry_run=dry_run)
    if partitions.is_partitioned(UPLINK_TABLE):
        _purge_uplinks_partitioned(report)
    else:
        old = {"received_at__lt": report.cutoff}
        count = (
            Uplink.objects.filter(**old).count() if dry_run else _delete_in_batches(Uplink, **old)
        )
        if count:
            report.items.append(PurgedItem("uplinks", count))
    rejected = {"received_at__lt": report.cutoff}
    count = (
        RejectedMessage.objects.filter(**rejected).count()
        if dry_run
        else _delete_in_batches(RejectedMessage, **rejected)
    )
    if count:
        report.items.append(PurgedItem("rejected_messages", count))
    counters = HealthCounter.objects.filter(
        hour__lt=now - timedelta(days=HEALTH_COUNTERS_KEEP_DAYS)
    )
    count = counters.count() if dry_run else counters.delete()[0]
    if count:
        report.items.append(PurgedItem("health_counters", count))
    if not dry_run:
        logger.info("iot-retention: %s", report.as_dict(), extra=report.as_dict())
    return report
