"""Many rows in one statement, the same on PostgreSQL and SQLite: the ingestion writes batches
of hundreds of uplinks, thousands of measurements and the alert states they move, and building
one model instance per row, or one placeholder per value on PostgreSQL, cost more than the
database's own work (docs/performance.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection

# SQLite allows 32,766 parameters per statement.
_MAX_PARAMETERS = 30000


def row_chunks(rows: Sequence[Any], width: int) -> Iterable[Sequence[Any]]:
    """The rows in as many statements as the database needs: one on PostgreSQL (the rows travel
    as one array per column), chunks under SQLite's parameter limit otherwise."""
    if connection.vendor == "postgresql":
        if rows:
            yield rows
        return
    size = max(1, _MAX_PARAMETERS // width)
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def execute_rows(sql: str, parameters: list[Any], *, fetch: bool = False) -> list[Any]:
    """Run a statement built with ``rows_source``. On PostgreSQL, through a server-side binding
    cursor of the same connection (same transaction) with binary parameters: Django's psycopg
    cursor binds on the client, quoting every array element into the statement's text, and
    reads timestamps as text in Python."""
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        # Errors become Django's (DataError, OperationalError…) as on any Django cursor.
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            # Binary results too: Django's text loader of timestamps is written in Python.
            cursor.execute(sql.replace("%s", "%b"), parameters, binary=True)
            return cursor.fetchall() if fetch else []
    # SQLite: the DB-API cursor of the same connection, with its own placeholders. Django's
    # cursor rewrites every placeholder with a regular expression, and a batch's statement
    # has thousands.
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql.replace("%s", "?"), parameters)
            return cursor.fetchall() if fetch else []
        finally:
            cursor.close()


def rows_source(types: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[str, list[Any]]:
    """A row source for ``rows`` and its parameters. PostgreSQL: ``SELECT * FROM unnest(…)``
    with one array parameter per column, so the statement text is the same whatever the batch
    (psycopg would otherwise parse thousands of placeholders for every batch). SQLite:
    ``VALUES (…), (…)``. ``types`` are the PostgreSQL types of the columns."""
    if connection.vendor == "postgresql":
        arrays = [list(column) for column in zip(*rows, strict=True)]
        casts = ", ".join(f"CAST(%s AS {kind}[])" for kind in types)
        return f"SELECT * FROM unnest({casts})", arrays  # noqa: S608 - types are ours
    row = "(" + ", ".join(["%s"] * len(types)) + ")"
    return "VALUES " + ", ".join([row] * len(rows)), [value for row in rows for value in row]


def db_time_adapter() -> Callable[[datetime | None], Any]:
    """How a datetime goes into a raw statement: as is for psycopg (binary timestamptz), through
    Django's adaptation otherwise (SQLite stores text). Looked up once per statement, not per
    value: the connection proxy costs on every attribute access."""
    if connection.vendor == "postgresql":
        return _same
    if connection.vendor == "sqlite" and connection.timezone_name == "UTC":
        return _sqlite_utc_text
    return connection.ops.adapt_datetimefield_value


def _sqlite_utc_text(value: datetime | None) -> str | None:
    """What Django's SQLite backend stores for an aware datetime when the database's time zone
    is UTC (``str`` of the naive UTC time), without its settings lookups on every value."""
    if value is None:
        return None
    if value.tzinfo is None:
        return str(value)  # as Django stores a naive one
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _same(value: Any) -> Any:
    return value
