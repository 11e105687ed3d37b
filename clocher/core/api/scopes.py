"""The registry of API scopes: what an API key may be allowed to do.

A scope is a ``resource:action`` string (``courrier:read``, ``iot:write``…). Each module declares
its scopes in its ``AppConfig.ready()``::

    from clocher.core.api import scopes
    scopes.register("courrier:read", _("Lire le registre du courrier"))

then protects its API operations with ``@require_scope("courrier:read")``
(``clocher.core.api.auth``). ``clocher api-key create --scope`` and the back-office only accept
registered scopes, and list them with their French description.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SCOPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Scope:
    name: str
    description: str | Promise


_registry: dict[str, Scope] = {}


def register(name: str, description: str | Promise) -> Scope:
    """Declare a scope; registering the same name twice with another description is an error."""
    if not SCOPE_PATTERN.match(name):
        raise ValueError(f"API scope {name!r} must look like 'resource:action' in lowercase.")
    scope = Scope(name, description)
    existing = _registry.get(name)
    if existing is not None and str(existing.description) != str(description):
        raise ValueError(f"API scope {name!r} is already registered with another description.")
    _registry[name] = scope
    return scope


def unregister(name: str) -> None:
    """Remove a scope (for tests)."""
    _registry.pop(name, None)


def is_registered(name: str) -> bool:
    return name in _registry


def all_scopes() -> list[Scope]:
    return sorted(_registry.values(), key=lambda scope: scope.name)


def registered_scopes() -> list[str]:
    """The names of every registered scope, sorted."""
    return sorted(_registry)


def clean_scopes(names: Iterable[str]) -> list[str]:
    """The given scope names, sorted and without duplicates; unknown names raise ValidationError."""
    cleaned = sorted({name.strip() for name in names if name.strip()})
    unknown = [name for name in cleaned if name not in _registry]
    if unknown:
        raise ValidationError(
            _("Portée inconnue : %(scopes)s. Portées disponibles : %(available)s."),
            code="unknown_scope",
            params={
                "scopes": ", ".join(unknown),
                "available": ", ".join(scope.name for scope in all_scopes()) or "—",
            },
        )
    return cleaned
