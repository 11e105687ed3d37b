"""Staff pages of the decision reports (``/mairie/<commune>/iot/rapports/``): an index, then each
report as a page with its period form, tables and charts, and the same report as a PDF on the
commune letterhead (``…/pdf/`` with the same query string).

Read with VIEW_DEVICES (every commune role, elected officials and the mayor included). The views
parse the query with the report's form, call the report's ``compute`` then ``document``, and
render; an invalid query shows the form's errors (status 400) and computes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clocher.iot.reports import REPORTS, ReportInfo, air_quality, containers, energy, leaks, river
from clocher.iot.reports.common import PARIS, ReportDocument, ReportPeriod
from clocher.iot.reports.forms import AirQualityForm, LeaksForm, ReportPeriodForm, RiverForm
from clocher.iot.reports.pdf import render_report
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.models import Commune
from clocher.tenancy.permissions import Capability

INFO = {info.slug: info for info in REPORTS}
Builder = Callable[[ReportPeriodForm, ReportPeriod, datetime.datetime, bool], ReportDocument]


def _commune(request: HttpRequest) -> Commune:
    return request.commune  # type: ignore[attr-defined,no-any-return]


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _period_query(request: HttpRequest, period: ReportPeriod) -> str:
    query: QueryDict = request.GET.copy()
    query.pop("mois", None)
    query.pop("semaine", None)
    query[period.parameter] = period.key
    return "?" + query.urlencode()


def _report(
    request: HttpRequest,
    info: ReportInfo,
    form: ReportPeriodForm,
    build: Builder,
    *,
    as_pdf: bool,
    now: datetime.datetime,
) -> HttpResponse:
    context: dict[str, Any] = {"info": info, "form": form}
    if not form.is_valid():
        return render(request, "iot/reports/report.html", context, status=400)
    period = form.period()
    document = build(form, period, now, not as_pdf)
    if as_pdf:
        return pdf_response(
            render_report(document, today=now.astimezone(PARIS).date()), document.filename
        )
    pdf_url = reverse(f"staff:iot:{info.url_name}_pdf", args=[_commune(request).slug])
    context.update(
        {
            "document": document,
            "period": period,
            "pdf_url": pdf_url + ("?" + request.GET.urlencode() if request.GET else ""),
            "previous_query": _period_query(request, period.previous()),
            "following_query": (
                _period_query(request, period.following())
                if period.following().first_day <= now.astimezone(PARIS).date()
                else ""
            ),
        }
    )
    return render(request, "iot/reports/report.html", context)


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def index(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The list of the decision reports."""
    return render(request, "iot/reports/index.html", {"reports": REPORTS})


def _today(now: datetime.datetime) -> datetime.date:
    return now.astimezone(PARIS).date()


# --- School air quality ------------------------------------------------------------------------


def _air_quality(request: HttpRequest, *, as_pdf: bool) -> HttpResponse:
    commune, now = _commune(request), timezone.now()
    form = AirQualityForm(request.GET, today=_today(now), places=air_quality.places(commune))

    def build(
        form: ReportPeriodForm, period: ReportPeriod, now: datetime.datetime, charts: bool
    ) -> ReportDocument:
        report = air_quality.compute(
            commune, period, now=now, place=form.cleaned_data.get("batiment") or ""
        )
        return air_quality.document(report, with_charts=charts)

    return _report(request, INFO[air_quality.SLUG], form, build, as_pdf=as_pdf, now=now)


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def air_quality_page(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Per classroom and school day, the share of occupied time above 800 and 1,500 ppm."""
    return _air_quality(request, as_pdf=False)


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def air_quality_pdf(request: HttpRequest, commune_slug: str) -> HttpResponse:
    return _air_quality(request, as_pdf=True)


# --- Energy and water --------------------------------------------------------------------------


def _energy(request: HttpRequest, *, as_pdf: bool) -> HttpResponse:
    commune, now = _commune(request), timezone.now()
    form = ReportPeriodForm(request.GET, today=_today(now), allow_week=False)

    def build(
        form: ReportPeriodForm, period: ReportPeriod, now: datetime.datetime, charts: bool
    ) -> ReportDocument:
        return energy.document(energy.compute(commune, period, now=now), with_charts=charts)

    return _report(request, INFO[energy.SLUG], form, build, as_pdf=as_pdf, now=now)


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def energy_page(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """A month of energy and water per building against the same month last year."""
    return _energy(request, as_pdf=False)


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def energy_pdf(request: HttpRequest, commune_slug: str) -> HttpResponse:
    return _energy(request, as_pdf=True)


# --- Water leaks -------------------------------------------------------------------------------


def _leaks(request: HttpRequest, *, as_pdf: bool) -> HttpResponse:
    commune, now = _commune(request), timezone.now()
    form = LeaksForm(request.GET, today=_today(now))

    def build(
        form: ReportPeriodForm, period: ReportPeriod, now: datetime.datetime, charts: bool
    ) -> ReportDocument:
        required = form.cleaned_data.get("nuits") or leaks.DEFAULT_NIGHTS
        report = leaks.compute(commune, period, now=now, required=required)
        return leaks.document(report, with_charts=charts)

    return _report(request, INFO[leaks.SLUG], form, build, as_pdf=as_pdf, now=now)


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def leaks_page(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Water meters whose night flow never stops, and the meters' own leak alarms."""
    return _leaks(request, as_pdf=False)


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def leaks_pdf(request: HttpRequest, commune_slug: str) -> HttpResponse:
    return _leaks(request, as_pdf=True)


# --- Recycling containers ----------------------------------------------------------------------


def _containers(request: HttpRequest, *, as_pdf: bool) -> HttpResponse:
    commune, now = _commune(request), timezone.now()
    form = ReportPeriodForm(request.GET, today=_today(now))

    def build(
        form: ReportPeriodForm, period: ReportPeriod, now: datetime.datetime, charts: bool
    ) -> ReportDocument:
        report = containers.compute(commune, period, now=now)
        return containers.document(report, with_charts=charts)

    return _report(request, INFO[containers.SLUG], form, build, as_pdf=as_pdf, now=now)


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def containers_page(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Fill levels, predicted full dates and today's containers to collect."""
    return _containers(request, as_pdf=False)


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def containers_pdf(request: HttpRequest, commune_slug: str) -> HttpResponse:
    return _containers(request, as_pdf=True)


# --- River level -------------------------------------------------------------------------------


def _river(request: HttpRequest, *, as_pdf: bool) -> HttpResponse:
    commune, now = _commune(request), timezone.now()
    form = RiverForm(
        request.GET,
        today=_today(now),
        gauges=[(device.pk, device.name) for device in river.gauges(commune)],
    )

    def build(
        form: ReportPeriodForm, period: ReportPeriod, now: datetime.datetime, charts: bool
    ) -> ReportDocument:
        data = form.cleaned_data
        vigilance, alert, gauge = data.get("vigilance"), data.get("alerte"), data.get("jauge")
        report = river.compute(
            commune,
            period,
            now=now,
            vigilance=float(vigilance) if vigilance is not None else None,
            alert=float(alert) if alert is not None else None,
            gauge=int(gauge) if gauge else None,
        )
        return river.document(report, with_charts=charts)

    return _report(request, INFO[river.SLUG], form, build, as_pdf=as_pdf, now=now)


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def river_page(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Current level, rising rate, threshold crossings and who is notified."""
    return _river(request, as_pdf=False)


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def river_pdf(request: HttpRequest, commune_slug: str) -> HttpResponse:
    return _river(request, as_pdf=True)
