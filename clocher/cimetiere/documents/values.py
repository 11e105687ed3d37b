"""Plain values handed to document templates: dicts of strings, never model instances.

Holders' and beneficiaries' data (sealed in the vault) are decrypted only by
``concession_values(…, with_people=True)``, which the deed and the renewal letter of that
concession use; listings and registers never read them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from clocher.cimetiere.models import (
    KIND_DURATION_YEARS,
    Concession,
    ConcessionKind,
    Deceased,
    Operation,
    Plot,
    Section,
)
from clocher.tenancy.models import Commune

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
NO_BREAK_SPACE = "\u00a0"


def french_date(value: datetime.date | None) -> str:
    """``1er mars 2000``, ``15 mai 2030``; empty when unknown."""
    if value is None:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def euros(value: Decimal | None) -> str:
    """``1 200,00 €`` (no-break spaces)."""
    if value is None:
        return ""
    grouped = f"{value:,.2f}".replace(",", NO_BREAK_SPACE).replace(".", ",")
    return f"{grouped}{NO_BREAK_SPACE}€"


def square_metres(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text}{NO_BREAK_SPACE}m²"


def commune_values(commune: Commune) -> dict[str, Any]:
    return {
        "name": commune.name,
        "address": commune.address,
        "insee_code": commune.insee_code,
        "phone": commune.phone,
        "email": commune.email,
    }


def plot_values(plot: Plot) -> dict[str, Any]:
    return {
        "cemetery": plot.cemetery.name,
        "section": plot.section.name,
        "row": plot.row.name if plot.row_id and plot.row else "",
        "number": plot.number,
        "kind": plot.get_kind_display(),
        "capacity": plot.capacity,
        "surface": square_metres(plot.surface_m2),
    }


def deceased_values(deceased: Deceased | None) -> dict[str, Any]:
    if deceased is None:
        return {}
    full_name = f"{deceased.first_names} {deceased.last_name}".strip()
    if deceased.birth_name and deceased.birth_name != deceased.last_name:
        full_name += f", née {deceased.birth_name}"
    return {
        "full_name": full_name,
        "last_name": deceased.last_name,
        "first_names": deceased.first_names,
        "birth_date": french_date(deceased.birth_date),
        "death_date": french_date(deceased.death_date),
    }


def duration_years(concession: Concession) -> int | None:
    if concession.kind == ConcessionKind.TEMPORARY:
        return concession.duration_years
    return KIND_DURATION_YEARS.get(ConcessionKind(concession.kind))


def clock_dates(
    concession: Concession, *, today: datetime.date
) -> tuple[datetime.date | None, datetime.date | None]:
    """(expires_on, repossessable_from) from the legal clock (L2223-14, L2223-15)."""
    from clocher.cimetiere.legal_clock import concession_clock

    clock = concession_clock(concession, today=today)
    return clock.expires_on, clock.repossessable_from


def concession_values(
    concession: Concession, *, today: datetime.date, with_people: bool
) -> dict[str, Any]:
    expires_on, _repossessable_from = clock_dates(concession, today=today)
    values: dict[str, Any] = {
        "number": concession.number or f"{concession.pk}",
        "kind": concession.get_kind_display().lower(),
        "is_perpetual": concession.kind == ConcessionKind.PERPETUAL,
        "act_date": french_date(concession.act_date),
        "expires_on": french_date(expires_on),
        "duration_years": duration_years(concession) or "",
        "scope": concession.get_scope_display().lower(),
        "surface": square_metres(concession.surface_m2),
        "price_paid": euros(concession.price_paid),
        "holders": [],
        "holders_text": "",
        "beneficiaries": [],
    }
    if with_people:
        holders = [holder.full_name for holder in concession.holders.all()]
        values["holders"] = holders
        values["holders_text"] = ", ".join(holders)
        values["beneficiaries"] = [
            {"name": beneficiary.full_name, "relationship": beneficiary.relationship}
            for beneficiary in concession.beneficiaries.all()
        ]
    return values


def operation_values(operation: Operation) -> dict[str, Any]:
    return {
        "kind": operation.get_kind_display().lower(),
        "date": french_date(operation.performed_on or operation.authorised_on),
        "requested_by": operation.requested_by,
        "requester_relationship": operation.requester_relationship,
        "sworn_statement_received": operation.sworn_statement_received,
        "destination": operation.destination,
        "authorised_on": french_date(operation.authorised_on),
        "performed_on": french_date(operation.performed_on),
    }


def section_values(section: Section, *, plot_count: int) -> dict[str, Any]:
    return {"name": section.name, "cemetery": section.cemetery.name, "plot_count": plot_count}


def example_values(commune: Commune, *, today: datetime.date) -> dict[str, Any]:
    """Fictional values for previewing a template (no one's real data)."""
    return {
        "commune": commune_values(commune),
        "today": french_date(today),
        "place": commune.name,
        "concession": {
            "number": "2024-017",
            "kind": "trentenaire",
            "is_perpetual": False,
            "act_date": "12 mars 2024",
            "expires_on": "12 mars 2054",
            "duration_years": 30,
            "scope": "familiale",
            "surface": f"2{NO_BREAK_SPACE}m²",
            "price_paid": euros(Decimal("250")),
            "holders": ["Hélène Exemple"],
            "holders_text": "Hélène Exemple",
            "beneficiaries": [{"name": "Loïc Exemple", "relationship": "fils"}],
        },
        "holder": {"name": "Hélène Exemple", "address": "3 rue de l'Église"},
        "plot": {
            "cemetery": "Cimetière communal",
            "section": "A",
            "number": "12",
            "kind": "Terrain concédé",
        },
        "deceased": {
            "full_name": "Joséphine Exemple",
            "birth_date": "2 février 1931",
            "death_date": "1er juin 2024",
        },
        "operation": {
            "kind": "exhumation",
            "date": "10 juin 2024",
            "requested_by": "Hélène Exemple",
            "requester_relationship": "fille",
            "sworn_statement_received": True,
            "destination": "ossuaire communal",
        },
        "renewal": {
            "expires_on": "12 mars 2054",
            "is_expired": False,
            "repossessable_from": "12 mars 2056",
            "tariff": euros(Decimal("250")),
        },
        "register": {"count": 3},
        "section": {"name": "A", "cemetery": "Cimetière communal", "plot_count": 42},
        **ABANDONMENT_EXAMPLE_VALUES,
    }


_REPORT_EXAMPLE = {
    "condition": "Stèle renversée, inscriptions illisibles, tombe envahie de ronces.",
    "officials_present": "le maire ; M. Exemple, garde champêtre",
    "was_posted": True,
    "reference": "",
    "notes": "",
}
# The abandonment procedure's documents (documents/abandonment.py), with fictional values.
ABANDONMENT_EXAMPLE_VALUES: dict[str, Any] = {
    "procedure": {"opened_on": "5 janvier 2024", "visit_planned_on": "10 février 2024"},
    "notice": {"date": "8 janvier 2024", "recipients": "Hélène Exemple, 3 rue de l'Église"},
    "first_report": {**_REPORT_EXAMPLE, "date": "10 février 2024"},
    "first_notification": {"date": "15 février 2024", "was_posted": True},
    "second_report": {**_REPORT_EXAMPLE, "date": "17 février 2025"},
    "second_notification": {"date": "20 février 2025", "was_posted": True},
    "deliberation": {"date": "24 mars 2025", "reference": "2025-12"},
    "order": {"date": "28 mars 2025", "reference": "2025-3"},
    "report": {
        **_REPORT_EXAMPLE,
        "date": "10 février 2024",
        "is_second": False,
        "ordinal": "premier",
        "photo_count": 2,
    },
    "notification": {"date": "15 février 2024", "recipients": "Hélène Exemple"},
}
