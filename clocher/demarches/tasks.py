"""Background work of démarches (run by ``clocher worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def issue_acknowledgment(request_id: int) -> None:
    """Build the acknowledgment of receipt (PDF) of a new request and e-mail it."""
    from clocher.demarches.services import acknowledgment

    acknowledgment.acknowledgment_issue_for(request_id)
