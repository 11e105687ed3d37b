"""Background work of démarches (run by ``clocher worker``)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from clocher.core.scheduling import periodic


@task()
def issue_acknowledgment(request_id: int) -> None:
    """Build the acknowledgment of receipt (PDF) of a new request and e-mail it."""
    from clocher.demarches.services import acknowledgment

    acknowledgment.acknowledgment_issue_for(request_id)


@periodic(name="demarches.deadline_reminders", daily_at="07:30")
@task()
def send_deadline_reminders() -> int:
    """E-mail each agent one summary of their requests due within three days or overdue."""
    from clocher.demarches.services import instruction

    return instruction.deadline_reminders_send()


@periodic(name="demarches.expire_drafts", daily_at="03:40")
@task()
def expire_drafts() -> int:
    """Delete the drafts left untouched past their lifetime, with their unsubmitted files."""
    from clocher.demarches.services import drafts

    return drafts.drafts_expire()


@periodic(name="demarches.poll_mailboxes", every=timedelta(minutes=5))
@task()
def poll_mailboxes() -> int:
    """Queue one poll per active mailbox of every commune (each in its own task, so a slow
    server does not hold the others back); returns how many were queued."""
    from clocher.demarches.services import mailboxes

    mailbox_ids = mailboxes.active_mailbox_ids()
    for mailbox_id in mailbox_ids:
        poll_mailbox.enqueue(mailbox_id)
    return len(mailbox_ids)


@task()
def poll_mailbox(mailbox_id: int) -> int:
    """Store the unread messages of one mailbox; returns how many were stored. Failures are
    written on the mailbox (``last_error``), never raised."""
    from clocher.demarches.services import mailboxes

    result = mailboxes.mailbox_poll_by_id(mailbox_id)
    return len(result.stored) if result is not None else 0


@periodic(name="demarches.retention_warnings", daily_at="02:15")
@task()
def send_retention_warnings() -> int:
    """Tell agents, one e-mail each, which requests will be anonymised in 30 days."""
    from clocher.demarches.services import retention

    return retention.retention_warnings_send()


@periodic(name="demarches.anonymise_expired", daily_at="02:30")
@task()
def anonymise_expired() -> int:
    """Anonymise the closed requests whose retention period is over (warned a month before)."""
    from clocher.demarches.services import retention

    return retention.anonymise_expired()


@task()
def produce_export(export_id: int) -> None:
    """Write an agent's export (CSV, ODS or JSON), sealed, in chunks; progress on the row."""
    from clocher.demarches.services import exports

    exports.export_produce(export_id)


@periodic(name="demarches.purge_exports", daily_at="03:50")
@task()
def purge_exports() -> int:
    """Delete the exports older than seven days (file and row); returns how many."""
    from clocher.demarches.services import exports

    return exports.exports_purge()
