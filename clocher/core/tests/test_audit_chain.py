"""The audit journal's hash chain: `clocher audit verify` finds altered and removed entries."""

from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from clocher.core import audit
from clocher.core.models import AuditEntry


def _entries(count=5):
    return [
        audit.log(
            audit.AuditAction.LOGIN_FAILED,
            target=f"user:{index}",
            data={"n": index},
            ip_address="192.0.2.1",
        )
        for index in range(count)
    ]


@contextmanager
def _as_database_owner():
    """Raw writes as someone who can bypass the PostgreSQL trigger (the table's owner)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER clocher_audit_append_only")
        try:
            yield cursor
        finally:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "ALTER TABLE core_auditentry ENABLE TRIGGER clocher_audit_append_only"
                )


def test_verify_reports_an_intact_chain(db, capsys):
    """Several entries: exit 0 and "N entries, chain intact"."""
    _entries(5)
    total = AuditEntry.objects.count()

    call_command("audit", "verify")

    assert capsys.readouterr().out.strip() == f"{total} entries, chain intact"


def test_an_entry_changed_by_raw_sql_is_detected(db, capsys):
    """An UPDATE behind the application's back breaks the chain at that entry."""
    entries = _entries(5)
    with _as_database_owner() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET ip_address = %s WHERE id = %s",
            ["203.0.113.9", entries[2].pk],
        )

    with pytest.raises(CommandError) as error:
        call_command("audit", "verify")

    assert error.value.returncode == 1
    out = capsys.readouterr().out
    assert f"BREAK at entry {entries[2].pk}: content does not match its hash" in out
    assert out.count("BREAK") == 1


def test_a_removed_middle_entry_is_detected(db, capsys):
    """Deleting an entry in the middle breaks the link of the next one."""
    entries = _entries(5)
    with _as_database_owner() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[2].pk])

    with pytest.raises(CommandError):
        call_command("audit", "verify")

    out = capsys.readouterr().out
    assert f"BREAK at entry {entries[3].pk}: previous hash does not match" in out


def test_a_removed_tail_is_detected_against_a_kept_head(db, capsys):
    """The head printed earlier is checked with --expect: removing the last entries shows."""
    entries = _entries(4)
    call_command("audit", "head")
    printed_head = capsys.readouterr().out.split()[0]
    with _as_database_owner() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[-1].pk])

    with pytest.raises(CommandError):
        call_command("audit", "verify", "--expect", printed_head)

    assert printed_head == entries[-1].entry_hash
    assert "entries were removed from its end" in capsys.readouterr().out


def test_the_model_refuses_update_and_delete(db):
    """Saving an existing entry, deleting it, or bulk update/delete all raise; nothing changes."""
    entry = _entries(1)[0]
    entry.target = "changed"

    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(target="changed")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()

    assert AuditEntry.objects.get(pk=entry.pk).target == "user:0"


def test_deleting_a_user_keeps_the_entries_and_the_chain(db, capsys):
    """An actor's account deleted later: its entries keep their actor id and the chain holds."""
    from clocher.core.testing.factories import UserFactory

    user = UserFactory.create()
    entry = audit.log(audit.AuditAction.LOGIN, actor=user)
    user_id = user.pk
    user.delete()

    call_command("audit", "verify")

    assert AuditEntry.objects.get(pk=entry.pk).actor_id == user_id
    assert "chain intact" in capsys.readouterr().out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL pass")
def test_postgresql_refuses_update_and_delete_on_the_journal(db):
    """The trigger refuses raw UPDATE and DELETE, even from the application's role."""
    from django.db.utils import DatabaseError

    entry = _entries(1)[0]
    for statement in (
        "UPDATE core_auditentry SET target = 'changed'",
        "DELETE FROM core_auditentry",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)

    assert AuditEntry.objects.get(pk=entry.pk).target == "user:0"
