"""The restore drill: back up, wipe everything, restore, and find the same data and files."""

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from clocher.accounts.models import CitizenAccount
from clocher.core import audit, vault
from clocher.core.models import AuditEntry, VaultFile
from clocher.core.testing.factories import CommuneFactory, MembershipFactory, OperatorFactory
from clocher.core.testing.sealed_data import citizen_account, table_contents, vault_file
from clocher.tenancy.models import Commune, Role

FILE_BYTES = "Acte de concession n°12 — Jeanne Dupont-Ballereau\n".encode() * 50


@pytest.fixture
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.BACKUP_DIR = tmp_path / "backups"
    return tmp_path


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_gives_back_the_same_rows_and_files(storage, capsys):
    """After backup → flush + delete files → restore, every table holds the same rows (plus the
    RESTORE entry), files decrypt to the same bytes, and the audit chain is intact."""
    operator = OperatorFactory()
    agey = CommuneFactory(operator=operator, slug="agey", name="Agey", insee_code="21001")
    beire = CommuneFactory(operator=operator, slug="beire", name="Beire", insee_code="21002")
    MembershipFactory(commune=agey, role=Role.COMMUNE_ADMIN)
    MembershipFactory(commune=beire, role=Role.AGENT)
    citizen = citizen_account(
        agey, email="jeanne.ballereau@example.test", display_name="Jeanne Ballereau"
    )
    stored = vault_file(beire, data=FILE_BYTES, name="concession-ballereau.txt")
    before = table_contents()
    head_before = audit.head()
    file_path = Path(stored.storage_path)
    sealed_before = (storage / "files" / file_path).read_bytes()

    call_command("backup", "--output", str(storage / "backups" / "drill.clocherbackup"))
    archive = storage / "backups" / "drill.clocherbackup"
    assert b"ballereau" not in archive.read_bytes().lower()
    call_command("flush", interactive=False)
    shutil.rmtree(storage / "files")
    vault.envelope.clear_cache()
    assert not Commune.objects.exists()
    call_command("restore", str(archive), "--yes")

    after = table_contents()
    restore_entry = AuditEntry.objects.order_by("-id")[0]
    assert restore_entry.action == audit.AuditAction.RESTORE
    assert restore_entry.data["archive_audit_head"] == head_before
    for table, rows in before.items():
        if table == "core_auditentry":
            assert len(after[table]) == len(rows) + 1
            assert set(rows) <= set(after[table])
        else:
            assert after[table] == rows, table
    assert (storage / "files" / file_path).read_bytes() == sealed_before
    assert vault.read_file(VaultFile.objects.get(pk=stored.pk)) == FILE_BYTES
    assert vault.read_file_name(VaultFile.objects.get(pk=stored.pk)) == "concession-ballereau.txt"
    restored_citizen = CitizenAccount.objects.get(pk=citizen.pk)
    assert restored_citizen.email == "jeanne.ballereau@example.test"
    assert restored_citizen.display_name == "Jeanne Ballereau"
    assert audit.verify_chain() == (len(after["core_auditentry"]), [])
    assert "Restored the database and 1 files" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_backup_is_journaled_with_the_archive_checksum(storage):
    """`clocher backup` writes a BACKUP entry naming the archive and its SHA-256."""
    import hashlib

    CommuneFactory(slug="agey", insee_code="21001")

    call_command("backup", "--output", str(storage / "backups"))

    archive = next((storage / "backups").glob("clocher-*.clocherbackup"))
    entry = AuditEntry.objects.order_by("-id")[0]
    assert entry.action == audit.AuditAction.BACKUP
    assert entry.target == archive.name
    assert entry.data["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert archive.stat().st_mode & 0o777 == 0o600
