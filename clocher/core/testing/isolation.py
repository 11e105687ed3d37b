"""What the isolation test needs to know about each module's commune-owned objects.

For every model registered as a URL object (``core.scoping.url_objects``) a module declares, in
its ``tests/factories.py``, how to make one in a given commune, with a *marker* string placed in a
field that its pages display::

    @isolation_factory(Membership)
    def membership_for_isolation(commune, marker):
        return MembershipFactory(commune=commune, user__last_name=marker)

The isolation test (``core/tests/test_isolation.py``) makes one of each in commune A and in
commune B, then walks every back-office, public and API route as a member of A: A's pages must
never show B's marker, and B's objects in A's URLs must answer 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils.module_loading import autodiscover_modules

IsolationFactory = Callable[[Any, str], models.Model]

_factories: dict[type[models.Model], IsolationFactory] = {}
_member_setups: list[Callable[[Any, Any], None]] = []


def isolation_member_setup(function: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    """Declare what the isolation test's member of commune A needs beyond their roles (the
    démarches families granted to them…): called with (commune, user)."""
    _member_setups.append(function)
    return function


def setup_isolation_member(commune: Any, user: Any) -> None:
    autodiscover_modules("tests.factories")
    for function in _member_setups:
        function(commune, user)


def isolation_factory(model: type[models.Model]) -> Callable[[IsolationFactory], IsolationFactory]:
    def register(function: IsolationFactory) -> IsolationFactory:
        _factories[model] = function
        return function

    return register


def isolation_factories() -> dict[type[models.Model], IsolationFactory]:
    autodiscover_modules("tests.factories")
    return dict(_factories)
