"""Counter entry: an agent enters a request received at the counter, by phone, letter or e-mail
on a citizen's behalf ("nobody left behind").

The whole form is on one page, rendered from the same schema as the citizen's form; the channel,
the agent and any mandate are recorded by ``request_submit``. An agent only enters requests in
the families granted to them. A refused entry keeps everything typed, and the files already
uploaded are kept in a counter draft that only that agent can resume.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from clocher.demarches import selectors
from clocher.demarches.forms_counter import CounterEntryForm
from clocher.demarches.formschema import FormSchema, SchemaError, parse_schema, rendering
from clocher.demarches.models import Channel, Draft, Procedure, Request
from clocher.demarches.services import drafts
from clocher.demarches.services.submission import SubmissionRefused, request_submit
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.models import Commune
from clocher.tenancy.permissions import Capability

COUNTER_FIELDS = ("channel", "received_on", "email", "mandate")


def _commune(request: HttpRequest) -> Commune:
    commune: Commune = request.commune  # type: ignore[attr-defined]
    return commune


@require_capability(Capability.PROCESS_REQUESTS)
@require_GET
def counter(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The published procedures the agent may enter requests for, by family."""
    commune = _commune(request)
    families = selectors.granted_families(request.user, commune)
    procedures = list(
        selectors.published_procedures(commune)
        .filter(family__in=families)
        .order_by("family", "title")
    )
    return render(
        request,
        "demarches/counter/list.html",
        {"procedures": procedures, "has_grants": bool(families)},
    )


def _entry_procedure(request: HttpRequest, procedure: Procedure) -> Procedure:
    families = selectors.granted_families(request.user, _commune(request))
    published = selectors.published_procedure(_commune(request), procedure.slug)
    if procedure.family not in families or published is None or published.pk != procedure.pk:
        raise Http404
    return published


def _render(
    request: HttpRequest,
    procedure: Procedure,
    form: CounterEntryForm,
    schema: FormSchema,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    draft_token: str = "",
) -> HttpResponse:
    page = rendering.whole_form_view(schema, values, errors)
    return render(
        request,
        "demarches/counter/entry.html",
        {
            "procedure": procedure,
            "form": form,
            "page": page,
            "draft_token": draft_token,
            "has_mandates": len(form.mandates) > 0,
        },
    )


@require_capability(Capability.PROCESS_REQUESTS)
@require_http_methods(["GET", "POST"])
def counter_entry(
    request: HttpRequest, commune_slug: str, online_procedure: Procedure
) -> HttpResponse:
    """The whole form on one page, plus channel, date of receipt, e-mail and mandate."""
    procedure = _entry_procedure(request, online_procedure)
    assert procedure.current_form is not None
    try:
        schema = parse_schema(procedure.current_form.schema)
    except SchemaError as error:  # never published by the builder; never a 500 anyway
        raise Http404 from error
    if request.method == "GET":
        form = CounterEntryForm(procedure=procedure)
        return _render(request, procedure, form, schema, {})

    form = CounterEntryForm(request.POST, procedure=procedure)
    token = request.POST.get("draft", "")
    draft: Draft | None = drafts.draft_resume(
        commune=procedure.commune, procedure=procedure, token=token, entered_by=request.user
    )
    previous = drafts.draft_content(draft).values if draft is not None else {}
    view = rendering.whole_form_view(schema, previous)
    answers = rendering.read_answers(view, request.POST, request.FILES, previous=previous)
    stored = drafts.store_answer_files(procedure=procedure, uploads=answers.uploads)
    for key, refs in stored.refs.items():
        rendering.attach_files(answers.values, key, refs)
    values = {**previous, **answers.values}
    errors: dict[str, list[str]] = dict(stored.errors)
    if not errors and not answers.focus and form.is_valid():
        try:
            submitted = request_submit(
                procedure=procedure,
                data=rendering.for_submission(schema, values),
                email=form.cleaned_data["email"] or "",
                channel=Channel(form.cleaned_data["channel"]),
                actor=request.user,
                mandate=form.cleaned_data["mandate"],
                draft=draft,
                received_at=form.received_at,
            )
        except SubmissionRefused as refusal:
            errors = dict(refusal.errors)
            for name in ("email", "mandate"):
                for message in errors.pop(name, []):
                    form.add_error(name, message)
        else:
            return redirect(
                reverse(
                    "staff:demarches:counter-done",
                    kwargs={
                        "commune_slug": procedure.commune.slug,
                        "citizen_request": submitted.request.pk,
                    },
                )
            )
    # Nothing typed is lost: the answers (and uploaded files) wait in a draft of this agent.
    if draft is None:
        draft, token = drafts.draft_create(
            procedure=procedure, channel=Channel.COUNTER, entered_by=request.user
        )
    drafts.draft_save(draft=draft, values=values)
    return _render(request, procedure, form, schema, values, errors, token)


@require_capability(Capability.PROCESS_REQUESTS)
@require_GET
def counter_done(request: HttpRequest, commune_slug: str, citizen_request: Request) -> HttpResponse:
    """After a counter entry: the number, the paper acknowledgment to print, the request page."""
    return render(request, "demarches/counter/done.html", {"citizen_request": citizen_request})
