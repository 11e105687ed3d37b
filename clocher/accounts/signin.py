"""How a staff sign-in moves through its steps in the session.

1. A first factor proves who the person is: the password form, or an OpenID Connect provider
   (ProConnect). Nothing is signed in yet.
2. If the person has a confirmed authenticator app, or must have one
   (``policy.requires_second_factor``), they are kept *pending* in the session: the user id, the
   method and the page to reach afterwards, for ``PENDING_MAX_AGE`` seconds. The pending person
   is **not** authenticated: no page of the back-office or the console sees them as a user until
   the code is checked (``/compte/verification/``) or the app is enrolled
   (``/compte/double-authentification/``).
3. ``complete_login`` then signs them in with Django (new session key) and, with a device,
   ``django_otp.login`` so that ``request.user.is_verified()`` holds.

People who need no second factor and have none are signed in at step 1 and may enrol later from
``/compte/securite/``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login

from clocher.accounts.models import User
from clocher.accounts.policy import (
    has_confirmed_device,
    is_fully_authenticated,
    requires_second_factor,
)
from clocher.core import audit
from clocher.core.audit import AuditAction

PENDING_KEY = "accounts:pending"
PENDING_MAX_AGE = 15 * 60
BACKEND = "django.contrib.auth.backends.ModelBackend"


def safe_next(request: HttpRequest, value: str | None) -> str:
    """``value`` if it is a local URL that is safe to redirect to, else an empty string."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def after_login_url(next_url: str = "") -> str:
    url = reverse("accounts:after-login")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def begin(request: HttpRequest, user: User, *, method: str, next_url: str = "") -> HttpResponse:
    """After a first factor: ask the code, require enrolment, or sign in directly."""
    if has_confirmed_device(user) or requires_second_factor(user):
        request.session[PENDING_KEY] = {
            "user_id": user.pk,
            "method": method,
            "next": next_url,
            "since": time.time(),
        }
        if has_confirmed_device(user):
            return redirect("accounts:verify")
        return redirect("accounts:enrol")
    complete_login(request, user, method=method)
    return HttpResponseRedirect(after_login_url(next_url))


def pending(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    """The person between their first and second factor, if the step has not expired."""
    state = request.session.get(PENDING_KEY)
    if not isinstance(state, dict):
        return None
    if time.time() - float(state.get("since", 0)) > PENDING_MAX_AGE:
        request.session.pop(PENDING_KEY, None)
        return None
    user_id = state.get("user_id")
    user = (
        User.objects.filter(pk=user_id, is_active=True).first()
        if isinstance(user_id, int)
        else None
    )
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None
    return user, state


def complete_login(request: HttpRequest, user: User, *, method: str, device: Any = None) -> None:
    """Sign ``user`` in (after their second factor when ``device`` is given) and journal it."""
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=BACKEND)
    if device is not None:
        otp_login(request, device)
    audit.log(
        AuditAction.LOGIN,
        actor=user,
        data={"method": method, "second_factor": device.__class__.__name__ if device else ""},
    )


def fully_authenticated_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like ``login_required``, but also requires the second factor when the person has or needs
    one (``policy.is_fully_authenticated``)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_fully_authenticated(request):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped
