"""The one mechanism that resolves commune-owned objects from URLs.

A back-office URL never hands a view a bare id. Each URL parameter that designates a commune-owned
object is registered here with its model::

    url_objects.register("membership", Membership)

``CommuneScopeMiddleware`` then replaces ``<int:membership>`` in a back-office URL by the
``Membership`` *of the current commune*, or answers 404: an id from another commune is
indistinguishable from an id that does not exist. API handlers do the same through
``get_for_commune``. A URL parameter that is not registered makes the request fail loudly, and the
isolation test (``core/tests/test_isolation.py``) walks every registered route with another
commune's objects, so a new route is covered without anyone writing a test for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import Http404

# Narrows the commune's objects to those the signed-in user may reach (a démarches request only
# in a family granted to the agent): called with (user, commune, queryset).
Restriction = Callable[[Any, Any, models.QuerySet[Any]], models.QuerySet[Any]]


@dataclass(frozen=True)
class UrlObject:
    parameter: str
    model: type[models.Model]
    lookup: str = "pk"
    restrict: Restriction | None = None


class UrlObjectRegistry:
    def __init__(self) -> None:
        self._objects: dict[str, UrlObject] = {}

    def register(
        self,
        parameter: str,
        model: type[models.Model],
        *,
        lookup: str = "pk",
        restrict: Restriction | None = None,
    ) -> None:
        existing = self._objects.get(parameter)
        if existing is not None and existing.model is not model:
            raise ValueError(f"URL parameter {parameter!r} is already bound to {existing.model}.")
        self._objects[parameter] = UrlObject(parameter, model, lookup, restrict)

    def get(self, parameter: str) -> UrlObject | None:
        return self._objects.get(parameter)

    def all(self) -> list[UrlObject]:
        return list(self._objects.values())


url_objects = UrlObjectRegistry()

# URL parameters that are not objects (a page number, a slug of a public page…) are declared here
# so that the middleware and the isolation test know they are deliberate.
plain_parameters: set[str] = {"commune_slug"}
# A sample value for each plain parameter, so that the isolation test can build the URL (a UUID,
# a page number…). The view must answer it without a server error, usually with a 404.
plain_parameter_samples: dict[str, Any] = {}


def register_plain_parameter(name: str, *, sample: Any = None) -> None:
    plain_parameters.add(name)
    if sample is not None:
        plain_parameter_samples[name] = sample


def get_for_commune(
    model: type[models.Model],
    commune: Any,
    value: Any,
    *,
    lookup: str = "pk",
    queryset: models.QuerySet[Any] | None = None,
) -> Any:
    """The object of ``model`` with that id *in that commune* (and ``queryset``), or 404."""
    if queryset is None:
        queryset = model._default_manager.all()
    try:
        return queryset.filter(commune=commune).get(**{lookup: value})
    except (model.DoesNotExist, ValueError, TypeError) as error:  # type: ignore[attr-defined]
        raise Http404 from error
    except Exception as error:  # a malformed UUID raises ValidationError
        from django.core.exceptions import ValidationError

        if isinstance(error, ValidationError):
            raise Http404 from error
        raise


def resolve_url_objects(commune: Any, view_kwargs: dict[str, Any], user: Any = None) -> None:
    """Replace every registered object parameter by the commune's object, in place.

    A parameter registered with ``restrict`` only resolves to objects that ``user`` may reach;
    any other answers 404, like an id from another commune."""
    for name, value in list(view_kwargs.items()):
        if name in plain_parameters:
            continue
        spec = url_objects.get(name)
        if spec is None:
            raise LookupError(
                f"URL parameter {name!r} is neither a registered commune object nor a plain "
                "parameter: register it in clocher.core.scoping."
            )
        queryset = spec.model._default_manager.all()
        if spec.restrict is not None:
            queryset = spec.restrict(user, commune, queryset)
        view_kwargs[name] = get_for_commune(
            spec.model, commune, value, lookup=spec.lookup, queryset=queryset
        )
