from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse


def lockout_response(request: HttpRequest, credentials: Any, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse("Locked", status=429)
