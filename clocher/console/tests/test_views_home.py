"""The console home: platform health and a summary."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


def test_home_shows_database_and_worker_state(operator_admin, commune_a, monkeypatch):
    """The database state and the worker state are shown, degraded when the worker is down."""
    monkeypatch.setattr(
        "clocher.console.views.worker_state",
        lambda: {"status": "down", "alive_workers": 0, "last_seen_at": None},
    )
    response = signed_in_client(operator_admin).get(reverse("console:home"))
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["database"]["status"] == "ok"
    assert response.context["overall"] == "degraded"
    assert "Service dégradé" in content
    assert "En panne" in content
    assert "1 commune active" in content


def test_worker_last_heartbeat_is_shown_in_local_time(operator_admin, monkeypatch):
    """The worker's last heartbeat is shown as a readable Paris date."""
    monkeypatch.setattr(
        "clocher.console.views.worker_state",
        lambda: {"status": "ok", "alive_workers": 1, "last_seen_at": "2026-11-22T13:05:00+00:00"},
    )
    content = signed_in_client(operator_admin).get(reverse("console:home")).content.decode()
    assert "1 worker actif" in content
    assert '<time datetime="2026-11-22T13:05:00+00:00">22 novembre 2026 14:05:00</time>' in content
