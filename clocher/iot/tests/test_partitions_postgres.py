"""PostgreSQL native partitioning of raw uplinks and measurements: monthly partitions with a
default one, created ahead and dropped by retention; commune isolation on every partition;
ingestion and deduplication unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from clocher.iot import partitions
from clocher.iot.models import Measurement, Uplink
from clocher.iot.services.ingestion import ingest
from clocher.iot.services.retention import uplinks_purge
from clocher.iot.tests import factories

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL pass"),
    pytest.mark.django_db,
]

PROBE = "clocher_partition_probe"


def _rows(sql: str, parameters: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters or [])
        return cursor.fetchall()


def _partition_of(table: str, pk: int) -> str:
    return _rows(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])[0][0]  # noqa: S608


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def test_uplinks_and_measurements_are_partitioned_by_month_with_a_default(db):
    """Both tables are RANGE-partitioned on their time, with this month, the next two and a
    default partition; the primary key holds the partition key."""
    found = dict(
        _rows(
            "SELECT c.relname, p.partstrat FROM pg_partitioned_table p "
            "JOIN pg_class c ON c.oid = p.partrelid WHERE c.relname = ANY(%s)",
            [["iot_uplink", "iot_measurement"]],
        )
    )
    assert found == {"iot_uplink": "r", "iot_measurement": "r"}
    this_month = partitions.month_start(timezone.now())
    for table in ("iot_uplink", "iot_measurement"):
        names = [partition.name for partition in partitions.partitions_of(table)]
        assert names[0] == f"{table}_default"
        assert partitions.partition_name(table, this_month) in names
        assert len(names) >= 4
    primary = _rows(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'iot_uplink'::regclass AND contype = 'p'"
    )
    assert primary == [("PRIMARY KEY (id, received_at)",)]


def test_partitions_are_created_ahead_once(db):
    """The upkeep creates the month of ``now`` and the next two, and nothing the second time."""
    now = datetime(2031, 11, 15, tzinfo=UTC)
    created = partitions.partitions_create_ahead(now)
    assert created == [
        "iot_uplink_p2031_11",
        "iot_uplink_p2031_12",
        "iot_uplink_p2032_01",
        "iot_measurement_p2031_11",
        "iot_measurement_p2031_12",
        "iot_measurement_p2032_01",
    ]
    assert partitions.partitions_create_ahead(now) == []


def test_message_from_two_years_ago_lands_in_the_default_partition(operator, commune_a):
    """An uplink (and its measurements) two years old is stored in the default partitions,
    once: the duplicate is recognised, the measurement upsert finds its unique index."""
    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    moment = _iso(timezone.now() - timedelta(days=730))
    first = ingest(integration=integration, message=factories.chirpstack_uplink(time=moment))
    again = ingest(integration=integration, message=factories.chirpstack_uplink(time=moment))
    assert (first.status, again.status) == ("stored", "duplicate")
    assert first.uplink_id is not None
    assert _partition_of("iot_uplink", first.uplink_id) == "iot_uplink_default"
    measurement = Measurement.objects.get(quantity="co2")
    assert _partition_of("iot_measurement", measurement.pk) == "iot_measurement_default"
    assert Uplink.objects.count() == 1


def test_current_uplink_lands_in_its_month_and_insert_without_target_dedups(operator, commune_a):
    """A current uplink lands in its month partition; ``INSERT … ON CONFLICT DO NOTHING``
    without a target (the batched path) skips the same uplink on the partitioned table."""
    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    now = timezone.now()
    result = ingest(integration=integration, message=factories.chirpstack_uplink(time=_iso(now)))
    assert result.uplink_id is not None
    assert _partition_of("iot_uplink", result.uplink_id) == partitions.partition_name(
        "iot_uplink", now
    )
    stored = Uplink.objects.get()
    inserted = _rows(
        "INSERT INTO iot_uplink (commune_id, dev_eui, source, dedup_key, received_at, stored_at, "
        "f_cnt, payload, status, error) VALUES (%s, %s, 'chirpstack', %s, %s, now(), 0, '', "
        "'stored', '') ON CONFLICT DO NOTHING RETURNING id",
        [commune_a.pk, stored.dev_eui, stored.dedup_key, stored.received_at],
    )
    assert inserted == []
    assert Uplink.objects.count() == 1


def test_new_partition_takes_its_rows_from_the_default(operator, commune_a):
    """A month created after its rows arrived (in the default partition) receives them, with
    the commune isolation policy."""
    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    moment = datetime(2021, 6, 10, 12, tzinfo=UTC)
    result = ingest(integration=integration, message=factories.chirpstack_uplink(time=_iso(moment)))
    assert result.uplink_id is not None
    assert partitions.partition_create("iot_uplink", moment) is True
    assert _partition_of("iot_uplink", result.uplink_id) == "iot_uplink_p2021_06"
    flags = _rows(
        "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = %s",
        ["iot_uplink_p2021_06"],
    )
    assert flags == [(True, True)]
    assert partitions.partition_create("iot_uplink", moment) is False


def test_retention_drops_whole_partitions_past_the_limit(operator, commune_a, settings):
    """Retention drops the month partitions wholly older than the limit and deletes the old
    rows of the default partition; measurements stay."""
    settings.IOT_RAW_RETENTION_DAYS = 90
    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    old_month = datetime(2022, 3, 10, tzinfo=UTC)
    ancient = datetime(2020, 1, 5, tzinfo=UTC)
    for moment in (old_month, ancient, timezone.now()):
        ingest(integration=integration, message=factories.chirpstack_uplink(time=_iso(moment)))
    partitions.partition_create("iot_uplink", old_month)
    measurements = Measurement.objects.count()

    dry = uplinks_purge(dry_run=True)
    assert [(item.kind, item.name, item.count) for item in dry.items] == [
        ("partition", "iot_uplink_p2022_03", 1),
        ("uplinks", "iot_uplink_default", 1),
    ]
    assert Uplink.objects.count() == 3

    report = uplinks_purge()
    assert report.as_dict()["partitions_dropped"] == ["iot_uplink_p2022_03"]
    assert _rows("SELECT to_regclass('iot_uplink_p2022_03')") == [(None,)]
    assert Uplink.objects.count() == 1
    assert Measurement.objects.count() == measurements


def _count_as_probe(cursor, table: str, setting: str) -> int:
    cursor.execute("RESET ROLE")
    cursor.execute("SELECT set_config('clocher.commune_id', %s, true)", [setting])
    cursor.execute(f"SET LOCAL ROLE {PROBE}")
    cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
    return cursor.fetchone()[0]


def test_row_level_security_isolates_communes_on_parent_and_partition(
    operator, commune_a, commune_b
):
    """A non-superuser role sees only the commune its setting names, through the partitioned
    table and when it reads a partition directly."""
    for commune, dev_eui in ((commune_a, "A81758FFFE030A8F"), (commune_b, "A81758FFFE030A90")):
        factories.device(commune, factories.profile(operator, slug=f"p-{commune.pk}"), dev_eui)
        integration, _token = factories.integration(commune)
        message = factories.chirpstack_uplink(time=_iso(timezone.now()))
        message = type(message)(**{**message.__dict__, "dev_eui": dev_eui})
        assert ingest(integration=integration, message=message).status == "stored"
    partition = partitions.partition_name("iot_uplink", timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {PROBE} NOLOGIN NOSUPERUSER NOBYPASSRLS")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {PROBE}")
        for table in ("iot_uplink", partition):
            cursor.execute(f"GRANT SELECT ON {table} TO {PROBE}")
        counts = {
            table: (
                _count_as_probe(cursor, table, str(commune_a.pk)),
                _count_as_probe(cursor, table, str(commune_b.pk)),
                _count_as_probe(cursor, table, "*"),
                _count_as_probe(cursor, table, ""),
            )
            for table in ("iot_uplink", partition)
        }
        cursor.execute("RESET ROLE")
        transaction.set_rollback(True)
    assert counts == {"iot_uplink": (1, 1, 2, 0), partition: (1, 1, 2, 0)}


def test_tables_updated_at_every_uplink_leave_room_for_hot_updates(db):
    """The roll-ups (every reading) and the devices (every batch) keep free room in their pages
    so that their updates stay on the page, no index touched (migrations 0007 and 0011)."""
    options = dict(
        _rows(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)",
            [["iot_rollup", "iot_device"]],
        )
    )
    assert options == {"iot_rollup": ["fillfactor=50"], "iot_device": ["fillfactor=70"]}
