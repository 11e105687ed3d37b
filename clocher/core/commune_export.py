"""Export everything a commune owns, decrypted, in open formats: its way out (reversibility).

``export_commune`` writes one zip:

- ``README.txt`` — what the files are;
- ``commune.json`` — the commune itself;
- ``data/<app>.<Model>.json`` — for every commune-owned model, its rows as a JSON array, sealed
  fields (``EncryptedTextField``) decrypted, other binary columns in base64, foreign keys as ids;
  a model may add fields to its rows with an ``export_fields(self) -> dict`` method (for values it
  seals itself);
- ``files/<file id>/<original name>`` — every vault file, decrypted (``data/core.VaultFile.json``
  gives each file's decrypted name and the path of its content);
- ``staff.json`` — the staff accounts holding a role in the commune (no password);
- ``audit.json`` — the commune's part of the audit journal.

The export is journaled (``AuditAction.EXPORT``); ``clocher vault destroy-key`` looks for that
entry before it shreds a commune.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from clocher.core.models.base import commune_owned_models
from clocher.core.vault import EncryptedTextField, read_file, read_file_name

README = """Export des données de la commune {name} (code INSEE {insee}), fait le {date}.

commune.json      la commune
data/*.json       une table par fichier, une ligne par objet, données personnelles déchiffrées
files/            les fichiers déposés, déchiffrés (voir data/core.VaultFile.json)
staff.json        les comptes des agents et élus ayant un rôle dans la commune
audit.json        le journal d'audit de la commune

Ces fichiers contiennent des données personnelles en clair : conservez-les en lieu sûr.
"""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    files: int
    sha256: str


class _Encoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, bytes | memoryview):
            return base64.b64encode(bytes(o)).decode()
        return super().default(o)


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^\w.\- ]+", "_", name).strip(" .") or "fichier"
    return cleaned[:150]


def _row(obj: models.Model) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if isinstance(field, EncryptedTextField):
            row[field.attname] = getattr(obj, field.attname)
        else:
            row[field.attname] = field.value_from_object(obj)
    for field in obj._meta.many_to_many:
        row[field.name] = list(getattr(obj, field.name).values_list("pk", flat=True))
    extra = getattr(obj, "export_fields", None)
    if callable(extra):
        row.update(extra())
    return row


def _write_json_array(archive: zipfile.ZipFile, name: str, rows: Any) -> int:
    count = 0
    with archive.open(name, "w") as raw, io.TextIOWrapper(raw, encoding="utf-8") as handle:
        handle.write("[")
        for row in rows:
            handle.write(",\n " if count else "\n ")
            handle.write(json.dumps(row, cls=_Encoder, ensure_ascii=False, sort_keys=True))
            count += 1
        handle.write("\n]\n")
    return count


def _vault_file_rows(commune: Any, archive: zipfile.ZipFile) -> list[dict[str, Any]]:
    """Write every file of the commune, decrypted; return their rows (metadata only)."""
    from clocher.core.models import VaultFile

    rows = []
    for vault_file in VaultFile.objects.filter(commune=commune).order_by("created_at", "id"):
        row = _row(vault_file)
        row.pop("name_ciphertext", None)
        name = read_file_name(vault_file)
        member = f"files/{vault_file.id}/{_safe_name(name)}"
        archive.writestr(member, read_file(vault_file))
        row.update({"name": name, "content": member})
        rows.append(row)
    return rows


def default_export_name(commune: Any) -> str:
    return f"{commune.slug}-export-{datetime.now(UTC):%Y%m%d-%H%M%S}.zip"


def export_commune(*, commune: Any, output: Path, actor: Any = None) -> ExportResult:
    """Write the commune's export to ``output`` (a .zip path, or a folder to put it in)."""
    from clocher.accounts.models import User
    from clocher.core import audit
    from clocher.core.models import AuditEntry, VaultFile
    from clocher.tenancy.models import Commune, Membership

    output = Path(output)
    if output.suffix.lower() != ".zip":
        output.mkdir(parents=True, exist_ok=True)
        output = output / default_export_name(commune)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    rows = files = 0
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with (
            os.fdopen(descriptor, "wb") as raw,
            zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            archive.writestr(
                "README.txt",
                README.format(
                    name=commune.name, insee=commune.insee_code, date=datetime.now(UTC).date()
                ),
            )
            archive.writestr(
                "commune.json",
                json.dumps(
                    _row(Commune.objects.get(pk=commune.pk)),
                    cls=_Encoder,
                    ensure_ascii=False,
                    indent=1,
                ),
            )
            for model in sorted(commune_owned_models(), key=lambda m: m._meta.label):
                name = f"data/{model._meta.label}.json"
                if model is VaultFile:
                    files = _write_json_array(archive, name, _vault_file_rows(commune, archive))
                    rows += files
                    continue
                queryset = model._default_manager.filter(commune=commune).order_by("pk")
                rows += _write_json_array(archive, name, (_row(obj) for obj in queryset.iterator()))
            staff = User.objects.filter(
                pk__in=Membership.objects.filter(commune=commune).values("user_id")
            ).order_by("pk")
            _write_json_array(
                archive,
                "staff.json",
                (
                    {
                        "id": user.pk,
                        "email": user.email,
                        "first_name": user.first_name,
                        "last_name": user.last_name,
                        "is_active": user.is_active,
                    }
                    for user in staff
                ),
            )
            _write_json_array(
                archive,
                "audit.json",
                (
                    _row(entry)
                    for entry in AuditEntry.objects.filter(commune=commune)
                    .order_by("id")
                    .iterator()
                ),
            )
        os.replace(partial, output)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    digest = _sha256(output)
    audit.log(
        audit.AuditAction.EXPORT,
        actor=actor,
        commune=commune,
        target=f"commune:{commune.pk}",
        data={
            "file": output.name,
            "rows": rows,
            "files": files,
            "sha256": digest,
            "scope": "commune",
        },
    )
    return ExportResult(path=output, rows=rows, files=files, sha256=digest)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    handle: IO[bytes]
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()
