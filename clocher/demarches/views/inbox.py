"""The agent's inbox: the requests of their families, filtered, paged, with bulk actions.

Everything starts from ``selectors.requests_for_agent``: a request of a family not granted to the
agent is neither listed nor counted nor reachable by a bulk action. Searching is by number only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from clocher.demarches import selectors
from clocher.demarches.forms_instruction import (
    BulkActionForm,
    InboxFilterForm,
    agents_of_families,
    status_choices_for,
)
from clocher.demarches.models import Channel, Procedure
from clocher.demarches.selectors_inbox import InboxFilters, inbox_page, inbox_query
from clocher.demarches.services import instruction, statuses
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.models import Commune
from clocher.tenancy.permissions import Capability


def _commune(request: HttpRequest) -> Commune:
    return request.commune  # type: ignore[attr-defined,no-any-return]


def _procedures(request: HttpRequest) -> Any:
    families = selectors.granted_families(request.user, _commune(request))
    return (
        selectors.procedures_for_commune(_commune(request))
        .filter(family__in=families)
        .select_related(None)
        .only("pk", "title", "family", "statuses", "commune_id")
        .order_by("title", "pk")
    )


def _bulk_form(request: HttpRequest, data: Any = None) -> tuple[BulkActionForm, list[Procedure]]:
    commune = _commune(request)
    families = selectors.granted_families(request.user, commune)
    procedures = list(_procedures(request))
    return BulkActionForm(
        data,
        requests=selectors.requests_for_agent(request.user, commune),
        agents=agents_of_families(commune, families),
        status_choices=status_choices_for(procedures),
    ), procedures


@require_capability(Capability.PROCESS_REQUESTS)
@require_GET
def inbox(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The requests of the agent's families, newest first."""
    bulk_form, procedures = _bulk_form(request)
    return _render_inbox(request, request.GET, bulk_form, procedures)


def _render_inbox(
    request: HttpRequest,
    query: QueryDict,
    bulk_form: BulkActionForm,
    procedures: list[Procedure],
    *,
    status: int = 200,
) -> HttpResponse:
    commune = _commune(request)
    filter_form = InboxFilterForm(query or None, procedures=_procedures(request))
    filters = InboxFilters()
    if filter_form.is_bound and filter_form.is_valid():
        data = filter_form.cleaned_data
        filters = InboxFilters(
            number=data["number"],
            procedure=data["procedure"],
            state=data["state"],
            assigned=data["assigned"],
            channel=data["channel"],
            overdue=data["overdue"],
        )
    page = inbox_page(
        inbox_query(request.user, commune, filters),
        after=query.get("apres", ""),
        before=query.get("avant", ""),
    )
    labels = {
        procedure.pk: {status.code: status.label for status in statuses.statuses_of(procedure)}
        for procedure in procedures
    }
    ticked = set(request.POST.getlist("requests")) if bulk_form.is_bound else set()
    # Rows are prepared here rather than with template filters: fifty rows of dates, links
    # and labels cost more through the template engine than the queries (see the benchmark).
    request_prefix = reverse(
        "staff:demarches:request", kwargs={"commune_slug": commune.slug, "citizen_request": 0}
    ).removesuffix("0/")
    channels = dict(Channel.choices)
    rows = [
        {
            "pk": row.pk,
            "number": row.number,
            "url": f"{request_prefix}{row.pk}/",
            "procedure": row.procedure.title,
            "summary": row.summary,
            "received": timezone.localtime(row.received_at).strftime("%d/%m/%Y %H:%M"),
            "channel": channels.get(row.channel, row.channel),
            "status_label": labels.get(row.procedure_id, {}).get(row.status, row.status),
            "assignee": (row.assigned_to.get_full_name() or row.assigned_to.email)
            if row.assigned_to
            else "",
            "deadline": row.deadline_on.strftime("%d/%m/%Y") if row.deadline_on else "",
            "implicit": (
                row.implicit_decision_on.strftime("%d/%m/%Y") if row.implicit_decision_on else ""
            ),
            "is_paused": row.clock_paused_at is not None,
            "select_label": _("Sélectionner la demande %(number)s") % {"number": row.number},
            "is_ticked": str(row.pk) in ticked,
        }
        for row in page.rows
    ]
    inbox_url = reverse("staff:demarches:inbox", kwargs={"commune_slug": commune.slug})
    return render(
        request,
        "demarches/instruction/inbox.html",
        {
            "filter_form": filter_form,
            "bulk_form": bulk_form,
            "page": page,
            "rows": rows,
            "query": query,
            "has_filters": any(value for value in vars(filters).values()),
            "next_query": f"{inbox_url}?{query.urlencode()}" if query else inbox_url,
        },
        status=status,
    )


def _inbox_query(request: HttpRequest, commune_slug: str) -> QueryDict:
    """The inbox filters the bulk form came from (its ``next``), only if it is the inbox."""
    inbox_url = reverse("staff:demarches:inbox", kwargs={"commune_slug": commune_slug})
    back = urlsplit(request.POST.get("next", ""))
    if back.scheme or back.netloc or back.path != inbox_url:
        return QueryDict(mutable=False)
    return QueryDict(back.query, mutable=False)


@require_capability(Capability.PROCESS_REQUESTS)
@require_POST
def bulk_action(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Assign or change the status of the ticked requests (one transaction, each journaled)."""
    form, procedures = _bulk_form(request, request.POST)
    query = _inbox_query(request, commune_slug)
    inbox_url = reverse("staff:demarches:inbox", kwargs={"commune_slug": commune_slug})
    back = f"{inbox_url}?{query.urlencode()}" if query else inbox_url
    if not form.is_valid():
        messages.error(request, _("L'action n'a pas été faite : corrigez le formulaire."))
        return _render_inbox(request, query, form, procedures, status=400)
    data = form.cleaned_data
    try:
        result = instruction.requests_bulk(
            requests=data["selected"],
            actor=request.user,
            action=data["action"],
            assignee=data.get("assignee"),
            status_code=data.get("status") or "",
        )
    except instruction.InstructionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(back)
    if result.done:
        messages.success(
            request,
            ngettext(
                "%(count)s demande modifiée.", "%(count)s demandes modifiées.", len(result.done)
            )
            % {"count": len(result.done)},
        )
    if result.unchanged:
        messages.info(
            request,
            _("Déjà dans cet état, rien à faire : %(numbers)s.")
            % {"numbers": ", ".join(result.unchanged)},
        )
    for number, reason in result.refused:
        messages.error(request, _("%(number)s : %(reason)s") % {"number": number, "reason": reason})
    return redirect(back)
