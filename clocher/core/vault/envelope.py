"""Envelope encryption: commune data keys wrapped by the key-encryption key.

Ciphertext format (bytes): ``b"\\x01" + nonce (12 bytes) + AES-256-GCM(ciphertext + tag)``.
The associated data is ``clocher:<commune id>:<context>``; ``context`` names where the value lives
(``"tenancy.CitizenAccount.email"``, ``"file"``…).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import threading
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import transaction
from django.utils import timezone

from clocher.core.vault import keyring

if TYPE_CHECKING:
    from clocher.core.models import CommuneKey
    from clocher.tenancy.models import Commune

FORMAT_VERSION = b"\x01"
_NONCE_BYTES = 12


class VaultError(Exception):
    """A value could not be sealed or opened."""


class VaultKeyDestroyed(VaultError):
    """The commune's data key was destroyed (crypto-shredding): its data is gone for good."""


def _seal_with(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return FORMAT_VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _open_with(key: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    if len(ciphertext) < 1 + _NONCE_BYTES + 16 or ciphertext[:1] != FORMAT_VERSION:
        raise VaultError("Not a vault ciphertext.")
    nonce = ciphertext[1 : 1 + _NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, ciphertext[1 + _NONCE_BYTES :], aad)
    except InvalidTag as error:
        raise VaultError("The ciphertext does not match its key or its place.") from error


def _wrap_aad(commune_id: int) -> bytes:
    return f"clocher:data-key:{commune_id}".encode()


# Unwrapped data keys, per process. Destroying or rotating clears this process's cache; other
# processes keep a key at most _CACHE_SECONDS.
_CACHE_SECONDS = 60.0
_cache: dict[int, tuple[bytes, float]] = {}
_cache_lock = threading.Lock()


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
    _derive_compartment_key.cache_clear()
    keyring.clear_cache()


def ensure_commune_key(commune: Commune) -> CommuneKey:
    """Create the commune's data key if it has none (called when a commune is created)."""
    from clocher.core import audit
    from clocher.core.models import CommuneKey

    existing = CommuneKey.objects.filter(commune=commune).first()
    if existing is not None:
        return existing
    ring = keyring.load_keyring()
    data_key = AESGCM.generate_key(bit_length=256)
    with transaction.atomic():
        record = CommuneKey.objects.create(
            commune=commune,
            kek_id=ring.active_id,
            wrapped_key=_seal_with(ring.active_key, data_key, _wrap_aad(commune.pk)),
        )
        audit.log(audit.AuditAction.KEY_CREATED, commune=commune, target=f"commune:{commune.pk}")
    return record


def _data_key(commune_id: int) -> bytes:
    import time

    from clocher.core.models import CommuneKey

    now = time.monotonic()
    with _cache_lock:
        cached = _cache.get(commune_id)
        if cached and now - cached[1] < _CACHE_SECONDS:
            return cached[0]
    record = CommuneKey.objects.filter(commune_id=commune_id).first()
    if record is None:
        from clocher.tenancy.models import Commune

        record = ensure_commune_key(Commune.objects.get(pk=commune_id))
    if record.is_destroyed:
        raise VaultKeyDestroyed(f"The data key of commune {commune_id} was destroyed.")
    ring = keyring.load_keyring()
    if record.kek_id not in ring.keys:
        raise VaultError(
            f"Key-encryption key {record.kek_id!r} is not in the key ring: restore it, "
            "or the data of this commune cannot be read."
        )
    data_key = _open_with(
        ring.keys[record.kek_id], bytes(record.wrapped_key), _wrap_aad(commune_id)
    )
    with _cache_lock:
        _cache[commune_id] = (data_key, now)
    return data_key


def _aad(commune_id: int, context: str) -> bytes:
    return f"clocher:{commune_id}:{context}".encode()


def _compartment_key(commune_id: int, compartment: str) -> bytes:
    """A sub-key of the commune's data key for one sealed compartment (a démarches family).

    Derived with HKDF-SHA256 (RFC 5869) so that a value sealed for the "social" family cannot be
    opened by code holding only another family's key, and shredding the commune's key shreds
    every compartment with it.
    """
    return _derive_compartment_key(_data_key(commune_id), compartment)


@functools.lru_cache(maxsize=4096)
def _derive_compartment_key(data_key: bytes, compartment: str) -> bytes:
    # Keyed by the data key itself: a destroyed or rotated key is never looked up again, and
    # reading a compartment still goes through _data_key's checks every time.
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=f"clocher:compartment:{compartment}".encode(),
    ).derive(data_key)


def _key_for(commune_id: int, compartment: str | None) -> bytes:
    if compartment:
        return _compartment_key(commune_id, compartment)
    return _data_key(commune_id)


def seal(
    commune_id: int, plaintext: str | bytes, *, context: str, compartment: str | None = None
) -> bytes:
    data = plaintext.encode() if isinstance(plaintext, str) else plaintext
    return _seal_with(_key_for(commune_id, compartment), data, _aad(commune_id, context))


def open_sealed(
    commune_id: int, ciphertext: bytes, *, context: str, compartment: str | None = None
) -> bytes:
    """Decrypt one value. If operator staff are acting, the read is journaled for the commune."""
    from clocher.core import access_journal

    plaintext = _open_with(
        _key_for(commune_id, compartment), bytes(ciphertext), _aad(commune_id, context)
    )
    access_journal.note_personal_data_read(commune_id=commune_id, context=context)
    return plaintext


def blind_index(commune_id: int, value: str, *, context: str) -> str:
    """A keyed hash to look a value up (an e-mail…) without storing it in clear.

    Derived from the commune's data key, so it is shredded with it and differs between communes.
    """
    index_key = hmac.new(_data_key(commune_id), b"clocher:blind-index", hashlib.sha256).digest()
    normalized = value.strip().casefold()
    return hmac.new(index_key, f"{context}:{normalized}".encode(), hashlib.sha256).hexdigest()


def rotate_kek(*, actor: Any = None) -> int:
    """Re-wrap every data key with the active key-encryption key; returns how many changed."""
    from clocher.core import audit
    from clocher.core.models import CommuneKey

    ring = keyring.load_keyring()
    changed = 0
    stale = CommuneKey.objects.filter(destroyed_at__isnull=True).exclude(kek_id=ring.active_id)
    for record in stale:
        if record.kek_id not in ring.keys:
            raise VaultError(f"Key {record.kek_id!r} is missing from the key ring: cannot re-wrap.")
        data_key = _open_with(
            ring.keys[record.kek_id], bytes(record.wrapped_key), _wrap_aad(record.commune_id)
        )
        with transaction.atomic():
            previous = record.kek_id
            record.wrapped_key = _seal_with(ring.active_key, data_key, _wrap_aad(record.commune_id))
            record.kek_id = ring.active_id
            record.rotated_at = timezone.now()
            record.save(update_fields=["wrapped_key", "kek_id", "rotated_at"])
            audit.log(
                audit.AuditAction.KEY_ROTATED,
                actor=actor,
                commune_id=record.commune_id,
                target=f"commune:{record.commune_id}",
                data={"from": previous, "to": ring.active_id},
            )
        changed += 1
    clear_cache()
    return changed


def destroy_commune_key(*, commune: Commune, actor: Any = None, reason: str) -> None:
    """Crypto-shred a commune: its data key is erased, so all its sealed data is unreadable."""
    from clocher.core import audit
    from clocher.core.models import CommuneKey

    with transaction.atomic():
        record = CommuneKey.objects.select_for_update().get(commune=commune)
        record.wrapped_key = b""
        record.destroyed_at = timezone.now()
        record.save(update_fields=["wrapped_key", "destroyed_at"])
        audit.log(
            audit.AuditAction.KEY_DESTROYED,
            actor=actor,
            commune=commune,
            target=f"commune:{commune.pk}",
            data={"reason": reason},
        )
    clear_cache()
