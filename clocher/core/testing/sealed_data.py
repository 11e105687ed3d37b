"""Helpers for the tests of the storage guarantees (backup, dump, vault, export).

``citizen_account`` and ``vault_file`` create sealed personal data the way the application does;
``table_contents`` reads every table raw, to compare a database before and after (restore drill).
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from clocher.core import vault


def citizen_account(commune: Any, *, email: str, display_name: str = "") -> Any:
    from clocher.accounts.models import CitizenAccount

    account = CitizenAccount(
        commune=commune,
        email=email,
        email_index=vault.blind_index(commune.pk, email, context="accounts.CitizenAccount.email"),
        display_name=display_name,
    )
    account.save()
    return account


def vault_file(commune: Any, *, data: bytes, name: str, content_type: str = "text/plain") -> Any:
    return vault.store_file(commune=commune, data=data, name=name, content_type=content_type)


def _plain(value: Any) -> Any:
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def table_contents() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as plain tuples sorted the same way each time."""
    contents = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = [tuple(_plain(value) for value in row) for row in cursor.fetchall()]
            contents[table] = sorted(rows, key=repr)
    return contents
