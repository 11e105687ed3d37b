"""Drafts: a form being filled in, saved at every page, resumed by its secret.

A draft holds every answer entered so far, raw (what was typed), sealed for the commune and the
procedure's family, with the e-mail address given on the summary page. Its secret is shown once
as a "reprendre plus tard" link and kept in a cookie; only its hash is stored. A draft survives a
failed submission; ``request_submit`` deletes it once the request is stored. Drafts expire
:data:`DRAFT_LIFETIME` after their last save; the periodic job ``demarches.expire_drafts`` deletes
them with the files uploaded for them and never submitted.

Files are checked by content (``clocher.core.uploads.accept_upload``: an image too large is
downscaled, never refused for its size) and sealed in the vault *before* validation, under the
family's compartment; a refused file leaves every other answer in place.
"""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from clocher.core.models import VaultFile
from clocher.core.uploads import accept_upload
from clocher.core.vault import store_file
from clocher.core.vault.files import FileRejected
from clocher.demarches.formschema import parse_schema
from clocher.demarches.formschema.rendering import PendingUpload, file_ids
from clocher.demarches.models import Channel, Draft, Procedure, RequestFile
from clocher.demarches.services import tracking
from clocher.tenancy.models import Commune

logger = logging.getLogger(__name__)

DRAFT_LIFETIME = datetime.timedelta(days=30)


@dataclass
class DraftContent:
    values: dict[str, Any]
    email: str = ""


def draft_content(draft: Draft) -> DraftContent:
    """The answers and e-mail saved in ``draft`` (unsealed)."""
    try:
        raw = json.loads(draft.data or "{}")
    except ValueError:
        raw = {}
    values = raw.get("values") if isinstance(raw, dict) else None
    email = raw.get("email") if isinstance(raw, dict) else ""
    return DraftContent(
        values=values if isinstance(values, dict) else {},
        email=email if isinstance(email, str) else "",
    )


def _seal(draft: Draft, content: DraftContent) -> None:
    draft.data = json.dumps({"values": content.values, "email": content.email}, ensure_ascii=False)


def draft_create(
    *,
    procedure: Procedure,
    channel: Channel = Channel.WEB,
    entered_by: Any = None,
    citizen_account: Any = None,
) -> tuple[Draft, str]:
    """A new, empty draft of the procedure's current form; returns it and its secret."""
    assert procedure.current_form is not None
    token = tracking.new_token()
    now = timezone.now()
    draft = Draft(
        commune=procedure.commune,
        procedure=procedure,
        form_version=procedure.current_form,
        family=procedure.family,
        token_hash=tracking.token_hash(token),
        page=0,
        channel=channel,
        entered_by=entered_by if getattr(entered_by, "is_authenticated", False) else None,
        citizen_account=citizen_account,
        created_at=now,
        updated_at=now,
        expires_at=now + DRAFT_LIFETIME,
    )
    _seal(draft, DraftContent(values={}))
    draft.save()
    return draft, token


def draft_save(
    *,
    draft: Draft,
    values: dict[str, Any] | None = None,
    page: int | None = None,
    email: str | None = None,
) -> DraftContent:
    """Merge ``values`` into the saved answers (and the page reached, the e-mail); push the
    expiry back. Returns what the draft now holds."""
    content = draft_content(draft)
    if values:
        content.values.update(values)
    if email is not None:
        content.email = email[:254]
    _seal(draft, content)
    if page is not None:
        draft.page = max(0, min(page, 1000))
    draft.updated_at = timezone.now()
    draft.expires_at = draft.updated_at + DRAFT_LIFETIME
    draft.save(update_fields=["data", "page", "updated_at", "expires_at"])
    return content


def draft_resume(
    *, commune: Commune, procedure: Procedure, token: str, entered_by: Any = None
) -> Draft | None:
    """The live draft of ``procedure`` whose secret is ``token``, or None.

    A counter draft (``entered_by``) is only resumed by the agent who started it. When the
    procedure's form changed since the draft was started, the draft moves to the new version,
    keeping the answers to fields that still exist, and starts again from the first page.
    """
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    draft = (
        Draft.objects.for_commune(commune)
        .filter(
            procedure=procedure,
            token_hash=tracking.token_hash(token),
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if draft is None:
        return None
    agent_id = entered_by.pk if getattr(entered_by, "is_authenticated", False) else None
    if draft.entered_by_id != agent_id:
        return None
    current = procedure.current_form
    if current is not None and draft.form_version_id != current.pk:
        content = draft_content(draft)
        names = {spec.name for spec in parse_schema(current.schema).input_fields()}
        content.values = {name: value for name, value in content.values.items() if name in names}
        _seal(draft, content)
        draft.form_version = current
        draft.page = 0
        draft.save(update_fields=["data", "form_version", "page"])
    return draft


def draft_discard(*, draft: Draft) -> None:
    """Delete a draft the citizen gave up, and the files uploaded for it."""
    ids = file_ids(draft_content(draft).values)
    commune = draft.commune
    draft.delete()
    _discard_files(commune, ids)


def drafts_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete every expired draft (all communes) with its unsubmitted files; return how many."""
    now = now or timezone.now()
    deleted = 0
    expired = Draft.objects.filter(expires_at__lte=now).select_related("commune").order_by("pk")
    for draft in expired.iterator(chunk_size=200):
        try:
            ids = file_ids(draft_content(draft).values)
        except Exception:  # a draft that cannot be unsealed any more still goes
            logger.warning("expired draft %s could not be read", draft.pk)
            ids = set()
        commune = draft.commune
        draft.delete()
        _discard_files(commune, ids)
        deleted += 1
    return deleted


def _discard_files(commune: Commune, ids: set[str]) -> None:
    """Delete vault files of a dropped draft, unless a request (or anything else) uses them."""
    if not ids:
        return
    used = set(
        str(pk)
        for pk in RequestFile.objects.for_commune(commune)
        .filter(vault_file_id__in=ids)
        .values_list("vault_file_id", flat=True)
    )
    for record in VaultFile.objects.for_commune(commune).filter(pk__in=ids - used):
        path = Path(settings.MEDIA_ROOT) / record.storage_path
        try:
            with transaction.atomic():
                record.delete()
        except ProtectedError:
            continue
        path.unlink(missing_ok=True)


@dataclass
class StoredFiles:
    refs: dict[str, list[dict[str, Any]]]  # answer key → file references to attach
    errors: dict[str, list[str]]  # answer key → why a file was refused
    downscaled: int = 0


def store_answer_files(*, procedure: Procedure, uploads: list[PendingUpload]) -> StoredFiles:
    """Check each upload by content (images downscaled) and seal it in the vault under the
    procedure's family. A refused file gets a message on its field; the others are kept."""
    result = StoredFiles(refs={}, errors={})
    for pending in uploads:
        try:
            accepted = accept_upload(pending.upload, kinds=pending.spec.file_kinds)
        except FileRejected as error:
            name = (pending.upload.name or "").rsplit("/", 1)[-1][:100]
            message = f"« {name} » : {error}" if name else str(error)
            result.errors.setdefault(pending.key, []).append(message)
            continue
        record = store_file(
            commune=procedure.commune,
            data=accepted.data,
            name=accepted.name,
            content_type=accepted.content_type,
            compartment=procedure.family,
        )
        result.refs.setdefault(pending.key, []).append(
            {"file": str(record.pk), "name": accepted.name, "size": len(accepted.data)}
        )
        result.downscaled += int(accepted.was_downscaled)
    return result
