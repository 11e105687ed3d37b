"""``{% alerts_summary %}``: the open alerts of the commune (or of one device) with a link to
them, for the IoT overview and the device page (one query)."""

from __future__ import annotations

from typing import Any

from django import template

from clocher.iot import selectors_alerts

register = template.Library()


@register.inclusion_tag("iot/alerts/_summary.html", takes_context=True)
def alerts_summary(context: template.Context, device: Any = None) -> dict[str, Any]:
    commune = context["commune"]
    return {
        "commune": commune,
        "device": device,
        "counts": selectors_alerts.open_alert_counts(commune, device=device),
    }


@register.filter
def alert_number(value: Any, unit: str = "") -> str:
    """A threshold or value as people write it: ``1500``, ``0,2``, ``1620 ppm``."""
    from clocher.iot.services.alerting import format_value

    if value is None or value == "":
        return "—"
    return format_value(float(value), unit)
