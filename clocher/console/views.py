"""The operator console: platform health, communes (and creating one), staff accounts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clocher.console.access import operator_staff_required
from clocher.console.forms import CommuneCreateForm, UserSearchForm
from clocher.console.selectors import (
    communes_for_console,
    console_counts,
    operators_administered_by,
    operators_of,
    staff_accounts_for_console,
)
from clocher.core.health import database_state, worker_state
from clocher.tenancy import services

ACCOUNTS_PER_PAGE = 50
COMMUNES_PER_PAGE = 100


@require_GET
@operator_staff_required
def home(request: HttpRequest) -> HttpResponse:
    database, worker = database_state(), worker_state()
    overall = "ok" if database["status"] == "ok" and worker["status"] == "ok" else "degraded"
    return render(
        request,
        "console/home.html",
        {
            "nav": "home",
            "overall": overall,
            "database": database,
            "worker": worker,
            "worker_last_seen": parse_datetime(str(worker.get("last_seen_at") or "")),
            "counts": console_counts(request.user),
            "operators": operators_of(request.user),
            "can_create_communes": operators_administered_by(request.user).exists(),
        },
    )


@require_GET
@operator_staff_required
def communes(request: HttpRequest) -> HttpResponse:
    page = Paginator(communes_for_console(request.user), COMMUNES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "console/communes.html",
        {
            "nav": "communes",
            "page": page,
            "can_create_communes": operators_administered_by(request.user).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
@operator_staff_required
def commune_create(request: HttpRequest) -> HttpResponse:
    operators = operators_administered_by(request.user)
    if not operators.exists():
        raise PermissionDenied
    form = CommuneCreateForm(request.POST or None, operators=operators)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            commune = services.commune_create(
                operator=data["operator"],
                insee_code=data["insee_code"],
                name=data["name"],
                slug=data["slug"],
                population=data["population"],
                actor=request.user,
            )
        except ValidationError as error:  # a duplicate created meanwhile
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _(
                    "La commune %(name)s est créée. Ouvrez son espace pour ajouter son premier "
                    "administrateur."
                )
                % {"name": commune.name},
            )
            return redirect("console:communes")
    return render(request, "console/commune_create.html", {"nav": "communes", "form": form})


@require_GET
@operator_staff_required
def accounts(request: HttpRequest) -> HttpResponse:
    form = UserSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(staff_accounts_for_console(request.user, query), ACCOUNTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "console/accounts.html",
        {"nav": "accounts", "page": page, "form": form, "query": query},
    )
