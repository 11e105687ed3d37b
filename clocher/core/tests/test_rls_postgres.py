"""Row-Level Security on PostgreSQL: the second wall between communes.

A role that is not a superuser (as production must use) sees no commune-owned row unless the
session setting ``clocher.commune_id`` names a commune (then only its rows) or is ``*``.
"""

import pytest
from django.db import connection, transaction

from clocher.core.models.base import commune_owned_models
from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.sealed_data import citizen_account
from clocher.tenancy.models import Membership

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="runs in the PostgreSQL pass"
)

PROBE = "clocher_rls_probe"


def _tables():
    return sorted({model._meta.db_table for model in commune_owned_models()})


def test_every_commune_owned_table_has_forced_row_level_security(db):
    """After migrate, each commune-owned table has RLS enabled and forced (owner included)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relkind IN ('r', 'p') AND relname = ANY(%s)",
            [_tables()],
        )
        found = {name: (enabled, forced) for name, enabled, forced in cursor.fetchall()}

    assert set(found) == set(_tables())
    assert {name for name, flags in found.items() if flags != (True, True)} == set()


def _count_as_probe(cursor, table, setting):
    cursor.execute("RESET ROLE")
    if setting is None:
        cursor.execute("RESET clocher.commune_id")
    else:
        cursor.execute("SELECT set_config('clocher.commune_id', %s, true)", [setting])
    cursor.execute(f"SET LOCAL ROLE {PROBE}")
    cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
    return cursor.fetchone()[0]


def test_a_non_superuser_sees_only_the_communes_its_setting_names(
    db, commune_a, commune_b, admin_a, admin_b, agent_a
):
    """No setting: 0 rows; commune A: A's rows only; '*': every row — for memberships and
    citizen accounts alike."""
    citizen_account(commune_a, email="a@example.test")
    citizen_account(commune_b, email="b@example.test")
    tables = ["tenancy_membership", "accounts_citizenaccount"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {PROBE} NOLOGIN NOSUPERUSER NOBYPASSRLS")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {PROBE}")
        for table in tables:
            cursor.execute(f"GRANT SELECT ON {table} TO {PROBE}")
        counts = {
            table: (
                _count_as_probe(cursor, table, None),
                _count_as_probe(cursor, table, str(commune_a.pk)),
                _count_as_probe(cursor, table, str(commune_b.pk)),
                _count_as_probe(cursor, table, "*"),
            )
            for table in tables
        }
        cursor.execute("RESET ROLE")
        transaction.set_rollback(True)

    memberships_a = Membership.objects.filter(commune=commune_a).count()
    assert memberships_a == 2
    assert counts == {"tenancy_membership": (0, 2, 1, 3), "accounts_citizenaccount": (0, 1, 1, 2)}


def _current_scope():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('clocher.commune_id', true)")
        return cursor.fetchone()[0]


def test_a_commune_scoped_request_leaves_the_connection_open_to_all_again(
    db, admin_a, commune_b, monkeypatch
):
    """A back-office page of commune A narrows the connection to A during the request; after it
    (and after a 404 on commune B) the connection's setting is back to '*'."""
    from clocher.core import rls

    scopes = []
    original = rls.set_scope

    def recording(commune_id):
        original(commune_id)
        scopes.append(_current_scope())

    monkeypatch.setattr(rls, "set_scope", recording)
    client = signed_in_client(admin_a)

    page = client.get("/mairie/agey/")
    after_page = _current_scope()
    other = client.get("/mairie/beire/")
    after_404 = _current_scope()

    assert page.status_code == 200
    assert other.status_code == 404
    assert (after_page, after_404) == ("*", "*")
    assert scopes == [str(admin_a.memberships.get().commune_id), "*"]
