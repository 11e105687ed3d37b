"""Statistics of requests per procedure (counts only): a page with a table, bars drawn as SVG
on the server (no script) with the same figures in a table, and the figures as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clocher.demarches import selectors
from clocher.demarches.forms_privacy import StatisticsForm
from clocher.demarches.services import statistics
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.models import Commune
from clocher.tenancy.permissions import Capability

CHART_HEIGHT = 180
CHART_TOP = 20
CHART_BOTTOM = 40
BAR_WIDTH = 36
BAR_GAP = 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float
    center: float
    count_y: float
    label: str
    count: int


def _chart(months: list[statistics.MonthCount]) -> dict[str, Any]:
    """Bar geometry for the SVG (viewBox units); the tallest bar fills the chart."""
    tallest = max((item.count for item in months), default=0) or 1
    bars = []
    for index, item in enumerate(months):
        height = CHART_HEIGHT * item.count / tallest
        x = BAR_GAP + index * (BAR_WIDTH + BAR_GAP)
        bars.append(
            Bar(
                x=x,
                y=CHART_TOP + CHART_HEIGHT - height,
                height=height,
                center=x + BAR_WIDTH / 2,
                count_y=CHART_TOP + CHART_HEIGHT - height - 4,
                label=date_format(item.month, "M y"),
                count=item.count,
            )
        )
    return {
        "bars": bars,
        "width": BAR_GAP + len(months) * (BAR_WIDTH + BAR_GAP),
        "height": CHART_TOP + CHART_HEIGHT + CHART_BOTTOM,
        "baseline": CHART_TOP + CHART_HEIGHT,
        "bar_width": BAR_WIDTH,
        "label_y": CHART_TOP + CHART_HEIGHT + 18,
    }


def _figures(request: HttpRequest) -> tuple[StatisticsForm, statistics.Statistics | None, Any]:
    commune: Commune = request.commune  # type: ignore[attr-defined]
    procedures = selectors.procedures_for_commune(commune)
    default_from, default_to = statistics.default_period()
    data = request.GET if request.GET else None
    form = StatisticsForm(
        data, procedures=procedures, initial={"date_from": default_from, "date_to": default_to}
    )
    if data is not None and not form.is_valid():
        return form, None, None
    cleaned = form.cleaned_data if data is not None else {}
    procedure = cleaned.get("procedure")
    figures = statistics.request_statistics(
        commune=commune,
        date_from=cleaned.get("date_from") or default_from,
        date_to=cleaned.get("date_to") or default_to,
        procedure_id=procedure.pk if procedure else None,
    )
    return form, figures, procedure


def _days(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}".replace(".", ",")


@require_capability(Capability.VIEW_REQUEST_STATISTICS)
def statistics_page(request: HttpRequest, commune_slug: str) -> HttpResponse:
    form, figures, procedure = _figures(request)
    context = {
        "form": form,
        "figures": figures,
        "procedure": procedure,
        "chart": _chart(figures.months) if figures else None,
        "rows": [(item, item.channel_counts(figures.channels)) for item in figures.procedures]
        if figures
        else [],
        "query": request.GET.urlencode(),
    }
    return render(
        request, "demarches/statistics/page.html", context, status=200 if figures else 400
    )


@require_capability(Capability.VIEW_REQUEST_STATISTICS)
def statistics_csv(request: HttpRequest, commune_slug: str) -> HttpResponse:
    form, figures, procedure = _figures(request)
    if figures is None:
        return render(
            request,
            "demarches/statistics/page.html",
            {"form": form, "figures": None, "chart": None},
            status=400,
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    channel_labels = [label for _code, label in figures.channels]
    writer.writerow(
        [
            _("Démarche"),
            _("Famille"),
            _("Demandes reçues"),
            *channel_labels,
            _("Terminées"),
            _("Décidées"),
            _("Délai médian de traitement (jours)"),
            _("Décidées avec un délai légal"),
            _("Décidées dans le délai légal"),
            _("Part décidée dans le délai légal (%)"),
        ]
    )
    for item in figures.procedures:
        share = item.share_in_time
        writer.writerow(
            [
                item.title,
                item.family_label,
                item.received,
                *item.channel_counts(figures.channels),
                item.finished,
                item.decided,
                _days(item.median_days),
                item.with_legal_delay,
                item.decided_in_time,
                "" if share is None else f"{share:.1f}".replace(".", ","),
            ]
        )
    writer.writerow([])
    writer.writerow(
        [_("Mois"), _("Demandes reçues") + (f" — {procedure.title}" if procedure else "")]
    )
    for month in figures.months:
        writer.writerow([month.month.strftime("%Y-%m"), month.count])
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv; charset=utf-8"
    )
    name = f"statistiques-demarches-{figures.date_from:%Y%m%d}-{figures.date_to:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
