"""Public pages: the platform home, each commune's public home and logo, the accessibility
statement, and the error pages."""

from __future__ import annotations

import datetime
import logging

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_GET

from clocher.core import vault
from clocher.core.context import acting_as
from clocher.portal.forms import CommuneSearchForm
from clocher.portal.navigation import module_links
from clocher.portal.selectors import commune_directory, hosting_operators

logger = logging.getLogger(__name__)

COMMUNES_PER_PAGE = 60
# The date the accessibility statement was written; update it with the statement.
ACCESSIBILITY_STATEMENT_DATE = datetime.date(2026, 11, 22)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    form = CommuneSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(commune_directory(query), COMMUNES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/home.html",
        {"form": form, "query": query, "page": page, "operators": hosting_operators()},
    )


@require_GET
def commune_home(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    services = module_links(commune, audience="public")
    return render(request, "portal/commune_home.html", {"services": services})


@require_GET
def commune_logo(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The commune's logo, decrypted from the vault.

    The logo is public information the commune published: reading it is not a read of personal
    data, so it runs outside the visitor's identity and is not written to the access journal
    (operator staff browsing public pages would otherwise fill it with noise).
    """
    commune = request.commune  # type: ignore[attr-defined]
    logo = commune.logo
    if logo is None or logo.commune_id != commune.pk:
        raise Http404
    try:
        with acting_as(None):
            data = vault.read_file(logo)
    except (vault.VaultError, OSError) as error:
        logger.warning("logo of commune %s unreadable: %s", commune.slug, error.__class__.__name__)
        raise Http404 from error
    response = HttpResponse(data, content_type=logo.content_type)
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Disposition"] = 'inline; filename="logo"'
    return response


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    operators = hosting_operators()
    return render(
        request,
        "portal/accessibility.html",
        {
            "operator": operators[0] if operators else None,
            "statement_date": ACCESSIBILITY_STATEMENT_DATE,
        },
    )


def _error(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, "portal/error.html", {"status": status}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without context processors or database: whatever failed must not fail again."""
    return HttpResponse(loader.get_template("portal/500.html").render({}), status=500)
