"""Who may open the operator console: operator staff, signed in with their second factor."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from clocher.accounts.policy import is_fully_authenticated

View = Callable[..., HttpResponse]


def operator_staff_required(view: View) -> View:
    """Anonymous or half signed-in (second factor pending): to the sign-in page. Signed in but
    not operator staff: 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated or not is_fully_authenticated(request):
            return redirect_to_login(request.get_full_path())
        if not request.user.is_operator_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
