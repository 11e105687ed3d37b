"""E-mail intake: a commune's mailboxes, polled by the worker, and the triage of their messages.

- :func:`mailbox_save` records a mailbox (its password sealed with the commune's key);
  :func:`mailbox_test_connection` tries it without storing anything.
- :func:`mailbox_poll` reads the unread messages over IMAP and stores each one *once* as a
  :class:`MailItem` (``message_key``: SHA-256 of the Message-ID, or of the raw message when it has
  none), with the raw ``.eml`` and the attachments sealed in the vault. A message is marked read
  on the server only after its item is committed, so a crash never loses one; a message that
  cannot be stored stays unread and the others go on. Failures are written on
  ``Mailbox.last_error`` in French and never raised to the worker.
- Triage: :func:`mail_item_convert` turns an item into a request (``Channel.EMAIL``, entered by
  the agent through :func:`~clocher.demarches.services.submission.request_submit`), moving the
  message and its attachments under the family's seal and wiping them from the item, which every
  agent who triages can see; :func:`mail_item_dismiss` files it away.

Attachments are checked with the upload rules (``core.uploads.accept_upload``) where they apply:
images and PDF are checked by content, images downscaled; a file that claims to be an image or a
PDF but is not is not extracted (it stays in the sealed original message, and a line in the text
says so). Other documents (a letter in ODT, a spreadsheet…) are kept sealed as they are, offered
only as downloads.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from clocher.core import audit
from clocher.core.audit import AuditAction
from clocher.core.models import VaultFile
from clocher.core.uploads import DOCUMENT_TYPES, IMAGE_TYPES, accept_upload
from clocher.core.vault import FileRejected, read_file, read_file_name, store_file
from clocher.demarches.formschema import parse_schema, visible_fields
from clocher.demarches.imap_client import (
    ImapSession,
    MailboxError,
    MailboxSettings,
    MessageUnavailable,
    translate_error,
)
from clocher.demarches.mail_parsing import ParsedAttachment, parse_message
from clocher.demarches.models import (
    Channel,
    Mailbox,
    MailItem,
    MailItemStatus,
    Procedure,
    Request,
    RequestFile,
)
from clocher.demarches.services.submission import Submitted, request_submit
from clocher.tenancy.models import Commune

logger = logging.getLogger("clocher.demarches.mail")

# At most this many messages are stored per poll (the rest wait for the next one).
MAX_MESSAGES_PER_POLL = 200
MAX_ERROR_LENGTH = 2000
CHECKED_KINDS = {"image": set(IMAGE_TYPES), "pdf": set(DOCUMENT_TYPES)}


class MailTriageError(Exception):
    """A triage action that cannot be done; the message is for the agent."""


# --- Mailboxes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailboxInput:
    label: str
    host: str
    port: int
    use_ssl: bool
    username: str
    folder: str = "INBOX"
    is_active: bool = True
    default_procedure: Procedure | None = None
    password: str = ""  # empty: keep the current one


def _validate_mailbox(commune: Commune, data: MailboxInput, *, is_new: bool) -> None:
    errors: dict[str, list[str]] = {}
    if not data.label.strip():
        errors.setdefault("label", []).append(_("Donnez un nom à cette boîte."))
    host = data.host.strip()
    if not host or any(ch.isspace() for ch in host) or "/" in host or len(host) > 200:
        errors.setdefault("host", []).append(
            _("Indiquez le nom du serveur IMAP, par exemple imap.example.fr.")
        )
    if not 1 <= data.port <= 65535:
        errors.setdefault("port", []).append(_("Le port est un nombre entre 1 et 65535."))
    if not data.username.strip():
        errors.setdefault("username", []).append(_("Indiquez l'identifiant de connexion."))
    if is_new and not data.password:
        errors.setdefault("password", []).append(_("Indiquez le mot de passe de la boîte."))
    if not data.folder.isascii() or not data.folder.isprintable() or not data.folder.strip():
        errors.setdefault("folder", []).append(
            _("Indiquez le dossier en lettres sans accent, par exemple INBOX.")
        )
    procedure = data.default_procedure
    if procedure is not None and procedure.commune_id != commune.pk:
        errors.setdefault("default_procedure", []).append(_("Cette démarche est introuvable."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def mailbox_save(
    *, commune: Commune, actor: Any, data: MailboxInput, mailbox: Mailbox | None = None
) -> Mailbox:
    """Create or update a mailbox. The password is sealed and never shown back; an empty
    password on an update keeps the current one."""
    is_new = mailbox is None
    _validate_mailbox(commune, data, is_new=is_new)
    if mailbox is None:
        mailbox = Mailbox(commune=commune)
    elif mailbox.commune_id != commune.pk:
        raise PermissionDenied
    mailbox.label = data.label.strip()
    mailbox.host = data.host.strip()
    mailbox.port = data.port
    mailbox.use_ssl = data.use_ssl
    mailbox.username = data.username.strip()
    mailbox.folder = data.folder.strip()
    mailbox.is_active = data.is_active
    mailbox.default_procedure = data.default_procedure
    if data.password:
        mailbox.password = data.password
    mailbox.save()
    audit.log(
        AuditAction.COMMUNE_UPDATED,
        actor=actor,
        commune=commune,
        target=f"demarches.Mailbox:{mailbox.pk}",
        data={
            "change": "mailbox_created" if is_new else "mailbox_updated",
            "host": mailbox.host,
            "password_changed": bool(data.password),
            "is_active": mailbox.is_active,
        },
    )
    return mailbox


def _settings_of(mailbox: Mailbox) -> MailboxSettings:
    return MailboxSettings(
        host=mailbox.host,
        port=mailbox.port,
        use_ssl=mailbox.use_ssl,
        username=mailbox.username,
        password=mailbox.password or "",
        folder=mailbox.folder or "INBOX",
    )


@dataclass(frozen=True)
class ConnectionReport:
    is_ok: bool
    message: str
    unseen_count: int = 0


def mailbox_test_connection(*, mailbox: Mailbox) -> ConnectionReport:
    """Connect, log in and count unread messages, without reading or marking any."""
    try:
        with ImapSession(_settings_of(mailbox)) as session:
            count = len(session.unseen_uids())
    except MailboxError as error:
        return ConnectionReport(is_ok=False, message=str(error))
    except Exception as error:
        logger.warning("Mailbox %s test failed", mailbox.pk, exc_info=error)
        return ConnectionReport(
            is_ok=False, message=str(translate_error(error, _settings_of(mailbox)))
        )
    return ConnectionReport(
        is_ok=True,
        message=_("Connexion réussie : %(count)d message(s) non lu(s) dans « %(folder)s ».")
        % {"count": count, "folder": mailbox.folder},
        unseen_count=count,
    )


# --- Polling ---------------------------------------------------------------------------------


@dataclass
class PollResult:
    stored: list[MailItem] = field(default_factory=list)
    already_stored: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def is_ok(self) -> bool:
        return not self.errors


def mailbox_poll(*, mailbox: Mailbox) -> PollResult:
    """Store the mailbox's unread messages; never raises for a mailbox or message problem.

    Must run outside a transaction (the worker's task): each message is committed before it is
    marked read on the server.
    """
    result = PollResult()
    settings_ = _settings_of(mailbox)
    try:
        with ImapSession(settings_) as session:
            uids = session.unseen_uids()
            for uid in uids[:MAX_MESSAGES_PER_POLL]:
                try:
                    fetched = session.fetch(uid)
                    if fetched is None:
                        continue
                    item = _store_message(mailbox, fetched.raw, fetched.internal_date)
                except MailboxError:
                    raise
                except MessageUnavailable:
                    result.errors.append(
                        _(
                            "Le serveur n'a pas donné le message n° %(uid)s ; il reste non lu et "
                            "sera réessayé."
                        )
                        % {"uid": uid}
                    )
                    continue
                except Exception as error:
                    logger.exception("Mailbox %s: message %s not stored", mailbox.pk, uid)
                    result.errors.append(
                        _(
                            "Le message n° %(uid)s n'a pas pu être enregistré (%(reason)s) ; il "
                            "reste non lu sur le serveur et sera réessayé."
                        )
                        % {"uid": uid, "reason": error.__class__.__name__}
                    )
                    continue
                if item is None:
                    result.already_stored += 1
                else:
                    result.stored.append(item)
                session.mark_seen(uid)
    except MailboxError as error:
        result.errors.append(str(error))
    except Exception as error:
        logger.exception("Mailbox %s: poll failed", mailbox.pk)
        result.errors.append(str(translate_error(error, settings_)))
    message = "\n".join(result.errors)
    if len(message) > MAX_ERROR_LENGTH:
        message = message[: MAX_ERROR_LENGTH - 1] + "…"
    # A targeted update: an administrator may be editing the mailbox at the same time.
    Mailbox.objects.for_commune(mailbox.commune).filter(pk=mailbox.pk).update(
        last_polled_at=timezone.now(), last_error=message
    )
    mailbox.last_polled_at, mailbox.last_error = timezone.now(), message
    return result


def active_mailbox_ids() -> list[int]:
    """Every mailbox to poll, across communes (the worker's periodic job)."""
    return list(
        Mailbox.objects.filter(is_active=True, commune__is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def mailbox_poll_by_id(mailbox_id: int) -> PollResult | None:
    """Task body: poll one mailbox if it still exists and is active."""
    mailbox = (
        Mailbox.objects.filter(pk=mailbox_id, is_active=True, commune__is_active=True)
        .select_related("commune")
        .first()
    )
    if mailbox is None:
        return None
    return mailbox_poll(mailbox=mailbox)


def _store_message(
    mailbox: Mailbox, raw: bytes, internal_date: datetime.datetime | None
) -> MailItem | None:
    """Store one message; None when this mailbox already holds it."""
    parsed = parse_message(raw)
    commune = mailbox.commune
    existing = MailItem.objects.for_commune(commune).filter(
        mailbox=mailbox, message_key=parsed.message_key
    )
    if existing.exists():
        return None
    received_at = internal_date or timezone.now()
    if received_at > timezone.now():
        received_at = timezone.now()
    try:
        with transaction.atomic():
            raw_file = store_file(
                commune=commune,
                data=raw,
                name=_("courriel-%(date)s.eml") % {"date": f"{received_at:%Y%m%d-%H%M%S}"},
                content_type="message/rfc822",
            )
            kept, notes = [], []
            for attachment in parsed.attachments:
                vault_file, note = _keep_attachment(commune, attachment)
                if vault_file is not None:
                    kept.append(vault_file)
                if note:
                    notes.append(note)
            item = MailItem(
                commune=commune,
                mailbox=mailbox,
                message_key=parsed.message_key,
                received_at=received_at,
                raw=raw_file,
            )
            item.sender = _display_address(parsed.sender_name, parsed.sender)
            item.subject = parsed.subject
            item.body = "\n\n".join([parsed.body, *notes]).strip()
            item.save()
            if kept:
                item.attachments.set(kept)
    except IntegrityError:
        # Another worker stored it between our check and our insert.
        if existing.exists():
            return None
        raise
    return item


def _display_address(name: str, address: str) -> str:
    """``Camille Martín <camille@example.fr>`` (readable, and read back by ``parseaddr``)."""
    if not name or not address:
        return address
    if any(ch in name for ch in '()<>@,;:\\".[]'):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{address}>"


def _keep_attachment(commune: Commune, attachment: ParsedAttachment) -> tuple[Any, str]:
    """(sealed file or None, a note for the agent when it was not kept as it came)."""
    detected = filetype.guess_mime(attachment.data[:8192]) or ""
    declared = attachment.content_type.lower()
    extension = attachment.name.rsplit(".", 1)[-1].lower() if "." in attachment.name else ""
    claims_checked_kind = (
        declared in IMAGE_TYPES
        or declared in DOCUMENT_TYPES
        or extension in ("jpg", "jpeg", "png", "webp", "pdf")
    )
    if detected in IMAGE_TYPES or detected in DOCUMENT_TYPES or claims_checked_kind:
        try:
            accepted = accept_upload(
                SimpleUploadedFile(attachment.name, attachment.data, content_type=declared)
            )
        except FileRejected as error:
            return None, _(
                "[Pièce jointe « %(name)s » non reprise : %(reason)s Elle reste dans le message "
                "d'origine.]"
            ) % {"name": attachment.name, "reason": error}
        vault_file = store_file(
            commune=commune,
            data=accepted.data,
            name=accepted.name,
            content_type=accepted.content_type,
        )
        return vault_file, ""
    limit = int(settings.UPLOAD_MAX_BYTES)
    if len(attachment.data) > limit:
        return None, _(
            "[Pièce jointe « %(name)s » non reprise : elle fait %(size)s, au-delà de %(limit)s. "
            "Elle reste dans le message d'origine.]"
        ) % {
            "name": attachment.name,
            "size": filesizeformat(len(attachment.data)),
            "limit": filesizeformat(limit),
        }
    vault_file = store_file(
        commune=commune,
        data=attachment.data,
        name=attachment.name,
        content_type="application/octet-stream",
    )
    return vault_file, ""


# --- Triage ----------------------------------------------------------------------------------


def sender_address(item: MailItem) -> str:
    """The sender's e-mail address (to prefill the request's e-mail)."""
    return parseaddr(item.sender or "")[1]


def _kind_of(content_type: str) -> str | None:
    for kind, types in CHECKED_KINDS.items():
        if content_type in types:
            return kind
    return None


def _place_attachments(
    procedure: Procedure, data: dict[str, Any], copies: list[tuple[VaultFile, str]]
) -> tuple[dict[str, Any], list[VaultFile]]:
    """Put each attachment in the first visible file field that accepts its kind (up to its
    ``max_files``); returns the data and the files left over, attached to the request."""
    assert procedure.current_form is not None
    schema = parse_schema(procedure.current_form.schema)
    file_fields = {spec.name: spec for spec in schema.fields if spec.type == "file"}
    repeat_file_fields = {
        spec.name: [sub.name for sub in spec.fields if sub.type == "file"]
        for spec in schema.fields
        if spec.type == "repeat"
    }
    data = dict(data)
    # The agent's form carries no file: never take file references from the caller.
    for name in file_fields:
        data.pop(name, None)
    for name, subs in repeat_file_fields.items():
        items = data.get(name)
        if isinstance(items, list):
            data[name] = [
                {k: v for k, v in entry.items() if k not in subs}
                if isinstance(entry, dict)
                else entry
                for entry in items
            ]
    visible = [spec.name for spec in visible_fields(schema, data) if spec.name in file_fields]
    left_over = []
    for vault_file, name in copies:
        kind = _kind_of(vault_file.content_type)
        target = next(
            (
                field_name
                for field_name in visible
                if kind in file_fields[field_name].file_kinds
                and len(data.get(field_name, [])) < file_fields[field_name].max_files
            ),
            None,
        )
        if kind is None or target is None:
            left_over.append(vault_file)
            continue
        data.setdefault(target, []).append(
            {"file": str(vault_file.pk), "name": name, "size": vault_file.size}
        )
    return data, left_over


def _copy_to_family(vault_file: VaultFile, family: str) -> tuple[VaultFile, str]:
    name = read_file_name(vault_file)
    copy = store_file(
        commune=vault_file.commune,
        data=read_file(vault_file),
        name=name,
        content_type=vault_file.content_type,
        compartment=family,
    )
    return copy, name


def _discard_files(files: list[VaultFile]) -> None:
    """Delete vault files once the transaction commits (rows now, sealed bytes after)."""
    paths = [Path(settings.MEDIA_ROOT) / vault_file.storage_path for vault_file in files]
    VaultFile.objects.filter(pk__in=[vault_file.pk for vault_file in files]).delete()

    def unlink() -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    transaction.on_commit(unlink)


def _locked_item(item: MailItem) -> MailItem:
    locked = (
        MailItem.objects.for_commune(item.commune)
        .select_for_update(of=("self",))
        .select_related("raw", "commune")
        .get(pk=item.pk)
    )
    if locked.status != MailItemStatus.TO_TRIAGE:
        raise MailTriageError(_("Ce courriel a déjà été trié."))
    return locked


def mail_item_convert(
    *, item: MailItem, actor: Any, procedure: Procedure, data: Any, email: str
) -> Submitted:
    """Turn a received e-mail into a request of ``procedure``, entered by ``actor``.

    The agent must be granted the procedure's family. The attachments go into the form's file
    fields where they fit (else they are attached to the request), and the original message is
    attached too — all sealed again under the family's key. The item then keeps only its link to
    the request: its text and files are wiped from the triage list. Raises
    :class:`~clocher.demarches.services.submission.SubmissionRefused` (nothing changed) when the
    form is not valid, :class:`MailTriageError` when the item was triaged meanwhile.
    """
    from clocher.demarches.selectors import granted_families

    commune = item.commune
    if procedure.commune_id != commune.pk or procedure.family not in granted_families(
        actor, commune
    ):
        raise PermissionDenied
    if not isinstance(data, dict):
        data = {}
    written: list[VaultFile] = []  # sealed copies: their bytes are removed if nothing is stored
    try:
        with transaction.atomic():
            item = _locked_item(item)
            originals = list(item.attachments.order_by("created_at", "pk"))
            copies = []
            for vault_file in originals:
                copies.append(_copy_to_family(vault_file, procedure.family))
                written.append(copies[-1][0])
            data, left_over = _place_attachments(procedure, data, copies)
            submitted = request_submit(
                procedure=procedure,
                data=data,
                email=email,
                channel=Channel.EMAIL,
                actor=actor,
                received_at=item.received_at,
            )
            request = submitted.request
            if item.raw is not None:
                raw_copy, _name = _copy_to_family(item.raw, procedure.family)
                written.append(raw_copy)
                left_over.insert(0, raw_copy)
            for vault_file in left_over:
                _attach(request, vault_file)
            # They came from the citizen, even though an agent entered the request.
            RequestFile.objects.for_commune(commune).filter(request=request).update(
                from_citizen=True
            )
            to_discard = [*originals, *([item.raw] if item.raw is not None else [])]
            item.status = MailItemStatus.CONVERTED
            item.request = request
            item.triaged_by = actor
            item.triaged_at = timezone.now()
            item.sender = ""
            item.subject = ""
            item.body = ""
            item.raw = None
            item.save()
            item.attachments.clear()
            _discard_files(to_discard)
    except BaseException:
        for vault_file in written:
            (Path(settings.MEDIA_ROOT) / vault_file.storage_path).unlink(missing_ok=True)
        raise
    return submitted


def _attach(request: Request, vault_file: VaultFile) -> RequestFile:
    return RequestFile.objects.create(
        commune_id=request.commune_id,
        request=request,
        family=request.family,
        field_name="",
        vault_file=vault_file,
        from_citizen=True,
    )


def mail_item_dismiss(*, item: MailItem, actor: Any) -> MailItem:
    """File an e-mail away without making a request of it (not a request, spam…)."""
    with transaction.atomic():
        item = _locked_item(item)
        item.status = MailItemStatus.DISMISSED
        item.triaged_by = actor
        item.triaged_at = timezone.now()
        item.save(update_fields=["status", "triaged_by", "triaged_at"])
    return item
