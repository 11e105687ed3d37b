"""The citizen's rights on their own request: see, export, know who opened it, ask to erase it.

Reached from the secret tracking link (or the citizen account's list, which links to the same
page), never across requests: each request is one file, in one family (GRU doctrine).

- Access and portability (RGPD art. 15 and 20): :func:`citizen_export_json` gives everything the
  commune holds about the request that the citizen may see — answers with their labels, files,
  messages, the public part of the journal, decisions — as JSON, and ``documents.citizen_data``
  draws the same as PDF.
- Who opened my file: every opening by staff is journaled (``services.instruction.request_open``)
  and shown to the citizen with the agent's name and the time (:func:`openings`).
- Erasure (RGPD art. 17): refused, with the reason in plain French, while the request is under
  instruction, under legal hold, or once a decision was taken and its retention period runs —
  keeping the file is then a legal obligation (art. 17.3.b; durée d'utilité administrative, Code
  du patrimoine L212-2). Otherwise the request is anonymised at once. Both outcomes are
  journaled, so agents see the request in the file's history.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clocher.demarches import selectors
from clocher.demarches.models import (
    Acknowledgment,
    Channel,
    Decision,
    EventKind,
    Family,
    Request,
    RequestEvent,
    RequestFile,
    StatusKind,
)
from clocher.demarches.services import journal, retention, statuses
from clocher.demarches.services.answer_values import Answer, request_answers

EXPORT_FORMAT = "clocher-demarches-donnees-usager/1"
MESSAGE_KINDS = {
    EventKind.MESSAGE_FROM_CITIZEN,
    EventKind.MESSAGE_TO_CITIZEN,
    EventKind.CORRECTION_REQUESTED,
    EventKind.CORRECTION_ANSWERED,
}
DECIDED_KINDS = {StatusKind.ACCEPTED, StatusKind.REFUSED}


def my_data_path(request: Request) -> str:
    """The citizen's data page of ``request`` (from the account list: the sealed token)."""
    return reverse(
        "public:demarches:my-data",
        kwargs={"commune_slug": request.commune.slug, "token": request.tracking_token},
    )


def _status_label(request: Request) -> str:
    status = statuses.status_by_code(request.procedure, request.status)
    return status.label if status else request.status


def _iso(value: datetime.datetime | datetime.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _events(request: Request) -> list[RequestEvent]:
    return list(selectors.citizen_visible_events(request).order_by("at", "pk"))


@dataclass(frozen=True)
class Opening:
    label: str
    at: datetime.datetime


def openings(request: Request) -> list[Opening]:
    """Every opening of the file by staff, oldest first: who (name, "mairie") and when."""
    rows = (
        selectors.citizen_visible_events(request)
        .filter(kind=EventKind.OPENED)
        .order_by("at", "pk")
        .values_list("actor_label", "at")
    )
    return [Opening(label=label or _("Un agent de la mairie"), at=at) for label, at in rows]


def _files(request: Request) -> list[dict[str, Any]]:
    from clocher.core.vault import read_file_name

    rows = (
        RequestFile.objects.for_commune(request.commune)
        .filter(request=request)
        .select_related("vault_file")
        .order_by("added_at", "pk")
    )
    return [
        {
            "name": read_file_name(row.vault_file),
            "field": row.field_name,
            "content_type": row.vault_file.content_type,
            "size": row.vault_file.size,
            "from_citizen": row.from_citizen,
            "added_at": row.added_at,
        }
        for row in rows
    ]


def _outcome_label(outcome: str) -> str:
    return str(StatusKind(outcome).label) if outcome in StatusKind.values else outcome


@dataclass(frozen=True)
class CitizenData:
    """What the citizen may see of their request (the page, the JSON and the PDF show it)."""

    request: Request
    status_label: str
    answers: list[Answer]
    files: list[dict[str, Any]]
    messages: list[RequestEvent]
    journal: list[RequestEvent]
    openings: list[Opening]
    decisions: list[Decision]
    acknowledged_at: datetime.datetime | None


def citizen_data(request: Request) -> CitizenData:
    """Internal notes and agents' private entries are not part of it: they are the
    administration's working documents, not the citizen's data (CRPA L311-2, L311-5)."""
    events = _events(request)
    issued = (
        Acknowledgment.objects.for_commune(request.commune)
        .filter(request=request)
        .values_list("issued_at", flat=True)
        .first()
    )
    return CitizenData(
        request=request,
        status_label=_status_label(request),
        answers=request_answers(request),
        files=_files(request),
        messages=[event for event in events if event.kind in MESSAGE_KINDS],
        journal=events,
        openings=openings(request),
        decisions=list(
            Decision.objects.for_commune(request.commune)
            .filter(request=request)
            .order_by("decided_at", "pk")
        ),
        acknowledged_at=issued,
    )


def citizen_export_json(request: Request) -> dict[str, Any]:
    """Everything the citizen may see about ``request``, as a JSON-ready dict."""
    data = citizen_data(request)
    procedure = request.procedure
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(timezone.now()),
        "commune": {"name": request.commune.name, "insee_code": request.commune.insee_code},
        "request": {
            "number": request.number,
            "procedure": {
                "slug": procedure.slug,
                "title": procedure.title,
                "family": procedure.family,
                "family_label": str(Family(procedure.family).label),
                "service": procedure.service_name,
                "legal_basis": procedure.legal_basis,
                "retention_months": procedure.retention_months,
            },
            "channel": request.channel,
            "channel_label": str(Channel(request.channel).label),
            "status": request.status,
            "status_label": data.status_label,
            "received_at": _iso(request.received_at),
            "implicit_decision_on": _iso(request.implicit_decision_on),
            "decided_at": _iso(request.decided_at),
            "closed_at": _iso(request.closed_at),
            "retention_until": _iso(request.retention_until),
            "acknowledged_at": _iso(data.acknowledged_at),
            "email": request.email,
            "entered_by_agent": request.entered_by_id is not None,
            "under_mandate": request.mandate_id is not None,
            "anonymised_at": _iso(request.anonymised_at),
        },
        "answers": [answer.as_json() for answer in data.answers],
        "files": [{**item, "added_at": _iso(item["added_at"])} for item in data.files],
        "messages": [
            {
                "at": _iso(event.at),
                "kind": event.kind,
                "kind_label": str(EventKind(event.kind).label),
                "from": event.actor_label,
                "body": event.body,
            }
            for event in data.messages
        ],
        "journal": [
            {
                "at": _iso(event.at),
                "kind": event.kind,
                "kind_label": str(EventKind(event.kind).label),
                "by": event.actor_label,
                "status_from": event.status_from,
                "status_to": event.status_to,
            }
            for event in data.journal
        ],
        "openings": [{"by": item.label, "at": _iso(item.at)} for item in data.openings],
        "decisions": [
            {
                "decided_at": _iso(decision.decided_at),
                "outcome": decision.outcome,
                "outcome_label": _outcome_label(decision.outcome),
                "motivation": decision.motivation,
            }
            for decision in data.decisions
        ],
    }


@transaction.atomic
def citizen_export_log(*, request: Request, what: str) -> RequestEvent:
    """Journal that the citizen exported their data (``what``: "json" or "pdf")."""
    return journal.log_event(
        request, EventKind.EXPORTED, label=_("Vous"), visible=True, data={"format": what}
    )


@dataclass(frozen=True)
class ErasureOutcome:
    erased: bool
    reason: str  # why it was refused, in plain French ("" when erased)


def erasure_refusal(request: Request, *, today: datetime.date | None = None) -> str:
    """Why the request cannot be erased now (plain French), or "" if it can."""
    today = today or timezone.localdate()
    if request.is_open:
        return _(
            "Votre demande est en cours de traitement : la mairie doit garder votre dossier pour "
            "pouvoir vous répondre. Vous pourrez demander l'effacement une fois la demande "
            "traitée."
        )
    if request.legal_hold:
        return _(
            "Votre dossier doit être conservé pour une raison légale (par exemple un recours en "
            "cours ou une obligation d'archivage) : il ne peut pas être effacé pour le moment. "
            "Le secrétariat de mairie peut vous en dire plus."
        )
    decided = request.status_kind in DECIDED_KINDS or (
        Decision.objects.for_commune(request.commune).filter(request=request).exists()
    )
    if decided and (request.retention_until is None or request.retention_until >= today):
        months = request.procedure.retention_months
        if request.retention_until is None:
            return _(
                "Une décision a été prise sur votre demande : la loi oblige la mairie à conserver "
                "le dossier pendant %(months)s mois. Il sera ensuite anonymisé automatiquement."
            ) % {"months": months}
        return _(
            "Une décision a été prise sur votre demande : la loi oblige la mairie à conserver le "
            "dossier pendant %(months)s mois, jusqu'au %(date)s. Vos données personnelles seront "
            "alors effacées automatiquement, sans que vous ayez à le redemander."
        ) % {"months": months, "date": date_format(request.retention_until, "j F Y")}
    return ""


@transaction.atomic
def citizen_erase_request(*, request: Request) -> ErasureOutcome:
    """The citizen asks to erase ``request``: journal it, then anonymise or refuse with a reason."""
    if request.anonymised_at is not None:
        return ErasureOutcome(erased=True, reason="")
    locked = (
        Request.objects.for_commune(request.commune)
        .select_for_update(of=("self",))
        .select_related("procedure")
        .get(pk=request.pk)
    )
    now = timezone.now()
    locked.erasure_requested_at = now
    locked.save(update_fields=["erasure_requested_at"])
    request.erasure_requested_at = now
    journal.log_event(locked, EventKind.ERASURE_REQUESTED, label=_("Vous"), visible=True)
    reason = erasure_refusal(locked)
    if reason:
        journal.log_event(
            locked, EventKind.ERASURE_REFUSED, label=_("système"), visible=True, body=reason
        )
        return ErasureOutcome(erased=False, reason=reason)
    retention.request_anonymise(request=locked, reason=retention.REASON_CITIZEN)
    request.refresh_from_db()
    return ErasureOutcome(erased=True, reason="")
