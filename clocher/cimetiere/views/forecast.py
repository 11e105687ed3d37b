"""The capacity forecast page (years until each cemetery is full)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from clocher.cimetiere.forecast import cemetery_forecasts
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.permissions import Capability


@require_capability(Capability.VIEW_CEMETERY)
def forecast(request: HttpRequest, commune_slug: str) -> HttpResponse:
    today = timezone.localdate()
    forecasts = cemetery_forecasts(request.commune, today=today)  # type: ignore[attr-defined]
    rows = [
        {
            "forecast": item,
            "freed_10_years": round(item.freed_within(10, today=today), 1),
            "years_left": item.full_in_year - today.year if item.full_in_year else None,
        }
        for item in forecasts
    ]
    return render(request, "cimetiere/forecast.html", {"rows": rows, "today": today})
