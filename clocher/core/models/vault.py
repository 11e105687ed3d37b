"""Vault storage: each commune's wrapped data key, and encrypted files."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from clocher.core.models.base import CommuneOwnedModel


class CommuneKey(models.Model):
    """A commune's data-encryption key, wrapped (AES-256-GCM) by a key-encryption key.

    The key-encryption key itself is never stored in the database (see ``core.vault.keyring``).
    Destroying the key (crypto-shredding) empties ``wrapped_key``: every ciphertext of that
    commune, in the database, in files and in backups, becomes unreadable for good.
    """

    commune = models.OneToOneField(
        "tenancy.Commune", on_delete=models.PROTECT, related_name="data_key"
    )
    kek_id = models.CharField(max_length=40)
    wrapped_key = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"data key of commune {self.commune_id} (wrapped by {self.kek_id})"

    @property
    def is_destroyed(self) -> bool:
        return self.destroyed_at is not None


class VaultFile(CommuneOwnedModel):
    """An uploaded file, stored encrypted with its commune's data key.

    The original name is personal data too (it often holds a name), so it is encrypted.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name_ciphertext = models.BinaryField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    storage_path = models.CharField(max_length=255, unique=True)
    # A sub-key of the commune's key sealed it (a démarches family), or "" for the commune key.
    compartment = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"file {self.id} ({self.content_type}, {self.size} bytes)"
