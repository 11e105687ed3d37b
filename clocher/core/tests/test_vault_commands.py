"""`clocher vault`: key-encryption key rotation, and crypto-shredding of one commune."""

import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clocher.accounts.models import CitizenAccount
from clocher.core import audit
from clocher.core.models import AuditEntry, CommuneKey, VaultFile
from clocher.core.testing.sealed_data import citizen_account, vault_file
from clocher.core.vault import VaultKeyDestroyed, envelope, keyring, read_file


def _fresh(model, pk):
    envelope.clear_cache()
    return model.objects.get(pk=pk)


def test_new_kek_prints_a_key_ring_line(capsys):
    """The printed line parses as a ring with one 256-bit key under the given id."""
    call_command("vault", "new-kek", "--id", "kek-2027")

    ring = keyring.parse_keyring(capsys.readouterr().out)
    assert ring.active_id == "kek-2027"
    assert len(ring.active_key) == 32


def test_rotation_rewraps_every_data_key_and_keeps_data_readable(
    db, settings, commune_a, commune_b, capsys
):
    """After the new key is put first and rotate-kek runs, every data key is wrapped by it and
    the data reads back even once the old key is removed from the ring."""
    old_ring = settings.VAULT_KEK
    old_id = keyring.parse_keyring(old_ring).active_id
    citizen = citizen_account(commune_a, email="rotation@example.test")
    stored = vault_file(commune_b, data=b"plan du cimetiere", name="plan.txt")
    new_line = keyring.new_key_line("kek-new")
    settings.VAULT_KEK = f"{new_line}\n{old_ring}"

    call_command("vault", "rotate-kek")
    settings.VAULT_KEK = new_line

    assert capsys.readouterr().out.strip() == "2 data keys re-wrapped with kek-new."
    assert set(CommuneKey.objects.values_list("kek_id", flat=True)) == {"kek-new"}
    assert old_id != "kek-new"
    assert _fresh(CitizenAccount, citizen.pk).email == "rotation@example.test"
    assert read_file(_fresh(VaultFile, stored.pk)) == b"plan du cimetiere"
    assert AuditEntry.objects.filter(action=audit.AuditAction.KEY_ROTATED).count() == 2


def test_destroy_key_refuses_without_a_recorded_export(db, commune_a):
    """No EXPORT in the journal and no --without-export: refused, the key is untouched."""
    wrapped = bytes(CommuneKey.objects.get(commune=commune_a).wrapped_key)

    with pytest.raises(CommandError, match="No export of agey is recorded"):
        call_command("vault", "destroy-key", "--commune", "agey", "--yes")

    key = CommuneKey.objects.get(commune=commune_a)
    assert key.destroyed_at is None
    assert bytes(key.wrapped_key) == wrapped


def test_destroy_key_asks_to_type_the_slug(db, commune_a, monkeypatch):
    """Without --yes, a wrong answer to the confirmation destroys nothing."""
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "beire")

    with pytest.raises(CommandError, match="Not confirmed"):
        call_command("vault", "destroy-key", "--commune", "agey", "--without-export")

    assert CommuneKey.objects.get(commune=commune_a).destroyed_at is None


def test_destroyed_key_makes_the_communes_data_and_files_unreadable(
    db, commune_a, commune_b, monkeypatch, tmp_path, settings
):
    """After an export and the typed confirmation, the commune's sealed fields and files raise
    VaultKeyDestroyed; the other commune still reads its own."""
    settings.MEDIA_ROOT = tmp_path / "files"
    citizen = citizen_account(commune_a, email="partie@example.test", display_name="Partie")
    stored = vault_file(commune_a, data=b"registre", name="registre.txt")
    neighbour = citizen_account(commune_b, email="reste@example.test")
    call_command("commune", "export", "--commune", "agey", "--output", str(tmp_path / "export"))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "agey")

    call_command("vault", "destroy-key", "--commune", "agey")

    key = CommuneKey.objects.get(commune=commune_a)
    assert key.is_destroyed
    assert bytes(key.wrapped_key) == b""
    with pytest.raises(VaultKeyDestroyed):
        _ = _fresh(CitizenAccount, citizen.pk).email
    with pytest.raises(VaultKeyDestroyed):
        read_file(_fresh(VaultFile, stored.pk))
    assert _fresh(CitizenAccount, neighbour.pk).email == "reste@example.test"
    entry = AuditEntry.objects.filter(action=audit.AuditAction.KEY_DESTROYED).get()
    assert entry.commune_id == commune_a.pk


def test_destroy_key_without_export_is_journaled_as_such(db, commune_a):
    """--without-export is allowed, and the journal says it was done without an export."""
    call_command("vault", "destroy-key", "--commune", "agey", "--without-export", "--yes")

    entry = AuditEntry.objects.filter(action=audit.AuditAction.KEY_DESTROYED).get()
    assert entry.data == {"reason": "commune left the platform (without export)"}


def test_status_lists_what_each_key_wraps(db, commune_a, commune_b, capsys):
    """`vault status` shows the active key and how many data keys it wraps."""
    call_command("vault", "status")

    lines = capsys.readouterr().out.splitlines()
    assert lines == ["test-kek-1 (active): wraps 2 data keys", "0 destroyed data keys"]
