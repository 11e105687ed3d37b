"""The registry of Clocher modules: how a module plugs into the shell.

A module's ``AppConfig`` sets ``clocher_module = ModuleInfo(...)``. The shell then:

- mounts its ``staff_urls`` under ``/mairie/<commune>/<url_prefix>/`` (namespace
  ``staff:<url_prefix>``) and its ``public_urls`` under ``/communes/<commune>/<url_prefix>/``
  (namespace ``public:<url_prefix>``);
- adds its ``api_router`` to ``/api/v1/<url_prefix>/`` (or ``/api/v1/<api_prefix>/`` when set,
  e.g. ``communes/{commune_slug}/cemetery`` for routes that name the commune in their path);
- lists it on the commune's back-office home and, if it has public pages, on its public home;
- calls its ``demo_data`` loader from ``clocher demo`` for each demo commune.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.utils.functional import Promise


@dataclass(frozen=True)
class ModuleInfo:
    url_prefix: str
    title: str | Promise
    description: str | Promise
    staff_urls: str | None = None
    public_urls: str | None = None
    api_router: str | None = None
    api_prefix: str | None = None  # where api_router is mounted; defaults to url_prefix
    staff_home: str | None = None
    public_home: str | None = None
    # dotted path of a function(commune) -> bool: is the public home open in that commune?
    public_available: str | None = None
    demo_data: str | None = None  # dotted path of a function(commune, staff) adding demo content
    order: int = 100


def registered_modules() -> list[ModuleInfo]:
    found = [
        config.clocher_module  # type: ignore[attr-defined]
        for config in apps.get_app_configs()
        if getattr(config, "clocher_module", None) is not None
    ]
    return sorted(found, key=lambda module: (module.order, str(module.title)))
