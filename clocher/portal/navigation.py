"""Links to the modules of a commune, for its public home and its back-office home."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from clocher.core.modules import registered_modules
from clocher.tenancy.models import Commune


@dataclass(frozen=True)
class ModuleLink:
    title: str
    description: str
    url: str


def module_links(commune: Commune, *, audience: Literal["public", "staff"]) -> list[ModuleLink]:
    """The modules that have a home page for ``audience``, with the URL of that page in the
    commune. A module whose home cannot be reversed is left out rather than breaking the page,
    and so is a public page the commune has not opened (``ModuleInfo.public_available``)."""
    links = []
    for module in registered_modules():
        url_name = module.public_home if audience == "public" else module.staff_home
        if not url_name:
            continue
        if audience == "public" and not _is_open(module.public_available, commune):
            continue
        try:
            url = reverse(url_name, kwargs={"commune_slug": commune.slug})
        except NoReverseMatch:
            continue
        links.append(
            ModuleLink(title=str(module.title), description=str(module.description), url=url)
        )
    return links


def _is_open(availability: str | None, commune: Commune) -> bool:
    """Whether a module's public page is open in ``commune`` (always, unless it says otherwise)."""
    return availability is None or bool(import_string(availability)(commune))
