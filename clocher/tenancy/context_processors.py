from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def commune(request: HttpRequest) -> dict[str, Any]:
    return {
        "commune": getattr(request, "commune", None),
        "abilities": getattr(request, "abilities", {}),
    }
