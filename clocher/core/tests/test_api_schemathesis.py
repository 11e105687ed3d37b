"""Schemathesis against /api/v1/openapi.json: generated requests never get a 5xx, and every
answer conforms to the schema (status codes, content types, bodies, the error format).

The schema is loaded from the WSGI application in-process (no server, no network), on a database
with two communes and a valid API key sent with every request. Each operation gets at most
``MAX_EXAMPLES`` valid and ``MAX_EXAMPLES`` invalid generated requests, so the test stays short.
"""

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

from clocher.config.wsgi import application
from clocher.core.api.services import api_key_create

MAX_EXAMPLES = 30


@pytest.fixture
def bearer(commune_a, commune_b):
    cache.clear()
    _api_key, token = api_key_create(commune=commune_a, name="Schemathesis")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(autouse=True)
def _keep_the_test_connection_open():
    """Django's WSGI handler closes the database connection after each request, which would end
    the test's transaction; Django's test client avoids it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _strategy(operation, mode: GenerationMode):
    strategy = operation.as_strategy(generation_mode=mode)
    if mode.is_positive and "{commune_slug}" in operation.path:
        # Random slugs only ever reach the 404; also ask for communes that exist.
        existing = st.sampled_from(["agey", "beire"]).flatmap(
            lambda slug: operation.as_strategy(path_parameters={"commune_slug": slug})
        )
        strategy = st.one_of(strategy, existing)
    return strategy


def test_api_conforms_to_its_schema_without_server_errors(bearer):
    """Every operation, with valid then invalid generated input: no 5xx, answers as documented."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results), "the schema has invalid operations"
    assert {operation.path for operation in operations} >= {
        "/api/v1/communes",
        "/api/v1/communes/{commune_slug}",
        "/api/v1/me",
    }
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=_strategy(operation, mode))
            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case) -> None:
                response = case.call(headers=bearer)
                case.validate_response(response, headers=bearer)

            try:
                check()
            except Unsatisfiable:
                # Nothing in this operation's input can be invalid (a free-text path parameter,
                # no parameters at all): there is no negative case to send.
                assert mode == GenerationMode.NEGATIVE, operation.path
