"""What a citizen does on their request through its secret tracking link: write to the town
hall, answer a request for corrections.

Both go into the request journal as entries the citizen sees, and the agents are told by e-mail
("agents told of edits"): the agent the request is assigned to, or else every agent granted the
request's family in that commune. The e-mail carries the request number and a link to the
back-office page, never the message itself (it stays sealed in its family).

Answering a correction request restarts the implicit-decision clock (CRPA L114-5: the delay runs
again from the receipt of the missing documents, see ``services/clock.py``) and moves the request
back to the procedure's first status of kind "in progress".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clocher.core.uploads import AcceptedUpload
from clocher.core.vault import store_file
from clocher.demarches.models import (
    EventKind,
    FamilyGrant,
    Request,
    RequestEvent,
    RequestFile,
    StatusKind,
)
from clocher.demarches.services import clock, journal, statuses

logger = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 5000
MAX_ATTACHMENTS = 5


class CitizenActionRefused(Exception):
    """The action is not possible on this request now; the message says why, in French."""


def _check_body(body: str, *, required: bool) -> str:
    body = (body or "").replace("\x00", "").strip()
    if required and not body:
        raise CitizenActionRefused(_("Écrivez votre message."))
    if len(body) > MAX_MESSAGE_LENGTH:
        raise CitizenActionRefused(
            _("Votre message fait %(length)d caractères ; %(max)d au plus.")
            % {"length": len(body), "max": MAX_MESSAGE_LENGTH}
        )
    return body


def _check_request(request: Request) -> None:
    if request.is_anonymised:
        raise CitizenActionRefused(
            _("Les données de cette demande ont été effacées : contactez la mairie.")
        )


def _store_uploads(request: Request, uploads: Sequence[AcceptedUpload]) -> list[RequestFile]:
    if len(uploads) > MAX_ATTACHMENTS:
        raise CitizenActionRefused(
            _("Au plus %(max)d pièces jointes par message.") % {"max": MAX_ATTACHMENTS}
        )
    files = []
    for upload in uploads:
        record = store_file(
            commune=request.commune,
            data=upload.data,
            name=upload.name,
            content_type=upload.content_type,
            compartment=request.family,
        )
        files.append(
            RequestFile.objects.create(
                commune_id=request.commune_id,
                request=request,
                family=request.family,
                vault_file=record,
                from_citizen=True,
                was_downscaled=upload.was_downscaled,
            )
        )
    return files


def citizen_message_post(
    *, request: Request, body: str, uploads: Sequence[AcceptedUpload] = ()
) -> RequestEvent:
    """The citizen writes to the town hall about their request (with checked attachments)."""
    _check_request(request)
    body = _check_body(body, required=not uploads)
    with transaction.atomic():
        files = _store_uploads(request, uploads)
        event = journal.log_event(
            request,
            EventKind.MESSAGE_FROM_CITIZEN,
            label=_("Vous"),
            visible=True,
            body=body,
            file=files[0] if files else None,
            data={"files": [file.pk for file in files]} if files else None,
        )
        request.updated_at = timezone.now()
        request.save(update_fields=["updated_at"])
        request_id = request.pk
        transaction.on_commit(lambda: notify_agents(request_id, EventKind.MESSAGE_FROM_CITIZEN))
    return event


def correction_expected(request: Request) -> bool:
    """Whether the town hall is waiting for the citizen's corrections or documents."""
    return not request.is_anonymised and (
        request.clock_paused_at is not None or request.status_kind == StatusKind.WAITING_CITIZEN
    )


def correction_answer(
    *, request: Request, body: str, uploads: Sequence[AcceptedUpload] = ()
) -> RequestEvent:
    """The citizen answers a correction request: journal, clock restarted, back to instruction."""
    body = _check_body(body, required=not uploads)
    with transaction.atomic():
        locked = (
            Request.objects.for_commune(request.commune)
            .select_for_update(of=("self",))
            .select_related("procedure", "commune")
            .get(pk=request.pk)
        )
        _check_request(locked)
        if not correction_expected(locked):
            raise CitizenActionRefused(
                _(
                    "La mairie n'attend pas de correction sur cette demande : "
                    "écrivez-lui un message."
                )
            )
        files = _store_uploads(locked, uploads)
        now = timezone.now()
        paused_days = clock.clock_resume(locked, at=now)
        status_from = locked.status
        target = next(
            (s for s in statuses.statuses_of(locked.procedure) if s.kind == StatusKind.IN_PROGRESS),
            None,
        )
        if target is not None:
            locked.status = target.code
            locked.status_kind = target.kind
        locked.updated_at = now
        locked.save(
            update_fields=[
                "status",
                "status_kind",
                "clock_paused_at",
                "implicit_decision_on",
                "updated_at",
            ]
        )
        event = journal.log_event(
            locked,
            EventKind.CORRECTION_ANSWERED,
            label=_("Vous"),
            visible=True,
            body=body,
            file=files[0] if files else None,
            data={"files": [file.pk for file in files], "clock_paused_days": paused_days},
        )
        if locked.status != status_from:
            journal.log_event(
                locked,
                EventKind.STATUS_CHANGED,
                label=_("Vous"),
                visible=True,
                status_from=status_from,
                status_to=locked.status,
                data={"kind": str(locked.status_kind), "reason": "correction_answered"},
            )
        for name in ("status", "status_kind", "clock_paused_at", "implicit_decision_on"):
            setattr(request, name, getattr(locked, name))
        request.updated_at = now
        request_id = locked.pk
        transaction.on_commit(lambda: notify_agents(request_id, EventKind.CORRECTION_ANSWERED))
    return event


def agents_to_notify(request: Request) -> list[Any]:
    """The assigned agent if they still hold the family, else every agent granted it."""
    grants = (
        FamilyGrant.objects.for_commune(request.commune)
        .filter(family=request.family, user__is_active=True)
        .select_related("user")
    )
    users = [grant.user for grant in grants]
    if request.assigned_to_id is not None:
        assigned = [user for user in users if user.pk == request.assigned_to_id]
        if assigned:
            return assigned
    return users


def _staff_link(request: Request) -> str:
    try:
        path = reverse(
            "staff:demarches:request",
            kwargs={"commune_slug": request.commune.slug, "citizen_request": request.pk},
        )
    except NoReverseMatch:
        path = ""
    return f"{settings.SITE_URL}{path}" if path else ""


def notify_agents(request_id: int, kind: str) -> int:
    """E-mail the agents that the citizen wrote (number and link only); returns how many."""
    request = Request.objects.select_related("commune", "procedure").filter(pk=request_id).first()
    if request is None:
        return 0
    recipients = [user.email for user in agents_to_notify(request) if user.email]
    if not recipients:
        return 0
    if kind == EventKind.CORRECTION_ANSWERED:
        subject = _("Demande %(number)s : l'usager a répondu à votre demande de corrections")
    else:
        subject = _("Demande %(number)s : nouveau message de l'usager")
    subject = subject % {"number": request.number}
    lines = [
        _("Démarche : %(title)s") % {"title": request.procedure.title},
        _("Commune : %(name)s") % {"name": request.commune.name},
        "",
        _("Le message est à lire dans l'espace de la mairie, sur la page de la demande :"),
        _staff_link(request) or _("(ouvrez la demande depuis la liste des demandes)"),
        "",
        _("Vous recevez ce courriel parce que vous traitez les demandes de cette famille."),
    ]
    body = "\n".join(lines)
    try:
        send_mass_mail([(subject, body, None, [address]) for address in recipients])
    except Exception:  # a mail outage must not undo what the citizen sent
        logger.exception("agents could not be told of a citizen's message")
        return 0
    return len(recipients)
