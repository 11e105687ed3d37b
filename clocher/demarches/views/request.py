"""One request seen by an agent (being written by part C)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from clocher.tenancy.decorators import require_capability
from clocher.tenancy.permissions import Capability


@require_capability(Capability.PROCESS_REQUESTS)
def request_page(request: HttpRequest, commune_slug: str, citizen_request: Any) -> HttpResponse:
    return HttpResponse("")


def _action(request: HttpRequest, commune_slug: str, citizen_request: Any, **_: Any) -> HttpResponse:
    return redirect("staff:demarches:request", commune_slug=commune_slug, citizen_request=citizen_request.pk)


status_change = require_capability(Capability.PROCESS_REQUESTS)(require_POST(_action))
assign = status_change
note_add = status_change
message_citizen = status_change
correction = status_change
decide = status_change
deadline_set = status_change
file_download = status_change
