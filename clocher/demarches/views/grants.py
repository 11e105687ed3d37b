"""Family grants: the matrix of the commune's members × families of requests (admin only).

Only members whose role processes requests (admin, agent) can receive a family; a member who
lost that role still appears while they hold grants, so that they can be taken away. Every
change goes through ``services.grants.family_grants_set`` and is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from clocher.demarches.models import Family, FamilyGrant
from clocher.demarches.services.grants import GrantRefused, family_grants_set
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.models import Commune, Membership
from clocher.tenancy.permissions import CAPABILITIES, Capability


def _commune(request: HttpRequest) -> Commune:
    return request.commune  # type: ignore[attr-defined,no-any-return]


def _rows(commune: Commune) -> list[dict[str, Any]]:
    """One row per member who can process requests or still holds a grant."""
    processing_roles = CAPABILITIES[Capability.PROCESS_REQUESTS]
    grants: dict[int, set[str]] = {}
    for user_id, family in FamilyGrant.objects.for_commune(commune).values_list(
        "user_id", "family"
    ):
        grants.setdefault(user_id, set()).add(family)
    users: dict[int, dict[str, Any]] = {}
    for membership in Membership.objects.for_commune(commune).select_related("user"):
        row = users.setdefault(
            membership.user_id, {"user": membership.user, "roles": [], "can_process": False}
        )
        row["roles"].append(membership.get_role_display())
        if membership.role in processing_roles:
            row["can_process"] = True
    rows = []
    for user_id, row in users.items():
        held = grants.get(user_id, set())
        if not row["can_process"] and not held:
            continue
        row["families"] = [
            {"value": value, "label": label, "checked": value in held}
            for value, label in Family.choices
        ]
        rows.append(row)
    rows.sort(key=lambda row: (row["user"].last_name, row["user"].first_name, row["user"].pk))
    return rows


@require_capability(Capability.MANAGE_FAMILY_GRANTS)
@require_http_methods(["GET", "POST"])
def grants(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Who processes which family of requests; saved for every member at once."""
    commune = _commune(request)
    rows = _rows(commune)
    if request.method == "POST":
        changed = 0
        try:
            with transaction.atomic():
                for row in rows:
                    user = row["user"]
                    wanted = set(request.POST.getlist(f"families-{user.pk}"))
                    granted, revoked = family_grants_set(
                        commune=commune, actor=request.user, user=user, families=wanted
                    )
                    changed += bool(granted or revoked)
        except GrantRefused as refusal:
            messages.error(request, refusal.message)
            for row in rows:  # show what was ticked, not what is stored: nothing typed is lost
                ticked = set(request.POST.getlist(f"families-{row['user'].pk}"))
                for family in row["families"]:
                    family["checked"] = family["value"] in ticked
            return render(
                request,
                "demarches/instruction/grants.html",
                {"rows": rows, "families": Family.choices},
                status=400,
            )
        if changed:
            messages.success(
                request,
                ngettext(
                    "Accès modifiés pour %(count)s personne.",
                    "Accès modifiés pour %(count)s personnes.",
                    changed,
                )
                % {"count": changed},
            )
        else:
            messages.info(request, _("Aucun changement."))
        return redirect("staff:demarches:grants", commune_slug=commune.slug)
    return render(
        request,
        "demarches/instruction/grants.html",
        {"rows": rows, "families": Family.choices},
    )
