"""Pausing and resuming the implicit-decision clock of a request.

When the administration asks for missing documents or corrections, the delay after which
silence makes a decision only runs from their receipt (CRPA L114-5):
the request's ``implicit_decision_on`` moves forward by the time the clock was paused.
The acknowledgment already tells the citizen this (R112-5 4°: the list of missing documents and
the delay to provide them; the implicit-decision delay then runs from their receipt).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from clocher.demarches.models import Request


def clock_pause(request: Request, *, at: datetime.datetime | None = None) -> bool:
    """Stop the clock (idempotent). Returns whether it was running. Caller saves the request."""
    if request.clock_paused_at is not None or request.implicit_decision_on is None:
        return False
    request.clock_paused_at = at or timezone.now()
    return True


def clock_resume(request: Request, *, at: datetime.datetime | None = None) -> int:
    """Restart the clock, moving the implicit-decision date by the whole days it was paused.
    Returns those days. Caller saves the request."""
    if request.clock_paused_at is None:
        return 0
    at = at or timezone.now()
    paused_days = (timezone.localdate(at) - timezone.localdate(request.clock_paused_at)).days
    if request.implicit_decision_on is not None and paused_days > 0:
        request.implicit_decision_on += datetime.timedelta(days=paused_days)
    request.clock_paused_at = None
    return max(paused_days, 0)


def clock_state(request: Request) -> dict[str, Any]:
    """What the pages show: due date, paused or not, days left."""
    today = timezone.localdate()
    due = request.implicit_decision_on
    return {
        "due_on": due,
        "is_paused": request.clock_paused_at is not None,
        "days_left": (due - today).days if due else None,
    }
