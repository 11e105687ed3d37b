"""The vault: per-commune envelope encryption of personal data and uploaded files.

- Each commune has a random 256-bit data key (DEK), stored only wrapped by a key-encryption
  key (KEK) that lives outside the database (``keyring``).
- Values are sealed with AES-256-GCM under the commune's DEK; the associated data binds each
  ciphertext to its commune and to its place (model and field), so a ciphertext copied to another
  commune or another column does not decrypt.
- Reading personal data while acting as operator staff is journaled for the commune to see.

Public surface: ``seal``, ``open_sealed``, ``blind_index``, ``EncryptedTextField``,
``store_file``, ``read_file``, ``rotate_kek``, ``destroy_commune_key``.
"""

from clocher.core.vault.envelope import (
    VaultError,
    VaultKeyDestroyed,
    blind_index,
    destroy_commune_key,
    ensure_commune_key,
    open_sealed,
    rotate_kek,
    seal,
)
from clocher.core.vault.fields import EncryptedTextField
from clocher.core.vault.files import FileRejected, read_file, read_file_name, store_file

__all__ = [
    "EncryptedTextField",
    "FileRejected",
    "VaultError",
    "VaultKeyDestroyed",
    "blind_index",
    "destroy_commune_key",
    "ensure_commune_key",
    "open_sealed",
    "read_file",
    "read_file_name",
    "rotate_kek",
    "seal",
    "store_file",
]
