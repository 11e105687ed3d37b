"""The optional citizen account of one commune: magic link by e-mail, FranceConnect, Mon espace.

Mounted at ``/communes/<commune_slug>/compte/`` (namespace ``public:citizen``): the commune comes
from ``request.commune``. Nobody needs an account to use a public service.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clocher.accounts import citizen, oidc, services
from clocher.accounts.forms import MagicLinkRequestForm
from clocher.tenancy.models import Commune


def space_view(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Mon espace: the signed-in citizen's page in this commune."""
    account = citizen.current_citizen(request)
    if account is None:
        return redirect("public:citizen:login", commune_slug=commune_slug)
    return render(request, "accounts/citizen/space.html", {"account": account})


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Ask for a sign-in link; always the same answer, whether the address is known or not."""
    commune = request.commune  # type: ignore[attr-defined]
    if citizen.current_citizen(request) is not None:
        return redirect("public:citizen:space", commune_slug=commune_slug)
    form = MagicLinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.magic_link_request(commune=commune, email=form.cleaned_data["email"])
        except services.MagicLinkRateLimited:
            form.add_error(
                "email",
                _(
                    "Vous avez demandé trop de liens pour cette adresse. "
                    "Réessayez dans une heure, ou utilisez le dernier lien reçu."
                ),
            )
            return render(
                request,
                "accounts/citizen/login.html",
                {"form": form, "providers": oidc.providers("citizen")},
                status=429,
            )
        return render(
            request,
            "accounts/citizen/link_sent.html",
            {"minutes": settings.MAGIC_LINK_MAX_AGE // 60},
        )
    return render(
        request,
        "accounts/citizen/login.html",
        {"form": form, "providers": oidc.providers("citizen")},
    )


@require_http_methods(["GET", "POST"])
def link_view(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Opening the link shows a button; only the POST signs in (mail scanners follow GET links)."""
    commune = request.commune  # type: ignore[attr-defined]
    token = (request.POST.get("jeton") or request.GET.get("jeton") or "").strip()
    try:
        account = services.magic_link_check(commune=commune, token=token)
    except services.MagicLinkExpired:
        return render(request, "accounts/citizen/link_invalid.html", {"expired": True}, status=400)
    except services.MagicLinkInvalid:
        return render(request, "accounts/citizen/link_invalid.html", {"expired": False}, status=400)
    if request.method == "POST":
        services.citizen_signed_in(account=account, method="magic_link")
        citizen.sign_in(request, account)
        return redirect("public:citizen:space", commune_slug=commune_slug)
    return render(request, "accounts/citizen/confirm.html", {"token": token})


@require_POST
def logout_view(request: HttpRequest, commune_slug: str) -> HttpResponse:
    citizen.sign_out(request, request.commune)  # type: ignore[attr-defined]
    return redirect("public:citizen:login", commune_slug=commune_slug)


@require_POST
def oidc_start_view(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Send a citizen to FranceConnect (a POST form: the button names the provider)."""
    provider = oidc.get_provider(request.POST.get("provider", ""), audience="citizen")
    if provider is None:
        raise Http404
    try:
        url = oidc.start(request, provider, commune_id=request.commune.pk)  # type: ignore[attr-defined]
    except oidc.OidcError:
        return render(
            request,
            "accounts/oidc_error.html",
            {"provider": provider, "unavailable": True},
            status=503,
        )
    return HttpResponseRedirect(url)


def citizen_oidc_complete(
    request: HttpRequest,
    provider: oidc.OidcProvider,
    identity: oidc.OidcIdentity,
    flow: oidc.OidcFlow,
) -> HttpResponse:
    """Back from FranceConnect (through the shared callback): sign into the commune's account."""
    commune = (
        Commune.objects.filter(pk=flow.commune_id, is_active=True).first()
        if flow.commune_id is not None
        else None
    )
    if commune is None or not identity.email:
        return render(request, "accounts/oidc_error.html", {"provider": provider}, status=400)
    account = services.citizen_account_for_oidc(commune=commune, email=identity.email)
    services.citizen_signed_in(account=account, method=f"oidc:{provider.name}")
    citizen.sign_in(request, account)
    return redirect("public:citizen:space", commune_slug=commune.slug)
