"""A dump of the whole database and a copy of every stored file hold no personal data in clear.

Canary personal data (a citizen's e-mail and name, a file's content and name) is stored the
normal way; the SQL dump (SQLite iterdump, or pg_dump on PostgreSQL) and the bytes of every file
under MEDIA_ROOT must not contain it — in text, lower case, hex (how blobs are dumped) or base64 —
while reading it through the models still gives it back.
"""

import base64
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from clocher.accounts.models import CitizenAccount
from clocher.core import vault
from clocher.core.backup import postgres_command
from clocher.core.models import VaultFile
from clocher.core.testing.factories import CommuneFactory
from clocher.core.testing.sealed_data import citizen_account, vault_file

CANARIES = {
    "email": "canari.zq7x@example.test",
    "name": "Zéphyrin Quenouille-Canari",
    "file content": "CANARI-CONTENU-zq7x: né le 3 mars 1931 à Agey",
    "file name": "canari-zq7x-dossier-médical.pdf",
}


def _forms(text):
    """The ways a leaked value could appear in a dump: as is, case-folded, hex, base64."""
    raw = text.encode()
    forms = {raw, text.casefold().encode(), raw.hex().encode(), raw.hex().upper().encode()}
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        forms.add(encoded[4 : len(encoded) - 4])  # the part that does not depend on neighbours
    return forms


def _database_dump():
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump()).encode()
    args, env = postgres_command("pg_dump")
    args += [
        "--format=plain",
        "--no-owner",
        "--enable-row-security",
        connection.settings_dict["NAME"],
    ]
    return subprocess.run(args, env=env, capture_output=True, check=True).stdout


@pytest.mark.django_db(transaction=True)
def test_database_dump_and_files_hold_no_plaintext_personal_data(settings, tmp_path):
    """No canary in the dump or the files; the models still decrypt every canary."""
    settings.MEDIA_ROOT = tmp_path / "files"
    commune = CommuneFactory(slug="agey", name="Agey", insee_code="21001")
    account = citizen_account(commune, email=CANARIES["email"], display_name=CANARIES["name"])
    stored = vault_file(commune, data=CANARIES["file content"].encode(), name=CANARIES["file name"])

    dump = _database_dump()
    files = {
        path: path.read_bytes() for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()
    }

    assert b"Agey" in dump  # the dump does hold the rows (the commune's name is not personal)
    assert len(files) == 1
    for label, canary in CANARIES.items():
        for form in _forms(canary):
            assert form not in dump, f"{label} found in the database dump as {form!r}"
            for path, content in files.items():
                assert form not in content, f"{label} found in {path} as {form!r}"
    vault.envelope.clear_cache()
    reread = CitizenAccount.objects.get(pk=account.pk)
    assert (reread.email, reread.display_name) == (CANARIES["email"], CANARIES["name"])
    reread_file = VaultFile.objects.get(pk=stored.pk)
    assert vault.read_file(reread_file).decode() == CANARIES["file content"]
    assert vault.read_file_name(reread_file) == CANARIES["file name"]
