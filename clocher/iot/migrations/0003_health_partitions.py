"""Ingestion health (counters, rejected messages), the uplink's unique key with its time, and on
PostgreSQL the RANGE partitioning of ``iot_uplink`` (``received_at``) and ``iot_measurement``
(``time``) by month, with a default partition.

The conversion keeps every row, index, constraint (the primary key becomes ``(id, <key>)``),
grant, identity sequence position and the commune isolation policy (``core.rls``), which is also
given to each partition. SQLite keeps plain tables. The reverse operation turns the tables back
into plain ones. Upkeep (months ahead, retention) is ``clocher.iot.partitions``.
"""

from datetime import UTC, datetime

import django.db.models.deletion
from django.db import migrations, models

PARTITIONED = {"iot_uplink": "received_at", "iot_measurement": "time"}
MONTHS_AHEAD = 2
POLICY = "clocher_commune_isolation"
SETTING = "clocher.commune_id"


def _month(moment):
    utc = moment.astimezone(UTC)
    return utc.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next(start):
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)


def _policy(cursor, quote, table):
    cursor.execute(f"ALTER TABLE {quote(table)} ENABLE ROW LEVEL SECURITY")
    cursor.execute(f"ALTER TABLE {quote(table)} FORCE ROW LEVEL SECURITY")
    cursor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {quote(table)}")
    cursor.execute(
        f"CREATE POLICY {POLICY} ON {quote(table)} USING ("
        f"current_setting('{SETTING}', true) = '*' "
        f"OR commune_id::text = current_setting('{SETTING}', true))"
    )


def _rebuild(connection, table, key):
    """Rebuild ``table`` as partitioned by ``key`` (or, with ``key`` None, as a plain table)."""
    quote = connection.ops.quote_name
    old = f"{table}__rebuilt"
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [table])
        (relkind,) = cursor.fetchone()
        if (relkind == "p") == (key is not None):
            return
        cursor.execute(
            "SELECT conname, conrelid::regclass::text FROM pg_constraint "
            "WHERE confrelid = %s::regclass",
            [table],
        )
        referenced = cursor.fetchall()
        if referenced:
            raise RuntimeError(f"{table} is referenced by foreign keys {referenced}: not converted")
        cursor.execute(f"LOCK TABLE {quote(table)} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f', 'c', 'x') "
            "ORDER BY contype = 'p' DESC, conname",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid "
            "AND k.conrelid = x.indrelid) ORDER BY i.relname",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END, "
            "a.privilege_type, a.is_grantable FROM pg_class c, aclexplode(c.relacl) a "
            "LEFT JOIN pg_roles r ON r.oid = a.grantee "
            "WHERE c.oid = %s::regclass AND a.grantee <> c.relowner",
            [table],
        )
        grants = cursor.fetchall()
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (old_sequence,) = cursor.fetchone()
        position = None
        if old_sequence:
            cursor.execute(f"SELECT last_value, is_called FROM {old_sequence}")  # noqa: S608
            position = cursor.fetchone()
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped ORDER BY attnum",
            [table],
        )
        columns = ", ".join(quote(name) for (name,) in cursor.fetchall())

        cursor.execute(f"ALTER TABLE {quote(table)} RENAME TO {quote(old)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
        for name, _kind, _definition in reversed(constraints):
            cursor.execute(f"ALTER TABLE {quote(old)} DROP CONSTRAINT {quote(name)}")
        like = (
            f"LIKE {quote(old)} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE "
            "INCLUDING COMMENTS"
        )
        partitions = []
        if key is None:
            cursor.execute(f"CREATE TABLE {quote(table)} ({like})")
        else:
            cursor.execute(
                f"CREATE TABLE {quote(table)} ({like}) PARTITION BY RANGE ({quote(key)})"
            )
            default = f"{table}_default"
            cursor.execute(f"CREATE TABLE {quote(default)} PARTITION OF {quote(table)} DEFAULT")
            partitions.append(default)
            cursor.execute(
                f"SELECT DISTINCT date_trunc('month', {quote(key)} AT TIME ZONE 'UTC') "  # noqa: S608
                f"FROM {quote(old)}"
            )
            months = {month.replace(tzinfo=UTC) for (month,) in cursor.fetchall()}
            start = _month(datetime.now(UTC))
            for _step in range(MONTHS_AHEAD + 1):
                months.add(start)
                start = _next(start)
            for start in sorted(months):
                name = f"{table}_p{start:%Y_%m}"
                cursor.execute(
                    f"CREATE TABLE {quote(name)} PARTITION OF {quote(table)} "
                    "FOR VALUES FROM (%s) TO (%s)",
                    [start, _next(start)],
                )
                partitions.append(name)
        cursor.execute(
            f"INSERT INTO {quote(table)} ({columns}) OVERRIDING SYSTEM VALUE "  # noqa: S608
            f"SELECT {columns} FROM {quote(old)}"
        )
        cursor.execute(f"DROP TABLE {quote(old)}")
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        if sequence and position is not None:
            cursor.execute("SELECT setval(%s, %s, %s)", [sequence, position[0], position[1]])
            if old_sequence and sequence != old_sequence:
                bare = old_sequence.rsplit(".", 1)[-1].strip('"')
                cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {quote(bare)}")
        for name, kind, definition in constraints:
            if kind == "p":
                primary = ["id"] if key is None else ["id", key]
                definition = f"PRIMARY KEY ({', '.join(quote(column) for column in primary)})"
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        for _name, definition in indexes:
            cursor.execute(definition)
        for grantee, privilege, grantable in grants:
            option = " WITH GRANT OPTION" if grantable else ""
            cursor.execute(f"GRANT {privilege} ON {quote(table)} TO {grantee}{option}")
        # Commune-owned tables always get the policy (core.rls, after migrate); the partitions
        # get it here, so a session reading one directly meets the same wall.
        for name in [table, *partitions]:
            _policy(cursor, quote, name)


def partition_tables(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, key in PARTITIONED.items():
        _rebuild(schema_editor.connection, table, key)


def unpartition_tables(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in PARTITIONED:
        _rebuild(schema_editor.connection, table, None)


def isolate_health_tables(apps, schema_editor):
    """The health tables hold commune data without being commune-owned models (a refused token
    has no commune): give them the same isolation policy; a row without commune is only seen
    by platform work."""
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.connection.ops.quote_name
    with schema_editor.connection.cursor() as cursor:
        for table in ("iot_healthcounter", "iot_rejectedmessage"):
            _policy(cursor, quote, table)


class Migration(migrations.Migration):
    dependencies = [
        ("iot", "0002_opendata_datastreams"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="HealthCounter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("source", models.CharField(max_length=20)),
                ("hour", models.DateTimeField()),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("stored", "Enregistrées"),
                            ("duplicate", "Doublons"),
                            ("pending_device", "Objet inconnu (en attente)"),
                            ("decode_failed", "Décodage en échec"),
                            ("ignored", "Événements non conservés"),
                            ("rejected", "Rejetées (illisibles)"),
                            ("unauthorized", "Jeton refusé"),
                            ("failed", "Échec de la base (à réessayer)"),
                        ],
                        max_length=20,
                    ),
                ),
                ("count", models.PositiveBigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="RejectedMessage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("received_at", models.DateTimeField()),
                ("source", models.CharField(max_length=20)),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("stored", "Enregistrées"),
                            ("duplicate", "Doublons"),
                            ("pending_device", "Objet inconnu (en attente)"),
                            ("decode_failed", "Décodage en échec"),
                            ("ignored", "Événements non conservés"),
                            ("rejected", "Rejetées (illisibles)"),
                            ("unauthorized", "Jeton refusé"),
                            ("failed", "Échec de la base (à réessayer)"),
                        ],
                        default="rejected",
                        max_length=20,
                    ),
                ),
                ("reason", models.TextField()),
                ("topic", models.CharField(blank=True, max_length=300)),
                ("client_address", models.CharField(blank=True, max_length=50)),
                ("token_prefix", models.CharField(blank=True, max_length=12)),
                ("body", models.BinaryField(default=b"")),
                ("body_size", models.PositiveIntegerField(default=0)),
                ("is_truncated", models.BooleanField(default=False)),
            ],
        ),
        migrations.RemoveConstraint(
            model_name="uplink",
            name="iot_uplink_once",
        ),
        migrations.AddConstraint(
            model_name="uplink",
            constraint=models.UniqueConstraint(
                fields=("commune", "dedup_key", "received_at"), name="iot_uplink_once"
            ),
        ),
        migrations.AddField(
            model_name="healthcounter",
            name="commune",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="tenancy.commune",
            ),
        ),
        migrations.AddField(
            model_name="healthcounter",
            name="integration",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="iot.integration",
            ),
        ),
        migrations.AddField(
            model_name="rejectedmessage",
            name="commune",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="tenancy.commune",
            ),
        ),
        migrations.AddField(
            model_name="rejectedmessage",
            name="integration",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="iot.integration",
            ),
        ),
        migrations.AddIndex(
            model_name="healthcounter",
            index=models.Index(fields=["commune", "hour"], name="iot_health_commune_hour"),
        ),
        migrations.AddConstraint(
            model_name="healthcounter",
            constraint=models.UniqueConstraint(
                condition=models.Q(("integration__isnull", False)),
                fields=("integration", "hour", "outcome"),
                name="iot_health_integration_slot",
            ),
        ),
        migrations.AddConstraint(
            model_name="healthcounter",
            constraint=models.UniqueConstraint(
                condition=models.Q(("integration__isnull", True)),
                fields=("source", "hour", "outcome"),
                name="iot_health_instance_slot",
            ),
        ),
        migrations.AddIndex(
            model_name="rejectedmessage",
            index=models.Index(fields=["commune", "-received_at"], name="iot_rejected_commune"),
        ),
        migrations.AddIndex(
            model_name="rejectedmessage",
            index=models.Index(fields=["received_at"], name="iot_rejected_received"),
        ),
        migrations.AddIndex(
            model_name="uplink",
            index=models.Index(
                condition=models.Q(("status", "decode_failed")),
                fields=["commune", "-received_at"],
                name="iot_uplink_decode_failed",
            ),
        ),
        migrations.RunPython(isolate_health_tables, migrations.RunPython.noop),
        migrations.RunPython(partition_tables, unpartition_tables),
    ]
