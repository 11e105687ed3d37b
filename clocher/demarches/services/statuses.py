"""The statuses of instruction: defaults, per-procedure configuration, and their meaning."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from clocher.demarches.models import Procedure, StatusKind


@dataclass(frozen=True)
class Status:
    code: str
    label: str
    kind: StatusKind


DEFAULT_STATUSES = (
    Status("received", str(_("Reçue")), StatusKind.RECEIVED),
    Status("in_progress", str(_("En cours d'instruction")), StatusKind.IN_PROGRESS),
    Status("waiting_citizen", str(_("En attente de votre réponse")), StatusKind.WAITING_CITIZEN),
    Status("accepted", str(_("Acceptée")), StatusKind.ACCEPTED),
    Status("refused", str(_("Refusée")), StatusKind.REFUSED),
    Status("closed", str(_("Classée sans suite")), StatusKind.CLOSED),
)


def statuses_of(procedure: Procedure) -> list[Status]:
    """The procedure's statuses (``Procedure.statuses``: list of {code, label, kind}), else the
    defaults. Every procedure has at least one status of kind "received", the first one."""
    configured = []
    for item in procedure.statuses or []:
        try:
            configured.append(
                Status(str(item["code"]), str(item["label"]), StatusKind(item["kind"]))
            )
        except (KeyError, TypeError, ValueError):
            continue
    if not configured or configured[0].kind != StatusKind.RECEIVED:
        return [Status(status.code, str(status.label), status.kind) for status in DEFAULT_STATUSES]
    return configured


def initial_status(procedure: Procedure) -> Status:
    return statuses_of(procedure)[0]


def status_by_code(procedure: Procedure, code: str) -> Status | None:
    for status in statuses_of(procedure):
        if status.code == code:
            return status
    return None
