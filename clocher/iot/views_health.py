"""Ingestion health pages: the commune's (``staff:iot:health``, VIEW_DEVICES) and the operator's
instance-wide view in the console (``console:iot-health``, operator staff).

Counts per integration and outcome over the last 24 hours and 7 days, as tables and as small
bars drawn on the server (SVG, the table beside it holds the same numbers); the last rejected
messages and decoding failures with their reason; for the operator, refused tokens by client
network and token prefix.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clocher.console.access import operator_staff_required
from clocher.console.selectors import operators_of
from clocher.iot import selectors_health as health
from clocher.iot.models import HealthOutcome
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.models import Commune
from clocher.tenancy.permissions import Capability

BAR_WIDTH = 240
LABEL_WIDTH = 230
ROW_HEIGHT = 22
NUMBER_WIDTH = 80
OK_COLOUR = "#1f5fa8"
PROBLEM_COLOUR = "#b3261e"
TEXT_COLOUR = "#1b1f23"


def outcome_bars(row: health.OutcomeRow, title: str) -> SafeString:
    """One horizontal bar per outcome, length proportional to its count (``role="img"``)."""
    counts = row.ordered()
    largest = max(counts, default=0) or 1
    height = ROW_HEIGHT * len(counts) + 4
    width = LABEL_WIDTH + BAR_WIDTH + NUMBER_WIDTH
    same_numbers = escape(_("Le tableau qui suit donne les mêmes nombres."))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-labelledby="{{id}}-t {{id}}-d">',
        f'<title id="{{id}}-t">{escape(title)}</title>',
        f'<desc id="{{id}}-d">{same_numbers}</desc>',
    ]
    for index, (outcome, count) in enumerate(zip(health.OUTCOMES, counts, strict=True)):
        y = index * ROW_HEIGHT + 2
        colour = PROBLEM_COLOUR if outcome in health.PROBLEM_OUTCOMES else OK_COLOUR
        length = round(BAR_WIDTH * count / largest) if count else 0
        label = str(HealthOutcome(outcome).label)
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" font-size="13" '
            f'fill="{TEXT_COLOUR}">{escape(label)}</text>'
        )
        if length:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" height="{ROW_HEIGHT - 8}" '
                f'fill="{colour}"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 15}" font-size="13" '
            f'fill="{TEXT_COLOUR}">{escape(number_format(count, force_grouping=True))}</text>'
        )
    parts.append("</svg>")
    chart_id = "bars-" + "".join(char for char in title if char.isalnum())[:40].lower()
    return mark_safe("".join(parts).replace("{id}", escape(chart_id)))  # noqa: S308 - escaped


def _window_labels() -> dict[str, str]:
    return {"day": _("Dernières 24 heures"), "week": _("7 derniers jours")}


def _window_block(
    key: str, rows: Sequence[health.OutcomeRow], total_label: str
) -> dict[str, object]:
    label = _window_labels()[key]
    total = health.total_row(total_label, rows)
    return {
        "key": key,
        "label": label,
        "rows": rows,
        "total": total,
        "bars": outcome_bars(total, f"{label} — {total_label}"),
    }


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def health_page(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The commune's ingestion health: counts per integration and outcome (24 h, 7 days), last
    rejected messages and decoding failures, pending devices, the integrations' last use."""
    commune: Commune = request.commune  # type: ignore[attr-defined]
    now = timezone.now()
    integrations = health.integrations_of_commune(commune)
    windows = [
        _window_block(
            window.key,
            health.commune_outcomes(commune, integrations, window.since(now)),
            _("Toutes les intégrations"),
        )
        for window in health.WINDOWS
    ]
    return render(
        request,
        "iot/health/commune.html",
        {
            "windows": windows,
            "outcomes": [HealthOutcome(outcome).label for outcome in health.OUTCOMES],
            "integrations": integrations,
            "rejected": health.last_rejected(commune),
            "decode_failures": health.last_decode_failures(commune),
            "pending_count": health.pending_devices_count(commune),
        },
    )


@require_GET
@operator_staff_required
def console_health(request: HttpRequest) -> HttpResponse:
    """Instance-wide ingestion health for the operator: per commune of their operators, the
    instance's refused tokens by client network and token prefix, the last rejected messages."""
    now = timezone.now()
    communes = list(Commune.objects.filter(operator__in=operators_of(request.user)))
    windows = []
    for window in health.WINDOWS:
        since = window.since(now)
        rows = health.communes_outcomes(communes, since)
        instance = health.instance_outcomes(since)
        block = _window_block(window.key, [*rows, *instance], _("Toute l'instance"))
        block["communes"] = rows
        block["instance"] = instance
        windows.append(block)
    week = health.WINDOWS[-1].since(now)
    return render(
        request,
        "iot/health/console.html",
        {
            "nav": "iot-health",
            "windows": windows,
            "outcomes": [HealthOutcome(outcome).label for outcome in health.OUTCOMES],
            "unauthorized": health.unauthorized_sources(week),
            "refused_bodies_per_source": settings.IOT_REFUSED_BODIES_PER_SOURCE_PER_HOUR,
            "refused_bodies_overall": settings.IOT_REFUSED_BODIES_PER_HOUR,
            "rejected": health.last_rejected_of_instance(communes),
        },
    )
