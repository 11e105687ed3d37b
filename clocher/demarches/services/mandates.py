"""Mandates: a citizen's written consent for the town hall to follow their requests for them.

"Nobody left behind": a person who is not online can ask the secretary to file and follow
requests on their behalf. The agent then acts with their *own* account, under a recorded
mandate — never with the citizen's credentials (the practice that Aidants Connect replaced in
France). A mandate names the citizen (sealed), covers some families of procedures only, lasts a
year at most, and refers to a paper form the citizen signed (printable blank from the mandates
page, optionally scanned). It can be revoked at any time; every change is in the audit journal.

An agent only sees and uses mandates that cover at least one family granted to them, and records
mandates only for their own families: a mandate covering the social family says something about a
person that an agent of the road service has no reason to know.
"""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clocher.core import audit
from clocher.core.uploads import AcceptedUpload
from clocher.core.vault import store_file
from clocher.demarches import selectors
from clocher.demarches.models import Family, Mandate
from clocher.demarches.services.legal_delays import add_months
from clocher.tenancy.models import Commune

MAX_VALIDITY_MONTHS = 12
MAX_TEXT = 200


class MandateRefused(Exception):
    """The mandate was not recorded or changed; ``message`` (French) says why, ``field`` where."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class MandateState(StrEnum):
    VALID = "valid"
    UPCOMING = "upcoming"
    EXPIRED = "expired"
    REVOKED = "revoked"


STATE_LABELS = {
    MandateState.VALID: gettext_lazy("En cours de validité"),
    MandateState.UPCOMING: gettext_lazy("À venir"),
    MandateState.EXPIRED: gettext_lazy("Expiré"),
    MandateState.REVOKED: gettext_lazy("Révoqué"),
}


def mandate_state(mandate: Mandate, today: datetime.date | None = None) -> MandateState:
    today = today or timezone.localdate()
    if mandate.revoked_at is not None:
        return MandateState.REVOKED
    if mandate.valid_until < today:
        return MandateState.EXPIRED
    if mandate.valid_from > today:
        return MandateState.UPCOMING
    return MandateState.VALID


def family_labels(mandate: Mandate) -> list[str]:
    return [str(Family(value).label) for value in mandate.families or [] if value in Family.values]


def is_visible_to(mandate: Mandate, user: Any) -> bool:
    """Whether ``user`` may see ``mandate``: it covers at least one of their families."""
    granted = selectors.granted_families(user, mandate.commune)
    return bool(granted & set(mandate.families or []))


def mandates_for_agent(user: Any, commune: Commune) -> list[Mandate]:
    """The commune's mandates that cover at least one family granted to ``user``, newest first.

    A commune has a few dozen mandates: their families (JSON) are compared here rather than in
    SQL, where JSON containment is not portable to SQLite.
    """
    granted = selectors.granted_families(user, commune)
    if not granted:
        return []
    rows = (
        Mandate.objects.for_commune(commune)
        .select_related("recorded_by", "revoked_by")
        .order_by("-recorded_at", "-pk")
    )
    return [mandate for mandate in rows if granted & set(mandate.families or [])]


def valid_mandates_for(
    user: Any, commune: Commune, family: str, today: datetime.date | None = None
) -> list[Mandate]:
    """Mandates ``user`` may act under today for a request of ``family`` (counter entry)."""
    today = today or timezone.localdate()
    if family not in selectors.granted_families(user, commune):
        return []
    return [
        mandate
        for mandate in mandates_for_agent(user, commune)
        if family in (mandate.families or [])
        and mandate_state(mandate, today) == MandateState.VALID
    ]


def mandate_label(mandate: Mandate) -> str:
    """How a mandate is named in a list or on a request page (decrypts the citizen's name)."""
    return _("%(name)s — mandat jusqu'au %(date)s") % {
        "name": mandate.citizen_name,
        "date": mandate.valid_until.strftime("%d/%m/%Y"),
    }


def _clean(value: str, *, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise MandateRefused(_("Indiquez %(label)s.") % {"label": label}, field=field)
    if len(value) > MAX_TEXT:
        raise MandateRefused(_("%(max)s caractères au plus.") % {"max": MAX_TEXT}, field=field)
    return value


@transaction.atomic
def mandate_record(
    *,
    commune: Commune,
    actor: Any,
    citizen_name: str,
    citizen_contact: str,
    families: list[str],
    valid_from: datetime.date,
    valid_until: datetime.date,
    consent_reference: str,
    consent_scan: AcceptedUpload | None = None,
) -> Mandate:
    """Record a mandate the citizen signed on paper; journaled in the audit journal."""
    today = timezone.localdate()
    citizen_name = _clean(citizen_name, field="citizen_name", label=_("le nom de la personne"))
    citizen_contact = _clean(
        citizen_contact, field="citizen_contact", label=_("un moyen de joindre la personne")
    )
    consent_reference = _clean(
        consent_reference, field="consent_reference", label=_("où le formulaire signé est classé")
    )
    chosen = sorted(set(families or []))
    if not chosen:
        raise MandateRefused(_("Cochez au moins une famille de démarches."), field="families")
    unknown = [value for value in chosen if value not in Family.values]
    not_granted = set(chosen) - selectors.granted_families(actor, commune)
    if unknown or not_granted:
        raise MandateRefused(
            _("Vous ne pouvez couvrir que les familles de démarches qui vous sont attribuées."),
            field="families",
        )
    if valid_until < valid_from:
        raise MandateRefused(_("La fin de validité doit suivre le début."), field="valid_until")
    if valid_until > add_months(valid_from, MAX_VALIDITY_MONTHS):
        raise MandateRefused(
            _("Un mandat vaut un an au plus : au plus tard le %(date)s.")
            % {"date": add_months(valid_from, MAX_VALIDITY_MONTHS).strftime("%d/%m/%Y")},
            field="valid_until",
        )
    if valid_until < today:
        raise MandateRefused(_("Cette date de fin est déjà passée."), field="valid_until")
    mandate = Mandate(
        commune=commune,
        families=chosen,
        valid_from=valid_from,
        valid_until=valid_until,
        consent_reference=consent_reference,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    mandate.citizen_name = citizen_name
    mandate.citizen_contact = citizen_contact
    if consent_scan is not None:
        mandate.consent_scan = store_file(
            commune=commune,
            data=consent_scan.data,
            name=consent_scan.name,
            content_type=consent_scan.content_type,
        )
    mandate.save()
    audit.log(
        audit.AuditAction.MANDATE_RECORDED,
        actor=actor,
        commune=commune,
        target=f"demarches.Mandate:{mandate.pk}",
        data={
            "families": chosen,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat(),
            "scanned": consent_scan is not None,
        },
    )
    return mandate


@transaction.atomic
def mandate_revoke(*, mandate: Mandate, actor: Any) -> bool:
    """Revoke a mandate (the citizen withdrew consent). Returns False if it already was."""
    if not is_visible_to(mandate, actor):
        raise MandateRefused(_("Ce mandat ne couvre aucune de vos familles de démarches."))
    locked = (
        Mandate.objects.for_commune(mandate.commune)
        .select_for_update(of=("self",))
        .get(pk=mandate.pk)
    )
    if locked.revoked_at is not None:
        return False
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.save(update_fields=["revoked_at", "revoked_by"])
    mandate.revoked_at, mandate.revoked_by = locked.revoked_at, actor
    audit.log(
        audit.AuditAction.MANDATE_REVOKED,
        actor=actor,
        commune=mandate.commune,
        target=f"demarches.Mandate:{mandate.pk}",
        data={"families": list(mandate.families or [])},
    )
    return True
