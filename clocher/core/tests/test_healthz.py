"""/healthz: the state of the database and of the background worker, as JSON."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from clocher.core.models import WorkerHeartbeat


def test_healthz_reports_database_and_worker(db):
    """200 JSON with the database up; without a live worker the status is degraded."""
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["database"]["status"] == "ok"
    assert body["worker"]["status"] == "down"
    assert body["worker"]["alive_workers"] == 0
    assert body["status"] == "degraded"


def test_healthz_is_ok_with_a_live_worker(db):
    """With a recent worker heartbeat, everything is ok."""
    WorkerHeartbeat.objects.create(
        worker_id="test-worker", hostname="localhost", pid=1, last_seen_at=timezone.now()
    )
    body = Client().get("/healthz").json()
    assert body["status"] == "ok"
    assert body["worker"]["status"] == "ok"
    assert body["worker"]["alive_workers"] == 1
