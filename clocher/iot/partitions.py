"""PostgreSQL native partitioning of the two large IoT tables, and its upkeep.

On PostgreSQL, ``iot_uplink`` (by ``received_at``) and ``iot_measurement`` (by ``time``) are
RANGE-partitioned tables (migration ``0003_health_partitions``) with:

- one partition per calendar month **in UTC**, named ``<table>_pYYYY_MM``;
- a ``<table>_default`` partition that catches what no month partition holds (a message from two
  years ago, a device whose clock is in the future), so ingestion never fails for lack of one.

``partitions_create_ahead`` creates the current month and the next ``MONTHS_AHEAD`` ones (the
daily job ``iot.raw_retention`` calls it, see ``tasks_ops``); when rows of a month to create
already sit in the default partition, they are moved into the new partition in the same
transaction. ``partitions_expired`` lists the month partitions entirely older than a moment, so
retention drops them whole (``services.retention``) instead of deleting rows.

Each partition gets the commune isolation policy of its parent (``core.rls``), so a session that
reads a partition directly is held to the same wall as one reading the parent. On SQLite (and on
any table that is not partitioned) every function here is a no-op: the tables stay plain and
retention deletes rows.

The primary key of a partitioned table holds the partition key: ``(id, received_at)`` and
``(id, time)`` at the SQL level; Django keeps ``id`` as the primary key, which stays unique
because it comes from one identity sequence. Nothing has a foreign key to these tables (a
partitioned table can only be referenced through its whole primary key).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime

from django.db import connection, transaction
from django.utils import timezone

from clocher.core import rls

PARTITIONED_TABLES: dict[str, str] = {"iot_uplink": "received_at", "iot_measurement": "time"}
MONTHS_AHEAD = 2
MAINTENANCE_LOCK = 4_204_201  # pg_advisory_xact_lock key: one partition upkeep at a time


@dataclasses.dataclass(frozen=True)
class Partition:
    """One partition of a partitioned table: a month ``[start, end)`` or the default one."""

    table: str
    name: str
    start: datetime | None = None
    end: datetime | None = None

    @property
    def is_default(self) -> bool:
        return self.start is None


def month_start(moment: datetime) -> datetime:
    """The first instant (UTC) of the UTC month of ``moment``."""
    utc = moment.astimezone(UTC)
    return utc.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(start: datetime) -> datetime:
    return (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )


def partition_name(table: str, start: datetime) -> str:
    return f"{table}_p{start:%Y_%m}"


def default_partition_name(table: str) -> str:
    return f"{table}_default"


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def is_partitioned(table: str) -> bool:
    """Whether ``table`` is a partitioned table (always False on SQLite)."""
    if not is_postgresql():
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
            [table],
        )
        return cursor.fetchone() is not None


def partitions_of(table: str) -> list[Partition]:
    """The partitions of ``table``, the default first, then the months in order. A partition
    not named by this module (made by hand) is listed with no bounds only if it is the default;
    other foreign partitions are ignored (never dropped)."""
    if not is_partitioned(table):
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname, pg_get_expr(child.relpartbound, child.oid) = 'DEFAULT' "
            "FROM pg_inherits i JOIN pg_class child ON child.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY child.relname",
            [table],
        )
        rows = cursor.fetchall()
    pattern = re.compile(rf"^{re.escape(table)}_p(\d{{4}})_(\d{{2}})$")
    defaults, months = [], []
    for name, is_default in rows:
        if is_default:
            defaults.append(Partition(table, name))
            continue
        match = pattern.match(name)
        if match is None:
            continue
        start = datetime(int(match[1]), int(match[2]), 1, tzinfo=UTC)
        months.append(Partition(table, name, start, next_month(start)))
    return defaults + sorted(months, key=lambda partition: partition.start or datetime.min)


def apply_policy(partition: str) -> None:
    """Give ``partition`` the commune isolation policy of its parent (``core.rls``)."""
    with connection.cursor() as cursor:
        for statement in rls.policy_statements(partition):
            cursor.execute(statement)


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped ORDER BY attnum",
            [table],
        )
        return [name for (name,) in cursor.fetchall()]


def partition_create(table: str, start: datetime) -> bool:
    """Create the month partition of ``table`` starting at ``start`` (a UTC month start) if it
    does not exist; rows of that month waiting in the default partition move into it. Returns
    whether it was created. Runs in one transaction."""
    key = PARTITIONED_TABLES[table]
    start = month_start(start)
    end = next_month(start)
    name = partition_name(table, start)
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [MAINTENANCE_LOCK])
        cursor.execute("SELECT to_regclass(%s)", [name])
        row = cursor.fetchone()
        if row is not None and row[0] is not None:
            return False
        default = default_partition_name(table)
        cursor.execute("SELECT to_regclass(%s)", [default])
        has_default = (cursor.fetchone() or [None])[0] is not None
        waiting = False
        if has_default:
            cursor.execute(
                f"SELECT EXISTS (SELECT 1 FROM {quote(default)} "  # noqa: S608 - quoted names
                f"WHERE {quote(key)} >= %s AND {quote(key)} < %s)",
                [start, end],
            )
            waiting = bool((cursor.fetchone() or [False])[0])
        bounds = "FOR VALUES FROM (%s) TO (%s)"
        if not waiting:
            cursor.execute(
                f"CREATE TABLE {quote(name)} PARTITION OF {quote(table)} {bounds}", [start, end]
            )
        else:
            # PostgreSQL refuses a new partition whose rows sit in the default one: build the
            # table alone, move the rows, then attach it (checked against the default again).
            columns = ", ".join(quote(column) for column in _columns(table))
            cursor.execute(
                f"CREATE TABLE {quote(name)} (LIKE {quote(table)} INCLUDING DEFAULTS "
                "INCLUDING CONSTRAINTS INCLUDING STORAGE)"
            )
            cursor.execute(
                f"WITH moved AS (DELETE FROM {quote(default)} "  # noqa: S608 - quoted names
                f"WHERE {quote(key)} >= %s AND {quote(key)} < %s RETURNING {columns}) "
                f"INSERT INTO {quote(name)} ({columns}) SELECT {columns} FROM moved",
                [start, end],
            )
            cursor.execute(
                f"ALTER TABLE {quote(table)} ATTACH PARTITION {quote(name)} {bounds}",
                [start, end],
            )
        apply_policy(name)
    return True


def partitions_create_ahead(
    now: datetime | None = None, months_ahead: int = MONTHS_AHEAD
) -> list[str]:
    """Create, for every partitioned table, the month partitions of ``now``'s month and the
    ``months_ahead`` next ones; returns the names created."""
    now = now or timezone.now()
    created = []
    for table in PARTITIONED_TABLES:
        if not is_partitioned(table):
            continue
        start = month_start(now)
        for _month in range(months_ahead + 1):
            if partition_create(table, start):
                created.append(partition_name(table, start))
            start = next_month(start)
    return created


def partitions_expired(table: str, cutoff: datetime) -> list[Partition]:
    """The month partitions of ``table`` whose whole month is before ``cutoff``."""
    return [
        partition
        for partition in partitions_of(table)
        if partition.end is not None and partition.end <= cutoff
    ]


def partition_row_count(partition: Partition) -> int:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {quote(partition.name)}")  # noqa: S608
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def partition_drop(partition: Partition) -> None:
    """Drop a month partition with its rows (never the default one)."""
    if partition.is_default:
        raise ValueError("the default partition is never dropped")
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [MAINTENANCE_LOCK])
        cursor.execute(f"DROP TABLE IF EXISTS {quote(partition.name)}")
