"""Instruction of requests by agents: open, change status, assign, notes, messages, corrections,
decisions, deadlines, bulk actions and deadline reminders.

Every write goes through one of these functions, in one transaction, with an entry in the
request's append-only journal. The citizen is e-mailed only about what concerns them and what
they asked for by submitting: a change of status, a message from the commune, a request for
corrections and a decision — nothing else (no unsolicited messages, GRU doctrine). The e-mails
carry no content of the file, only the tracking link: the message itself is read on the
tracking page.

The family boundary holds here too, not only in the views: an agent acts only on requests of
the families granted to them (:func:`selectors.granted_families`); ``actor=None`` is the system
(API key with its family scope, tasks).

Legal references (Code des relations entre le public et l'administration, CRPA):
- L114-5: when a request is incomplete the administration asks for the missing documents, and
  the implicit-decision delay only runs from their receipt — :func:`correction_request` pauses
  the clock (``services.clock``);
- L211-2 and L211-5: a refusal must be motivated in writing, stating the considerations of law
  and fact on which it rests — :func:`request_decide` refuses a refusal without motivation;
- L231-1 / L231-4: silence kept for two months (or the procedure's delay) is worth acceptance,
  or refusal where the law says so — the implicit-decision date shown to agents and used by the
  reminders.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clocher.demarches import selectors
from clocher.demarches.models import (
    FINAL_KINDS,
    OPEN_KINDS,
    Decision,
    EventKind,
    Request,
    RequestEvent,
    StatusKind,
)
from clocher.demarches.services import clock, journal, legal_delays, statuses, tracking

# An agent's opening of a file is journaled at most once per hour (each reload is not news).
OPENING_QUIET_PERIOD = datetime.timedelta(hours=1)
# Reminders announce deadlines and implicit-decision dates this many days ahead (and past ones).
REMINDER_HORIZON_DAYS = 3
MAX_TEXT_LENGTH = 10_000


class InstructionRefused(Exception):
    """Not done; ``message`` says why (in French), ``field`` which input it concerns."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- Guards -----------------------------------------------------------------------------------


def _check_actor(request: Request, actor: Any) -> None:
    """An agent acts only on requests of their families; ``None`` is the system."""
    if actor is None:
        return
    if request.family not in selectors.granted_families(actor, request.commune):
        raise InstructionRefused(_("Vous n'avez pas accès aux demandes de cette famille."))


def _check_not_anonymised(request: Request) -> None:
    if request.is_anonymised:
        raise InstructionRefused(
            _("Les données de cette demande ont été anonymisées : elle ne peut plus être modifiée.")
        )


def _clean_text(body: str, *, field: str, required: bool = True) -> str:
    body = (body or "").strip()
    if required and not body:
        raise InstructionRefused(_("Ce champ est obligatoire."), field=field)
    if len(body) > MAX_TEXT_LENGTH:
        raise InstructionRefused(
            _("Ce texte est trop long (%(max)s caractères au plus).") % {"max": MAX_TEXT_LENGTH},
            field=field,
        )
    return body


def _locked(request: Request) -> Request:
    """The request row, locked for this transaction, with fresh values."""
    return (
        Request.objects.for_commune(request.commune)
        .select_for_update(of=("self",))
        .select_related("procedure", "commune")
        .get(pk=request.pk)
    )


def _refresh(target: Request, source: Request) -> None:
    """Copy the written state back to the caller's object (its sealed caches stay)."""
    for name in (
        "status",
        "status_kind",
        "assigned_to_id",
        "implicit_decision_on",
        "clock_paused_at",
        "deadline_on",
        "decided_at",
        "closed_at",
        "retention_until",
        "retention_warned_at",
        "updated_at",
    ):
        setattr(target, name, getattr(source, name))
    target._state.fields_cache.pop("assigned_to", None)


# --- Citizen notifications ----------------------------------------------------------------------


def _tracking_url(request: Request) -> str:
    token = request.tracking_token
    if not token:
        return ""
    return f"{settings.SITE_URL}{tracking.tracking_path(request.commune, token)}"


def _notify_citizen(request: Request, *, subject: str, lines: list[str]) -> None:
    """E-mail the citizen (if they gave an address) once the transaction commits."""
    email = request.email
    if not email or request.is_anonymised:
        return
    link = _tracking_url(request)
    body_lines = [_("Bonjour,"), "", *lines, ""]
    if link:
        body_lines += [_("Suivez votre demande et répondez à la mairie sur cette page :"), link, ""]
    body_lines += [
        _(
            "Ce lien est personnel : ne le transmettez pas. Ce message vous est envoyé parce que "
            "vous avez déposé cette demande ; vous ne recevez rien d'autre de notre part."
        ),
        "",
        request.procedure.service_name or request.commune.name,
    ]
    body = "\n".join(body_lines)
    full_subject = _("%(commune)s — demande n° %(number)s : %(subject)s") % {
        "commune": request.commune.name,
        "number": request.number,
        "subject": subject,
    }
    reply_to = [request.procedure.service_email] if request.procedure.service_email else None
    message = EmailMessage(full_subject, body, None, [email], reply_to=reply_to)
    transaction.on_commit(message.send)


# --- Statuses ----------------------------------------------------------------------------------


def _apply_status(request: Request, status: statuses.Status, *, now: datetime.datetime) -> None:
    """Set the status and what follows from its kind (closure, retention, clock). No save."""
    old_kind = request.status_kind
    request.status = status.code
    request.status_kind = status.kind
    if status.kind in FINAL_KINDS:
        if old_kind not in FINAL_KINDS or request.closed_at is None:
            request.closed_at = now
        closed_on = timezone.localdate(request.closed_at)
        request.retention_until = legal_delays.add_months(
            closed_on, request.procedure.retention_months
        )
    elif old_kind in FINAL_KINDS:
        # Reopened: the file is under instruction again and must not be wiped.
        request.closed_at = None
        request.retention_until = None
        request.retention_warned_at = None
    if old_kind == StatusKind.WAITING_CITIZEN and status.kind != StatusKind.WAITING_CITIZEN:
        clock.clock_resume(request, at=now)
    request.updated_at = now


_STATUS_FIELDS = [
    "status",
    "status_kind",
    "closed_at",
    "retention_until",
    "retention_warned_at",
    "implicit_decision_on",
    "clock_paused_at",
    "updated_at",
]


def _first_status_of_kind(request: Request, kind: StatusKind) -> statuses.Status:
    for status in statuses.statuses_of(request.procedure):
        if status.kind == kind:
            return status
    raise InstructionRefused(
        _("La démarche n'a pas de statut « %(kind)s » : ajoutez-en un dans ses réglages.")
        % {"kind": StatusKind(kind).label}
    )


def _change_status(
    request: Request,
    status: statuses.Status,
    *,
    actor: Any,
    message: str = "",
    now: datetime.datetime,
) -> RequestEvent | None:
    """Apply, save and journal a status change; None when the status is already that one."""
    if status.code == request.status:
        return None
    previous = request.status
    _apply_status(request, status, now=now)
    request.save(update_fields=_STATUS_FIELDS)
    return journal.log_event(
        request,
        EventKind.STATUS_CHANGED,
        actor=actor,
        visible=True,
        body=message,
        status_from=previous,
        status_to=status.code,
        data={"kind": str(status.kind)},
    )


def status_label(request: Request, code: str) -> str:
    status = statuses.status_by_code(request.procedure, code)
    return status.label if status else code


# --- Services ------------------------------------------------------------------------------------


def request_open(*, request: Request, actor: Any) -> RequestEvent | None:
    """Journal that ``actor`` opened the file (visible to the citizen with the agent's name), at
    most once per agent per request per hour. Returns the entry, or None if one is recent."""
    if not getattr(actor, "is_authenticated", False):
        return None
    _check_actor(request, actor)
    since = timezone.now() - OPENING_QUIET_PERIOD
    with transaction.atomic():
        recent = (
            RequestEvent.objects.for_commune(request.commune)
            .filter(request=request, kind=EventKind.OPENED, actor=actor, at__gte=since)
            .exists()
        )
        if recent:
            return None
        return journal.log_event(request, EventKind.OPENED, actor=actor, visible=True)


def request_set_status(
    *, request: Request, actor: Any, status_code: str, message: str = ""
) -> RequestEvent | None:
    """Move the request to one of its procedure's statuses and tell the citizen by e-mail.

    A final status (accepted, refused, closed) closes the file: ``closed_at`` is set and the
    retention period (``procedure.retention_months``) starts; reopening clears both. Returns the
    journal entry, or None if the request already had that status.
    """
    _check_actor(request, actor)
    message = _clean_text(message, field="message", required=False)
    with transaction.atomic():
        locked = _locked(request)
        _check_not_anonymised(locked)
        status = statuses.status_by_code(locked.procedure, status_code)
        if status is None:
            raise InstructionRefused(
                _("Ce statut n'existe pas pour cette démarche."), field="status"
            )
        event = _change_status(locked, status, actor=actor, message=message, now=timezone.now())
        if event is not None:
            lines = [
                _("Le statut de votre demande « %(procedure)s » a changé : %(status)s.")
                % {"procedure": locked.procedure.title, "status": status.label}
            ]
            if message:
                lines.append(_("La mairie a joint un message, à lire sur la page de suivi."))
            _notify_citizen(locked, subject=status.label, lines=lines)
        _refresh(request, locked)
    return event


def request_assign(*, request: Request, actor: Any, assignee: Any) -> RequestEvent | None:
    """Give the file to ``assignee`` (an agent of that family), or to nobody with None."""
    _check_actor(request, actor)
    if assignee is not None and request.family not in selectors.granted_families(
        assignee, request.commune
    ):
        raise InstructionRefused(
            _("Cette personne n'a pas accès aux demandes de cette famille."), field="assignee"
        )
    with transaction.atomic():
        locked = _locked(request)
        _check_not_anonymised(locked)
        new_id = assignee.pk if assignee is not None else None
        if locked.assigned_to_id == new_id:
            return None
        previous_id = locked.assigned_to_id
        locked.assigned_to_id = new_id
        locked.updated_at = timezone.now()
        locked.save(update_fields=["assigned_to", "updated_at"])
        event = journal.log_event(
            locked,
            EventKind.ASSIGNED,
            actor=actor,
            visible=False,
            body=assignee.get_full_name() if assignee is not None else "",
            data={"from": previous_id, "to": new_id},
        )
        _refresh(request, locked)
    return event


def request_note_add(*, request: Request, actor: Any, body: str) -> RequestEvent:
    """An internal note: for the agents of the family only, never shown to the citizen."""
    _check_actor(request, actor)
    body = _clean_text(body, field="body")
    with transaction.atomic():
        locked = _locked(request)
        _check_not_anonymised(locked)
        return journal.log_event(locked, EventKind.NOTE, actor=actor, visible=False, body=body)


def request_message_citizen(*, request: Request, actor: Any, body: str) -> RequestEvent:
    """A message to the citizen, shown on their tracking page; they are told by e-mail."""
    _check_actor(request, actor)
    body = _clean_text(body, field="body")
    with transaction.atomic():
        locked = _locked(request)
        _check_not_anonymised(locked)
        event = journal.log_event(
            locked, EventKind.MESSAGE_TO_CITIZEN, actor=actor, visible=True, body=body
        )
        _notify_citizen(
            locked,
            subject=_("nouveau message de la mairie"),
            lines=[
                _("La mairie vous a écrit au sujet de votre demande « %(procedure)s ».")
                % {"procedure": locked.procedure.title},
                _("Lisez son message sur la page de suivi."),
            ],
        )
    return event


def correction_request(*, request: Request, actor: Any, body: str) -> RequestEvent:
    """Ask the citizen for missing documents or corrections (CRPA L114-5).

    The request takes the procedure's first status of kind "waiting for the citizen" and the
    implicit-decision clock stops until they answer (``services.citizen.correction_answer``).
    """
    _check_actor(request, actor)
    body = _clean_text(body, field="body")
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(request)
        _check_not_anonymised(locked)
        if not locked.is_open:
            raise InstructionRefused(
                _("Cette demande est close : rouvrez-la avant de demander des corrections.")
            )
        status = _first_status_of_kind(locked, StatusKind.WAITING_CITIZEN)
        _change_status(locked, status, actor=actor, now=now)
        if clock.clock_pause(locked, at=now):
            locked.save(update_fields=["clock_paused_at"])
        event = journal.log_event(
            locked,
            EventKind.CORRECTION_REQUESTED,
            actor=actor,
            visible=True,
            body=body,
            data={"clock_paused": locked.clock_paused_at is not None},
        )
        _notify_citizen(
            locked,
            subject=_("pièces ou corrections demandées"),
            lines=[
                _(
                    "Pour instruire votre demande « %(procedure)s », la mairie a besoin de pièces "
                    "ou de corrections. Le détail est sur la page de suivi, où vous pouvez "
                    "répondre et joindre vos documents."
                )
                % {"procedure": locked.procedure.title},
                _(
                    "Le délai au terme duquel le silence de l'administration vaut décision ne "
                    "court qu'à partir de la réception de ces éléments."
                ),
            ],
        )
        _refresh(request, locked)
    return event


def request_decide(*, request: Request, actor: Any, outcome: str, motivation: str) -> Decision:
    """Decide (accepted, refused or closed without follow-up), with a PDF decision stored in the
    vault (compartment of the family); the request takes the first status of that kind and the
    citizen is told by e-mail that the decision is available."""
    from clocher.core.vault import store_file
    from clocher.demarches.documents.decision import decision_pdf

    _check_actor(request, actor)
    try:
        kind = StatusKind(outcome)
    except ValueError:
        kind = None
    if kind not in FINAL_KINDS:
        raise InstructionRefused(_("Choisissez le sens de la décision."), field="outcome")
    assert kind is not None
    motivation = _clean_text(motivation, field="motivation", required=kind == StatusKind.REFUSED)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(request)
        _check_not_anonymised(locked)
        if not locked.is_open:
            raise InstructionRefused(
                _("Cette demande est déjà close : rouvrez-la pour rendre une nouvelle décision.")
            )
        status = _first_status_of_kind(locked, kind)
        decision = Decision(
            commune=locked.commune,
            request=locked,
            family=locked.family,
            outcome=kind,
            decided_at=now,
            decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        decision.motivation = motivation
        decision.save()
        document = decision_pdf(decision)
        decision.document = store_file(
            commune=locked.commune,
            data=document,
            name=f"decision-{locked.number}.pdf",
            content_type="application/pdf",
            compartment=locked.family,
        )
        decision.save(update_fields=["document"])
        _change_status(locked, status, actor=actor, now=now)
        locked.decided_at = now
        locked.save(update_fields=["decided_at"])
        journal.log_event(
            locked,
            EventKind.DECIDED,
            actor=actor,
            visible=True,
            status_to=status.code,
            data={"outcome": str(kind), "decision": decision.pk},
        )
        _notify_citizen(
            locked,
            subject=_("décision disponible"),
            lines=[
                _(
                    "La mairie a rendu sa décision sur votre demande « %(procedure)s » : "
                    "%(outcome)s."
                )
                % {"procedure": locked.procedure.title, "outcome": status.label},
                _("Le document de décision et les voies de recours sont sur la page de suivi."),
            ],
        )
        _refresh(request, locked)
    return decision


def request_set_deadline(
    *, request: Request, actor: Any, deadline_on: datetime.date | None
) -> RequestEvent | None:
    """Set (or clear) the internal deadline of the file; the reminders use it."""
    _check_actor(request, actor)
    with transaction.atomic():
        locked = _locked(request)
        _check_not_anonymised(locked)
        if locked.deadline_on == deadline_on:
            return None
        previous = locked.deadline_on
        locked.deadline_on = deadline_on
        locked.updated_at = timezone.now()
        locked.save(update_fields=["deadline_on", "updated_at"])
        event = journal.log_event(
            locked,
            EventKind.DEADLINE_SET,
            actor=actor,
            visible=False,
            data={
                "from": previous.isoformat() if previous else None,
                "to": deadline_on.isoformat() if deadline_on else None,
            },
        )
        _refresh(request, locked)
    return event


# --- Bulk actions ------------------------------------------------------------------------------


class BulkAction:
    ASSIGN = "assign"
    UNASSIGN = "unassign"
    SET_STATUS = "set_status"
    CHOICES = (ASSIGN, UNASSIGN, SET_STATUS)


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)  # request numbers
    unchanged: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (number, reason)


def requests_bulk(
    *,
    requests: list[Request],
    actor: Any,
    action: str,
    assignee: Any = None,
    status_code: str = "",
    message: str = "",
) -> BulkResult:
    """Assign or change the status of many requests in one transaction, each journaled.

    A request the action does not apply to (a status its procedure lacks, an anonymised file)
    is listed in ``refused`` and left as it was; the others are done.
    """
    if action not in BulkAction.CHOICES:
        raise InstructionRefused(_("Choisissez une action."), field="action")
    if action == BulkAction.ASSIGN and assignee is None:
        raise InstructionRefused(_("Choisissez l'agent à qui attribuer."), field="assignee")
    if action == BulkAction.SET_STATUS and not status_code:
        raise InstructionRefused(_("Choisissez le nouveau statut."), field="status")
    result = BulkResult()
    with transaction.atomic():
        for citizen_request in requests:
            try:
                with transaction.atomic():
                    if action == BulkAction.SET_STATUS:
                        event = request_set_status(
                            request=citizen_request,
                            actor=actor,
                            status_code=status_code,
                            message=message,
                        )
                    else:
                        event = request_assign(
                            request=citizen_request,
                            actor=actor,
                            assignee=assignee if action == BulkAction.ASSIGN else None,
                        )
            except InstructionRefused as refusal:
                result.refused.append((citizen_request.number, refusal.message))
                continue
            (result.done if event is not None else result.unchanged).append(citizen_request.number)
    return result


# --- Reminders ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderLine:
    commune_name: str
    number: str
    procedure_title: str
    deadline_on: datetime.date | None
    implicit_decision_on: datetime.date | None
    url: str


def _due_requests(today: datetime.date) -> Any:
    horizon = today + datetime.timedelta(days=REMINDER_HORIZON_DAYS)
    start_of_day = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    reminded_today = RequestEvent.objects.filter(
        request=OuterRef("pk"), kind=EventKind.REMINDER, at__gte=start_of_day
    )
    return (
        Request.objects.filter(status_kind__in=OPEN_KINDS, anonymised_at__isnull=True)
        .filter(
            Q(deadline_on__lte=horizon)
            | Q(implicit_decision_on__lte=horizon, clock_paused_at__isnull=True)
        )
        .exclude(Exists(reminded_today))
        .select_related("commune", "procedure", "assigned_to")
        .order_by("commune_id", "deadline_on", "pk")
    )


_processors = selectors.processing_agents_by_family


def deadline_reminders_send(*, today: datetime.date | None = None) -> int:
    """E-mail each agent ONE summary of their requests whose deadline or implicit-decision date
    is within three days or past; journal a reminder once per request per day.

    The assigned agent is reminded; an unassigned request (or one assigned to someone who lost
    access) is announced to every agent granted its family. The e-mail holds no personal data:
    numbers, procedures, dates and links to the back-office. Returns the number of e-mails.
    """
    today = today or timezone.localdate()
    due = list(_due_requests(today))
    if not due:
        return 0
    processors = _processors({item.commune_id for item in due})
    lines_by_user: dict[int, list[ReminderLine]] = defaultdict(list)
    users: dict[int, Any] = {}
    with transaction.atomic():
        for item in due:
            allowed = processors.get((item.commune_id, item.family), [])
            allowed_ids = {user.pk for user in allowed}
            if item.assigned_to_id is not None and item.assigned_to_id in allowed_ids:
                recipients = [item.assigned_to]
            else:
                recipients = allowed
            if not recipients:
                continue
            path = reverse(
                "staff:demarches:request",
                kwargs={"commune_slug": item.commune.slug, "citizen_request": item.pk},
            )
            line = ReminderLine(
                commune_name=item.commune.name,
                number=item.number,
                procedure_title=item.procedure.title,
                deadline_on=item.deadline_on,
                implicit_decision_on=(
                    item.implicit_decision_on if item.clock_paused_at is None else None
                ),
                url=f"{settings.SITE_URL}{path}",
            )
            for user in recipients:
                users[user.pk] = user
                lines_by_user[user.pk].append(line)
            journal.log_event(
                item,
                EventKind.REMINDER,
                label=_("système"),
                visible=False,
                data={"to": sorted(user.pk for user in recipients), "on": today.isoformat()},
            )
        for user_id, lines in lines_by_user.items():
            user = users[user_id]
            if not user.email:
                continue
            subject, body = _reminder_mail(lines, today=today)
            recipient = user.email
            transaction.on_commit(
                lambda s=subject, b=body, r=recipient: send_mail(s, b, None, [r])  # type: ignore[misc]
            )
    return sum(1 for user_id in lines_by_user if users[user_id].email)


def _reminder_mail(lines: list[ReminderLine], *, today: datetime.date) -> tuple[str, str]:
    subject = _("Clocher : %(count)s demande(s) à traiter bientôt") % {"count": len(lines)}
    body = [
        _("Bonjour,"),
        "",
        _(
            "Ces demandes arrivent à échéance dans les %(days)s jours, ou l'ont dépassée "
            "(échéance interne ou date de décision implicite) :"
        )
        % {"days": REMINDER_HORIZON_DAYS},
        "",
    ]
    for line in lines:
        dates = []
        if line.deadline_on is not None:
            dates.append(
                _("échéance le %(date)s") % {"date": line.deadline_on.strftime("%d/%m/%Y")}
            )
        if line.implicit_decision_on is not None:
            dates.append(
                _("décision implicite le %(date)s")
                % {"date": line.implicit_decision_on.strftime("%d/%m/%Y")}
            )
        body.append(f"- {line.commune_name} — {line.number} — {line.procedure_title}")
        body.append(f"  {', '.join(dates)}")
        body.append(f"  {line.url}")
    body += [
        "",
        _("Ce rappel est envoyé une fois par jour tant que ces demandes restent ouvertes."),
    ]
    return subject, "\n".join(body)
