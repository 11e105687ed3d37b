"""The commune back-office shell: home, members, commune settings, access journal.

Every view runs behind ``CommuneScopeMiddleware`` (signed in with the second factor, a role in
this commune, ``request.commune`` and ``request.abilities`` set, URL objects resolved in the
commune) and ``require_capability`` (403 for a role that may not do this).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clocher.backoffice.forms import (
    ROLE_DESCRIPTIONS,
    CommuneSettingsForm,
    LogoForm,
    MemberAddForm,
    StaffActivationForm,
    logo_help_text,
)
from clocher.backoffice.journal import describe_place
from clocher.backoffice.logos import fit_logo
from clocher.core.access_journal import entries_for_commune
from clocher.portal.navigation import module_links
from clocher.tenancy import services
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.models import Commune, Membership, OperatorRole, Role
from clocher.tenancy.permissions import Capability, abilities_from_roles
from clocher.tenancy.selectors import memberships_of_commune

JOURNAL_ENTRIES_PER_PAGE = 50


def _commune(request: HttpRequest) -> Commune:
    return request.commune  # type: ignore[attr-defined,no-any-return]


def _role_labels(roles: set[str]) -> list[str]:
    labels = {**dict(Role.choices), **dict(OperatorRole.choices)}
    return sorted(str(labels.get(role, role)) for role in roles)


@require_capability(Capability.VIEW_BACKOFFICE)
def home(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune = _commune(request)
    return render(
        request,
        "backoffice/home.html",
        {
            "nav": "home",
            "modules": module_links(commune, audience="staff"),
            "role_labels": _role_labels(getattr(request, "commune_roles", set())),
        },
    )


@require_capability(Capability.MANAGE_MEMBERS)
def members(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune = _commune(request)
    return render(
        request,
        "backoffice/members.html",
        {"nav": "members", "memberships": list(memberships_of_commune(commune))},
    )


@require_capability(Capability.MANAGE_MEMBERS)
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune = _commune(request)
    form = MemberAddForm(request.POST or None, commune=commune)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        role_label = Role(data["role"]).label
        if form.existing_user is not None:
            services.membership_grant(
                commune=commune, user=form.existing_user, role=data["role"], actor=request.user
            )
            messages.success(
                request,
                _("%(person)s a maintenant le rôle « %(role)s ».")
                % {"person": form.existing_user, "role": role_label},
            )
        else:
            services.staff_invite(
                commune=commune,
                email=data["email"],
                role=data["role"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                actor=request.user,
            )
            messages.success(
                request,
                _(
                    "Le compte de %(email)s a été créé avec le rôle « %(role)s ». Un e-mail lui a "
                    "été envoyé pour choisir son mot de passe."
                )
                % {"email": data["email"], "role": role_label},
            )
        return redirect("staff:backoffice:members", commune_slug=commune.slug)
    roles_help = [
        (Role(role).label, description) for role, description in ROLE_DESCRIPTIONS.items()
    ]
    return render(
        request,
        "backoffice/member_add.html",
        {"nav": "members", "form": form, "roles_help": roles_help},
    )


def _is_last_admin(commune: Commune, membership: Membership) -> bool:
    if membership.role != Role.COMMUNE_ADMIN:
        return False
    admins = Membership.objects.for_commune(commune).filter(role=Role.COMMUNE_ADMIN)
    return admins.count() <= 1


@require_capability(Capability.MANAGE_MEMBERS)
@require_http_methods(["GET", "POST"])
def member_revoke(request: HttpRequest, commune_slug: str, membership: Membership) -> HttpResponse:
    commune = _commune(request)
    is_last_admin = _is_last_admin(commune, membership)
    if request.method == "POST" and not is_last_admin:
        person, role_label = str(membership.user), membership.get_role_display()
        is_self = membership.user_id == request.user.pk
        remaining = set(getattr(request, "commune_roles", set())) - {membership.role}
        services.membership_revoke(membership=membership, actor=request.user)
        messages.success(
            request,
            _("Le rôle « %(role)s » a été retiré à %(person)s.")
            % {"role": role_label, "person": person},
        )
        if is_self and not abilities_from_roles(remaining)[Capability.MANAGE_MEMBERS]:
            if abilities_from_roles(remaining)[Capability.VIEW_BACKOFFICE]:
                return redirect("staff:backoffice:home", commune_slug=commune.slug)
            return redirect("portal:home")
        return redirect("staff:backoffice:members", commune_slug=commune.slug)
    status = 409 if request.method == "POST" and is_last_admin else 200
    return render(
        request,
        "backoffice/member_revoke.html",
        {"nav": "members", "membership": membership, "is_last_admin": is_last_admin},
        status=status,
    )


@require_capability(Capability.MANAGE_MEMBERS)
@require_POST
def member_resend_invitation(
    request: HttpRequest, commune_slug: str, membership: Membership
) -> HttpResponse:
    commune = _commune(request)
    if services.staff_invitation_resend(membership=membership, actor=request.user):
        messages.success(
            request,
            _("Un nouveau lien a été envoyé à %(email)s.") % {"email": membership.user.email},
        )
    else:
        messages.info(
            request,
            _("%(person)s a déjà choisi son mot de passe : aucun lien n’a été envoyé.")
            % {"person": membership.user},
        )
    return redirect("staff:backoffice:members", commune_slug=commune.slug)


@require_capability(Capability.MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def commune_settings(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune = _commune(request)
    if request.method == "POST":
        form = CommuneSettingsForm(request.POST)
        if form.is_valid():
            changed = services.commune_update(
                commune=commune, actor=request.user, **form.cleaned_data
            )
            if changed:
                messages.success(request, _("Les informations de la commune sont enregistrées."))
            else:
                messages.info(request, _("Aucune information n’a changé."))
            return redirect("staff:backoffice:settings", commune_slug=commune.slug)
    else:
        form = CommuneSettingsForm(initial=CommuneSettingsForm.initial_from(commune))
    return render(request, "backoffice/settings.html", {"nav": "settings", "form": form})


@require_capability(Capability.MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def commune_logo(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune = _commune(request)
    form = LogoForm()
    if request.method == "POST" and "remove" in request.POST:
        services.commune_set_logo(commune=commune, data=None, actor=request.user)
        messages.success(request, _("Le logo a été retiré."))
        return redirect("staff:backoffice:settings-logo", commune_slug=commune.slug)
    if request.method == "POST":
        form = LogoForm(request.POST, request.FILES)
        if form.is_valid() and form.accepted is not None:
            logo = fit_logo(form.accepted)
            services.commune_set_logo(
                commune=commune,
                data=logo.data,
                name=logo.name,
                content_type=logo.content_type,
                actor=request.user,
            )
            if logo.was_downscaled:
                messages.success(
                    request,
                    _(
                        "Le logo est enregistré. L’image était grande : elle a été réduite "
                        "automatiquement pour que les pages restent légères."
                    ),
                )
            else:
                messages.success(request, _("Le logo est enregistré."))
            return redirect("staff:backoffice:settings-logo", commune_slug=commune.slug)
    return render(
        request,
        "backoffice/logo.html",
        {"nav": "settings", "form": form, "limit_text": logo_help_text()},
    )


@require_capability(Capability.VIEW_ACCESS_JOURNAL)
def access_journal(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune = _commune(request)
    page = Paginator(entries_for_commune(commune), JOURNAL_ENTRIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows: list[dict[str, Any]] = [
        {
            "entry": entry,
            "place": describe_place(entry.target),
            "path": (entry.data or {}).get("path", ""),
        }
        for entry in page.object_list
    ]
    return render(
        request, "backoffice/access_journal.html", {"nav": "journal", "page": page, "rows": rows}
    )


class StaffActivationView(PasswordResetConfirmView):
    """A new staff member chooses their password from the link of their invitation e-mail.

    Django's password-reset confirmation: the token leaves the URL before the form is shown
    (no leak through the Referer header) and stops working once the password is set.
    """

    form_class = StaffActivationForm
    template_name = "backoffice/staff_activation.html"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Votre mot de passe est enregistré. Connectez-vous avec votre adresse e-mail."),
        )
        return response


staff_activation = StaffActivationView.as_view()
