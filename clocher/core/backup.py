"""Encrypted backups of the whole instance (database and files), and their restoration.

An archive is a tar stream, encrypted as it is written:

- ``database/clocher.sqlite3`` (SQLite, copied with the online backup API, so it is consistent
  while Clocher runs) or ``database/clocher.pgdump`` (``pg_dump --format=custom``, one snapshot);
- ``media/…``: every file under ``MEDIA_ROOT`` (they are vault-sealed already);
- ``manifest.json`` (last): format, date, Clocher version, database vendor, applied migrations,
  the audit journal's head, and every member with its size and SHA-256.

Encryption (``.clocherbackup`` file)::

    b"CLOCHER-BACKUP\\n" | header length (2 bytes) | header (JSON) | chunk | chunk | …

The header names the key (``kek:<id>`` for a key derived from that key-encryption key of the
ring, or ``backup-key`` for ``CLOCHER_BACKUP_KEY``), a random salt and a key fingerprint. The
archive key is HKDF-SHA256(master key, salt); each chunk is ``length (4 bytes) | AES-256-GCM``
of up to 1 MiB, with nonce = chunk number (11 bytes) + last-chunk flag, and the header as
associated data. So a chunk altered, removed, moved, or a truncated end, is detected, and a
large archive is never held in memory. The key ring is *not* in the archive: keep it elsewhere.

A restore verifies the whole archive (every chunk, every SHA-256) into a scratch folder before
it touches anything.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import connection

MAGIC = b"CLOCHER-BACKUP\n"
FORMAT_VERSION = 1
CHUNK_SIZE = 1024 * 1024
_MAX_CHUNK = 64 * 1024 * 1024
_SALT_BYTES = 32
DATABASE_MEMBERS = {"sqlite": "database/clocher.sqlite3", "postgresql": "database/clocher.pgdump"}
MANIFEST = "manifest.json"
SUFFIX = ".clocherbackup"


class BackupError(Exception):
    """A backup could not be written, or an archive cannot be restored; the message says why."""


# --- Keys -----------------------------------------------------------------------------------------
def _master_key_for_writing() -> tuple[str, bytes]:
    if settings.BACKUP_KEY:
        return "backup-key", settings.BACKUP_KEY.encode()
    from clocher.core.vault.keyring import load_keyring

    ring = load_keyring()
    return f"kek:{ring.active_id}", ring.active_key


def _master_key_for_reading(source: str) -> bytes:
    if source == "backup-key":
        if not settings.BACKUP_KEY:
            raise BackupError(
                "This archive was encrypted with CLOCHER_BACKUP_KEY, which is not set here."
            )
        return str(settings.BACKUP_KEY).encode()
    if source.startswith("kek:"):
        from clocher.core.vault.keyring import load_keyring

        key_id = source.removeprefix("kek:")
        ring = load_keyring()
        if key_id not in ring.keys:
            raise BackupError(
                f"This archive was encrypted with key-encryption key {key_id!r}, which is not in "
                "the key ring: restore the key ring that was in use when the backup was made."
            )
        return ring.keys[key_id]
    raise BackupError(f"Unknown backup key source {source!r}.")


def _derive(master: bytes, salt: bytes, purpose: str, length: int = 32) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=length,
        salt=salt,
        info=f"clocher-backup-v1:{purpose}".encode(),
    ).derive(master)


def _nonce(counter: int, final: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


# --- Encrypted stream -----------------------------------------------------------------------------
class EncryptingWriter:
    """A write-only stream that encrypts what it is given, chunk by chunk, into ``sink``."""

    def __init__(self, sink: Any, *, chunk_size: int = CHUNK_SIZE) -> None:
        source, master = _master_key_for_writing()
        salt = os.urandom(_SALT_BYTES)
        header = json.dumps(
            {
                "format": FORMAT_VERSION,
                "key": source,
                "salt": salt.hex(),
                "fingerprint": _derive(master, salt, "fingerprint", 8).hex(),
                "created_at": datetime.now(UTC).isoformat(),
            },
            sort_keys=True,
        ).encode()
        self._aead = AESGCM(_derive(master, salt, "encryption"))
        self._header = header
        self._sink = sink
        self._chunk_size = chunk_size
        self._buffer = bytearray()
        self._counter = 0
        self._finished = False
        sink.write(MAGIC + len(header).to_bytes(2, "big") + header)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self._finished:
            raise ValueError("The archive is already finished.")
        self._buffer += data
        while len(self._buffer) > self._chunk_size:
            self._emit(bytes(self._buffer[: self._chunk_size]), final=False)
            del self._buffer[: self._chunk_size]
        return len(data)

    def _emit(self, plaintext: bytes, *, final: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._counter, final), plaintext, self._header)
        self._sink.write(len(sealed).to_bytes(4, "big") + sealed)
        self._counter += 1

    def finish(self) -> None:
        """Write the last chunk (marked as last, so a truncated archive is detected)."""
        if not self._finished:
            self._emit(bytes(self._buffer), final=True)
            self._buffer.clear()
            self._finished = True


class DecryptingReader:
    """Reads an archive written by ``EncryptingWriter``; every chunk is authenticated."""

    def __init__(self, source: BinaryIO) -> None:
        self._source = source
        if source.read(len(MAGIC)) != MAGIC:
            raise BackupError("This file is not a Clocher backup archive.")
        length = int.from_bytes(self._read_exact(2, "header"), "big")
        self._header = self._read_exact(length, "header")
        try:
            header = json.loads(self._header)
            salt = bytes.fromhex(header["salt"])
            fingerprint = header["fingerprint"]
            version = header["format"]
            self.key_source = str(header["key"])
        except (ValueError, KeyError, TypeError) as error:
            raise BackupError("The archive header is damaged.") from error
        if version != FORMAT_VERSION:
            raise BackupError(f"Archive format {version!r} is not supported by this version.")
        master = _master_key_for_reading(self.key_source)
        if _derive(master, salt, "fingerprint", 8).hex() != fingerprint:
            raise BackupError(
                f"The key at hand ({self.key_source}) is not the one this archive was "
                "encrypted with (wrong CLOCHER_BACKUP_KEY or key ring)."
            )
        self._aead = AESGCM(_derive(master, salt, "encryption"))
        self._buffer = b""
        self._counter = 0
        self._finished = False

    def _read_exact(self, size: int, what: str) -> bytes:
        data = self._source.read(size)
        if len(data) != size:
            raise BackupError(f"The archive is truncated (in its {what}); nothing was restored.")
        return data

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> None:
        length_bytes = self._source.read(4)
        if len(length_bytes) < 4:
            raise BackupError(
                "The archive is truncated (its last part is missing); nothing was restored."
            )
        length = int.from_bytes(length_bytes, "big")
        if length < 16 or length > _MAX_CHUNK:
            raise BackupError(self._damaged())
        sealed = self._read_exact(length, f"part {self._counter}")
        for final in (False, True):
            try:
                plaintext = self._aead.decrypt(_nonce(self._counter, final), sealed, self._header)
            except InvalidTag:
                continue
            self._counter += 1
            self._buffer += plaintext
            if final:
                self._finished = True
                if self._source.read(1):
                    raise BackupError(self._damaged())
            return
        raise BackupError(self._damaged())

    def _damaged(self) -> str:
        return (
            f"The archive is damaged or was altered (part {self._counter} fails its "
            "authentication check); nothing was restored."
        )

    def read(self, size: int | None = -1) -> bytes:
        want = size if size is not None and size >= 0 else None
        while not self._finished and (want is None or len(self._buffer) < want):
            self._next_chunk()
        if want is None:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:want], self._buffer[want:]
        return data

    def drain(self) -> None:
        """Read (and authenticate) everything up to the last chunk."""
        while not self._finished:
            self._next_chunk()
        self._buffer = b""


class _HashingReader:
    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.sha256.update(data)
        return data


class _CountingSink:
    """Passes bytes through to a file, counting them and hashing them."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.size = 0
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self._raw.write(data)
        self.size += len(data)
        self.sha256.update(data)
        return len(data)


# --- Database dumps -------------------------------------------------------------------------------
def postgres_command(tool: str) -> tuple[list[str], dict[str, str]]:
    """The arguments and environment to run a PostgreSQL client tool on the configured database."""
    binary = shutil.which(tool)
    if binary is None:
        raise BackupError(
            f"{tool} is not installed: install the PostgreSQL client tools matching the server "
            "(Debian: apt-get install postgresql-client-15), then try again."
        )
    params = connection.settings_dict
    args = [binary]
    if params.get("HOST"):
        args += ["--host", str(params["HOST"])]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("USER"):
        args += ["--username", str(params["USER"])]
    env = dict(os.environ)
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    sslmode = (params.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    # Row-Level Security: let the tool see every commune (a non-superuser role is subject to it).
    env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + " -c clocher.commune_id=*").strip()
    return args, env


def _run_tool(args: list[str], env: dict[str, str], what: str) -> None:
    completed = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        detail = completed.stderr.strip().splitlines()[-5:]
        raise BackupError(f"{what} failed: " + " / ".join(detail))


def dump_database(target: Path) -> str:
    """Write a consistent copy of the database to ``target``; returns the vendor."""
    vendor = connection.vendor
    if vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
    elif vendor == "postgresql":
        args, env = postgres_command("pg_dump")
        args += [
            "--format=custom",
            "--enable-row-security",
            "--file",
            str(target),
            str(connection.settings_dict["NAME"]),
        ]
        _run_tool(args, env, "pg_dump")
    else:
        raise BackupError(f"Backing up a {vendor} database is not supported.")
    return vendor


def _drop_partitioned_tables() -> None:
    """``pg_restore --clean`` cannot drop the constraints a partition inherits from its parent
    (Cité IoT's monthly partitions): drop the partitioned tables themselves, with their
    partitions, first; the archive creates them again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) "
            "FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND NOT c.relispartition"
        )
        tables = [name for (name,) in cursor.fetchall()]
        if tables:
            cursor.execute(f"DROP TABLE IF EXISTS {', '.join(tables)} CASCADE")


def _load_database(source: Path, vendor: str) -> None:
    if vendor != connection.vendor:
        raise BackupError(
            f"This archive holds a {vendor} database but Clocher is configured for "
            f"{connection.vendor}: restore it into a {vendor} database."
        )
    if vendor == "sqlite":
        connection.ensure_connection()
        if not connection.get_autocommit():
            raise BackupError("Cannot restore inside a transaction.")
        origin = sqlite3.connect(source)
        try:
            origin.backup(connection.connection)
        finally:
            origin.close()
    else:
        _drop_partitioned_tables()
        connection.close()
        args, env = postgres_command("pg_restore")
        args += [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            str(connection.settings_dict["NAME"]),
            str(source),
        ]
        _run_tool(args, env, "pg_restore")


# --- Writing an archive ---------------------------------------------------------------------------
@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    sha256: str
    file_count: int
    manifest: dict[str, Any]


def _media_files() -> Iterator[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and not path.name.endswith(".partial"):
            yield path.relative_to(root).as_posix(), path


def _applied_migrations() -> list[str]:
    from django.db.migrations.recorder import MigrationRecorder

    return sorted(
        f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
    )


def _add_member(tar: tarfile.TarFile, name: str, path: Path) -> dict[str, Any]:
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    with path.open("rb") as handle:
        reader = _HashingReader(handle)
        tar.addfile(info, reader)  # type: ignore[arg-type]
    return {"path": name, "size": info.size, "sha256": reader.sha256.hexdigest()}


def default_backup_path() -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Path(settings.BACKUP_DIR) / f"clocher-{stamp}{SUFFIX}"


def create_backup(output: Path | None = None, *, actor: Any = None) -> BackupResult:
    """Write an encrypted archive of the database and the files; journal it."""
    from clocher import __version__
    from clocher.core import audit

    output = Path(output) if output is not None else default_backup_path()
    if output.is_dir() or not output.suffix:
        output = output / default_backup_path().name
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".clocher-backup-") as scratch:
        vendor = connection.vendor
        database_member = DATABASE_MEMBERS.get(vendor, "database/unknown")
        database_copy = Path(scratch) / Path(database_member).name
        dump_database(database_copy)
        manifest: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "clocher_version": __version__,
            "created_at": datetime.now(UTC).isoformat(),
            "database": {"vendor": vendor, "member": database_member},
            "migrations": _applied_migrations(),
            "audit_head": audit.head(),
            "members": [],
        }
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as raw:
                sink = _CountingSink(raw)
                writer = EncryptingWriter(sink)
                with tarfile.open(
                    fileobj=writer,
                    mode="w|",
                    format=tarfile.PAX_FORMAT,  # type: ignore[call-overload]
                ) as tar:
                    manifest["members"].append(_add_member(tar, database_member, database_copy))
                    for relative, path in _media_files():
                        manifest["members"].append(_add_member(tar, f"media/{relative}", path))
                    encoded = json.dumps(manifest, indent=1, sort_keys=True).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size = len(encoded)
                    info.mode = 0o600
                    tar.addfile(info, io.BytesIO(encoded))
                writer.finish()
            os.replace(partial, output)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
            raise
    file_count = len(manifest["members"]) - 1
    audit.log(
        audit.AuditAction.BACKUP,
        actor=actor,
        target=output.name,
        data={"sha256": sink.sha256.hexdigest(), "size": sink.size, "files": file_count},
    )
    return BackupResult(
        path=output,
        size=sink.size,
        sha256=sink.sha256.hexdigest(),
        file_count=file_count,
        manifest=manifest,
    )


# --- Reading an archive ---------------------------------------------------------------------------
def _safe_member_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"The archive holds an unsafe path {name!r}; nothing was restored.")
    if path.parts[0] not in {"database", "media"} and name != MANIFEST:
        raise BackupError(f"The archive holds an unexpected entry {name!r}; nothing was restored.")
    return path


def unpack_and_verify(archive: Path, target: Path) -> dict[str, Any]:
    """Decrypt ``archive`` into ``target`` and check it whole; returns its manifest.

    Raises ``BackupError`` (and leaves nothing usable in ``target``) if anything does not match.
    """
    if not archive.is_file():
        raise BackupError(f"No archive at {archive}.")
    found: dict[str, tuple[int, str]] = {}
    manifest: dict[str, Any] | None = None
    with archive.open("rb") as raw:
        reader = DecryptingReader(raw)
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[call-overload]
                for member in tar:
                    path = _safe_member_name(member.name)
                    if not member.isfile():
                        raise BackupError(f"The archive entry {member.name!r} is not a file.")
                    extracted = tar.extractfile(member)
                    assert extracted is not None
                    if member.name == MANIFEST:
                        manifest = json.loads(extracted.read(16 * 1024 * 1024))
                        continue
                    destination = target.joinpath(*path.parts)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    digest = hashlib.sha256()
                    with destination.open("wb") as handle:
                        while block := extracted.read(1024 * 1024):
                            digest.update(block)
                            handle.write(block)
                    found[member.name] = (member.size, digest.hexdigest())
        except tarfile.TarError as error:
            raise BackupError(f"The archive content is not readable ({error}).") from error
        reader.drain()
    if manifest is None:
        raise BackupError("The archive has no manifest; nothing was restored.")
    expected = {
        item["path"]: (item["size"], item["sha256"]) for item in manifest.get("members", [])
    }
    if expected != found:
        wrong = sorted(set(expected.items()) ^ set(found.items()))
        raise BackupError(
            "The archive content does not match its manifest ("
            + ", ".join(name for name, _ in wrong[:5])
            + "); nothing was restored."
        )
    return manifest


def _check_migrations(manifest: dict[str, Any]) -> list[str]:
    """Refuse an archive from a newer Clocher; return migrations to apply after restoring."""
    from django.db.migrations.loader import MigrationLoader

    known = {
        f"{app}.{name}"
        for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    }
    archived = set(manifest.get("migrations", []))
    unknown = sorted(archived - known)
    if unknown:
        raise BackupError(
            "This archive comes from a newer version of Clocher (unknown migrations: "
            + ", ".join(unknown[:5])
            + "): install that version first."
        )
    return sorted(known - archived)


def _restore_media(source: Path, members: list[str]) -> None:
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    for name in members:
        relative = PurePosixPath(name).relative_to("media")
        destination = root.joinpath(*relative.parts)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(source.joinpath(*PurePosixPath(name).parts)), destination)


def _remove_other_media(members: list[str]) -> int:
    root = Path(settings.MEDIA_ROOT)
    keep = {root.joinpath(*PurePosixPath(name).relative_to("media").parts) for name in members}
    removed = 0
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_dir():
            with contextlib.suppress(OSError):
                path.rmdir()  # only empty folders go
        elif path not in keep:
            path.unlink()
            removed += 1
    return removed


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    file_count: int
    pending_migrations: list[str]


def verify_backup(archive: Path) -> dict[str, Any]:
    """Check an archive whole without restoring it; returns its manifest."""
    scratch_parent = Path(settings.DATA_DIR)
    scratch_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch_parent, prefix=".clocher-verify-") as scratch:
        return unpack_and_verify(Path(archive), Path(scratch))


def restore_backup(archive: Path, *, actor: Any = None) -> RestoreResult:
    """Replace the database and the files by the archive's, after checking it whole."""
    from clocher.core import audit
    from clocher.core.vault import envelope

    archive = Path(archive)
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # The scratch folder sits beside MEDIA_ROOT, so files are moved in place, not copied.
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".clocher-restore-") as scratch:
        manifest = unpack_and_verify(archive, Path(scratch))
        pending = _check_migrations(manifest)
        database = manifest["database"]
        if database["vendor"] != connection.vendor:
            raise BackupError(
                f"This archive holds a {database['vendor']} database but Clocher is configured "
                f"for {connection.vendor}: restore it into a {database['vendor']} database."
            )
        media = [item["path"] for item in manifest["members"] if item["path"].startswith("media/")]
        _restore_media(Path(scratch), media)
        _load_database(
            Path(scratch).joinpath(*PurePosixPath(database["member"]).parts), database["vendor"]
        )
        _remove_other_media(media)
    envelope.clear_cache()
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    audit.log(
        audit.AuditAction.RESTORE,
        actor=actor,
        target=archive.name,
        data={
            "archive_created_at": manifest["created_at"],
            "archive_audit_head": manifest.get("audit_head"),
            "files": len(media),
        },
    )
    return RestoreResult(manifest=manifest, file_count=len(media), pending_migrations=pending)
