"""Fixtures of the Cité IoT tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_alert_rule_index():
    """The alert rule index is cached per process and per commune id; ids come back after a
    test's rollback, so each test starts with an empty cache."""
    from clocher.iot.services.alerting import clear_rule_index

    clear_rule_index()
    yield
    clear_rule_index()
