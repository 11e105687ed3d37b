"""`clocher commune export`: every row of a commune, decrypted, and its files, in one zip."""

import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clocher.core import audit
from clocher.core.models import AuditEntry
from clocher.core.testing.sealed_data import citizen_account, vault_file


def test_export_holds_decrypted_rows_and_files_of_that_commune_only(
    db, settings, tmp_path, commune_a, commune_b, admin_a
):
    """The zip has the citizen's e-mail and name in clear, the file's bytes and name, the staff,
    nothing of the other commune; the export is journaled for the commune."""
    settings.MEDIA_ROOT = tmp_path / "files"
    citizen_account(commune_a, email="marie.export@example.test", display_name="Marie Export")
    citizen_account(commune_b, email="autre@example.test", display_name="Autre Commune")
    stored = vault_file(commune_a, data=b"contenu du dossier", name="dossier Marie.pdf")

    call_command("commune", "export", "--commune", "agey", "--output", str(tmp_path / "agey.zip"))

    with zipfile.ZipFile(tmp_path / "agey.zip") as archive:
        names = set(archive.namelist())
        citizens = json.loads(archive.read("data/accounts.CitizenAccount.json"))
        files = json.loads(archive.read("data/core.VaultFile.json"))
        content = archive.read(f"files/{stored.id}/dossier Marie.pdf")
        staff = json.loads(archive.read("staff.json"))
        commune = json.loads(archive.read("commune.json"))
    assert [(c["email"], c["display_name"]) for c in citizens] == [
        ("marie.export@example.test", "Marie Export")
    ]
    assert [(f["name"], f["content"]) for f in files] == [
        ("dossier Marie.pdf", f"files/{stored.id}/dossier Marie.pdf")
    ]
    assert content == b"contenu du dossier"
    assert [member["email"] for member in staff] == [admin_a.email]
    assert commune["slug"] == "agey"
    assert {"README.txt", "audit.json", "data/tenancy.Membership.json"} <= names
    entry = AuditEntry.objects.filter(action=audit.AuditAction.EXPORT).get()
    assert entry.commune_id == commune_a.pk
    assert entry.data["files"] == 1
    assert (tmp_path / "agey.zip").stat().st_mode & 0o777 == 0o600


def test_export_into_a_folder_names_the_file(db, tmp_path, commune_a, capsys):
    """Given a folder, the zip is created in it with the commune's slug and the date."""
    call_command("commune", "export", "--commune", "agey", "--output", str(tmp_path / "exports"))

    created = list((tmp_path / "exports").glob("agey-export-*.zip"))
    assert len(created) == 1
    assert str(created[0]) in capsys.readouterr().out


def test_export_of_an_unknown_commune_is_refused(db, tmp_path):
    """An unknown slug gives a clear error and writes nothing."""
    with pytest.raises(CommandError, match="No commune with slug 'nulle-part'"):
        call_command(
            "commune", "export", "--commune", "nulle-part", "--output", str(tmp_path / "x.zip")
        )

    assert not (tmp_path / "x.zip").exists()
    assert not AuditEntry.objects.filter(action=audit.AuditAction.EXPORT).exists()
