"""Retention: a request's personal data is wiped when its retention period ends.

Each procedure states its *durée d'utilité administrative* (``Procedure.retention_months``); when a
request reaches a final status, instruction sets ``retention_until`` (closure + that period). After
it, personal data has no purpose left and is erased (RGPD art. 5.1.e, storage limitation), while
what the statistics need stays: procedure, family, channel, dates, status, non-personal answers.

Rules this module keeps, whatever the caller:

- a request under instruction (status of an open kind) or under ``legal_hold`` is **never** wiped;
- nobody is surprised: agents granted the family get one summary e-mail
  :data:`WARNING_DAYS` days before, and a request is only anonymised once that warning is at
  least :data:`WARNING_DAYS` days old (a request whose period was already over when it was first
  seen is warned first, then wiped a month later);
- anonymisation is idempotent and done one request per transaction, so a failure leaves every
  other request as it was.

Where the files are public archives, eliminating them normally needs the visa of the archives
service (Code du patrimoine L212-2 and R212-14): a commune that must keep a file longer puts it
under legal hold (:func:`request_legal_hold_set`).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clocher.core import audit
from clocher.core.models import VaultFile
from clocher.demarches import selectors
from clocher.demarches.formschema import FieldSpec
from clocher.demarches.models import (
    FINAL_KINDS,
    Acknowledgment,
    Decision,
    EventKind,
    MailItem,
    Request,
    RequestEvent,
    RequestFile,
)
from clocher.demarches.services import journal
from clocher.demarches.services.answer_values import schema_of

logger = logging.getLogger("clocher.demarches.retention")

WARNING_DAYS = 30
BATCH_SIZE = 200
REASON_RETENTION = "retention_period_ended"
REASON_CITIZEN = "erasure_requested_by_citizen"


class AnonymisationRefused(Exception):
    """The request may not be wiped; ``message`` says why in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def anonymisation_blocker(request: Request) -> str | None:
    """Why ``request`` may not be wiped now (French), or None."""
    if request.is_open:
        return _("La demande est en cours d'instruction : elle ne peut pas être anonymisée.")
    if request.legal_hold:
        return _("Le dossier est sous conservation légale : il ne peut pas être anonymisé.")
    return None


# --- One request -------------------------------------------------------------------------------


def _without_files(fields: tuple[FieldSpec, ...], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with every file reference removed (their names may name the person)."""
    kept: dict[str, Any] = {}
    by_name = {spec.name: spec for spec in fields}
    for name, value in values.items():
        spec = by_name.get(name)
        if spec is not None and spec.type == "file":
            continue
        if spec is not None and spec.type == "repeat" and isinstance(value, list):
            value = [
                _without_files(spec.fields, item) if isinstance(item, dict) else item
                for item in value
            ]
        kept[name] = value
    return kept


def _unlink_later(storage_paths: list[str]) -> None:
    def unlink() -> None:
        for storage_path in storage_paths:
            try:
                (Path(settings.MEDIA_ROOT) / storage_path).unlink(missing_ok=True)
            except OSError:
                logger.exception("Could not delete vault file %s", storage_path)

    transaction.on_commit(unlink)


def _delete_vault_files(commune: Any, file_ids: set[Any]) -> int:
    """Delete these vault files (rows now, contents once the transaction commits)."""
    if not file_ids:
        return 0
    deleted = 0
    paths = []
    for vault_file in VaultFile.objects.for_commune(commune).filter(pk__in=file_ids):
        try:
            with transaction.atomic():
                vault_file.delete()
        except ProtectedError:
            # Still referenced by something outside this request (kept, and said in the log).
            logger.warning("Vault file %s is still referenced: kept", vault_file.pk)
            continue
        paths.append(vault_file.storage_path)
        deleted += 1
    _unlink_later(paths)
    return deleted


@transaction.atomic
def request_anonymise(*, request: Request, reason: str, actor: Any = None) -> bool:
    """Wipe every personal value of ``request``; keep what statistics need.

    Wiped: the sealed personal answers, the e-mail and its blind index, the tracking secret, the
    sealed bodies of the journal (messages, notes, motivations of status changes), decision
    motivations, every file (the request's attachments, acknowledgment and decision PDFs, the
    e-mail it came from) — rows and contents — and the links to a citizen account or mandate.
    Kept: procedure, family, channel, number, dates, statuses, non-personal answers, the
    acknowledgment's legal mentions and the decisions' outcomes.

    Raises :class:`AnonymisationRefused` for an open request or one under legal hold. Returns
    False when it was already anonymised (nothing done), True otherwise.
    """
    commune = request.commune
    locked = (
        Request.objects.for_commune(commune)
        .select_for_update(of=("self",))
        .select_related("form_version")
        .get(pk=request.pk)
    )
    if locked.anonymised_at is not None:
        return False
    blocker = anonymisation_blocker(locked)
    if blocker:
        raise AnonymisationRefused(blocker)
    now = timezone.now()
    doomed: set[Any] = set()

    request_files = list(RequestFile.objects.for_commune(commune).filter(request=locked))
    doomed |= {item.vault_file_id for item in request_files}
    events = RequestEvent.objects.for_commune(commune).filter(request=locked)
    for event in events.exclude(body=b"") | events.filter(file__isnull=False):
        event.body = ""
        event.file = None
        event.save(allow_wipe=True, update_fields=["body", "file"])
    RequestFile.objects.for_commune(commune).filter(request=locked).delete()

    for decision in Decision.objects.for_commune(commune).filter(request=locked):
        if decision.document_id:
            doomed.add(decision.document_id)
        decision.motivation = ""
        decision.document = None
        decision.save(update_fields=["motivation", "document"])
    acknowledgment = Acknowledgment.objects.for_commune(commune).filter(request=locked).first()
    if acknowledgment is not None and acknowledgment.document_id:
        doomed.add(acknowledgment.document_id)
        acknowledgment.document = None
        acknowledgment.save(update_fields=["document"])
    for item in MailItem.objects.for_commune(commune).filter(request=locked):
        if item.raw_id:
            doomed.add(item.raw_id)
        doomed |= set(item.attachments.values_list("pk", flat=True))
        item.attachments.clear()
        item.sender = ""
        item.subject = ""
        item.body = ""
        item.raw = None
        item.save(update_fields=["sender", "subject", "body", "raw"])

    locked.values = _without_files(schema_of(locked.form_version.schema).fields, locked.values)
    locked.personal_values = ""
    locked.email = ""
    locked.email_index = ""
    locked.tracking_token = ""
    locked.citizen_account = None
    locked.mandate = None
    locked.anonymised_at = now
    locked.updated_at = now
    locked.save(
        update_fields=[
            "values",
            "personal_values",
            "email",
            "email_index",
            "tracking_token",
            "citizen_account",
            "mandate",
            "anonymised_at",
            "updated_at",
        ]
    )
    files_deleted = _delete_vault_files(commune, doomed)
    journal.log_event(
        locked,
        EventKind.ANONYMISED,
        actor=actor,
        label=journal.actor_label(actor) if actor is not None else _("système"),
        visible=True,
        data={"reason": reason, "files_deleted": files_deleted},
    )
    audit.log(
        audit.AuditAction.ERASE,
        actor=actor,
        commune=commune,
        target=f"demarches.Request:{locked.pk}",
        data={"number": locked.number, "family": locked.family, "reason": reason},
    )
    request.refresh_from_db()  # the caller's object must not keep decrypted values
    return True


@transaction.atomic
def request_legal_hold_set(*, request: Request, actor: Any, hold: bool, reason: str = "") -> bool:
    """Put ``request`` under legal hold (never anonymised while it lasts) or lift it.

    ``reason`` (required to set a hold: a dispute, an archiving decision…) goes into the internal
    journal. Returns whether anything changed.
    """
    if request.family not in selectors.granted_families(actor, request.commune):
        raise AnonymisationRefused(_("Vous n'avez pas accès aux demandes de cette famille."))
    reason = (reason or "").strip()
    if hold and not reason:
        raise AnonymisationRefused(_("Indiquez le motif de la conservation légale."))
    if len(reason) > 1000:
        raise AnonymisationRefused(_("Le motif est trop long (1 000 caractères au plus)."))
    locked = (
        Request.objects.for_commune(request.commune)
        .select_for_update(of=("self",))
        .get(pk=request.pk)
    )
    if locked.anonymised_at is not None:
        raise AnonymisationRefused(_("Les données de cette demande ont déjà été anonymisées."))
    if locked.legal_hold == hold:
        return False
    locked.legal_hold = hold
    locked.updated_at = timezone.now()
    locked.save(update_fields=["legal_hold", "updated_at"])
    request.legal_hold = hold
    journal.log_event(
        locked,
        EventKind.NOTE,
        actor=actor,
        body=(
            _("Dossier placé sous conservation légale : %(reason)s") % {"reason": reason}
            if hold
            else _("Conservation légale levée.") + (f" {reason}" if reason else "")
        ),
        data={"legal_hold": hold},
    )
    audit.log(
        audit.AuditAction.LEGAL_HOLD_SET if hold else audit.AuditAction.LEGAL_HOLD_LIFTED,
        actor=actor,
        commune=request.commune,
        target=f"demarches.Request:{locked.pk}",
        data={"number": locked.number},
    )
    return True


# --- The daily jobs ------------------------------------------------------------------------------


def _due_for_warning(today: datetime.date) -> Any:
    horizon = today + datetime.timedelta(days=WARNING_DAYS)
    return Request.objects.filter(
        anonymised_at__isnull=True,
        legal_hold=False,
        status_kind__in=FINAL_KINDS,
        retention_warned_at__isnull=True,
        retention_until__isnull=False,
        retention_until__lte=horizon,
    )


def _due_for_anonymisation(today: datetime.date, now: datetime.datetime) -> Any:
    return Request.objects.filter(
        anonymised_at__isnull=True,
        legal_hold=False,
        status_kind__in=FINAL_KINDS,
        retention_until__lt=today,
        retention_warned_at__lte=now - datetime.timedelta(days=WARNING_DAYS),
    )


_agents_by_family = selectors.processing_agents_by_family


@dataclass(frozen=True)
class WarningLine:
    commune_name: str
    number: str
    procedure_title: str
    wiped_from: datetime.date
    url: str


def _warning_mail(lines: list[WarningLine]) -> tuple[str, str]:
    subject = _("Clocher : %(count)s demande(s) bientôt anonymisée(s)") % {"count": len(lines)}
    body = [
        _("Bonjour,"),
        "",
        _(
            "La durée de conservation de ces demandes arrive à son terme. Leurs données "
            "personnelles (réponses, messages, pièces jointes, e-mail) seront effacées à partir "
            "de la date indiquée ; les statistiques sont conservées."
        ),
        "",
    ]
    for line in lines:
        body.append(f"- {line.commune_name} — {line.number} — {line.procedure_title}")
        body.append(
            "  "
            + _("anonymisée à partir du %(date)s") % {"date": line.wiped_from.strftime("%d/%m/%Y")}
        )
        body.append(f"  {line.url}")
    body += [
        "",
        _(
            "Si un dossier doit être gardé (contentieux, archivage), placez-le sous conservation "
            "légale depuis sa page avant cette date."
        ),
    ]
    return subject, "\n".join(body)


def retention_warnings_send(*, today: datetime.date | None = None) -> int:
    """Warn agents of the requests whose retention ends within :data:`WARNING_DAYS` days.

    Each agent granted a family gets ONE e-mail listing all their requests concerned (numbers,
    procedures, dates, links: no personal data). Each request is marked ``retention_warned_at``
    and journaled once, so running the job again warns nobody twice. Returns the e-mails sent.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    lines_by_user: dict[int, list[WarningLine]] = defaultdict(list)
    users: dict[int, Any] = {}
    last_pk = 0
    agents: dict[tuple[int, str], list[Any]] = {}
    known_communes: set[int] = set()
    while True:
        chunk = list(
            _due_for_warning(today)
            .filter(pk__gt=last_pk)
            .select_related("commune", "procedure")
            .only(
                "pk",
                "commune",
                "procedure",
                "commune__slug",
                "commune__name",
                "family",
                "number",
                "procedure__title",
                "retention_until",
            )
            .order_by("pk")[:BATCH_SIZE]
        )
        if not chunk:
            break
        last_pk = chunk[-1].pk
        missing = {item.commune_id for item in chunk} - known_communes
        if missing:
            agents.update(_agents_by_family(missing))
            known_communes |= missing
        with transaction.atomic():
            marked = set(
                Request.objects.filter(
                    pk__in=[item.pk for item in chunk], retention_warned_at__isnull=True
                ).values_list("pk", flat=True)
            )
            Request.objects.filter(pk__in=marked).update(retention_warned_at=now)
            events = []
            for item in chunk:
                if item.pk not in marked:
                    continue
                assert item.retention_until is not None
                wiped_from = item.retention_until + datetime.timedelta(days=1)
                recipients = agents.get((item.commune_id, item.family), [])
                events.append(
                    RequestEvent(
                        commune_id=item.commune_id,
                        request=item,
                        family=item.family,
                        kind=EventKind.RETENTION_WARNING,
                        actor_label=_("système"),
                        is_visible_to_citizen=True,
                        data={
                            "wiped_from": wiped_from.isoformat(),
                            "to": sorted(user.pk for user in recipients),
                        },
                    )
                )
                path = reverse(
                    "staff:demarches:request",
                    kwargs={"commune_slug": item.commune.slug, "citizen_request": item.pk},
                )
                line = WarningLine(
                    commune_name=item.commune.name,
                    number=item.number,
                    procedure_title=item.procedure.title,
                    wiped_from=wiped_from,
                    url=f"{settings.SITE_URL}{path}",
                )
                for user in recipients:
                    users[user.pk] = user
                    lines_by_user[user.pk].append(line)
            RequestEvent.objects.bulk_create(events)
    sent = 0
    for user_id, lines in lines_by_user.items():
        recipient = users[user_id].email
        if not recipient:
            continue
        subject, body = _warning_mail(lines)
        try:
            send_mail(subject, body, None, [recipient])
        except Exception:  # a mail server down must not undo the warnings journaled above
            logger.exception("Retention warning to user %s could not be sent", user_id)
            continue
        sent += 1
    return sent


def anonymise_expired(*, today: datetime.date | None = None) -> int:
    """Anonymise every request whose retention period is over and whose warning is old enough.

    Works in chunks of :data:`BATCH_SIZE` ids, one transaction per request; a request that fails
    is logged and skipped (the next run tries again). Returns how many were anonymised.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    done = 0
    last_pk = 0
    while True:
        chunk = list(
            _due_for_anonymisation(today, now)
            .filter(pk__gt=last_pk)
            .select_related("commune")
            .only("pk", "commune", "family", "status_kind", "legal_hold", "anonymised_at")
            .order_by("pk")[:BATCH_SIZE]
        )
        if not chunk:
            break
        last_pk = chunk[-1].pk
        for item in chunk:
            try:
                if request_anonymise(request=item, reason=REASON_RETENTION):
                    done += 1
            except AnonymisationRefused:
                continue  # reopened or held since it was selected
            except Exception:
                logger.exception("Request %s could not be anonymised", item.pk)
    return done
