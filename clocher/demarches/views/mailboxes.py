"""E-mail intake pages: the commune's mailboxes (MANAGE_MAILBOXES) and the triage of received
e-mails (PROCESS_REQUESTS).

An e-mail waiting for triage has no family yet, so every agent who processes requests sees the
list; converting it into a request is only possible into a procedure of a family granted to the
agent, and wipes the message from the triage list (the request keeps it, under its family's
seal). Views are thin: ``services.mailboxes`` does every write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clocher.core.vault import read_file, read_file_name
from clocher.demarches import selectors
from clocher.demarches.forms_mailboxes import (
    ConvertForm,
    MailboxForm,
    ProcedureChoiceForm,
    TriageFilterForm,
)
from clocher.demarches.formschema import SchemaError, parse_schema
from clocher.demarches.formschema.rendering import (
    PageView,
    for_submission,
    read_answers,
    whole_form_view,
)
from clocher.demarches.models import Mailbox, MailItem, MailItemStatus, Procedure
from clocher.demarches.services import mailboxes as intake
from clocher.demarches.services.submission import SubmissionRefused
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.models import Commune
from clocher.tenancy.permissions import Capability

ITEMS_PER_PAGE = 50


def _commune(request: HttpRequest) -> Commune:
    commune: Commune = request.commune  # type: ignore[attr-defined]
    return commune


def _url(name: str, commune: Commune, **kwargs: Any) -> str:
    return reverse(f"staff:demarches:{name}", kwargs={"commune_slug": commune.slug, **kwargs})


# --- Mailboxes ---------------------------------------------------------------------------------


@require_capability(Capability.MANAGE_MAILBOXES)
def mailbox_list(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The commune's mailboxes, with their last poll and last error."""
    commune = _commune(request)
    boxes = list(
        Mailbox.objects.for_commune(commune)
        .select_related("default_procedure")
        .order_by("label", "pk")
    )
    return render(request, "demarches/mailboxes/list.html", {"mailboxes": boxes})


def _save(request: HttpRequest, form: MailboxForm, mailbox: Mailbox | None) -> Mailbox | None:
    if not form.is_valid():
        return None
    try:
        return intake.mailbox_save(
            commune=_commune(request), actor=request.user, data=form.to_input(), mailbox=mailbox
        )
    except ValidationError as error:
        for field, field_messages in error.message_dict.items():
            for message in field_messages:
                form.add_error(field if field in form.fields else None, message)
        return None


@require_capability(Capability.MANAGE_MAILBOXES)
@require_http_methods(["GET", "POST"])
def mailbox_add(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Connect a new mailbox."""
    commune = _commune(request)
    form = MailboxForm(request.POST or None, commune=commune)
    if request.method == "POST":
        saved = _save(request, form, None)
        if saved is not None:
            messages.success(
                request,
                _("La boîte « %(label)s » est enregistrée. Testez la connexion.")
                % {"label": saved.label},
            )
            return redirect(_url("mailbox", commune, mailbox=saved.pk))
    return render(request, "demarches/mailboxes/form.html", {"form": form, "mailbox": None})


@require_capability(Capability.MANAGE_MAILBOXES)
@require_http_methods(["GET", "POST"])
def mailbox_edit(request: HttpRequest, commune_slug: str, mailbox: Mailbox) -> HttpResponse:
    """A mailbox's settings (the password is never shown back), its state and its tests."""
    commune = _commune(request)
    form = MailboxForm(request.POST or None, commune=commune, mailbox=mailbox)
    if request.method == "POST":
        saved = _save(request, form, mailbox)
        if saved is not None:
            messages.success(request, _("Les réglages de la boîte sont enregistrés."))
            return redirect(_url("mailbox", commune, mailbox=saved.pk))
    return render(request, "demarches/mailboxes/form.html", {"form": form, "mailbox": mailbox})


@require_capability(Capability.MANAGE_MAILBOXES)
@require_POST
def mailbox_test(request: HttpRequest, commune_slug: str, mailbox: Mailbox) -> HttpResponse:
    """Try the connection now (log in, count unread messages) and say how it went."""
    report = intake.mailbox_test_connection(mailbox=mailbox)
    if report.is_ok:
        messages.success(request, report.message)
    else:
        messages.error(
            request, _("La connexion a échoué : %(reason)s") % {"reason": report.message}
        )
    return redirect(_url("mailbox", _commune(request), mailbox=mailbox.pk))


@require_capability(Capability.MANAGE_MAILBOXES)
@require_POST
def mailbox_poll(request: HttpRequest, commune_slug: str, mailbox: Mailbox) -> HttpResponse:
    """Ask the worker to poll this mailbox now rather than at its next turn."""
    from clocher.demarches.tasks import poll_mailbox

    mailbox_id = mailbox.pk
    transaction.on_commit(lambda: poll_mailbox.enqueue(mailbox_id))
    messages.success(
        request,
        _(
            "La relève est demandée : les nouveaux courriels apparaîtront dans la liste à trier "
            "d'ici quelques instants."
        ),
    )
    return redirect(_url("mailbox", _commune(request), mailbox=mailbox.pk))


# --- Triage ------------------------------------------------------------------------------------


def _convertible_procedures(request: HttpRequest) -> list[Procedure]:
    """The published procedures of the families granted to the agent."""
    commune = _commune(request)
    families = selectors.granted_families(request.user, commune)
    return list(
        selectors.published_procedures(commune).filter(family__in=families).order_by("title", "pk")
    )


@require_capability(Capability.PROCESS_REQUESTS)
def triage(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The e-mails received in the commune's mailboxes, to triage (or triaged)."""
    commune = _commune(request)
    filter_form = TriageFilterForm(request.GET or None)
    status = filter_form.status()
    items = (
        MailItem.objects.for_commune(commune)
        .filter(status=status)
        .select_related("mailbox")
        .annotate(attachment_count=Count("attachments"))
        .order_by("-received_at", "-pk")
    )
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "demarches/mailboxes/triage.html",
        {
            "filter_form": filter_form,
            "status": status,
            "status_label": MailItemStatus(status).label,
            "page": page,
            "items": list(page.object_list),
            "can_manage_mailboxes": getattr(request, "abilities", {}).get(
                Capability.MANAGE_MAILBOXES.value, False
            ),
        },
    )


def _attachments(item: MailItem) -> list[dict[str, Any]]:
    return [
        {
            "number": position,
            "name": read_file_name(vault_file),
            "size": vault_file.size,
            "content_type": vault_file.content_type,
        }
        for position, vault_file in enumerate(item.attachments.order_by("created_at", "pk"), 1)
    ]


@require_capability(Capability.PROCESS_REQUESTS)
def mail_item(request: HttpRequest, commune_slug: str, mail_item: MailItem) -> HttpResponse:
    """One e-mail: its text and attachments, and what to do with it."""
    commune = _commune(request)
    procedures = _convertible_procedures(request)
    choice_form = ProcedureChoiceForm(
        request.GET if "procedure" in request.GET else None,
        procedures=procedures,
        initial={"procedure": str(mail_item.mailbox.default_procedure_id or "")},
    )
    if (
        mail_item.status == MailItemStatus.TO_TRIAGE
        and choice_form.is_bound
        and choice_form.is_valid()
    ):
        return redirect(
            _url(
                "mail-item-convert",
                commune,
                mail_item=mail_item.pk,
                online_procedure=choice_form.chosen().pk,
            )
        )
    converted_to = None
    if mail_item.request_id is not None:
        converted_to = (
            selectors.requests_for_agent(request.user, commune)
            .filter(pk=mail_item.request_id)
            .first()
        )
    return render(
        request,
        "demarches/mailboxes/item.html",
        {
            "item": mail_item,
            "attachments": _attachments(mail_item),
            "choice_form": choice_form,
            "procedures": procedures,
            "converted_to": converted_to,
        },
    )


def _read_only_files(page: PageView) -> PageView:
    """File fields are filled from the e-mail's attachments, not uploaded here."""
    for view in page.fields:
        if view.type == "file":
            view.read_only = True
        for item in view.items:
            for sub in item.fields:
                if sub.type == "file":
                    sub.read_only = True
    return page


@require_capability(Capability.PROCESS_REQUESTS)
@require_http_methods(["GET", "POST"])
def mail_item_convert(
    request: HttpRequest, commune_slug: str, mail_item: MailItem, online_procedure: Procedure
) -> HttpResponse:
    """Enter the e-mail as a request of ``online_procedure``, reading the message alongside."""
    commune = _commune(request)
    procedure = online_procedure
    if mail_item.status != MailItemStatus.TO_TRIAGE:
        messages.info(request, _("Ce courriel a déjà été trié."))
        return redirect(_url("mail-item", commune, mail_item=mail_item.pk))
    if procedure.pk not in {candidate.pk for candidate in _convertible_procedures(request)}:
        raise Http404
    assert procedure.current_form is not None
    try:
        schema = parse_schema(procedure.current_form.schema)
    except SchemaError as error:
        raise Http404 from error
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        answers = read_answers(whole_form_view(schema, {}), request.POST)
        values = answers.values
        form = ConvertForm(request.POST)
        if not answers.focus and form.is_valid():
            try:
                submitted = intake.mail_item_convert(
                    item=mail_item,
                    actor=request.user,
                    procedure=procedure,
                    data=for_submission(schema, values),
                    email=form.cleaned_data["email"],
                )
            except SubmissionRefused as refusal:
                errors = dict(refusal.errors)
                for message in errors.pop("email", []):
                    form.add_error("email", message)
            except intake.MailTriageError as refusal:
                messages.error(request, str(refusal))
                return redirect(_url("mail-item", commune, mail_item=mail_item.pk))
            except PermissionDenied:
                raise Http404 from None
            else:
                created = submitted.request
                messages.success(
                    request,
                    _("Le courriel est devenu la demande n° %(number)s.")
                    % {"number": created.number},
                )
                return redirect(_url("request", commune, citizen_request=created.pk))
    else:
        form = ConvertForm(initial={"email": intake.sender_address(mail_item)})
    page = _read_only_files(whole_form_view(schema, values, errors))
    return render(
        request,
        "demarches/mailboxes/convert.html",
        {
            "item": mail_item,
            "procedure": procedure,
            "attachments": _attachments(mail_item),
            "page": page,
            "form": form,
            "extra_errors": [
                (form["email"].auto_id, form["email"].label, message)
                for message in form.errors.get("email", [])
            ],
            "has_file_fields": page.has_files,
        },
    )


@require_capability(Capability.PROCESS_REQUESTS)
@require_POST
def mail_item_dismiss(request: HttpRequest, commune_slug: str, mail_item: MailItem) -> HttpResponse:
    """File the e-mail away: it is not a request."""
    commune = _commune(request)
    try:
        intake.mail_item_dismiss(item=mail_item, actor=request.user)
    except intake.MailTriageError as refusal:
        messages.error(request, str(refusal))
        return redirect(_url("mail-item", commune, mail_item=mail_item.pk))
    messages.success(request, _("Le courriel est classé."))
    return redirect(_url("mail-triage", commune))


def _download(vault_file: Any, fallback_name: str) -> HttpResponse:
    try:
        data = read_file(vault_file)
    except OSError as error:
        raise Http404 from error
    response = HttpResponse(
        data, content_type=vault_file.content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = (
        content_disposition_header(True, read_file_name(vault_file) or fallback_name)
        or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_capability(Capability.PROCESS_REQUESTS)
def mail_item_attachment(
    request: HttpRequest, commune_slug: str, mail_item: MailItem, attachment_number: int
) -> HttpResponse:
    """The n-th attachment of the e-mail, always as a download."""
    files = list(mail_item.attachments.order_by("created_at", "pk"))
    if not 1 <= attachment_number <= len(files):
        raise Http404
    return _download(files[attachment_number - 1], f"piece-jointe-{attachment_number}")


@require_capability(Capability.PROCESS_REQUESTS)
def mail_item_original(
    request: HttpRequest, commune_slug: str, mail_item: MailItem
) -> HttpResponse:
    """The original message (.eml), as received."""
    if mail_item.raw is None:
        raise Http404
    return _download(mail_item.raw, "courriel.eml")
