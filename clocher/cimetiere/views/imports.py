"""The cemetery import in the back office: upload, preview (nothing written), confirm, summary.

Between the preview and the confirmation the uploaded file waits sealed in the vault
(``core.vault.store_file``); the form carries only a signed token naming it, bound to the
commune and to the person, so a client can never point the import at another file.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks.base import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from clocher.cimetiere.forms_import import ImportUploadForm
from clocher.cimetiere.services.imports import (
    BACKGROUND_FROM_LINES,
    ImportFileRejected,
    ImportResult,
    ImportSummary,
    import_cemetery_file,
    import_cemetery_file_in_background,
)
from clocher.core import vault
from clocher.core.models import VaultFile
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.models import Commune
from clocher.tenancy.permissions import Capability

TOKEN_MAX_AGE = 24 * 3600
MESSAGES_SHOWN = 200
STATUS_REFRESH_SECONDS = 3


def _salt(commune: Commune) -> str:
    return f"clocher.cimetiere.import:{commune.pk}"


def _make_token(request: HttpRequest, commune: Commune, file: VaultFile, cemetery: str) -> str:
    payload = {"file": str(file.pk), "user": request.user.pk, "cemetery": cemetery}
    return signing.dumps(payload, salt=_salt(commune))


def _read_token(request: HttpRequest, commune: Commune, token: str) -> tuple[VaultFile, str] | None:
    """The sealed file and the default cemetery name the token names, or None when it is not
    a valid token of this commune and this person, or the file is gone."""
    try:
        payload = signing.loads(token, salt=_salt(commune), max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("user") != request.user.pk:
        return None
    file = VaultFile.objects.for_commune(commune).filter(pk=payload.get("file")).first()
    if file is None:
        return None
    return file, str(payload.get("cemetery", ""))


def _preview_context(result: ImportResult, token: str) -> dict[str, Any]:
    summary = ImportSummary.from_result(result, limit=MESSAGES_SHOWN)
    return {"summary": summary, "token": token}


def _make_task_token(request: HttpRequest, commune: Commune, task_id: str) -> str:
    return signing.dumps({"task": task_id, "user": request.user.pk}, salt=_salt(commune))


@require_capability(Capability.MANAGE_CEMETERY)
def upload(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune: Commune = request.commune  # type: ignore[attr-defined]
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            file = vault.store_file(
                commune=commune,
                data=form.data_bytes,
                name=(form.cleaned_data["file"].name or "import.csv")[-200:],
                content_type="text/csv",
            )
            token = _make_token(request, commune, file, form.cleaned_data["cemetery"])
            response = redirect("staff:cimetiere:import-preview", commune_slug=commune.slug)
            response["Location"] += "?" + urlencode({"jeton": token})
            return response
    else:
        form = ImportUploadForm()
    return render(request, "cimetiere/import_upload.html", {"form": form})


@require_capability(Capability.MANAGE_CEMETERY)
def preview(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """GET: what the import would do (a dry run). POST: the import itself, then its summary."""
    commune: Commune = request.commune  # type: ignore[attr-defined]
    token = (request.POST if request.method == "POST" else request.GET).get("jeton", "")
    found = _read_token(request, commune, token)
    if found is None:
        messages.error(
            request, _("Ce fichier n'est plus disponible : envoyez-le à nouveau, s'il vous plaît.")
        )
        return redirect("staff:cimetiere:import", commune_slug=commune.slug)
    file, cemetery = found
    data = vault.read_file(file)
    is_confirmed = request.method == "POST"
    if is_confirmed and data.count(b"\n") > BACKGROUND_FROM_LINES:
        enqueued = import_cemetery_file_in_background.enqueue(
            commune_id=commune.pk,
            file_id=str(file.pk),
            default_cemetery=cemetery,
        )
        response = redirect("staff:cimetiere:import-status", commune_slug=commune.slug)
        response["Location"] += "?" + urlencode(
            {"tache": _make_task_token(request, commune, enqueued.id)}
        )
        return response
    try:
        result = import_cemetery_file(
            commune=commune,
            data=data,
            today=timezone.localdate(),
            dry_run=not is_confirmed,
            default_cemetery=cemetery,
        )
    except ImportFileRejected as error:
        messages.error(request, str(error))
        return redirect("staff:cimetiere:import", commune_slug=commune.slug)
    if result.written:
        summary = ImportSummary.from_result(result, limit=MESSAGES_SHOWN)
        return render(request, "cimetiere/import_summary.html", {"summary": summary})
    return render(request, "cimetiere/import_preview.html", _preview_context(result, token))


@require_capability(Capability.MANAGE_CEMETERY)
def status(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The progress of an import run by the worker: reloads itself (``Refresh`` header, no
    script) until the summary is there."""
    commune: Commune = request.commune  # type: ignore[attr-defined]
    try:
        payload = signing.loads(
            request.GET.get("tache", ""), salt=_salt(commune), max_age=TOKEN_MAX_AGE
        )
        if payload.get("user") != request.user.pk:
            raise signing.BadSignature
        task_result = import_cemetery_file_in_background.get_result(payload["task"])
    except (signing.BadSignature, TaskResultDoesNotExist, AttributeError, KeyError):
        messages.error(request, _("Cet import est introuvable : envoyez le fichier à nouveau."))
        return redirect("staff:cimetiere:import", commune_slug=commune.slug)
    if task_result.status == TaskResultStatus.SUCCESSFUL and task_result.return_value:
        summary = ImportSummary.from_json(task_result.return_value)
        return render(request, "cimetiere/import_summary.html", {"summary": summary})
    if task_result.status == TaskResultStatus.FAILED:
        return render(request, "cimetiere/import_running.html", {"failed": True})
    response = render(request, "cimetiere/import_running.html", {"failed": False})
    response["Refresh"] = str(STATUS_REFRESH_SECONDS)
    return response
