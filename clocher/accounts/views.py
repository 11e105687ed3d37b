"""Staff sign-in: password or ProConnect, then the second factor, then the right home page.

The order of the steps and what the session holds in between is described in ``signin``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from clocher.accounts import oidc, services, signin
from clocher.accounts.forms import EnrolmentForm, LoginForm, SecondFactorForm
from clocher.accounts.policy import (
    has_confirmed_device,
    is_fully_authenticated,
    requires_second_factor,
)
from clocher.core import audit
from clocher.core.audit import AuditAction
from clocher.tenancy.selectors import communes_of_user

logger = logging.getLogger(__name__)


# --- Password -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """E-mail and password; django-axes counts failures and locks (see ``lockout_response``)."""
    next_url = signin.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated:
        if is_fully_authenticated(request):
            return HttpResponseRedirect(signin.after_login_url(next_url))
        # Signed in earlier but not past a second factor they now have or need.
        return signin.begin(request, request.user, method="session", next_url=next_url)  # type: ignore[arg-type]
    form = LoginForm(request.POST or None, initial={"next": next_url})
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["username"]
        credentials = {"username": email}
        was_locked = settings.AXES_ENABLED and AxesProxyHandler.is_locked(request, credentials)
        user = authenticate(request=request, username=email, password=form.cleaned_data["password"])
        if user is not None:
            return signin.begin(request, user, method="password", next_url=next_url)  # type: ignore[arg-type]
        audit.log(
            AuditAction.LOGIN_FAILED, target=email, data={"email": email, "locked": was_locked}
        )
        if getattr(request, "axes_locked_out", False) and not was_locked:
            audit.log(AuditAction.LOCKOUT, target=email, data={"email": email})
        form.add_error(None, _("Adresse e-mail ou mot de passe incorrect."))
    return render(
        request,
        "accounts/login.html",
        {"form": form, "providers": oidc.providers("staff"), "next": next_url},
    )


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None, *args: Any
) -> HttpResponse:
    """What django-axes answers once an account is locked for this address (HTTP 429)."""
    cool_off = get_cool_off(request) or timedelta(minutes=15)
    retry_at = timezone.now() + cool_off
    response = render(
        request,
        "accounts/locked.html",
        {"retry_at": retry_at, "minutes": max(int(cool_off.total_seconds() // 60), 1)},
        status=429,
    )
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


# --- Second factor ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    """Second step: the code of the authenticator app, or a recovery code."""
    state = signin.pending(request)
    if state is None:
        return redirect("accounts:login")
    user, pending = state
    if not has_confirmed_device(user):
        return redirect("accounts:enrol")
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = services.second_factor_verify(user=user, code=form.cleaned_data["code"])
        except services.SecondFactorThrottled as error:
            status = 429
            form.add_error("code", _throttled_message(error))
        except services.SecondFactorRejected:
            form.add_error("code", _("Ce code n'est pas valable. Vérifiez-le et réessayez."))
        else:
            signin.complete_login(request, user, method=pending["method"], device=device)
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    _(
                        "Vous vous êtes connecté avec un code de secours. "
                        "Il vous en reste %(count)d : pensez à en générer de nouveaux "
                        "depuis la page Sécurité du compte."
                    )
                    % {"count": services.recovery_codes_left(user=user)},
                )
            return HttpResponseRedirect(signin.after_login_url(pending.get("next", "")))
    return render(
        request, "accounts/verify.html", {"form": form, "pending_user": user}, status=status
    )


def _throttled_message(error: services.SecondFactorThrottled) -> str:
    return _(
        "Trop de codes erronés. Par sécurité, la vérification est bloquée jusqu'à %(time)s. "
        "Attendez puis saisissez un nouveau code."
    ) % {"time": timezone.localtime(error.until).strftime("%H:%M:%S")}


@require_http_methods(["GET", "POST"])
def enrol_view(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: QR code and secret, a first code, then recovery codes.

    Reached during sign-in (the person must have a second factor and has none yet) or, once
    signed in, from the security page by anyone who wants one.
    """
    state = signin.pending(request)
    if state is not None:
        user, pending = state
    elif is_fully_authenticated(request):
        user, pending = request.user, None  # type: ignore[assignment]
    else:
        return redirect("accounts:login")
    if has_confirmed_device(user):
        if pending is not None:
            return redirect("accounts:verify")
        messages.info(request, _("Votre application d'authentification est déjà configurée."))
        return redirect("accounts:security")
    device = services.totp_device_prepare(user=user)
    form = EnrolmentForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_device_confirm(
                user=user, device=device, code=form.cleaned_data["code"]
            )
        except services.SecondFactorThrottled as error:
            status = 429
            form.add_error("code", _throttled_message(error))
        except services.SecondFactorRejected:
            form.add_error(
                "code",
                _(
                    "Ce code n'est pas valable. Vérifiez que l'heure de votre téléphone est "
                    "exacte et saisissez le code affiché en ce moment."
                ),
            )
        else:
            if pending is not None:
                signin.complete_login(request, user, method=pending["method"], device=device)
                continue_url = signin.after_login_url(pending.get("next", ""))
            else:
                otp_login(request, device)
                continue_url = reverse("accounts:security")
            return render(
                request,
                "accounts/recovery_codes.html",
                {
                    "codes": _display_codes(codes),
                    "continue_url": continue_url,
                    "just_enrolled": True,
                },
            )
    context = {
        "form": form,
        "qr_svg": _qr_code_svg(device.config_url),
        "secret": services.totp_secret_base32(device),
        "is_required": requires_second_factor(user),
        "pending_user": user if pending is not None else None,
        "issuer": settings.OTP_TOTP_ISSUER,
        "account_name": user.email,
    }
    return render(request, "accounts/enrol.html", context, status=status)


def _qr_code_svg(data: str) -> str:
    """An inline SVG QR code, drawn here (no script, no external service), dark on white so it
    scans whatever the page's colours."""
    svg = segno.make(data, error="m").svg_inline(
        scale=5,
        border=4,
        svgclass="qr-code",
        title=_("QR code à scanner avec l’application d’authentification"),
        lineclass=None,
        light="#fff",
    )
    return str(svg).replace("<svg ", '<svg role="img" ', 1)


def _display_codes(codes: list[str]) -> list[str]:
    return [f"{code[:5]}-{code[5:]}" for code in codes]


@signin.fully_authenticated_required
def security_view(request: HttpRequest) -> HttpResponse:
    """The signed-in person's second factor: whether it is on, recovery codes left."""
    user = request.user
    return render(
        request,
        "accounts/security.html",
        {
            "has_device": has_confirmed_device(user),
            "is_required": requires_second_factor(user),
            "codes_left": services.recovery_codes_left(user=user),  # type: ignore[arg-type]
        },
    )


@require_POST
@signin.fully_authenticated_required
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes; the new ones are shown once."""
    if not has_confirmed_device(request.user):
        return redirect("accounts:security")
    codes = services.recovery_codes_regenerate(user=request.user)  # type: ignore[arg-type]
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": _display_codes(codes), "continue_url": reverse("accounts:security")},
    )


# --- After sign-in, sign-out --------------------------------------------------------------------


def _console_url() -> str:
    return reverse("console:home")


def _backoffice_url(slug: str) -> str:
    return reverse("staff:backoffice:home", kwargs={"commune_slug": slug})


@signin.fully_authenticated_required
def after_login_view(request: HttpRequest) -> HttpResponse:
    """Where a signed-in staff member goes: ``next``, the console, their commune, or a choice."""
    next_url = signin.safe_next(request, request.GET.get("next"))
    if next_url:
        return HttpResponseRedirect(next_url)
    user = request.user
    if user.is_operator_staff or user.is_superuser:  # type: ignore[union-attr]
        return HttpResponseRedirect(_console_url())
    communes = list(communes_of_user(user))
    if len(communes) == 1:
        return HttpResponseRedirect(_backoffice_url(communes[0].slug))
    choices = [{"commune": commune, "url": _backoffice_url(commune.slug)} for commune in communes]
    return render(request, "accounts/choose_commune.html", {"choices": choices})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.log(AuditAction.LOGOUT, actor=request.user)
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- OpenID Connect -----------------------------------------------------------------------------


def oidc_start_view(request: HttpRequest, provider: str) -> HttpResponse:
    """Send a member of staff to their provider (ProConnect)."""
    config = oidc.get_provider(provider, audience="staff")
    if config is None:
        raise Http404
    next_url = signin.safe_next(request, request.GET.get("next"))
    try:
        url = oidc.start(request, config, next_url=next_url)
    except oidc.OidcError:
        logger.warning("OIDC provider unavailable", exc_info=True, extra={"provider": provider})
        return render(
            request,
            "accounts/oidc_error.html",
            {"provider": config, "unavailable": True},
            status=503,
        )
    return HttpResponseRedirect(url)


def oidc_callback_view(request: HttpRequest, provider: str) -> HttpResponse:
    """The provider sends the person back here, for staff and citizen providers alike.

    For staff, the OIDC sign-in counts as the **first factor only**: the provider proves who the
    person is, as a password would, but Clocher cannot know which factors the provider checked,
    and commune admins, signers and operator staff must use Clocher's own second factor. So the
    person then goes through the same TOTP step (or enrolment) as after a password. Staff accounts
    are never created from a provider: an unknown identity gets a clear refusal.
    """
    config = oidc.get_provider(provider)
    if config is None:
        raise Http404
    try:
        identity, flow = oidc.finish(request, config)
    except oidc.OidcError as error:
        logger.warning("OIDC sign-in failed: %s", error, extra={"provider": provider})
        audit.log(
            AuditAction.LOGIN_FAILED,
            target=f"oidc:{provider}",
            data={"method": f"oidc:{provider}", "reason": str(error)[:200]},
        )
        return render(request, "accounts/oidc_error.html", {"provider": config}, status=400)
    if config.audience == "citizen":
        from clocher.accounts.public_views import citizen_oidc_complete

        return citizen_oidc_complete(request, config, identity, flow)
    user = services.staff_user_for_oidc(
        provider=provider, subject=identity.subject, email=identity.email
    )
    if user is None:
        audit.log(
            AuditAction.LOGIN_FAILED,
            target=identity.email or f"oidc:{provider}",
            data={"method": f"oidc:{provider}", "email": identity.email, "reason": "unknown user"},
        )
        return render(
            request,
            "accounts/oidc_unknown.html",
            {"provider": config, "email": identity.email},
            status=403,
        )
    return signin.begin(request, user, method=f"oidc:{provider}", next_url=flow.next_url)
