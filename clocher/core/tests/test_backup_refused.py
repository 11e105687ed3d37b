"""A backup archive that was altered, cut, or sealed with another key is refused, and nothing
is changed."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clocher.core.backup import EncryptingWriter
from clocher.core.models import AuditEntry
from clocher.core.testing.factories import CommuneFactory
from clocher.core.testing.sealed_data import vault_file
from clocher.tenancy.models import Commune


@pytest.fixture
def archive(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    CommuneFactory(slug="agey", insee_code="21001")
    vault_file(Commune.objects.get(slug="agey"), data=b"x" * 5000, name="a.txt")
    path = tmp_path / "good.clocherbackup"
    call_command("backup", "--output", str(path))
    return path


def _restore_fails(path):
    entries = AuditEntry.objects.count()
    files = sorted(p.name for p in (path.parent / "files").rglob("*"))
    with pytest.raises(CommandError) as error:
        call_command("restore", str(path), "--yes")
    assert AuditEntry.objects.count() == entries
    assert sorted(p.name for p in (path.parent / "files").rglob("*")) == files
    assert Commune.objects.filter(slug="agey").exists()
    return str(error.value)


@pytest.mark.django_db(transaction=True)
def test_a_tampered_archive_is_refused(archive):
    """One flipped byte in the middle: refused as damaged or altered, nothing restored."""
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered = archive.with_name("tampered.clocherbackup")
    tampered.write_bytes(bytes(data))

    message = _restore_fails(tampered)

    assert "damaged or was altered" in message
    assert "nothing was restored" in message


@pytest.mark.django_db(transaction=True)
def test_a_truncated_archive_is_refused(archive):
    """An archive cut short (a copy that stopped halfway) is refused."""
    truncated = archive.with_name("truncated.clocherbackup")
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size - 100])

    assert "truncated" in _restore_fails(truncated)


@pytest.mark.django_db(transaction=True)
def test_an_archive_sealed_with_another_backup_key_is_refused(archive, settings):
    """With CLOCHER_BACKUP_KEY set, an archive made under the key ring is not readable with it,
    and the message says which key is needed."""
    settings.BACKUP_KEY = "another-backup-key-0123456789abcdef"
    other = archive.with_name("other-key.clocherbackup")
    call_command("backup", "--output", str(other))
    settings.BACKUP_KEY = "a-third-backup-key-0123456789abcdef"

    message = _restore_fails(other)

    assert "not the one this archive was encrypted with" in message


@pytest.mark.django_db(transaction=True)
def test_an_archive_with_its_end_chunk_dropped_is_refused(archive):
    """Dropping the last chunk (so the archive ends on a chunk not marked last) is detected."""
    import io

    sink = io.BytesIO()
    writer = EncryptingWriter(sink, chunk_size=64)
    writer.write(b"a" * 200)
    writer.finish()
    raw = sink.getvalue()
    header_end = len(b"CLOCHER-BACKUP\n") + 2 + int.from_bytes(raw[15:17], "big")
    chunks, offset = [], header_end
    while offset < len(raw):
        length = int.from_bytes(raw[offset : offset + 4], "big")
        chunks.append(raw[offset : offset + 4 + length])
        offset += 4 + length
    cut = archive.with_name("cut.clocherbackup")
    cut.write_bytes(raw[:header_end] + b"".join(chunks[:-1]))

    assert "truncated" in _restore_fails(cut)


@pytest.mark.django_db(transaction=True)
def test_a_file_that_is_not_an_archive_is_refused(archive):
    """Any other file gets a plain message."""
    other = archive.with_name("notes.clocherbackup")
    other.write_bytes(b"PK\x03\x04 not a backup")

    assert "not a Clocher backup archive" in _restore_fails(other)
