"""Reads for the public pages: finding a commune by name, INSEE code or postal code."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from clocher.tenancy.models import Operator
from clocher.tenancy.selectors import communes_active

_POSTAL_CODE = re.compile(r"\b\d{5}\b")


@dataclass(frozen=True)
class CommuneEntry:
    name: str
    slug: str
    insee_code: str
    postal_codes: tuple[str, ...]


def _folded(text: str) -> str:
    """Lower case, without accents, hyphens or apostrophes: "saint remy" finds "Saint-Rémy"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[-'’]", " ", bare).split())


def commune_directory(query: str = "") -> list[CommuneEntry]:
    """The active communes, filtered by ``query`` when given.

    A query of digits matches the start of the INSEE code or a postal code found in the town
    hall's address (the commune model has no postal code of its own); other text matches the
    name, ignoring case, accents and hyphens. Sorting and filtering happen in Python: one
    instance has at most about a thousand communes, and SQLite can neither ignore accents nor
    sort them the French way.
    """
    rows = communes_active().values_list("name", "slug", "insee_code", "address")
    entries = [
        CommuneEntry(
            name=name,
            slug=slug,
            insee_code=insee_code,
            postal_codes=tuple(dict.fromkeys(_POSTAL_CODE.findall(address or ""))),
        )
        for name, slug, insee_code, address in rows
    ]
    # Alphabetical order as a French reader expects it ("Époisses" among the E).
    entries.sort(key=lambda entry: _folded(entry.name))
    query = query.strip()
    if not query:
        return entries
    if query.replace(" ", "").isdigit():
        digits = query.replace(" ", "")
        return [
            entry
            for entry in entries
            if entry.insee_code.startswith(digits)
            or any(code.startswith(digits) for code in entry.postal_codes)
        ]
    wanted = _folded(query)
    return [
        entry
        for entry in entries
        if wanted in _folded(entry.name) or query.upper() == entry.insee_code
    ]


def hosting_operators() -> list[Operator]:
    """The bodies that host this instance (usually one)."""
    return list(Operator.objects.order_by("name"))
