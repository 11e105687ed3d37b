"""Isolation between communes, checked on every route without anyone writing a test per route.

The test walks the URL map: every back-office route (``/mairie/<slug>/…``), every public commune
route (``/communes/<slug>/…``) and every API route (``/api/v1/…``). It signs in as a member of
commune A holding every role, creates one object of each registered kind in A and in B (each with
a marker string), and checks, for each route:

- with A's objects: no server error, and B's marker never appears in the page;
- with B's objects in A's URL (GET and POST): 404 (or 403/405 on the API), and B unchanged;
- the back-office of B itself: 404 for a member of A.

A route with a URL parameter that is neither a registered commune object nor a declared plain
parameter fails the test: register it in ``clocher.core.scoping``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clocher.core.scoping import plain_parameter_samples, plain_parameters, url_objects
from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.factories import MembershipFactory, UserFactory
from clocher.core.testing.isolation import isolation_factories, setup_isolation_member
from clocher.tenancy.models import Role

MARKER_A = "MarqueurCommuneA"
MARKER_B = "FuiteCommuneB"
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    name: str
    parameters: tuple[str, ...]
    tree: str  # "staff", "public" or "api"


def _walk(patterns: list[Any], namespace: str = "", prefix: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            found.extend(_walk(pattern.url_patterns, inner, route))
        elif isinstance(pattern, URLPattern):
            found.append(
                (f"{namespace}:{pattern.name}" if namespace and pattern.name else "", route)
            )
    return found


def _routes() -> list[Route]:
    routes = []
    for name, route in _walk(get_resolver().url_patterns):
        if route.startswith("mairie/"):
            tree = "staff"
        elif route.startswith("communes/"):
            tree = "public"
        elif route.startswith("api/v1/"):
            tree = "api"
        else:
            continue
        assert name, f"Route {route!r} has no name: every commune or API route must be named."
        parameters = tuple(match["name"] for match in PARAMETER.finditer(route))
        routes.append(Route(name=name, parameters=parameters, tree=tree))
    return routes


def _object_parameters(route: Route) -> list[str]:
    unknown = [
        name
        for name in route.parameters
        if name not in plain_parameters and not url_objects.get(name)
    ]
    assert not unknown, (
        f"Route {route.name} has URL parameters {unknown} that are neither registered commune "
        "objects nor plain parameters (clocher.core.scoping)."
    )
    return [name for name in route.parameters if url_objects.get(name)]


def _url_value(parameter: str, obj: Any) -> Any:
    spec = url_objects.get(parameter)
    assert spec is not None
    return getattr(obj, spec.lookup if spec.lookup != "pk" else "pk")


def _reverse(route: Route, commune: Any, objects: dict[Any, Any]) -> str:
    kwargs: dict[str, Any] = {}
    for parameter in route.parameters:
        if parameter == "commune_slug":
            kwargs[parameter] = commune.slug
        elif (spec := url_objects.get(parameter)) is not None:
            kwargs[parameter] = _url_value(parameter, objects[spec.model])
        elif parameter in plain_parameter_samples:
            kwargs[parameter] = plain_parameter_samples[parameter]
        else:
            pytest.fail(f"No sample value for plain parameter {parameter!r} of {route.name}.")
    return reverse(route.name, kwargs=kwargs)


def _snapshot(objects: dict[Any, Any]) -> dict[str, Any]:
    state = {}
    for model, obj in objects.items():
        row = model._default_manager.filter(pk=obj.pk).values().first()
        state[model._meta.label] = row
    return state


@pytest.fixture
def world(commune_a, commune_b, django_db_blocker):
    factories = isolation_factories()
    registered = {spec.model for spec in url_objects.all()}
    missing = registered - set(factories)
    assert not missing, (
        f"No isolation factory for {sorted(m._meta.label for m in missing)}: add one with "
        "@isolation_factory in the app's tests/factories.py."
    )
    objects_a = {model: make(commune_a, MARKER_A) for model, make in factories.items()}
    objects_b = {model: make(commune_b, MARKER_B) for model, make in factories.items()}
    member = UserFactory(email="membre-a@example.test")
    for role in Role.values:
        MembershipFactory(commune=commune_a, user=member, role=role)
    setup_isolation_member(commune_a, member)
    return {
        "a": commune_a,
        "b": commune_b,
        "objects_a": objects_a,
        "objects_b": objects_b,
        "member": member,
    }


def _api_headers(world: dict[str, Any]) -> dict[str, str]:
    from clocher.core.api.scopes import registered_scopes
    from clocher.core.api.services import api_key_create

    _key, secret = api_key_create(
        commune=world["a"], name="isolation", scopes=list(registered_scopes())
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.django_db
def test_every_route_is_known():
    """Every commune and API route is named and all its parameters are registered."""
    routes = _routes()
    assert any(route.tree == "staff" for route in routes)
    assert any(route.tree == "api" for route in routes)
    for route in routes:
        _object_parameters(route)


@pytest.mark.django_db
def test_staff_routes_isolate_communes(world):
    """No back-office route shows commune B's data to a member of A, or acts on it."""
    client = signed_in_client(world["member"])
    before = _snapshot(world["objects_b"])
    checked = 0
    for route in (r for r in _routes() if r.tree == "staff"):
        object_parameters = _object_parameters(route)
        own_url = _reverse(route, world["a"], world["objects_a"])
        response = client.get(own_url)
        assert response.status_code < 500, f"{route.name}: {response.status_code} on {own_url}"
        assert MARKER_B.encode() not in response.content, f"{route.name} shows commune B's data"
        other_commune_url = _reverse(route, world["b"], world["objects_b"])
        assert client.get(other_commune_url).status_code == 404, (
            f"{route.name}: B's back-office open"
        )
        assert client.post(other_commune_url).status_code == 404, f"{route.name}: POST on B"
        if object_parameters:
            foreign_url = _reverse(route, world["a"], world["objects_b"])
            assert client.get(foreign_url).status_code == 404, f"{route.name}: B's object via A"
            assert client.post(foreign_url).status_code == 404, f"{route.name}: POST B's object"
        checked += 1
    assert checked > 0
    assert _snapshot(world["objects_b"]) == before


@pytest.mark.django_db
def test_public_routes_isolate_communes(world):
    """A commune's public pages never show another commune's objects."""
    client = signed_in_client(world["member"])
    for route in (r for r in _routes() if r.tree == "public"):
        object_parameters = _object_parameters(route)
        response = client.get(_reverse(route, world["a"], world["objects_a"]))
        assert response.status_code < 500, route.name
        assert MARKER_B.encode() not in response.content, f"{route.name} shows commune B's data"
        if object_parameters:
            foreign_url = _reverse(route, world["a"], world["objects_b"])
            assert client.get(foreign_url).status_code == 404, f"{route.name}: B's object via A"


@pytest.mark.django_db
def test_api_routes_isolate_communes(world, client):
    """No API route answers with commune B's data to a key of commune A, or changes it."""
    headers = _api_headers(world)
    before = _snapshot(world["objects_b"])
    for route in (r for r in _routes() if r.tree == "api"):
        object_parameters = _object_parameters(route)
        if "commune_slug" in route.parameters and not object_parameters:
            continue  # public listing of communes by slug
        own_url = _reverse(route, world["a"], world["objects_a"])
        response = client.get(own_url, **headers)
        assert response.status_code < 500, f"{route.name}: {response.status_code}"
        assert MARKER_B.encode() not in response.content, f"{route.name} shows commune B's data"
        if object_parameters:
            foreign_url = _reverse(route, world["a"], world["objects_b"])
            for method in ("get", "post", "put", "patch", "delete"):
                status = getattr(client, method)(
                    foreign_url, content_type="application/json", **headers
                ).status_code
                assert status in (403, 404, 405, 422), f"{route.name} {method}: {status}"
    assert _snapshot(world["objects_b"]) == before


@pytest.mark.django_db
def test_isolation_harness_catches_a_leak(world, monkeypatch):
    """The harness itself fails when scoping is removed (guards against a test that cannot fail)."""
    from clocher.core import scoping

    def unscoped(model, commune, value, *, lookup="pk", queryset=None):
        return model._default_manager.get(**{lookup: value})

    monkeypatch.setattr(scoping, "get_for_commune", unscoped)
    with pytest.raises(AssertionError, match="B's object via A"):
        test_staff_routes_isolate_communes(world)


GARBAGE = {
    "email": "pas-une-adresse",
    "username": "\u0000",
    "code": "x" * 500,
    "population": "-12abc",
    "insee_code": "ABCDEFG",
    "role": "roi",
    "name": "",
    "logo": "pas-un-fichier",
}


@pytest.mark.django_db
def test_bad_input_on_every_route_never_fails_with_a_server_error(world):
    """Posting nonsense to each back-office and public route answers a message, never a 500."""
    staff_client = signed_in_client(world["member"])
    for route in (r for r in _routes() if r.tree in ("staff", "public")):
        url = _reverse(route, world["a"], world["objects_a"])
        response = staff_client.post(url, GARBAGE)
        assert response.status_code < 500, f"{route.name}: {response.status_code} on bad input"
