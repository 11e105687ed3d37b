"""Public pages of démarches: the catalogue, filling in a form, tracking a request.

No account needed. Filling in a form is a draft saved on the server at every page (its secret in
a cookie and in a "reprendre plus tard" link), conditions evaluated between pages, a summary to
review, then ``request_submit``. A refused submission keeps the draft and shows each error on its
page. The tracking page is reached by the request's secret link only, looked up within the
commune of the URL.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from clocher.accounts.citizen import current_citizen
from clocher.core.vault.files import read_file_name
from clocher.demarches import selectors
from clocher.demarches.forms_citizen import CorrectionForm, MessageForm, SubmitForm
from clocher.demarches.formschema import (
    FormSchema,
    SchemaError,
    parse_schema,
    rendering,
    validate_submission,
)
from clocher.demarches.formschema.file_references import file_ids, with_file_names
from clocher.demarches.models import (
    Channel,
    Draft,
    EventKind,
    Procedure,
    Request,
    RequestEvent,
    RequestFile,
    SilenceRule,
)
from clocher.demarches.services import citizen as citizen_services
from clocher.demarches.services import clock, drafts, statuses
from clocher.demarches.services.submission import SubmissionRefused, request_submit
from clocher.tenancy.models import Commune

SUBMITTED_SESSION_KEY = "demarches:submitted:{commune}"
PAGE_NUMBER = re.compile(r"[0-9]{1,4}")
MY_REQUESTS_PER_PAGE = 50


def _commune(request: HttpRequest) -> Commune:
    commune: Commune = request.commune  # type: ignore[attr-defined]
    return commune


# --- Catalogue ---------------------------------------------------------------------------------


def catalogue(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune = _commune(request)
    entries = []
    for procedure in selectors.published_procedures(commune).order_by("family", "title"):
        assert procedure.current_form is not None
        try:
            documents = rendering.documents_to_prepare(parse_schema(procedure.current_form.schema))
        except ValueError:
            continue  # a broken form is not offered (the builder refuses to publish one)
        entries.append(
            {
                "procedure": procedure,
                "family": procedure.get_family_display(),
                "documents": documents,
                "to_prepare": str((procedure.options or {}).get("to_prepare", "")),
            }
        )
    return render(request, "demarches/public/catalogue.html", {"entries": entries})


# --- Filling in a form -------------------------------------------------------------------------


def _procedure_or_404(commune: Commune, slug: str) -> Procedure:
    procedure = selectors.published_procedure(commune, slug)
    if procedure is None or procedure.current_form is None:
        raise Http404
    return procedure


def _cookie_name(procedure: Procedure) -> str:
    return f"clocher_draft_{procedure.pk}"


def _set_draft_cookie(
    response: HttpResponse, commune: Commune, procedure: Procedure, token: str
) -> None:
    response.set_cookie(
        _cookie_name(procedure),
        token,
        max_age=int(drafts.DRAFT_LIFETIME.total_seconds()),
        path=reverse("public:demarches:catalogue", kwargs={"commune_slug": commune.slug}),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _forget_draft_cookie(response: HttpResponse, commune: Commune, procedure: Procedure) -> None:
    response.delete_cookie(
        _cookie_name(procedure),
        path=reverse("public:demarches:catalogue", kwargs={"commune_slug": commune.slug}),
        samesite="Lax",
    )


def _cookie_draft(request: HttpRequest, procedure: Procedure) -> tuple[Draft | None, str]:
    token = request.COOKIES.get(_cookie_name(procedure), "")
    draft = drafts.draft_resume(commune=procedure.commune, procedure=procedure, token=token)
    return draft, token if draft is not None else ""


def _url(name: str, procedure: Procedure, **extra: Any) -> str:
    return reverse(
        f"public:demarches:{name}",
        kwargs={"commune_slug": procedure.commune.slug, "procedure_slug": procedure.slug, **extra},
    )


def _resume_url(procedure: Procedure, token: str) -> str:
    return settings.SITE_URL + _url("resume", procedure, token=token)


def _no_draft(procedure: Procedure) -> HttpResponseRedirect:
    return redirect(_url("start", procedure))


def _schema(draft: Draft) -> FormSchema:
    try:
        return parse_schema(draft.form_version.schema)
    except SchemaError as error:  # the builder never publishes one; never a 500 anyway
        raise Http404 from error


def _page_number(text: object, count: int) -> int | None:
    """A page index posted or asked for, if it is one of the form's pages."""
    if isinstance(text, str) and PAGE_NUMBER.fullmatch(text) and int(text) < count:
        return int(text)
    return None


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, commune_slug: str, procedure_slug: str) -> HttpResponse:
    """What the procedure is for, what to prepare, what happens next; then begin (or resume)."""
    commune = _commune(request)
    procedure = _procedure_or_404(commune, procedure_slug)
    draft, _token = _cookie_draft(request, procedure)
    if request.method == "POST":
        if draft is not None and request.POST.get("action") != "restart":
            return redirect(_url("fill", procedure))
        if draft is not None:
            drafts.draft_discard(draft=draft)
        draft, token = drafts.draft_create(
            procedure=procedure, citizen_account=current_citizen(request)
        )
        response = redirect(_url("fill", procedure))
        _set_draft_cookie(response, commune, procedure, token)
        return response
    assert procedure.current_form is not None
    try:
        schema = parse_schema(procedure.current_form.schema)
    except SchemaError as error:
        raise Http404 from error
    return render(
        request,
        "demarches/public/start.html",
        {
            "procedure": procedure,
            "draft": draft,
            "documents": rendering.documents_to_prepare(schema),
            "to_prepare": str((procedure.options or {}).get("to_prepare", "")),
            "page_count": rendering.page_count(schema),
            "upload_limit": settings.UPLOAD_MAX_BYTES,
        },
    )


@never_cache
def resume(
    request: HttpRequest, commune_slug: str, procedure_slug: str, token: str
) -> HttpResponse:
    """The "reprendre plus tard" link: puts the draft back in this browser and carries on."""
    commune = _commune(request)
    procedure = _procedure_or_404(commune, procedure_slug)
    draft = drafts.draft_resume(commune=commune, procedure=procedure, token=token)
    if draft is None:
        return render(
            request,
            "demarches/public/draft_not_found.html",
            {"procedure": procedure, "days": drafts.DRAFT_LIFETIME.days},
            status=404,
        )
    response = redirect(_url("fill", procedure))
    _set_draft_cookie(response, commune, procedure, token)
    return response


def _render_page(
    request: HttpRequest,
    procedure: Procedure,
    draft: Draft,
    schema: FormSchema,
    index: int,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    page = rendering.page_view(schema, index, values, errors)
    shown = [i for i in range(page.count) if rendering.page_is_shown(schema, i, values)]
    step = shown.index(page.index) + 1 if page.index in shown else page.index + 1
    return render(
        request,
        "demarches/public/fill.html",
        {
            "procedure": procedure,
            "page": page,
            "step": step,
            "steps": len(shown) + 1,  # the summary is the last step
            "is_first": rendering.previous_page(schema, page.index, values) is None,
        },
        status=200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def fill(request: HttpRequest, commune_slug: str, procedure_slug: str) -> HttpResponse:
    """One page of the form; every POST saves the draft, whatever the button."""
    commune = _commune(request)
    procedure = _procedure_or_404(commune, procedure_slug)
    draft, _token = _cookie_draft(request, procedure)
    if draft is None:
        messages.warning(
            request,
            _(
                "Votre brouillon n'a pas été retrouvé dans ce navigateur. Utilisez votre lien "
                "« reprendre plus tard », ou commencez la démarche."
            ),
        )
        return _no_draft(procedure)
    schema = _schema(draft)
    values = drafts.draft_content(draft).values
    count = rendering.page_count(schema)
    if request.method == "GET":
        index = draft.page
        asked = request.GET.get("page", "")
        if (
            asked.isdigit()
            and int(asked) < count
            and rendering.page_is_shown(schema, int(asked), values)
        ):
            index = int(asked)
        if index >= count:
            return redirect(_url("summary", procedure))
        if not rendering.page_is_shown(schema, index, values):
            following = rendering.next_page(schema, index, values)
            if following is None:
                return redirect(_url("summary", procedure))
            index = following
        return _render_page(request, procedure, draft, schema, index, values)

    posted = _page_number(request.POST.get("page"), count)
    index = min(posted if posted is not None else draft.page, count - 1)
    view = rendering.page_view(schema, index, values)
    answers = rendering.read_answers(view, request.POST, request.FILES, previous=values)
    stored = drafts.store_answer_files(procedure=procedure, uploads=answers.uploads)
    for key, refs in stored.refs.items():
        rendering.attach_files(answers.values, key, refs)
    values = drafts.draft_save(draft=draft, values=answers.values, page=index).values
    if stored.downscaled:
        messages.info(
            request,
            _("Votre photo était lourde : elle a été réduite automatiquement, et bien jointe."),
        )
    if stored.errors:
        return _render_page(request, procedure, draft, schema, index, values, stored.errors)
    if answers.focus:
        return redirect(f"{_url('fill', procedure)}?page={index}#field-{answers.focus}")
    action = request.POST.get("action", "next")
    if action == "save":
        return redirect(_url("saved", procedure))
    if action == "back":
        previous = rendering.previous_page(schema, index, values)
        drafts.draft_save(draft=draft, page=previous if previous is not None else 0)
        return redirect(_url("fill", procedure))
    view = rendering.page_view(schema, index, values)
    validated = validate_submission(
        schema, rendering.for_submission(schema, values), only=view.input_names
    )
    errors = rendering.errors_on_page(view, validated.errors)
    if errors:
        return _render_page(request, procedure, draft, schema, index, values, errors)
    following = rendering.next_page(schema, index, values)
    drafts.draft_save(draft=draft, page=following if following is not None else count)
    if following is None:
        return redirect(_url("summary", procedure))
    return redirect(_url("fill", procedure))


@never_cache
def saved(request: HttpRequest, commune_slug: str, procedure_slug: str) -> HttpResponse:
    """ "Enregistré" page: the secret link to resume later, on this device or another."""
    commune = _commune(request)
    procedure = _procedure_or_404(commune, procedure_slug)
    draft, token = _cookie_draft(request, procedure)
    if draft is None:
        return _no_draft(procedure)
    return render(
        request,
        "demarches/public/saved.html",
        {
            "procedure": procedure,
            "resume_url": _resume_url(procedure, token),
            "expires_at": draft.expires_at,
        },
    )


def _first_page_with_errors(
    schema: FormSchema, values: dict[str, Any], errors: dict[str, list[str]]
) -> int | None:
    names = {key.split(".", 1)[0] for key in errors}
    for index, specs in enumerate(schema.pages()):
        if not rendering.page_is_shown(schema, index, values):
            continue
        if any(spec.name in names for spec in specs):
            return index
    return None


@never_cache
@require_http_methods(["GET", "POST"])
def summary(request: HttpRequest, commune_slug: str, procedure_slug: str) -> HttpResponse:
    """Every answer to review, the e-mail address and consent, then sending."""
    commune = _commune(request)
    procedure = _procedure_or_404(commune, procedure_slug)
    draft, token = _cookie_draft(request, procedure)
    if draft is None:
        return _no_draft(procedure)
    schema = _schema(draft)
    content = drafts.draft_content(draft)
    count = rendering.page_count(schema)
    account = current_citizen(request)
    if request.method == "GET" and draft.page < count:
        return redirect(_url("fill", procedure))
    initial_email = content.email or (account.email if account is not None else "")
    form = SubmitForm(request.POST or None, initial={"email": initial_email})
    if request.method == "POST":
        posted_email = request.POST.get("email", "")
        drafts.draft_save(draft=draft, email=posted_email if isinstance(posted_email, str) else "")
        if request.POST.get("action") == "back":
            last = rendering.previous_page(schema, count, content.values)
            drafts.draft_save(draft=draft, page=last if last is not None else 0)
            return redirect(_url("fill", procedure))
        if form.is_valid():
            try:
                submitted = request_submit(
                    procedure=procedure,
                    data=rendering.for_submission(schema, content.values),
                    email=form.cleaned_data["email"],
                    channel=Channel.WEB,
                    citizen_account=account,
                    draft=draft,
                )
            except SubmissionRefused as refusal:
                for message in refusal.errors.get("email", []):
                    form.add_error("email", message)
                for message in refusal.errors.get("__all__", []):
                    form.add_error(None, message)
                page_index = _first_page_with_errors(schema, content.values, refusal.errors)
                if page_index is not None:
                    drafts.draft_save(draft=draft, page=page_index)
                    messages.error(
                        request,
                        _(
                            "Votre demande n'a pas pu être envoyée : une réponse est à corriger "
                            "ci-dessous. Vos réponses sont gardées."
                        ),
                    )
                    return _render_page(
                        request,
                        procedure,
                        draft,
                        schema,
                        page_index,
                        content.values,
                        refusal.errors,
                    )
            else:
                request.session[SUBMITTED_SESSION_KEY.format(commune=commune.pk)] = {
                    "procedure": procedure.pk,
                    "number": submitted.request.number,
                    "token": submitted.token,
                    "email": form.cleaned_data["email"],
                }
                response = redirect(_url("confirmation", procedure))
                _forget_draft_cookie(response, commune, procedure)
                return response
    return render(
        request,
        "demarches/public/summary.html",
        {
            "procedure": procedure,
            "form": form,
            "groups": rendering.answer_groups(schema, content.values),
            "edit_url": _url("fill", procedure),
            "resume_url": _resume_url(procedure, token),
        },
    )


@never_cache
def confirmation(request: HttpRequest, commune_slug: str, procedure_slug: str) -> HttpResponse:
    """Shown once after sending: the number and the secret tracking link to keep."""
    commune = _commune(request)
    procedure = _procedure_or_404(commune, procedure_slug)
    shown = request.session.pop(SUBMITTED_SESSION_KEY.format(commune=commune.pk), None)
    if not isinstance(shown, dict) or shown.get("procedure") != procedure.pk:
        return render(request, "demarches/public/confirmation_gone.html", {"procedure": procedure})
    token = str(shown["token"])
    track_path = reverse(
        "public:demarches:track", kwargs={"commune_slug": commune.slug, "token": token}
    )
    return render(
        request,
        "demarches/public/confirmation.html",
        {
            "procedure": procedure,
            "number": shown["number"],
            "token": token,
            "email": shown["email"],
            "tracking_url": settings.SITE_URL + track_path,
            "tracking_path": track_path,
        },
    )


# --- Tracking a request ------------------------------------------------------------------------


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "demarches/public/track_not_found.html", status=404)


def _event_rows(citizen_request: Request) -> list[dict[str, Any]]:
    labels = {
        status.code: status.label for status in statuses.statuses_of(citizen_request.procedure)
    }
    events: list[RequestEvent] = list(
        selectors.citizen_visible_events(citizen_request).select_related("file__vault_file")
    )
    rows = []
    for event in events:
        rows.append(
            {
                "at": event.at,
                "kind": event.get_kind_display(),
                "actor": event.actor_label,
                "body": event.body if not citizen_request.is_anonymised else "",
                "status_to": labels.get(event.status_to, event.status_to),
                "is_opening": event.kind == EventKind.OPENED,
                "is_from_citizen": event.kind
                in (EventKind.MESSAGE_FROM_CITIZEN, EventKind.CORRECTION_ANSWERED),
            }
        )
    return rows


def _files(citizen_request: Request) -> list[dict[str, Any]]:
    if citizen_request.is_anonymised:
        return []
    files = (
        RequestFile.objects.for_commune(citizen_request.commune)
        .filter(request=citizen_request, from_citizen=True)
        .select_related("vault_file")
        .order_by("added_at", "pk")
    )
    return [
        {
            "name": read_file_name(file.vault_file),
            "size": file.vault_file.size,
            "added_at": file.added_at,
            "from_citizen": file.from_citizen,
        }
        for file in files
    ]


def _correction_asked(citizen_request: Request) -> str:
    event = (
        selectors.citizen_visible_events(citizen_request)
        .filter(kind=EventKind.CORRECTION_REQUESTED)
        .order_by("-at", "-pk")
        .first()
    )
    return event.body if event is not None else ""


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, commune_slug: str, token: str) -> HttpResponse:
    """The request's status, dates, journal, answers; messages and corrections."""
    commune = _commune(request)
    citizen_request = selectors.request_by_tracking_token(commune, token)
    if citizen_request is None:
        return _not_found(request)
    can_answer = citizen_services.correction_expected(citizen_request)
    message_form = MessageForm(prefix="message")
    correction_form = CorrectionForm(prefix="correction")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "correction" and can_answer:
            correction_form = CorrectionForm(request.POST, request.FILES, prefix="correction")
            form: MessageForm | CorrectionForm = correction_form
            service = citizen_services.correction_answer
            done = _("Votre réponse a été transmise à la mairie. L'instruction reprend.")
        else:
            message_form = MessageForm(request.POST, request.FILES, prefix="message")
            form = message_form
            service = citizen_services.citizen_message_post
            done = _("Votre message a été transmis à la mairie.")
        if form.is_valid():
            try:
                service(
                    request=citizen_request,
                    body=form.cleaned_data.get("body") or "",
                    uploads=form.uploads,
                )
            except citizen_services.CitizenActionRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, done)
                return redirect(
                    reverse(
                        "public:demarches:track",
                        kwargs={"commune_slug": commune.slug, "token": token},
                    )
                )
    procedure = citizen_request.procedure
    status = statuses.status_by_code(procedure, citizen_request.status)
    values = dict(citizen_request.values or {})
    if not citizen_request.is_anonymised:
        values.update(citizen_request.personal())
    try:
        schema = parse_schema(citizen_request.form_version.schema)
        names = selectors.vault_file_names(commune, file_ids(schema.fields, values))
        groups = rendering.answer_groups(
            schema,
            with_file_names(schema.fields, values, names),
            erased=citizen_request.is_anonymised,
        )
    except ValueError:
        groups = []
    return render(
        request,
        "demarches/public/track.html",
        {
            "citizen_request": citizen_request,
            "procedure": procedure,
            "token": token,
            "status_label": status.label if status else citizen_request.status,
            "clock": clock.clock_state(citizen_request),
            "silence_rule": procedure.silence_rule,
            "silence_means_acceptance": procedure.silence_rule == SilenceRule.ACCEPTANCE,
            "silence_means_refusal": procedure.silence_rule == SilenceRule.REFUSAL,
            "events": _event_rows(citizen_request),
            "groups": groups,
            "files": _files(citizen_request),
            "has_decision": citizen_request.decisions.exists(),
            "can_answer": can_answer,
            "correction_asked": _correction_asked(citizen_request) if can_answer else "",
            "message_form": message_form,
            "correction_form": correction_form,
        },
    )


# --- A citizen account's requests --------------------------------------------------------------


def my_requests(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """A signed-in citizen's own requests (no secret shown); otherwise how to sign in."""
    commune = _commune(request)
    account = current_citizen(request)
    if account is None:
        return render(request, "demarches/public/my_requests_sign_in.html")
    requests = selectors.requests_for_citizen_account(commune, account).order_by(
        "-received_at", "-pk"
    )
    page = Paginator(requests, MY_REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for row in page.object_list:
        status = statuses.status_by_code(row.procedure, row.status)
        rows.append({"request": row, "status_label": status.label if status else row.status})
    return render(
        request,
        "demarches/public/my_requests.html",
        {"account": account, "page": page, "rows": rows},
    )
