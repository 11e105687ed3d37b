"""Query counts in tests: what the shell adds to every page on each database."""

from __future__ import annotations

from django.db import connection


def rls_scope_queries() -> int:
    """Queries the commune middleware adds to a commune page: on PostgreSQL it sets the
    row-level-security scope of the connection, then resets it (``core.rls``); none elsewhere."""
    return 2 if connection.vendor == "postgresql" else 0
