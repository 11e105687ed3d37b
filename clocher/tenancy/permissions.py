"""What each role may do in a commune: one table, read by views, API, templates and tests.

``commune_abilities(user, commune)`` returns a dict ``{capability: bool}``; templates show only
what is allowed, views refuse the rest with 403 (``require_capability``), and the authorization
tests iterate over this same table.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from clocher.tenancy.models import OperatorRole, Role


class Capability(StrEnum):
    VIEW_BACKOFFICE = "view_backoffice"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_SETTINGS = "manage_settings"
    VIEW_ACCESS_JOURNAL = "view_access_journal"
    MANAGE_API_KEYS = "manage_api_keys"
    SIGN = "sign"
    VIEW_CEMETERY = "view_cemetery"
    MANAGE_CEMETERY = "manage_cemetery"
    AUTHORISE_FUNERAL_OPERATION = "authorise_funeral_operation"
    # Démarches: processing is further limited to the families granted to each agent.
    PROCESS_REQUESTS = "process_requests"
    MANAGE_PROCEDURES = "manage_procedures"
    MANAGE_FAMILY_GRANTS = "manage_family_grants"
    MANAGE_MAILBOXES = "manage_mailboxes"
    VIEW_REQUEST_STATISTICS = "view_request_statistics"
    # Cité IoT.
    VIEW_DEVICES = "view_devices"
    MANAGE_DEVICES = "manage_devices"
    CONTROL_DEVICES = "control_devices"
    MANAGE_ALERTS = "manage_alerts"


_ALL_COMMUNE_ROLES = {Role.COMMUNE_ADMIN, Role.AGENT, Role.ELECTED, Role.TECHNICIAN}

CAPABILITIES: dict[Capability, set[str]] = {
    Capability.VIEW_BACKOFFICE: {*_ALL_COMMUNE_ROLES, OperatorRole.ADMIN, OperatorRole.SUPPORT},
    Capability.MANAGE_MEMBERS: {Role.COMMUNE_ADMIN, OperatorRole.ADMIN},
    Capability.MANAGE_SETTINGS: {Role.COMMUNE_ADMIN, OperatorRole.ADMIN},
    Capability.VIEW_ACCESS_JOURNAL: {Role.COMMUNE_ADMIN},
    Capability.MANAGE_API_KEYS: {Role.COMMUNE_ADMIN},
    Capability.SIGN: {Role.ELECTED},
    # Cimetière: the mayor (or an elected deputy) authorises operations (CGCT L2213-8, R2213-40).
    Capability.VIEW_CEMETERY: {*_ALL_COMMUNE_ROLES, OperatorRole.ADMIN, OperatorRole.SUPPORT},
    Capability.MANAGE_CEMETERY: {Role.COMMUNE_ADMIN, Role.AGENT},
    Capability.AUTHORISE_FUNERAL_OPERATION: {Role.ELECTED},
    # Démarches. Operator staff never process requests: they publish the shared catalogue.
    Capability.PROCESS_REQUESTS: {Role.COMMUNE_ADMIN, Role.AGENT},
    Capability.MANAGE_PROCEDURES: {Role.COMMUNE_ADMIN, Role.AGENT},
    Capability.MANAGE_FAMILY_GRANTS: {Role.COMMUNE_ADMIN},
    Capability.MANAGE_MAILBOXES: {Role.COMMUNE_ADMIN},
    # Statistics hold no personal data: elected officials read them too.
    Capability.VIEW_REQUEST_STATISTICS: {Role.COMMUNE_ADMIN, Role.AGENT, Role.ELECTED},
    # Cité IoT: the commune's technicians manage the devices with its administrators.
    Capability.VIEW_DEVICES: {*_ALL_COMMUNE_ROLES, OperatorRole.ADMIN, OperatorRole.SUPPORT},
    Capability.MANAGE_DEVICES: {Role.COMMUNE_ADMIN, Role.TECHNICIAN},
    # Remote control (lighting, heating, bells): the same people, never the operator's staff.
    Capability.CONTROL_DEVICES: {Role.COMMUNE_ADMIN, Role.TECHNICIAN},
    # IoT alerts: whoever watches the sensors (agents too) acknowledges and closes alerts, sets
    # the rules and the on-duty list; elected officials are told (escalation) and read.
    Capability.MANAGE_ALERTS: {Role.COMMUNE_ADMIN, Role.AGENT, Role.TECHNICIAN},
}


def roles_in_commune(user: Any, commune: Any) -> set[str]:
    """The commune roles of ``user`` in ``commune``, plus their operator roles if any."""
    if not getattr(user, "is_authenticated", False):
        return set()
    from clocher.tenancy.models import Membership, OperatorMembership

    roles = set(
        Membership.objects.filter(user=user, commune=commune).values_list("role", flat=True)
    )
    roles |= set(
        OperatorMembership.objects.filter(user=user, operator_id=commune.operator_id).values_list(
            "role", flat=True
        )
    )
    return roles


def abilities_from_roles(roles: set[str]) -> dict[str, bool]:
    return {capability.value: bool(roles & allowed) for capability, allowed in CAPABILITIES.items()}


def commune_abilities(user: Any, commune: Any) -> dict[str, bool]:
    return abilities_from_roles(roles_in_commune(user, commune))
