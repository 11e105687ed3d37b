"""PostgreSQL Row-Level Security: the second wall between communes.

Every commune-owned table gets a policy that only shows rows whose ``commune_id`` matches the
session setting ``clocher.commune_id``; the value ``*`` opens all communes (platform work: the
operator console, commands, the worker). A connection that has not set it sees **nothing**: a
report tool or a psql session pointed at the database with the application's role reads no
commune's data by accident.

- Clocher's own connections start at ``*`` (``connection_created``) and the commune middleware
  narrows them to one commune for the time of a commune-scoped request.
- Policies are (re)applied after every ``migrate`` to every ``CommuneOwnedModel`` table, so a new
  module is covered without writing SQL. ``FORCE ROW LEVEL SECURITY`` makes them apply to the
  tables' owner too; only a PostgreSQL superuser bypasses them, so production must connect with a
  non-superuser role (see docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate

SETTING = "clocher.commune_id"
ALL_COMMUNES = "*"
POLICY = "clocher_commune_isolation"


def _on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, false)", [SETTING, ALL_COMMUNES])


def set_scope(commune_id: int | None) -> None:
    """Narrow this connection to one commune (or open it to all with None)."""
    if default_connection.vendor != "postgresql":
        return
    value = ALL_COMMUNES if commune_id is None else str(commune_id)
    with default_connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, false)", [SETTING, value])


@contextmanager
def commune_scope(commune_id: int) -> Iterator[None]:
    set_scope(commune_id)
    try:
        yield
    finally:
        set_scope(None)


def policy_statements(table: str) -> list[str]:
    """The statements that give ``table`` the isolation policy (again). The setting is read in
    a sub-query: PostgreSQL then reads it once per statement instead of twice per row, which
    the ingestion's thousands of rows a second paid (docs/performance.md). Same rule."""
    quoted = default_connection.ops.quote_name(table)
    setting = f"(SELECT current_setting('{SETTING}', true))"
    return [
        f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY} ON {quoted}",
        (
            f"CREATE POLICY {POLICY} ON {quoted} USING ("
            f"{setting} = '{ALL_COMMUNES}' OR commune_id::text = {setting})"
        ),
    ]


def apply_policies(using: str = "default") -> list[str]:
    """Apply the isolation policy to every commune-owned table; returns the tables covered."""
    from django.db import connections

    from clocher.core.models.base import commune_owned_models

    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    tables = sorted({model._meta.db_table for model in commune_owned_models()})
    existing = set(connection.introspection.table_names())
    covered = []
    with connection.cursor() as cursor:
        for table in tables:
            if table not in existing:
                continue
            for statement in policy_statements(table):
                cursor.execute(statement)
            covered.append(table)
    return covered


def _on_post_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if sender.label == "core":
        apply_policies(using)


def connect_signals() -> None:
    connection_created.connect(_on_connection_created, dispatch_uid="clocher_rls_scope")
    post_migrate.connect(_on_post_migrate, dispatch_uid="clocher_rls_policies")
