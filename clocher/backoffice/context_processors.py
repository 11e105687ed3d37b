"""The modules of the commune, for the back-office navigation bar."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from clocher.portal.navigation import module_links


def staff_modules(request: HttpRequest) -> dict[str, Any]:
    commune = getattr(request, "commune", None)
    if commune is None or not getattr(request, "abilities", None):
        return {}
    links = module_links(commune, audience="staff")
    return {
        "staff_module_links": [
            {"link": link, "is_current": request.path.startswith(link.url)} for link in links
        ]
    }
