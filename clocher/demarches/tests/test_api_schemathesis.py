"""Schemathesis on the démarches operations, with a published procedure, a request and a key
holding every family scope: generated input (valid, then invalid) never gets a 5xx, and every
answer conforms to the schema. The core schemathesis test covers the same operations on a commune
without procedures; this one reaches the validation and the staff paths."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance

from clocher.config.wsgi import application
from clocher.core.api.scopes import registered_scopes
from clocher.core.api.services import api_key_create
from clocher.demarches.tests.factories import make_procedure, submit

MAX_EXAMPLES = 25
# Their body is valid for the schema yet refused (422) when it does not fit the procedure's own
# form or statuses, which the generic schema cannot describe: "positive data is accepted" does
# not hold there by design (the other checks, including "no 5xx", still do).
BODY_CHECKED_BY_THE_PROCEDURE = {
    "/api/v1/communes/{commune_slug}/procedures/{procedure_slug}/requests",
    "/api/v1/communes/{commune_slug}/requests/{request_number}/status",
}
OPERATIONS = {
    "/api/v1/communes/{commune_slug}/procedures",
    "/api/v1/communes/{commune_slug}/procedures/{procedure_slug}/requests",
    "/api/v1/communes/{commune_slug}/requests",
    "/api/v1/communes/{commune_slug}/requests/{request_number}",
    "/api/v1/communes/{commune_slug}/requests/{request_number}/status",
}


@pytest.fixture(autouse=True)
def _keep_the_test_connection_open():
    """Django's WSGI handler closes the connection after each request (see the core test)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(commune_a, commune_b):
    cache.clear()
    procedure = make_procedure(commune_a)
    number = submit(procedure).request.number
    _api_key, token = api_key_create(
        commune=commune_a,
        name="Schemathesis",
        scopes=[scope for scope in registered_scopes() if scope.startswith("requests_")],
    )
    return {"headers": {"Authorization": f"Bearer {token}"}, "number": number}


def _strategy(operation, mode: GenerationMode, number: str):
    strategy = operation.as_strategy(generation_mode=mode)
    if mode.is_positive:
        known = {"commune_slug": "agey"}
        if "{procedure_slug}" in operation.path:
            known["procedure_slug"] = "contact"
        if "{request_number}" in operation.path:
            known["request_number"] = number
        strategy = st.one_of(strategy, operation.as_strategy(path_parameters=known))
    return strategy


def test_demarches_operations_conform_without_server_errors(world):
    """Every démarches operation, on existing objects too: no 5xx, answers as documented."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if isinstance(result, Ok) and result.ok().path in OPERATIONS
    ]
    assert {operation.path for operation in operations} == OPERATIONS
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _check(operation, mode, world)()
            except Unsatisfiable:
                # Nothing in this operation's input can be invalid: no negative case to send.
                assert mode == GenerationMode.NEGATIVE, operation.path


def _check(operation, mode: GenerationMode, world):
    excluded = [positive_data_acceptance] if operation.path in BODY_CHECKED_BY_THE_PROCEDURE else []

    @given(case=_strategy(operation, mode, world["number"]))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:
        cache.clear()  # the rate limit is tested elsewhere
        response = case.call(headers=world["headers"])
        case.validate_response(response, headers=world["headers"], excluded_checks=excluded)

    return check
