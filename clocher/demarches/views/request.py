"""One request seen by an agent: answers, files, journal, clock, and every instruction action.

The URL registry hands these views the request only if it is in the commune AND in a family
granted to the agent (``selectors.restrict_requests``); any other id is a 404, for the page and
for each action. Opening the page is journaled (``request_open``) and shown to the citizen.
Each action is a POST that calls one service then redirects back (PRG) with a message; bad input
re-renders the page with the form's errors tied to its fields, nothing typed lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clocher.core.vault import read_file, read_file_name
from clocher.demarches.answers import request_answers
from clocher.demarches.forms_instruction import (
    AssignForm,
    CorrectionForm,
    DeadlineForm,
    DecisionForm,
    MessageForm,
    NoteForm,
    StatusForm,
    agents_of_family,
)
from clocher.demarches.models import Decision, Request, RequestEvent, RequestFile
from clocher.demarches.services import clock, instruction, statuses
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.permissions import Capability

FORM_CLASSES: dict[str, type[forms.Form]] = {
    "status_form": StatusForm,
    "assign_form": AssignForm,
    "note_form": NoteForm,
    "message_form": MessageForm,
    "correction_form": CorrectionForm,
    "decision_form": DecisionForm,
    "deadline_form": DeadlineForm,
}


def _page_url(citizen_request: Request, anchor: str = "") -> str:
    url = reverse(
        "staff:demarches:request",
        kwargs={
            "commune_slug": citizen_request.commune.slug,
            "citizen_request": citizen_request.pk,
        },
    )
    return f"{url}#{anchor}" if anchor else url


def _make_form(name: str, citizen_request: Request, data: Any = None) -> forms.Form:
    if name == "status_form":
        return StatusForm(
            data, procedure=citizen_request.procedure, initial={"status": citizen_request.status}
        )
    if name == "assign_form":
        return AssignForm(
            data,
            agents=agents_of_family(citizen_request.commune, citizen_request.family),
            initial={"assignee": citizen_request.assigned_to_id},
        )
    if name == "deadline_form":
        return DeadlineForm(data, initial={"deadline_on": citizen_request.deadline_on})
    return FORM_CLASSES[name](data)


def _file_link(citizen_request: Request, files: list[RequestFile]) -> Callable[[str], str | None]:
    by_vault_id = {str(item.vault_file_id): item for item in files}

    def link(vault_file_id: str) -> str | None:
        item = by_vault_id.get(vault_file_id)
        if item is None:
            return None
        return reverse(
            "staff:demarches:request-file",
            kwargs={
                "commune_slug": citizen_request.commune.slug,
                "citizen_request": citizen_request.pk,
                "request_file": item.pk,
            },
        )

    return link


def _who(event: RequestEvent) -> str:
    """The actor as agents read it: the citizen's own entries say "Vous" to the citizen."""
    if event.actor_id is None and event.actor_label == _("Vous"):
        return _("l'usager")
    return event.actor_label


def _render(
    request: HttpRequest, citizen_request: Request, bound: dict[str, forms.Form] | None = None
) -> HttpResponse:
    commune = citizen_request.commune
    files = list(
        RequestFile.objects.for_commune(commune)
        .filter(request=citizen_request)
        .select_related("vault_file")
        .order_by("added_at", "pk")
    )
    events = list(
        RequestEvent.objects.for_commune(commune)
        .filter(request=citizen_request)
        .select_related("file")
        .order_by("at", "pk")
    )
    decisions = list(
        Decision.objects.for_commune(commune).filter(request=citizen_request).order_by("decided_at")
    )
    labels = {
        status.code: status.label for status in statuses.statuses_of(citizen_request.procedure)
    }
    link = _file_link(citizen_request, files)
    vault_files = {str(item.vault_file_id): item.vault_file for item in files}
    answers = request_answers(citizen_request, file_link=link, vault_files=vault_files)
    in_answers = {
        file.url for answer in answers for file in answer.files if file.url is not None
    } | {
        file.url
        for answer in answers
        for item in answer.items
        for sub in item
        for file in sub.files
        if file.url is not None
    }
    other_files = [
        {"file": item, "url": link(str(item.vault_file_id))}
        for item in files
        if link(str(item.vault_file_id)) not in in_answers
    ]
    forms_by_name = {name: _make_form(name, citizen_request) for name in FORM_CLASSES}
    forms_by_name.update(bound or {})
    context = {
        "citizen_request": citizen_request,
        "answers": answers,
        "other_files": other_files,
        "events": [
            {
                "event": event,
                "who": _who(event),
                "status_from": labels.get(event.status_from, event.status_from),
                "status_to": labels.get(event.status_to, event.status_to),
            }
            for event in events
        ],
        "decisions": decisions,
        "status_label": labels.get(citizen_request.status, citizen_request.status),
        "clock": clock.clock_state(citizen_request),
        "is_anonymised": citizen_request.is_anonymised,
        "email": "" if citizen_request.is_anonymised else citizen_request.email,
        **forms_by_name,
    }
    return render(request, "demarches/instruction/request.html", context)


@require_capability(Capability.PROCESS_REQUESTS)
@require_GET
def request_page(request: HttpRequest, commune_slug: str, citizen_request: Request) -> HttpResponse:
    """The request, its answers and journal; the opening is journaled for the citizen to see."""
    instruction.request_open(request=citizen_request, actor=request.user)
    return _render(request, citizen_request)


def _act(
    request: HttpRequest,
    citizen_request: Request,
    form_name: str,
    perform: Callable[[dict[str, Any]], str],
    anchor: str,
) -> HttpResponse:
    """Validate the form, run the service, redirect with its message; re-render on errors."""
    form = _make_form(form_name, citizen_request, request.POST)
    if form.is_valid():
        try:
            success = perform(form.cleaned_data)
        except instruction.InstructionRefused as refusal:
            if refusal.field and refusal.field in form.fields:
                form.add_error(refusal.field, refusal.message)
            else:
                form.add_error(None, refusal.message)
        else:
            messages.success(request, success)
            return redirect(_page_url(citizen_request, anchor))
    messages.error(request, _("L'action n'a pas été faite : corrigez le formulaire."))
    return _render(request, citizen_request, {form_name: form})


@require_capability(Capability.PROCESS_REQUESTS)
@require_POST
def status_change(
    request: HttpRequest, commune_slug: str, citizen_request: Request
) -> HttpResponse:
    def perform(data: dict[str, Any]) -> str:
        event = instruction.request_set_status(
            request=citizen_request,
            actor=request.user,
            status_code=data["status"],
            message=data["message"],
        )
        if event is None:
            return _("La demande avait déjà ce statut : rien n'a changé.")
        return _("Statut modifié ; l'usager est prévenu par e-mail.")

    return _act(request, citizen_request, "status_form", perform, "statut")


@require_capability(Capability.PROCESS_REQUESTS)
@require_POST
def assign(request: HttpRequest, commune_slug: str, citizen_request: Request) -> HttpResponse:
    def perform(data: dict[str, Any]) -> str:
        assignee = data["assignee"]
        instruction.request_assign(request=citizen_request, actor=request.user, assignee=assignee)
        if assignee is None:
            return _("La demande n'est plus attribuée.")
        return _("Demande attribuée à %(name)s.") % {
            "name": assignee.get_full_name() or assignee.email
        }

    return _act(request, citizen_request, "assign_form", perform, "attribution")


@require_capability(Capability.PROCESS_REQUESTS)
@require_POST
def note_add(request: HttpRequest, commune_slug: str, citizen_request: Request) -> HttpResponse:
    def perform(data: dict[str, Any]) -> str:
        instruction.request_note_add(request=citizen_request, actor=request.user, body=data["body"])
        return _("Note interne ajoutée.")

    return _act(request, citizen_request, "note_form", perform, "journal")


@require_capability(Capability.PROCESS_REQUESTS)
@require_POST
def message_citizen(
    request: HttpRequest, commune_slug: str, citizen_request: Request
) -> HttpResponse:
    def perform(data: dict[str, Any]) -> str:
        instruction.request_message_citizen(
            request=citizen_request, actor=request.user, body=data["body"]
        )
        return _("Message envoyé à l'usager.")

    return _act(request, citizen_request, "message_form", perform, "journal")


@require_capability(Capability.PROCESS_REQUESTS)
@require_POST
def correction(request: HttpRequest, commune_slug: str, citizen_request: Request) -> HttpResponse:
    def perform(data: dict[str, Any]) -> str:
        instruction.correction_request(
            request=citizen_request, actor=request.user, body=data["body"]
        )
        return _("Corrections demandées ; le délai de décision implicite est suspendu.")

    return _act(request, citizen_request, "correction_form", perform, "journal")


@require_capability(Capability.PROCESS_REQUESTS)
@require_POST
def decide(request: HttpRequest, commune_slug: str, citizen_request: Request) -> HttpResponse:
    def perform(data: dict[str, Any]) -> str:
        instruction.request_decide(
            request=citizen_request,
            actor=request.user,
            outcome=data["outcome"],
            motivation=data["motivation"],
        )
        return _("Décision enregistrée ; l'usager est prévenu qu'elle est disponible.")

    return _act(request, citizen_request, "decision_form", perform, "decision")


@require_capability(Capability.PROCESS_REQUESTS)
@require_POST
def deadline_set(request: HttpRequest, commune_slug: str, citizen_request: Request) -> HttpResponse:
    def perform(data: dict[str, Any]) -> str:
        deadline = data["deadline_on"]
        instruction.request_set_deadline(
            request=citizen_request, actor=request.user, deadline_on=deadline
        )
        if deadline is None:
            return _("Échéance retirée.")
        return _("Échéance fixée au %(date)s.") % {"date": deadline.strftime("%d/%m/%Y")}

    return _act(request, citizen_request, "deadline_form", perform, "echeance")


@require_capability(Capability.PROCESS_REQUESTS)
@require_GET
def file_download(
    request: HttpRequest, commune_slug: str, citizen_request: Request, request_file: RequestFile
) -> HttpResponse:
    """A file of the request (answer or message attachment), opened from the vault."""
    if request_file.request_id != citizen_request.pk:
        raise Http404
    vault_file = request_file.vault_file
    try:
        data = read_file(vault_file)
    except OSError as error:  # the sealed file is gone (anonymised, restored backup…)
        raise Http404 from error
    filename = read_file_name(vault_file) or f"fichier-{request_file.pk}"
    response = HttpResponse(
        data, content_type=vault_file.content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response
