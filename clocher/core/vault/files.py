"""Encrypted file storage: an uploaded file's bytes are sealed with the commune's data key.

Files live under ``MEDIA_ROOT/vault/<commune id>/`` with a random name; the database row
(:class:`~clocher.core.models.VaultFile`) keeps the sealed original name, type and size. Nothing in
the media folder is readable without the commune's key.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from clocher.core.vault import envelope

if TYPE_CHECKING:
    from clocher.core.models import VaultFile
    from clocher.tenancy.models import Commune

FILE_CONTEXT = "core.VaultFile.content"
NAME_CONTEXT = "core.VaultFile.name"


class FileRejected(ValueError):
    """An upload that cannot be accepted; the message is meant for the person who sent it."""


def _absolute(storage_path: str) -> Path:
    return Path(settings.MEDIA_ROOT) / storage_path


def store_file(
    *,
    commune: Commune,
    data: bytes,
    name: str,
    content_type: str,
    compartment: str = "",
) -> VaultFile:
    """Seal ``data`` under the commune's key (or its ``compartment`` sub-key) and record it."""
    from clocher.core.models import VaultFile

    file_id = uuid.uuid4()
    storage_path = f"vault/{commune.pk}/{file_id.hex}.sealed"
    target = _absolute(storage_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    sealed = envelope.seal(
        commune.pk, data, context=f"{FILE_CONTEXT}:{file_id}", compartment=compartment or None
    )
    temporary = target.with_suffix(".partial")
    temporary.write_bytes(sealed)
    os.replace(temporary, target)
    record = VaultFile.objects.create(
        id=file_id,
        commune=commune,
        name_ciphertext=envelope.seal(
            commune.pk, name, context=f"{NAME_CONTEXT}:{file_id}", compartment=compartment or None
        ),
        compartment=compartment,
        content_type=content_type,
        size=len(data),
        storage_path=storage_path,
    )
    return record


def read_file(vault_file: VaultFile) -> bytes:
    sealed = _absolute(vault_file.storage_path).read_bytes()
    return envelope.open_sealed(
        vault_file.commune_id,
        sealed,
        context=f"{FILE_CONTEXT}:{vault_file.id}",
        compartment=vault_file.compartment or None,
    )


def read_file_name(vault_file: VaultFile) -> str:
    return envelope.open_sealed(
        vault_file.commune_id,
        bytes(vault_file.name_ciphertext),
        context=f"{NAME_CONTEXT}:{vault_file.id}",
        compartment=vault_file.compartment or None,
    ).decode()
