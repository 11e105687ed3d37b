"""Structured logs: JSON lines, with the request id of the request (or task) that wrote them."""

import io
import json
import logging

import pytest

from clocher.core.context import ContextFilter


@pytest.fixture
def json_lines():
    """What the configured stderr handler writes, captured."""
    handler: logging.StreamHandler = next(  # type: ignore[type-arg]
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.StreamHandler)
        and any(isinstance(item, ContextFilter) for item in handler.filters)
    )
    buffer = io.StringIO()
    # Swapped without setStream(): that would flush the previous stream, which pytest's output
    # capture may have closed already.
    previous, handler.stream = handler.stream, buffer
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        handler.stream = previous


def test_a_log_line_written_during_a_request_carries_its_request_id(db, client, json_lines):
    """The "Not Found" warning of a request is a JSON line with the request's X-Request-ID."""
    response = client.get("/cette-page-n-existe-pas/")

    lines = [line for line in json_lines() if line["logger"] == "django.request"]
    assert response.status_code == 404
    assert len(lines) == 1
    assert lines[0]["level"] == "WARNING"
    assert lines[0]["request_id"] == response["X-Request-ID"]
    assert "/cette-page-n-existe-pas/" in lines[0]["message"]


def test_a_log_line_outside_a_request_has_no_request_id(json_lines):
    """Outside a request or task there is no request id to add."""
    logging.getLogger("clocher.tests").warning("hors requête")

    assert [
        line.get("request_id") for line in json_lines() if line["logger"] == "clocher.tests"
    ] == [None]


@pytest.mark.parametrize(
    "name",
    [
        "waitress",
        "waitress.queue",
        "django_tasks",
        "django_tasks_db",
        "clocher.worker",
        "clocher.run",
    ],
)
def test_server_and_worker_loggers_go_through_the_structured_handler(name):
    """waitress's and the worker's loggers have no handler of their own: their records reach
    the root's JSON handler with its context filter."""
    logger = logging.getLogger(name)

    assert logger.handlers == []
    assert logger.propagate is True
    assert any(
        isinstance(item, ContextFilter)
        for handler in logging.getLogger().handlers
        for item in handler.filters
    )
