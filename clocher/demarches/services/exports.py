"""Agents' exports of requests (CSV, ODS, JSON): asked on a page, produced by the worker,
streamed back to the one agent who asked.

- **Scope**: one family granted to the agent (optionally one procedure, a date range of receipt,
  a status kind). Rows come from :func:`selectors.requests_for_agent`, like every staff read, and
  the family is checked again when the worker runs and when the file is downloaded.
- **Memory stays flat**: the queryset is read with ``.iterator(chunk_size=…)`` on the columns
  needed, personal values are decrypted row by row (the names of files, kept in the vault only,
  once per chunk of rows), and each row is written at once into a file sealed in chunks; the
  download decrypts chunk by chunk into a ``StreamingHttpResponse``.
- **Sealed at rest**: the file uses the chunk format of ``core.backup`` (AES-256-GCM per chunk,
  counter nonce, last-chunk flag, header as associated data: a chunk altered, moved or cut off is
  detected) under a random file key, itself sealed in the header with the commune's key for that
  family (``vault.seal``). Shredding the commune's key shreds its exports too.
- **Journaled**: the request for an export and each download go to the audit journal.
- **Short-lived**: files and rows are deleted after :data:`EXPORT_LIFETIME` (daily job).

CSV files use ``;`` and a UTF-8 byte-order mark (what French spreadsheets expect), and cells that
would start a formula (``=``, ``+``, ``-``, ``@``) are prefixed with ``'`` so that opening an
export never runs what a citizen typed.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import json
import logging
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clocher.core import audit
from clocher.core.backup import BackupError, DecryptingReader, EncryptingWriter
from clocher.core.vault import open_sealed, seal
from clocher.demarches import selectors
from clocher.demarches.formschema import FieldSpec
from clocher.demarches.formschema.file_references import file_ids, with_file_names
from clocher.demarches.models import (
    Channel,
    Export,
    ExportFormat,
    ExportStatus,
    Family,
    FormVersion,
    Procedure,
    Request,
    StatusKind,
)
from clocher.demarches.services import statuses
from clocher.demarches.services.answer_values import answers_from, schema_of, value_text
from clocher.demarches.services.ods_stream import OdsWriter
from clocher.tenancy.models import Commune

logger = logging.getLogger("clocher.demarches.exports")

EXPORT_LIFETIME = datetime.timedelta(days=7)
STUCK_AFTER = datetime.timedelta(hours=6)
ROWS_PER_CHUNK = 500
SEAL_CHUNK_SIZE = 256 * 1024
STREAM_PIECE = 64 * 1024
MAX_PENDING_PER_AGENT = 3
MAGIC = b"CLOCHER-EXPORT\n"
FILE_FORMAT = 1
CONTENT_TYPES: dict[str, str] = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.ODS: "application/vnd.oasis.opendocument.spreadsheet",
    ExportFormat.JSON: "application/json; charset=utf-8",
}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportRefused(Exception):
    """The export was not queued; ``message`` (French) says why, ``field`` which input."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- The sealed file ---------------------------------------------------------------------------


def _key_context(export: Export) -> str:
    return f"demarches.Export.file_key:{export.pk}"


class _SealingWriter(EncryptingWriter):
    """``core.backup``'s chunked writer, under a per-file key sealed for the commune and family."""

    def __init__(self, sink: Any, *, export: Export) -> None:
        file_key = AESGCM.generate_key(bit_length=256)
        context = _key_context(export)
        sealed_key = seal(export.commune_id, file_key, context=context, compartment=export.family)
        header = json.dumps(
            {"format": FILE_FORMAT, "context": context, "key": sealed_key.hex()}, sort_keys=True
        ).encode()
        self._aead = AESGCM(file_key)
        self._header = header
        self._sink = sink
        self._chunk_size = SEAL_CHUNK_SIZE
        self._buffer = bytearray()
        self._counter = 0
        self._finished = False
        sink.write(MAGIC + len(header).to_bytes(2, "big") + header)


class _OpeningReader(DecryptingReader):
    """``core.backup``'s chunked reader for an export file (every chunk authenticated)."""

    def __init__(self, source: Any, *, export: Export) -> None:  # no super(): other key source
        self._source = source
        if source.read(len(MAGIC)) != MAGIC:
            raise BackupError("Not an export file.")
        length = int.from_bytes(self._read_exact(2, "header"), "big")
        self._header = self._read_exact(length, "header")
        try:
            header = json.loads(self._header)
            context = str(header["context"])
            sealed_key = bytes.fromhex(header["key"])
        except (ValueError, KeyError, TypeError) as error:
            raise BackupError("The export header is damaged.") from error
        if header.get("format") != FILE_FORMAT or context != _key_context(export):
            raise BackupError("This file is not the file of this export.")
        file_key = open_sealed(
            export.commune_id, sealed_key, context=context, compartment=export.family
        )
        self._aead = AESGCM(file_key)
        self._buffer = b""
        self._counter = 0
        self._finished = False


def _absolute(storage_path: str) -> Path:
    return Path(settings.DATA_DIR) / storage_path


# --- Asking for an export -----------------------------------------------------------------------


def _check_scope(
    *,
    commune: Commune,
    actor: Any,
    family: str,
    procedure: Procedure | None,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    status_kind: str,
    format: str,
) -> None:
    if family not in selectors.granted_families(actor, commune):
        raise ExportRefused(
            _("Vous n'avez pas accès aux demandes de cette famille."), field="family"
        )
    if procedure is not None and (procedure.commune_id != commune.pk or procedure.family != family):
        raise ExportRefused(
            _("Cette démarche n'appartient pas à la famille choisie."), field="procedure"
        )
    if date_from and date_to and date_from > date_to:
        raise ExportRefused(
            _("La date de fin doit être postérieure à la date de début."), field="date_to"
        )
    if status_kind and status_kind not in StatusKind.values:
        raise ExportRefused(_("Choisissez un état proposé."), field="status_kind")
    if format not in ExportFormat.values:
        raise ExportRefused(_("Choisissez un format proposé."), field="format")


def export_request(
    *,
    commune: Commune,
    actor: Any,
    family: str,
    format: str,
    procedure: Procedure | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    status_kind: str = "",
) -> Export:
    """Queue an export of the requests of ``family`` (the agent's own); journaled."""
    _check_scope(
        commune=commune,
        actor=actor,
        family=family,
        procedure=procedure,
        date_from=date_from,
        date_to=date_to,
        status_kind=status_kind,
        format=format,
    )
    pending = (
        Export.objects.for_commune(commune)
        .filter(requested_by=actor, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING])
        .count()
    )
    if pending >= MAX_PENDING_PER_AGENT:
        raise ExportRefused(
            _("Vous avez déjà %(count)s exports en préparation : attendez qu'ils soient prêts.")
            % {"count": pending}
        )
    with transaction.atomic():
        export = Export.objects.create(
            commune=commune,
            requested_by=actor,
            family=family,
            procedure=procedure,
            format=format,
            filters={
                "date_from": date_from.isoformat() if date_from else None,
                "date_to": date_to.isoformat() if date_to else None,
                "status_kind": status_kind,
            },
        )
        audit.log(
            audit.AuditAction.EXPORT,
            actor=actor,
            commune=commune,
            target=f"demarches.Export:{export.pk}",
            data={
                "family": family,
                "procedure": procedure.pk if procedure else None,
                "format": format,
                "filters": export.filters,
            },
        )
        export_id = export.pk
        transaction.on_commit(lambda: _queue(export_id))
    return export


def _queue(export_id: int) -> None:
    from clocher.demarches.tasks import produce_export

    produce_export.enqueue(export_id)


def exports_of(actor: Any, commune: Commune) -> QuerySet[Export]:
    """The agent's own exports (nobody sees another agent's), newest first."""
    return (
        Export.objects.for_commune(commune)
        .filter(requested_by=actor)
        .select_related("procedure")
        .order_by("-created_at", "-pk")
    )


def expires_at(export: Export) -> datetime.datetime:
    return export.created_at + EXPORT_LIFETIME


# --- Producing it (the worker) ------------------------------------------------------------------


def _requests(export: Export) -> QuerySet[Request]:
    assert export.requested_by is not None
    rows = selectors.requests_for_agent(export.requested_by, export.commune).filter(
        family=export.family
    )
    if export.procedure_id:
        rows = rows.filter(procedure_id=export.procedure_id)
    filters = export.filters or {}
    zone = timezone.get_current_timezone()
    if filters.get("date_from"):
        start = datetime.date.fromisoformat(filters["date_from"])
        rows = rows.filter(
            received_at__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
        )
    if filters.get("date_to"):
        end = datetime.date.fromisoformat(filters["date_to"]) + datetime.timedelta(days=1)
        rows = rows.filter(
            received_at__lt=datetime.datetime.combine(end, datetime.time.min, tzinfo=zone)
        )
    if filters.get("status_kind"):
        rows = rows.filter(status_kind=filters["status_kind"])
    return rows


@dataclass(frozen=True)
class _Columns:
    """The answer columns: every input field of the form versions in scope, by name."""

    fields: list[FieldSpec]
    schemas: dict[int, Any]  # form version id → parsed schema

    @property
    def headings(self) -> list[str]:
        return [spec.label or spec.name for spec in self.fields]


def _answer_columns(export: Export, form_version_ids: set[int]) -> _Columns:
    versions = (
        FormVersion.objects.for_commune(export.commune)
        .filter(pk__in=form_version_ids)
        .select_related("procedure")
        .order_by("procedure__title", "-number")
    )
    schemas: dict[int, Any] = {}
    seen: dict[str, FieldSpec] = {}
    for version in versions:
        schema = schema_of(version.schema)
        schemas[version.pk] = schema
        for spec in schema.input_fields():
            seen.setdefault(spec.name, spec)
    return _Columns(fields=list(seen.values()), schemas=schemas)


FIXED_HEADINGS = [
    "Numéro",
    "Démarche",
    "Famille",
    "Canal",
    "Statut",
    "Reçue le",
    "Décision implicite le",
    "Décidée le",
    "Close le",
    "Attribuée à",
    "E-mail",
    "Anonymisée le",
]


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(moment) if moment else None


class _RowMaker:
    def __init__(self, export: Export, columns: _Columns) -> None:
        self.columns = columns
        self.procedures: dict[int, Procedure] = {}
        self.status_labels: dict[tuple[int, str], str] = {}
        for procedure in selectors.procedures_for_commune(export.commune).filter(
            family=export.family
        ):
            self.procedures[procedure.pk] = procedure
            for status in statuses.statuses_of(procedure):
                self.status_labels[(procedure.pk, status.code)] = status.label
        self.family_label = str(Family(export.family).label)
        self.channel_labels = {code: str(label) for code, label in Channel.choices}

    def _fields(self, row: Request) -> tuple[FieldSpec, ...]:
        schema = self.columns.schemas.get(row.form_version_id)
        return schema.fields if schema is not None else ()

    def file_names(self, commune: Commune, rows: list[Request]) -> dict[str, str]:
        """The names of the files the clear values of ``rows`` refer to, from the vault (one
        query for the rows; the sealed personal values keep their files' names)."""
        ids: set[str] = set()
        for row in rows:
            ids |= file_ids(self._fields(row), row.values or {})
        return selectors.vault_file_names(commune, ids)

    def values(self, row: Request, file_names: dict[str, str]) -> dict[str, Any]:
        values = dict(row.values or {})
        if row.anonymised_at is None:
            values.update(row.personal())
        return with_file_names(self._fields(row), values, file_names)

    def fixed(self, row: Request) -> list[Any]:
        procedure = self.procedures.get(row.procedure_id)
        assignee = row.assigned_to
        return [
            row.number,
            procedure.title if procedure else "",
            self.family_label,
            self.channel_labels.get(row.channel, row.channel),
            self.status_labels.get((row.procedure_id, row.status), row.status),
            _local(row.received_at),
            row.implicit_decision_on,
            _local(row.decided_at),
            _local(row.closed_at),
            (assignee.get_full_name() or assignee.email) if assignee else "",
            row.email if row.anonymised_at is None else "",
            _local(row.anonymised_at),
        ]

    def answer_cells(self, values: dict[str, Any]) -> list[Any]:
        cells: list[Any] = []
        for spec in self.columns.fields:
            value = values.get(spec.name)
            if spec.type == "number" and isinstance(value, int | float):
                cells.append(value)
            else:
                cells.append(value_text(spec, value) if value is not None else "")
        return cells

    def json_row(self, row: Request, values: dict[str, Any]) -> dict[str, Any]:
        fixed = self.fixed(row)
        schema = self.columns.schemas.get(row.form_version_id) or schema_of({})
        personal_names = schema.personal_names()
        plain = {name: value for name, value in values.items() if name not in personal_names}
        personal = {name: value for name, value in values.items() if name in personal_names}
        return {
            "number": row.number,
            "procedure": fixed[1],
            "family": row.family,
            "channel": row.channel,
            "status": row.status,
            "status_label": fixed[4],
            "received_at": _iso(row.received_at),
            "implicit_decision_on": _iso(row.implicit_decision_on),
            "decided_at": _iso(row.decided_at),
            "closed_at": _iso(row.closed_at),
            "assigned_to": fixed[9],
            "email": fixed[10],
            "anonymised_at": _iso(row.anonymised_at),
            "answers": [answer.as_json() for answer in answers_from(schema, plain, personal)],
        }


def _iso(value: datetime.datetime | datetime.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _csv_safe(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value).replace(".", ",")
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


class _CsvOut:
    def __init__(self, sink: Any, headings: list[str]) -> None:
        self._sink = sink
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, delimiter=";", lineterminator="\r\n")
        sink.write("\ufeff".encode())
        self.row(headings)

    def row(self, cells: list[Any]) -> None:
        self._csv.writerow([_csv_safe(cell) for cell in cells])
        if self._buffer.tell() > 64 * 1024:
            self.flush()

    def flush(self) -> None:
        self._sink.write(self._buffer.getvalue().encode())
        self._buffer.seek(0)
        self._buffer.truncate()

    def close(self) -> None:
        self.flush()


_ROW_FIELDS = (
    "pk",
    "commune_id",
    "family",
    "number",
    "procedure_id",
    "form_version_id",
    "channel",
    "status",
    "received_at",
    "implicit_decision_on",
    "decided_at",
    "closed_at",
    "anonymised_at",
    "values",
    "personal_values",
    "email",
    "assigned_to__first_name",
    "assigned_to__last_name",
    "assigned_to__email",
)


def _chunks(rows: Iterator[Request], size: int) -> Iterator[list[Request]]:
    """``rows`` in lists of ``size`` (the last one shorter), read as they come."""
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


def _write(export: Export, sink: Any) -> int:
    """Write every row into ``sink`` (plaintext, before sealing); returns the row count."""
    rows = _requests(export).order_by("received_at", "pk")
    total = rows.count()
    Export.objects.filter(pk=export.pk).update(rows_total=total)
    columns = _answer_columns(
        export, set(rows.order_by().values_list("form_version_id", flat=True).distinct())
    )
    maker = _RowMaker(export, columns)
    headings = FIXED_HEADINGS + columns.headings
    if export.format == ExportFormat.CSV:
        table: Any = _CsvOut(sink, headings)
    elif export.format == ExportFormat.ODS:
        table = OdsWriter(sink, sheet_name=_("Demandes"), columns=headings)
    else:
        table = None
        meta = {
            "format": "clocher-demarches-export/1",
            "commune": export.commune.name,
            "family": export.family,
            "procedure": export.procedure.title if export.procedure else None,
            "filters": export.filters,
            "created_at": _iso(export.created_at),
            "fields": [spec.as_json() for spec in columns.fields],
        }
        head = json.dumps(meta, ensure_ascii=False)[:-1]
        sink.write(f'{head}, "requests": [\n'.encode())
    done = 0
    queryset = rows.select_related("assigned_to").only(*_ROW_FIELDS)
    for chunk in _chunks(queryset.iterator(chunk_size=ROWS_PER_CHUNK), ROWS_PER_CHUNK):
        file_names = maker.file_names(export.commune, chunk)
        for row in chunk:
            values = maker.values(row, file_names)
            if table is None:
                prefix = ",\n" if done else ""
                sink.write(
                    (prefix + json.dumps(maker.json_row(row, values), ensure_ascii=False)).encode()
                )
            elif export.format == ExportFormat.CSV:
                table.row(maker.fixed(row) + maker.answer_cells(values))
            else:
                table.write_row(maker.fixed(row) + maker.answer_cells(values))
            done += 1
        Export.objects.filter(pk=export.pk).update(rows_done=done)
    if table is None:
        sink.write(b"\n]}\n")
    else:
        table.close()
    return done


def export_produce(export_id: int) -> None:
    """The task body: produce one queued export. Idempotent: only a queued export is taken."""
    claimed = Export.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING
    )
    if not claimed:
        return
    export = Export.objects.select_related("commune", "requested_by", "procedure").get(pk=export_id)
    if export.requested_by is None or export.family not in selectors.granted_families(
        export.requested_by, export.commune
    ):
        _fail(export, _("Vous n'avez plus accès à cette famille : l'export n'a pas été fait."))
        return
    storage_path = f"exports/{export.commune_id}/{export.pk}-{secrets.token_hex(8)}.sealed"
    target = _absolute(storage_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    try:
        with partial.open("wb") as handle:
            writer = _SealingWriter(handle, export=export)
            done = _write(export, writer)
            writer.finish()
        os.replace(partial, target)
    except Exception:
        logger.exception("Export %s failed", export.pk)
        partial.unlink(missing_ok=True)
        _fail(export, _("L'export a échoué sur une erreur technique. Demandez-le à nouveau."))
        return
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.DONE,
        rows_done=done,
        storage_path=storage_path,
        finished_at=timezone.now(),
    )


def _fail(export: Export, message: str) -> None:
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.FAILED, error=message, finished_at=timezone.now()
    )


# --- Downloading it -----------------------------------------------------------------------------


def download_refusal(export: Export, actor: Any) -> str | None:
    """Why ``actor`` may not download ``export`` (French), or None."""
    if export.requested_by_id is None or export.requested_by_id != getattr(actor, "pk", None):
        return _("Seul l'agent qui a demandé cet export peut le télécharger.")
    if export.family not in selectors.granted_families(actor, export.commune):
        return _("Vous n'avez plus accès à cette famille.")
    if export.status != ExportStatus.DONE or not export.storage_path:
        return _("Cet export n'est pas prêt.")
    if expires_at(export) <= timezone.now() or not _absolute(export.storage_path).exists():
        return _("Cet export a expiré : demandez-en un nouveau.")
    return None


def export_download(*, export: Export, actor: Any) -> Iterator[bytes]:
    """Journal the download and return the decrypted content, piece by piece."""
    refusal = download_refusal(export, actor)
    if refusal:
        raise ExportRefused(refusal)
    audit.log(
        audit.AuditAction.EXPORT,
        actor=actor,
        commune=export.commune,
        target=f"demarches.Export:{export.pk}",
        data={"downloaded": True, "family": export.family, "rows": export.rows_done},
    )
    return _pieces(export)


def _pieces(export: Export) -> Iterator[bytes]:
    with _absolute(export.storage_path).open("rb") as handle:
        reader = _OpeningReader(handle, export=export)
        while True:
            piece = reader.read(STREAM_PIECE)
            if not piece:
                return
            yield piece


def download_name(export: Export) -> str:
    stamp = timezone.localtime(export.created_at).strftime("%Y%m%d-%H%M")
    return f"demandes-{export.family}-{stamp}.{export.format}"


# --- Cleaning up --------------------------------------------------------------------------------


def exports_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete exports older than :data:`EXPORT_LIFETIME` (file, then row); mark those stuck
    running for hours as failed. Returns how many were deleted."""
    now = now or timezone.now()
    Export.objects.filter(
        status__in=[ExportStatus.RUNNING, ExportStatus.QUEUED], created_at__lt=now - STUCK_AFTER
    ).update(
        status=ExportStatus.FAILED,
        error=_("L'export ne s'est pas terminé. Demandez-le à nouveau."),
        finished_at=now,
    )
    old = Export.objects.filter(created_at__lt=now - EXPORT_LIFETIME).order_by("pk")
    deleted = 0
    while True:
        chunk = list(old.values_list("pk", "storage_path")[:500])
        if not chunk:
            return deleted
        for _pk, storage_path in chunk:
            if storage_path:
                try:
                    _absolute(storage_path).unlink(missing_ok=True)
                except OSError:
                    logger.exception("Could not delete export file %s", storage_path)
        Export.objects.filter(pk__in=[pk for pk, _path in chunk]).delete()
        deleted += len(chunk)
