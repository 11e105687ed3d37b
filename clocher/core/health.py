"""``/healthz``: is the database answering, and is a background worker alive?"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def database_state() -> dict[str, object]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver error means "down"
        return {"status": "down", "error": error.__class__.__name__, "vendor": connection.vendor}
    return {"status": "ok", "vendor": connection.vendor}


def worker_state() -> dict[str, object]:
    from clocher.core.models import WorkerHeartbeat

    if str(settings.TASKS["default"]["BACKEND"]).endswith("ImmediateBackend"):
        return {"status": "ok", "mode": "immediate"}
    limit = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_SECONDS * 3)
    try:
        alive = WorkerHeartbeat.objects.filter(last_seen_at__gte=limit).count()
        last = (
            WorkerHeartbeat.objects.order_by("-last_seen_at")
            .values_list("last_seen_at", flat=True)
            .first()
        )
    except Exception as error:
        return {"status": "unknown", "error": error.__class__.__name__}
    return {
        "status": "ok" if alive else "down",
        "alive_workers": alive,
        "last_seen_at": last.isoformat() if last else None,
    }


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answers 200 with the state of each part while the web process runs (so a load balancer
    keeps it), and ``"status": "degraded"`` when the database or the worker is down."""
    database = database_state()
    worker = worker_state()
    overall = "ok" if database["status"] == "ok" and worker["status"] == "ok" else "degraded"
    return JsonResponse({"status": overall, "database": database, "worker": worker})
