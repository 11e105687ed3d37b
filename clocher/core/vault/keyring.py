"""Key-encryption keys (KEK), kept outside the database.

A key ring is text, one key per line: ``key-id:base64-of-32-bytes``. The first line is the active
key, used to wrap new data keys; the others stay readable for unwrapping until
``clocher vault rotate-kek`` has re-wrapped every data key with the active one.

Sources, in order: the ``CLOCHER_KEK`` variable (the ring inline, lines separated by newlines or
commas), then the file named by ``CLOCHER_KEK_FILE`` (default ``var/secrets/kek.keyring``). When
neither exists, a ring with one fresh key is written to the default file (mode 0600): that is the
embedded single-machine default; a deployment provides its own, or a KMS later.
"""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    active_id: str

    @property
    def active_key(self) -> bytes:
        return self.keys[self.active_id]


def parse_keyring(text: str) -> KeyRing:
    keys: dict[str, bytes] = {}
    active_id = ""
    for raw in text.replace(",", "\n").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key_id, _, encoded = line.partition(":")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except ValueError as error:
            raise ImproperlyConfigured(f"Key ring entry {key_id!r} is not valid base64.") from error
        if len(key) != 32:
            raise ImproperlyConfigured(f"Key ring entry {key_id!r} must be 32 bytes (AES-256).")
        keys[key_id.strip()] = key
        active_id = active_id or key_id.strip()
    if not keys:
        raise ImproperlyConfigured("The key ring holds no key.")
    return KeyRing(keys=keys, active_id=active_id)


def new_key_line(key_id: str | None = None) -> str:
    key_id = key_id or f"kek-{secrets.token_hex(4)}"
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}"


_cache: dict[str, KeyRing] = {}


def load_keyring() -> KeyRing:
    if settings.VAULT_KEK:
        source = "env:" + settings.VAULT_KEK
        if source not in _cache:
            _cache.clear()
            _cache[source] = parse_keyring(settings.VAULT_KEK)
        return _cache[source]
    path = Path(settings.VAULT_KEK_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(new_key_line("kek-initial") + "\n")
    text = path.read_text()
    source = f"file:{path}:{hash(text)}"
    if source not in _cache:
        _cache.clear()
        _cache[source] = parse_keyring(text)
    return _cache[source]


def clear_cache() -> None:
    _cache.clear()
