"""A commune's settings of one procedure: texts, service contact, legal facts and statuses.

What the acknowledgment of receipt must say (CRPA L112-11 and R112-5: the service's name,
address, e-mail and phone; whether silence means acceptance or refusal and after which delay; the
appeal routes) is edited here. While the procedure is published, none of these mandatory mentions
may be emptied: :func:`procedure_settings_save` refuses and names the mention
(``services.catalogue.missing_mentions`` lists them).

Statuses are configurable per procedure (``Procedure.statuses``: a list of ``{code, label,
kind}``): the first one is of kind "received" (a new request starts there), there is at least one
status of each final kind (accepted, refused, closed without follow-up), and a status that
existing requests are in can neither be removed nor change its kind.

A shorter retention period applies to requests closed from now on: the retention date of a request
is set when it is closed (``Request.retention_until``) and is not recomputed.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from clocher.demarches.models import FINAL_KINDS, Procedure, Request, SilenceRule, StatusKind

STATUS_CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_STATUSES = 20

# The settings this service writes, with their limits where they have some.
TEXT_SETTINGS = {
    "title": 200,
    "description": 5000,
    "legal_basis": 5000,
    "service_name": 200,
    "service_address": 1000,
    "service_email": 254,
    "service_phone": 30,
    "appeal_routes": 5000,
    "acknowledgment_text": 5000,
}
NUMBER_SETTINGS = {
    "silence_delay_months": (1, 24),
    "processing_days": (1, 365),
    "retention_months": (1, 1200),
}
SETTINGS = (*TEXT_SETTINGS, *NUMBER_SETTINGS, "silence_rule", "statuses")

# Mandatory mentions of the acknowledgment kept on the procedure (CRPA R112-5), used when
# ``services.catalogue.missing_mentions`` is not available.
MENTION_FIELDS = (
    "service_name",
    "service_address",
    "service_email",
    "service_phone",
    "appeal_routes",
    "acknowledgment_text",
)


class SettingsRefused(Exception):
    """The settings are not saved; ``errors`` maps a setting (or ``"__all__"``) to French
    messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(message for items in errors.values() for message in items))
        self.errors = errors


@dataclass(frozen=True)
class SettingsSaved:
    procedure: Procedure
    retention_shortened: bool


def _field_label(name: str) -> str:
    return str(getattr(Procedure._meta.get_field(name), "verbose_name", name))


def mandatory_mentions_missing(procedure: Procedure) -> list[str]:
    """French labels of the empty mandatory mentions of ``procedure`` (as it is in memory)."""
    try:
        from clocher.demarches.services import catalogue
    except ImportError:
        catalogue = None  # type: ignore[assignment]
    if catalogue is not None and hasattr(catalogue, "missing_mentions"):
        return [str(label) for label in catalogue.missing_mentions(procedure)]
    missing = [
        _field_label(name)
        for name in MENTION_FIELDS
        if not str(getattr(procedure, name) or "").strip()
    ]
    if not procedure.silence_rule:
        missing.append(_field_label("silence_rule"))
    return missing


def statuses_in_use(procedure: Procedure) -> dict[str, tuple[str, int]]:
    """Status code → (kind, number of requests) for the statuses the procedure's requests are in."""
    rows = (
        Request.objects.for_commune(procedure.commune)
        .filter(procedure=procedure)
        .values("status", "status_kind")
        .annotate(total=Count("id"))
    )
    in_use: dict[str, tuple[str, int]] = {}
    for row in rows:
        kind, total = in_use.get(row["status"], (row["status_kind"], 0))
        in_use[row["status"]] = (kind, total + row["total"])
    return in_use


def _status_errors(statuses: Any, procedure: Procedure) -> tuple[list[dict[str, str]], list[str]]:
    errors: list[str] = []
    if not isinstance(statuses, list) or not statuses:
        return [], [_("Il faut au moins un statut.")]
    if len(statuses) > MAX_STATUSES:
        return [], [_("Une démarche compte au plus %(max)d statuts.") % {"max": MAX_STATUSES}]
    cleaned: list[dict[str, str]] = []
    seen: set[str] = set()
    for position, item in enumerate(statuses, start=1):
        if not isinstance(item, dict):
            errors.append(_("Statut n° %(n)d : il est mal formé.") % {"n": position})
            continue
        code = str(item.get("code") or "").strip()
        label = str(item.get("label") or "").strip()
        kind = str(item.get("kind") or "")
        where = _("Statut « %(label)s »") % {"label": label or code or position}
        if not STATUS_CODE_PATTERN.match(code):
            errors.append(
                _(
                    "%(where)s : le code commence par une lettre minuscule et ne contient que "
                    "des lettres minuscules sans accent, des chiffres et « _ » (40 au plus)."
                )
                % {"where": where}
            )
        elif code in seen:
            errors.append(
                _("%(where)s : le code « %(code)s » est utilisé deux fois.")
                % {"where": where, "code": code}
            )
        seen.add(code)
        if not label:
            errors.append(_("%(where)s : le libellé est vide.") % {"where": where})
        elif len(label) > 100:
            errors.append(_("%(where)s : le libellé dépasse 100 caractères.") % {"where": where})
        if kind not in StatusKind.values:
            errors.append(_("%(where)s : choisissez sa nature.") % {"where": where})
        cleaned.append({"code": code, "label": label, "kind": kind})
    if errors:
        return cleaned, errors
    if cleaned[0]["kind"] != StatusKind.RECEIVED:
        errors.append(
            _(
                "Le premier statut doit être de nature « %(kind)s » : c'est celui d'une demande "
                "qui arrive."
            )
            % {"kind": StatusKind.RECEIVED.label}
        )
    kinds = {item["kind"] for item in cleaned}
    for final in sorted(FINAL_KINDS):
        if final not in kinds:
            errors.append(
                _("Il faut au moins un statut de nature « %(kind)s ».")
                % {"kind": StatusKind(final).label}
            )
    by_code = {item["code"]: item for item in cleaned}
    for code, (kind, total) in sorted(statuses_in_use(procedure).items()):
        label = _current_status_label(procedure, code)
        if code not in by_code:
            errors.append(
                _(
                    "Le statut « %(label)s » ne peut pas être retiré : %(count)d demande(s) "
                    "sont dans ce statut."
                )
                % {"label": label, "count": total}
            )
        elif by_code[code]["kind"] != kind:
            errors.append(
                _(
                    "Le statut « %(label)s » ne peut pas changer de nature : %(count)d demande(s) "
                    "sont dans ce statut."
                )
                % {"label": label, "count": total}
            )
    return cleaned, errors


def _current_status_label(procedure: Procedure, code: str) -> str:
    from clocher.demarches.services.statuses import status_by_code

    status = status_by_code(procedure, code)
    return status.label if status else code


def _mention_field(label: str) -> str:
    """The setting a mention label names, when it is one of ours (else ``"__all__"``)."""
    wanted = label.strip().casefold()
    names = (*MENTION_FIELDS, "silence_rule", "silence_delay_months", *TEXT_SETTINGS)
    for name in names:
        if _field_label(name).casefold() == wanted:
            return name
    for name in names:
        known = _field_label(name).casefold().removesuffix(" (mois)")
        if known in wanted or wanted in known:
            return name
    return "__all__"


@transaction.atomic
def procedure_settings_save(*, procedure: Procedure, actor: Any, **values: Any) -> SettingsSaved:
    """Save the settings given in ``values`` (any of :data:`SETTINGS`); refuse with
    :class:`SettingsRefused` and save nothing when one is wrong."""
    unknown = set(values) - set(SETTINGS)
    if unknown:
        raise TypeError(f"Unknown procedure settings: {sorted(unknown)}")
    locked = (
        Procedure.objects.for_commune(procedure.commune)
        .select_for_update(of=("self",))
        .get(pk=procedure.pk)
    )
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    changes: dict[str, Any] = {}
    for name, limit in TEXT_SETTINGS.items():
        if name not in values:
            continue
        text = values[name]
        if not isinstance(text, str):
            refuse(name, _("Un texte est attendu."))
            continue
        text = text.strip()
        if len(text) > limit:
            refuse(name, _("%(max)d caractères au plus.") % {"max": limit})
        changes[name] = text
    if "title" in changes and not changes["title"]:
        refuse("title", _("Le titre de la démarche ne peut pas être vide."))
    if changes.get("service_email"):
        try:
            validate_email(changes["service_email"])
        except ValidationError:
            refuse("service_email", _("Adresse électronique non valable."))
    for name, (low, high) in NUMBER_SETTINGS.items():
        if name not in values:
            continue
        number = values[name]
        if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
            refuse(
                name, _("Un nombre entier entre %(min)d et %(max)d.") % {"min": low, "max": high}
            )
            continue
        changes[name] = number
    if "silence_rule" in values:
        if values["silence_rule"] not in SilenceRule.values:
            refuse("silence_rule", _("Choisissez le sens du silence dans la liste."))
        else:
            changes["silence_rule"] = values["silence_rule"]
    if "statuses" in values:
        cleaned, status_errors = _status_errors(values["statuses"], locked)
        for message in status_errors:
            refuse("statuses", message)
        changes["statuses"] = cleaned
    if errors:
        raise SettingsRefused(errors)

    retention_before = locked.retention_months
    candidate = copy.copy(locked)
    for name, value in changes.items():
        setattr(candidate, name, value)
    if locked.is_published:
        for label in mandatory_mentions_missing(candidate):
            refuse(
                _mention_field(label),
                _(
                    "La mention obligatoire « %(mention)s » est vide : une démarche publiée "
                    "doit l'indiquer dans son accusé de réception."
                )
                % {"mention": label},
            )
    if errors:
        raise SettingsRefused(errors)
    for name, value in changes.items():
        setattr(locked, name, value)
    if changes:
        locked.save(update_fields=sorted(changes))
    for name, value in changes.items():
        setattr(procedure, name, value)
    return SettingsSaved(
        procedure=locked,
        retention_shortened=(
            "retention_months" in changes and changes["retention_months"] < retention_before
        ),
    )
